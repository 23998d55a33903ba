/**
 * X.400: P1 message transfer envelopes (X.411), IPM / forwarded IP messages (X.420, RFC 3855) and
 * O/R names (X.411 18.5, RFC 2156 string form). Invariants: only SmimeBridgeError escapes; an
 * O/R name accepted in string form formats and parses back to the same name.
 */
import fc from 'fast-check';
import * as x from '../../src/x400/index.js';
import { OracleFailure, canonicalJson, latin1Bytes, latin1Text, type Target } from '../engine/target.js';
import { DER_DICTIONARY } from './cms.js';
import { cmsSeeds } from './seeds.js';

const when = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));
function berSeeds(kind: 'p1' | 'ipm'): Uint8Array[] {
  const originator = x.parseORName('C=GB;A= ;P=Example;O=Org;S=Surname;G=Given');
  const bob = x.orNameFromRfc822('bob@example.com', 'C=GB;A= ;P=Gateway');
  const other = x.parseORName('C=DE;A=ADMD;P=Priv;O=Org;OU1=Unit;OU2=Sub;S=Meier;G=Hans;I=HM;Q=Jr;DDA:ABC=val');
  const out: Uint8Array[] = [];
  for (const cms of cmsSeeds().filter((c) => c.length < 16384).slice(0, 12)) {
    if (kind === 'p1') {
      out.push(x.encodeP1Message({ content: cms, contentType: x.ID_CT_CONTENT_INFO, originator, recipients: [bob, other], messageId: { localIdentifier: 'v1' }, contentIdentifier: 'var', priority: 'urgent', arrivalTime: when }));
      out.push(x.encodeP1Message({ content: cms, contentType: 22, originator: other, recipients: [bob] }));
    } else {
      out.push(x.encodeIpmForward({ cms, contentType: x.ID_CT_CONTENT_INFO, subject: 'variants', originator, recipients: [bob, other], thisIpm: 'v', deliveryTime: when, mtsIdentifier: { country: 'GB', adminDomain: ' ', localIdentifier: 'm' } }));
    }
  }
  return out;
}

export const p1Target: Target = {
  name: 'x400-p1', description: 'decodeP1Message (X.411 MessageTransferEnvelope + content)',
  maxLen: 64 * 1024, seeds: () => berSeeds('p1'), dictionary: DER_DICTIONARY,
  run: (input) => x.decodeP1Message(input),
};

export const ipmTarget: Target = {
  name: 'x400-ipm', description: 'decodeIpm (X.420 IPM, forwarded IP message body parts, RFC 3855)',
  maxLen: 64 * 1024, seeds: () => berSeeds('ipm'), dictionary: DER_DICTIONARY,
  run: (input) => x.decodeIpm(input),
};

const ORNAME_SEEDS = [
  'C=GB;A= ;P=Example;O=Org;S=Surname;G=Given', 'C=DE;A=ADMD;P=Priv;O=Org;OU1=Unit;OU2=Sub;S=Meier;G=Hans;I=HM;Q=Jr;DDA:ABC=val',
  '/C=GB/A= /P=Gateway/DDA:RFC-822=bob(u)b(a)example.com/', 'C=123;A=0;S=X', 'C=GB;A= ;X121=12345;T-ID=abc;UA-ID=42',
  'C=GB;A= ;P=Gateway;DDA:RFC-822=bob(u)b(a)example.com', '"Bob B." <bob_b@example.com>', 'a(p)b(b)c(q)(l)(r)(065)',
];
const attr = fc.constantFrom('C', 'A', 'P', 'O', 'OU1', 'OU2', 'OU3', 'OU4', 'S', 'G', 'I', 'Q', 'X121', 'T-ID', 'UA-ID', 'DDA:RFC-822', 'DDA:X', 'CN', 'Z');
const value = fc.stringMatching(/^[A-Za-z0-9 '()+,\-./:=?@%!"_;]{0,20}$/);
/** Structure-aware O/R names: attribute=value pairs in either form. */
const ornameGen = fc.tuple(fc.array(fc.tuple(attr, value), { maxLength: 10 }), fc.boolean()).map(([pairs, slash]) =>
  latin1Bytes(slash ? `/${pairs.map(([k, v]) => `${k}=${v}`).join('/')}/` : pairs.map(([k, v]) => `${k}=${v}`).join(';')));

export const ornameTarget: Target = {
  name: 'x400-orname', description: 'parseORName / formatORName / orNameFromRfc822 / rfc2156 (X.411 18.5, RFC 2156 3.4, 4.2.1)',
  maxLen: 8 * 1024, seeds: () => ORNAME_SEEDS.map(latin1Bytes), generator: ornameGen,
  dictionary: ['C=', 'A=', 'P=', 'O=', 'OU1=', 'OU4=', 'S=', 'G=', 'I=', 'Q=', 'X121=', 'T-ID=', 'UA-ID=', 'DDA:', 'RFC-822=', ';', '/', '=', '(a)', '(p)', '(b)', '(q)', '(u)', '(l)', '(r)', '(065)', '<', '>', '@', ' '],
  run(input) {
    const text = latin1Text(input);
    try { x.rfc2156Decode(text); x.rfc2156Encode(text); } catch (e) { if (!(e instanceof Error && e.name === 'SmimeBridgeError')) throw e; }
    try { x.orNameFromRfc822(text, 'C=GB;A= ;P=Gateway'); } catch (e) { if (!(e instanceof Error && e.name === 'SmimeBridgeError')) throw e; }
    const n = x.parseORName(text);
    const s = x.formatORName(n);
    const again = x.parseORName(s);
    if (canonicalJson(again) !== canonicalJson(n)) throw new OracleFailure('orname-roundtrip', `${JSON.stringify(text)} -> ${JSON.stringify(n)} -> ${s} -> ${JSON.stringify(again)}`);
    x.rfc822FromORName(n);
  },
};
