/**
 * .msg read and write-back (MS-OXMSG on MS-CFB), and RTF decompression / HTML de-encapsulation
 * (MS-OXRTFCP, MS-OXRTFEX). Invariants: only SmimeBridgeError escapes; an accepted .msg writes
 * back and reads to an equal message object; toInternet of it raises nothing else.
 */
import { isSmimeBridgeError } from '../../src/errors.js';
import { readMsg } from '../../src/msg/index.js';
import { decompressRtf, deencapsulateHtml } from '../../src/msg/rtf.js';
import { toInternet } from '../../src/smime/index.js';
import { stringifyMessage } from '../../src/mapi/json.js';
import { OracleFailure, corpusFiles, latin1Bytes, sharedCorpus, type Target } from '../engine/target.js';
import { msgSeeds } from './seeds.js';
import { throughMsg } from './mime.js';

const u32 = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);

/** CFB signature, sector markers (MS-CFB 2.1), stream names and property-stream shapes (MS-OXMSG 2.1, 2.4). */
export const CFB_DICTIONARY: (string | Uint8Array)[] = [
  Uint8Array.of(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1), // header signature
  u32(0xfffffffe), u32(0xfffffffd), u32(0xfffffffc), u32(0xffffffff), u32(0xfffffffa), // ENDOFCHAIN, FATSECT, DIFSECT, FREESECT, MAXREGSECT
  Uint8Array.of(0x3e, 0x00, 0x03, 0x00, 0xfe, 0xff, 0x09, 0x00), Uint8Array.of(0x3e, 0x00, 0x04, 0x00, 0xfe, 0xff, 0x0c, 0x00), // minor/major version, byte order, sector shift
  u32(0x1000), u32(4096), u32(512), u32(64),
  ...['__substg1.0_', '__properties_version1.0', '__nameid_version1.0', '__recip_version1.0_#', '__attach_version1.0_#', '__substg1.0_3701000D',
    '__substg1.0_00020102', '__substg1.0_00030102', '__substg1.0_00040102', 'Root Entry', '__substg1.0_0037001F', '__substg1.0_1000001F', '__substg1.0_3707001F']
    .map((s) => Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0), 0]))),
  u32(0x001f0037), u32(0x0102001a), u32(0x80000102), u32(0x8001001f), u32(0x00030e07), u32(0x00400039), u32(0x001e0037), u32(0x10030e12),
  Uint8Array.of(1, 0, 0, 0), Uint8Array.of(2, 0, 0, 0), Uint8Array.of(5, 0, 0, 0), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0),
];

export const msgTarget: Target = {
  name: 'msg',
  description: '.msg read, write-back and read again (readMsg, writeMsg), then toInternet',
  maxLen: 1 << 20,
  seeds: msgSeeds,
  dictionary: CFB_DICTIONARY,
  run(input) {
    const m = readMsg(input).message;
    throughMsg(m, 'readMsg');
    try { toInternet(m); } catch (e) {
      if (!isSmimeBridgeError(e)) throw e;
    }
    return stringifyMessage(m);
  },
};

/** RTF control words (MS-OXRTFEX 2.1.3) and the compressed-RTF header (MS-OXRTFCP 2.1.3.1). */
export const RTF_DICTIONARY = [
  '{\\rtf1', '\\ansi', '\\fromhtml1', '\\fromtext', '{\\*\\htmltag', '{\\*\\htmltag64', '\\htmlrtf', '\\htmlrtf0', '\\par', '\\tab', '\\line',
  "\\'e9", '\\u8364?', '\\uc1', '\\uc0', '{\\*\\mhtmltag', '\\mhtmlbase', '{\\fonttbl', '\\f0', '\\deff0', '\\ansicpg1252', '\\pntext', '\\*',
  '\\{', '\\}', '\\\\', '{', '}', '\r\n', '<html>', '</html>', '<p>', '&amp;',
  latin1Bytes('LZFu'), latin1Bytes('MELA'), Uint8Array.of(0x4c, 0x5a, 0x46, 0x75), Uint8Array.of(0x4d, 0x45, 0x4c, 0x41),
  Uint8Array.of(0xff, 0xff), Uint8Array.of(0x00, 0x00), Uint8Array.of(0x10, 0x00), Uint8Array.of(0xff),
];

/** A compressed-RTF stream holding `text` uncompressed (MS-OXRTFCP 2.1.3.1.1, "MELA", no CRC). */
function uncompressedRtf(text: string): Uint8Array {
  const body = latin1Bytes(text);
  const out = new Uint8Array(16 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length + 12, true);
  dv.setUint32(4, body.length, true);
  dv.setUint32(8, 0x414c454d, true);
  out.set(body, 16);
  return out;
}

export const rtfTarget: Target = {
  name: 'rtf',
  description: 'compressed RTF (decompressRtf) and HTML de-encapsulation (deencapsulateHtml)',
  maxLen: 256 * 1024,
  seeds: () => [
    ...corpusFiles(sharedCorpus, /\.rtf$/i, 50, 1 << 20),
    uncompressedRtf('{\\rtf1\\ansi\\fromhtml1 {\\*\\htmltag64 <html>}\\htmlrtf x\\htmlrtf0 {\\*\\htmltag <p>}a\\par b\\\'e9\\u8364?{\\*\\htmltag </html>}}'),
    uncompressedRtf('{\\rtf1\\ansi\\fromtext plain\\par}'),
    ...msgRtfStreams(),
  ],
  dictionary: RTF_DICTIONARY,
  run(input) {
    // Half the inputs are compressed RTF streams, half raw RTF for the de-encapsulator.
    let rtf: Uint8Array | undefined;
    try { rtf = decompressRtf(input, 16 << 20); } catch (e) { if (!isSmimeBridgeError(e)) throw e; }
    deencapsulateHtml(rtf ?? input);
    if (rtf && rtf.length > 16 << 20) throw new OracleFailure('rtf-over-limit', `decompressed ${rtf.length} bytes over the 16 MiB limit`);
  },
};

/** PidTagRtfCompressed streams of the corpus messages. */
function msgRtfStreams(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of msgSeeds().slice(0, 60)) {
    try {
      const v = readMsg(f).message.properties.getBinary(0x10090102);
      if (v) out.push(v);
    } catch { /* skip */ }
  }
  return out;
}
