/**
 * PidTagRtfCompressed: MS-OXRTFCP decompression with the spec's test vectors (section 3.1), CRC
 * checking, and MS-OXRTFEX HTML de-encapsulation, checked against the PidTagHtml that Outlook
 * itself stored next to the RTF in corpus files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decompressRtf, deencapsulateHtml, isEncapsulatedHtml, readMsg } from '../../src/msg/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { PidTagHtml, PidTagInternetCodepage, PidTagRtfCompressed } from '../../src/mapi/tags.js';
import { corpusBytes, msgEntries } from './helpers.js';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

// MS-OXRTFCP 3.1.1 and 3.1.2 (compressed RTF test vectors).
const V1 = hex('2d 00 00 00 2b 00 00 00 4c 5a 46 75 f1 c5 c7 a7 03 00 0a 00 72 63 70 67 31 32 35 42 32 0a f3 20 68 65 6c 09 00 20 62 77 05 b0 6c 64 7d 0a 80 0f a0');
const V2 = hex('1a 00 00 00 1c 00 00 00 4c 5a 46 75 e2 d4 4b 51 41 00 04 20 57 58 59 5a 0d 6e 7d 01 0e b0');

test('MS-OXRTFCP 3.1.1: simple compressed RTF decompresses to "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\\r\\n"', () => {
  assert.equal(text(decompressRtf(V1)), '{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n');
});

test('MS-OXRTFCP 3.1.2: a run crossing the dictionary write position decompresses to "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"', () => {
  assert.equal(text(decompressRtf(V2)), '{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}');
});

test('MS-OXRTFCP 2.1.3.1.1: a CRC mismatch is MSG_RTF_MALFORMED', () => {
  const bad = V1.slice();
  bad[30] ^= 0x01;
  assert.throws(() => decompressRtf(bad), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MSG_RTF_MALFORMED' && /CRC/.test(e.message));
});

test('MS-OXRTFCP 2.1.3.1.1: COMPTYPE "MELA" is stored uncompressed; unknown COMPTYPE is an error', () => {
  const body = new TextEncoder().encode('{\\rtf1 plain}');
  const v = new Uint8Array(16 + body.length);
  const dv = new DataView(v.buffer);
  dv.setUint32(0, body.length + 12, true);
  dv.setUint32(4, body.length, true);
  dv.setUint32(8, 0x414c454d, true);
  v.set(body, 16);
  assert.equal(text(decompressRtf(v)), '{\\rtf1 plain}');
  dv.setUint32(8, 0x12345678, true);
  assert.throws(() => decompressRtf(v), (e: unknown) => e instanceof SmimeBridgeError && e.code === 'MSG_RTF_MALFORMED');
});

test('MS-OXRTFCP: truncated compressed RTF gives MSG_RTF_MALFORMED, never another exception', () => {
  for (let n = 0; n < V1.length; n++) {
    try {
      decompressRtf(V1.subarray(0, n));
    } catch (e) {
      assert.ok(e instanceof SmimeBridgeError, `length ${n}: ${String(e)}`);
    }
  }
});

test('MS-OXRTFEX 2.4: \\htmltag text is emitted, \\htmlrtf text suppressed, \\par and \\\'hh decoded', () => {
  const rtf = new TextEncoder().encode([
    '{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}',
    '{\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}{\\*\\htmltag41 </head>}{\\*\\htmltag50 <body>}',
    '\\htmlrtf {\\htmlrtf0 Gr\\\'fc\\\'dfe \\{x\\}{\\*\\htmltag84 &nbsp;}\\htmlrtf\\par\\htmlrtf0}\\htmlrtf0',
    '{\\*\\htmltag64 <p>}\\htmlrtf {\\b RTF only}\\htmlrtf0 caf\\u233\\\'e9{\\*\\htmltag72 </p>}',
    '{\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}',
  ].join('\r\n'));
  assert.equal(isEncapsulatedHtml(rtf), true);
  assert.equal(deencapsulateHtml(rtf), '<html><head></head><body>Gr\u00fc\u00dfe {x}&nbsp;<p>caf\u00e9</p></body></html>');
});

test('MS-OXRTFEX 2.1.3.1: RTF without \\fromhtml1 is not de-encapsulated', () => {
  assert.equal(deencapsulateHtml(decompressRtf(V1)), undefined);
});

function normalizeHtml(s: string): string {
  // Outlook adds a Content-Type <meta> and <tbody> when it renders HTML that the RTF does not hold,
  // and whitespace next to tags may differ; everything else must be equal.
  return s.replace(/<meta[^>]*http-equiv=.?content-type[^>]*>/gi, '').replace(/&nbsp;/g, '\u00a0').replace(/<\/?tbody>/gi, '')
    .toLowerCase().replace(/\s+/g, ' ').replace(/ ?([<>]) ?/g, '$1').trim();
}

test('MS-OXRTFEX: de-encapsulated HTML equals the PidTagHtml Outlook stored beside the RTF (corpus)', () => {
  let compared = 0;
  const failures: string[] = [];
  for (const e of msgEntries()) {
    const { message } = readMsg(corpusBytes(e.path), { deriveHtml: false });
    const p = message.properties;
    const rtfc = p.getBinary(PidTagRtfCompressed);
    const stored = p.getBinary(PidTagHtml);
    if (!rtfc || !stored) continue;
    let raw: Uint8Array;
    try { raw = decompressRtf(rtfc); } catch { continue; }
    const ours = deencapsulateHtml(raw);
    if (ours === undefined) continue;
    compared++;
    const cp = p.getNumber(PidTagInternetCodepage);
    const theirs = new TextDecoder(cp === 65001 ? 'utf-8' : 'windows-1252').decode(stored);
    if (normalizeHtml(ours) !== normalizeHtml(theirs)) failures.push(e.path);
  }
  assert.ok(compared >= 6, `only ${compared} files with both forms`);
  assert.deepEqual(failures, []);
});

test('readMsg deriveHtml: RTF-only HTML mail gets PidTagHtml, the RTF is kept; deriveHtml:false leaves it out', () => {
  const path = 'apache-poi-hsmf/test-data/hsmf/58214_with_attachment.msg';
  const on = readMsg(corpusBytes(path)).message.properties;
  assert.ok(on.getBinary(PidTagRtfCompressed));
  const html = new TextDecoder().decode(on.getBinary(PidTagHtml)!);
  assert.match(html, /^<html[\s>]/i);
  assert.match(html, /<\/html>\s*$/i);
  const off = readMsg(corpusBytes(path), { deriveHtml: false }).message.properties;
  assert.equal(off.getBinary(PidTagHtml), undefined);
});
