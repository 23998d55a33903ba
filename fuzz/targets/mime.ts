/**
 * .eml -> message object -> .msg -> message object -> .eml. Invariants: only SmimeBridgeError
 * escapes; what toMessage accepts, writeMsg writes and readMsg reads back to an equal message
 * object (its JSON form); toInternet writes it; a clear-signed message keeps its signed bytes
 * (MS-OXOSMIME 2.2.1 item 4a) identical through .msg and back.
 */
import fc from 'fast-check';
import { isSmimeBridgeError } from '../../src/errors.js';
import { toMessage, toInternet } from '../../src/smime/index.js';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { messageChange } from '../engine/compare.js';
import { parseMime } from '../../src/mime/parse.js';
import type { MessageObject } from '../../src/mapi/message.js';
import { OracleFailure, latin1Bytes, sameBytes, type Target } from '../engine/target.js';
import { emlSeeds } from './seeds.js';

/** MIME header names, parameters, boundaries, encodings (RFC 5322, 2045-2049, 2231, 5751). */
export const MIME_DICTIONARY = [
  'From: ', 'To: ', 'Cc: ', 'Bcc: ', 'Subject: ', 'Date: ', 'Message-ID: ', 'Reply-To: ', 'Sender: ', 'In-Reply-To: ', 'References: ',
  'MIME-Version: 1.0\r\n', 'Content-Type: ', 'Content-Transfer-Encoding: ', 'Content-Disposition: ', 'Content-ID: ', 'Content-Description: ',
  'Thread-Index: ', 'X-Priority: ', 'Importance: ', 'Received: ', 'Return-Path: ', 'Disposition-Notification-To: ',
  'multipart/signed', 'multipart/mixed', 'multipart/alternative', 'multipart/related', 'message/rfc822', 'text/plain', 'text/html',
  'application/pkcs7-mime', 'application/x-pkcs7-mime', 'application/pkcs7-signature', 'application/ms-tnef', 'message/delivery-status',
  '; boundary=', '; boundary="', '; protocol="application/pkcs7-signature"', '; micalg=sha-256', '; smime-type=enveloped-data',
  '; smime-type=signed-data', '; smime-type=certs-only', '; charset=', 'utf-8', 'iso-8859-1', 'windows-1252', 'iso-2022-jp', 'shift_jis',
  '; name=', '; filename=', "; filename*=utf-8''", '; filename*0=', '; filename*1*=', 'attachment', 'inline',
  'base64', 'quoted-printable', '7bit', '8bit', 'binary', '=?utf-8?B?', '=?iso-8859-1?Q?', '?=', '=\r\n', '=3D', '=20',
  '\r\n', '\n', '\r\n\r\n', '\r\n ', '\r\n\t', '--', '--b\r\n', '\r\n--b--\r\n', '--b--', 'boundary', ':', ';', '"', '\\', '<', '>', '@', ',', '(', ')',
  'smime.p7m', 'smime.p7s', 'SMIME.txt', 'MIIB', '....', '    ', '\t\t', '\0',
];

const bytes = latin1Bytes;
const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/);
const headerValue = fc.stringMatching(/^[ -~\u00a0-\u00ff]{0,60}$/);
const line = fc.stringMatching(/^[ -~\t\u0080-\u00ff]{0,90}$/);
type Tree = { leaf: true; headers: [string, string][]; lines: string[]; ct: string } | { leaf: false; headers: [string, string][]; parts: Tree[]; sub: string };
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof({ depthSize: 'small' },
    fc.record({ leaf: fc.constant(true as const), headers: fc.array(fc.tuple(token, headerValue), { maxLength: 3 }), lines: fc.array(line, { maxLength: 6 }),
      ct: fc.constantFrom('text/plain', 'text/html; charset=utf-8', 'application/pkcs7-signature', 'application/pkcs7-mime; smime-type=enveloped-data', 'message/rfc822', 'application/octet-stream; name="a....txt"') }),
    fc.record({ leaf: fc.constant(false as const), headers: fc.array(fc.tuple(token, headerValue), { maxLength: 2 }), parts: fc.array(tie('t'), { minLength: 1, maxLength: 3 }),
      sub: fc.constantFrom('mixed', 'alternative', 'related', 'signed; protocol="application/pkcs7-signature"; micalg=sha-256') })),
})).t;
let seq = 0;
function render(t: Tree, eol: string): string {
  const head = t.headers.map(([n, v]) => `${n}: ${v}${eol}`).join('');
  if (t.leaf) return `${head}Content-Type: ${t.ct}${eol}${eol}${t.lines.join(eol)}`;
  const b = `=_b${seq++}`;
  return `${head}Content-Type: multipart/${t.sub}; boundary="${b}"${eol}${eol}${t.parts.map((p) => `--${b}${eol}${render(p, eol)}${eol}`).join('')}--${b}--${eol}`;
}
/** Structure-aware messages: a MIME tree with envelope fields (as in test/smime/signedBytes.property.test.ts). */
export const emlGenerator = fc.tuple(tree, fc.constantFrom('\r\n', '\n'), fc.boolean()).map(([t, eol, env]) =>
  bytes(`${env ? `From: a@example.org${eol}To: b@example.org, "C D" <c@example.org>${eol}Subject: gen${eol}MIME-Version: 1.0${eol}` : ''}${render(t, eol)}`));

/** The signed first body part of a multipart/signed message, or undefined. */
function signedPart(eml: Uint8Array): Uint8Array | undefined {
  const { root } = parseMime(eml);
  const first = root.contentType.value === 'multipart/signed' ? root.children?.[0] : undefined;
  return first ? eml.subarray(first.range.start, first.range.end) : undefined;
}

/** Through .msg and back: an accepted message object must be writable and read back equal. */
export function throughMsg(m: MessageObject, what: string): MessageObject {
  let file: Uint8Array;
  try { file = writeMsg(m); } catch (e) {
    if (isSmimeBridgeError(e)) throw new OracleFailure('accepted-unwritable', `${what} accepted, writeMsg refused: ${e.code} ${e.message}`);
    throw e;
  }
  let back: MessageObject;
  try { back = readMsg(file, { strict: false, deriveHtml: false }).message; } catch (e) {
    if (isSmimeBridgeError(e)) throw new OracleFailure('own-msg-unreadable', `readMsg refused what writeMsg wrote: ${e.code} ${e.message}`);
    throw e;
  }
  const d = messageChange(m, back);
  if (d) throw new OracleFailure('msg-roundtrip-changed', d);
  return back;
}


export const emlTarget: Target = {
  name: 'eml',
  description: '.eml -> message object -> .msg -> message object -> .eml (toMessage, writeMsg, readMsg, toInternet)',
  maxLen: 256 * 1024,
  seeds: emlSeeds,
  dictionary: MIME_DICTIONARY,
  generator: emlGenerator,
  run(input) {
    const r = toMessage(input);
    const back = throughMsg(r.message, 'toMessage');
    let out: Uint8Array;
    try { out = toInternet(back).bytes; } catch (e) {
      if (isSmimeBridgeError(e)) throw new OracleFailure('accepted-unexportable', `toInternet refused an accepted message: ${e.code} ${e.message}`);
      throw e;
    }
    if (r.classification.kind === 'clear-signed') {
      const before = signedPart(input), after = signedPart(out);
      if (before && (!after || !sameBytes(before, after))) throw new OracleFailure('signed-bytes-changed', `the signed body part (${before.length} bytes) changed through .msg and back`);
    }
  },
};
