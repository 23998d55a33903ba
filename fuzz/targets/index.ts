/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { Target } from '../engine/target.js';
import { emlTarget } from './mime.js';
import { msgTarget, rtfTarget } from './msg.js';
import { cmsDecryptTarget, cmsInspectTarget, cmsVerifyTarget, openTarget } from './cms.js';
import { pemTarget, pkcs12Target, pkcs8Target } from './keys.js';
import { ipmTarget, ornameTarget, p1Target } from './x400.js';
import { jsonTarget } from './json.js';
import { mboxTarget } from './mbox.js';
import { maildirTarget } from './maildir.js';
import { cliTarget } from './cli.js';

export const targets: Target[] = [
  emlTarget, msgTarget, jsonTarget, rtfTarget, cmsInspectTarget, cmsVerifyTarget, cmsDecryptTarget, openTarget,
  pkcs12Target, pkcs8Target, pemTarget, p1Target, ipmTarget, ornameTarget, mboxTarget, maildirTarget, cliTarget,
];
