/**
 * Reader tolerance for what other writers leave in files (MS-OXMSG 2.4): junk in reserved header
 * fields, in the Reserved half of variable-size entries and in the padding of fixed-size values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { CfbReader } from '../../src/msg/cfb-read.js';
import { messageToJson } from '../../src/mapi/json.js';
import { fixedSize } from '../../src/msg/layout.js';
import { sampleMessage } from './sample.js';

/** Physical byte offset of byte `i` of a small (mini-stream) stream. */
function miniByteOffset(cfb: CfbReader, sectors: number[], i: number): number {
  const miniOff = sectors[Math.floor(i / 64)]! * 64 + (i % 64);
  return cfb.offsetOf(cfb.miniStreamSectors[Math.floor(miniOff / cfb.sectorSize)]!) + (miniOff % cfb.sectorSize);
}

test('MS-OXMSG 2.4.1 / 2.4.2: junk in reserved header bytes, entry Reserved fields and value padding is ignored', () => {
  const clean = writeMsg(sampleMessage());
  const bytes = clean.slice();
  const cfb = new CfbReader(bytes);
  const ps = cfb.root.children.get('__PROPERTIES_VERSION1.0')!;
  const { mini, sectors } = cfb.sectorsOf(ps);
  assert.ok(mini);
  const at = (i: number) => miniByteOffset(cfb, sectors, i);
  for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31]) bytes[at(i)] = 0xa5; // reserved header bytes
  let junked = 0;
  for (let off = 32; off + 16 <= ps.size; off += 16) {
    const tag = bytes[at(off)]! | (bytes[at(off + 1)]! << 8);
    const size = fixedSize(tag);
    if (tag === 0x001f || tag === 0x0102) { bytes[at(off + 12)] = 3; bytes[at(off + 13)] = 0x77; junked++; } // Reserved of a stream entry
    else if (size > 0 && size < 8 && tag !== 0x000b) { for (let k = size; k < 8; k++) bytes[at(off + 8 + k)] = 0xee; junked++; } // padding
    else if (tag === 0x000b) { for (let k = 2; k < 8; k++) bytes[at(off + 8 + k)] = 0xee; junked++; }
  }
  assert.ok(junked > 10);
  const a = JSON.stringify(messageToJson(readMsg(clean, { strict: true }).message));
  const b = JSON.stringify(messageToJson(readMsg(bytes, { strict: true }).message));
  assert.equal(b, a);
});
