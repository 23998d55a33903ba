/**
 * Fuzz-style robustness (fixed seeds, a few hundred cases): truncated and bit-flipped corpus .msg
 * files each give a typed SmimeBridgeError or a result, never another exception, in both strict
 * and lenient mode. A per-test timeout is the hang budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsg, writeMsg } from '../../src/msg/index.js';
import { SmimeBridgeError } from '../../src/errors.js';
import { corpusBytes } from './helpers.js';
import { sampleMessage } from './sample.js';

const FILES = [
  'apache-poi-hsmf/test-data/hsmf/quick.msg',
  'apache-poi-hsmf/test-data/hsmf/msgClassContact.msg',
  'apache-poi-hsmf/test-data/hsmf/58214_with_attachment.msg', // embedded message
  'apache-poi-hsmf/test-data/hsmf/chinese-traditional.msg', // ANSI, code page 950
  'email-outlook-message-perl/t/files/plain_jpeg_attached.msg',
];

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 0x100000000; };
}

function check(bytes: Uint8Array, what: string, failures: string[]): void {
  for (const strict of [false, true]) {
    try {
      const r = readMsg(bytes, { strict });
      // A result must be usable: walk it.
      void r.message.messageClass;
      for (const a of r.message.attachments) void a.embedded?.messageClass;
    } catch (e) {
      if (!(e instanceof SmimeBridgeError)) failures.push(`${what} (strict=${strict}): ${(e as Error)?.stack ?? String(e)}`);
    }
  }
}

const inputs: [string, Uint8Array][] = [...FILES.map((f): [string, Uint8Array] => [f, corpusBytes(f)]), ['sample', writeMsg(sampleMessage())]];

test('truncated .msg files give a typed error or a result', { timeout: 60_000 }, () => {
  const failures: string[] = [];
  const random = rng(20261123);
  let cases = 0;
  for (const [name, bytes] of inputs) {
    const cuts = new Set<number>([0, 1, 511, 512, 513, 1024, bytes.length - 1, bytes.length >> 1]);
    while (cuts.size < 30) cuts.add(Math.floor(random() * bytes.length));
    for (const n of cuts) {
      check(bytes.subarray(0, n), `${name} cut at ${n}`, failures);
      cases++;
    }
  }
  assert.ok(cases >= 150);
  assert.deepEqual(failures.slice(0, 5), []);
});

test('bit-flipped .msg files give a typed error or a result', { timeout: 60_000 }, () => {
  const failures: string[] = [];
  const random = rng(4242);
  let cases = 0;
  for (const [name, bytes] of inputs) {
    for (let k = 0; k < 50; k++) {
      const b = bytes.slice();
      const flips = 1 + Math.floor(random() * 16);
      // Half the cases aim at the header, FAT and directory region where damage is structural.
      const region = k % 2 === 0 ? Math.min(b.length, 4096) : b.length;
      const at: number[] = [];
      for (let i = 0; i < flips; i++) {
        const pos = Math.floor(random() * region);
        b[pos] = b[pos]! ^ (1 << Math.floor(random() * 8));
        at.push(pos);
      }
      check(b, `${name} flips at ${at.join(',')}`, failures);
      cases++;
    }
  }
  assert.ok(cases >= 300);
  assert.deepEqual(failures.slice(0, 5), []);
});

test('random bytes with a CFB signature give a typed error', () => {
  const random = rng(7);
  for (let k = 0; k < 50; k++) {
    const b = new Uint8Array(512 * (1 + Math.floor(random() * 8)));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(random() * 256);
    b.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
    b.set([0x3e, 0, 3, 0, 0xfe, 0xff, 9, 0, 6, 0], 24);
    try {
      readMsg(b);
    } catch (e) {
      assert.ok(e instanceof SmimeBridgeError, String(e));
    }
  }
});
