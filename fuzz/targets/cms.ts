/**
 * CMS (RFC 5652) inspect, verify and decrypt with a fixed key, and openMessage (every S/MIME
 * layer of a message). Invariant: only SmimeBridgeError escapes, in bounded time and memory.
 */
import { inspectCms, verifySignedData, decryptEnvelopedData } from '../../src/cms/index.js';
import { openMessage } from '../../src/secure/open.js';
import type { Target } from '../engine/target.js';
import { cmsSeeds, emlSeeds, fixedKey } from './seeds.js';
import { MIME_DICTIONARY } from './mime.js';

const oid = (s: string): Uint8Array => {
  const p = s.split('.').map(Number);
  const out = [40 * p[0]! + p[1]!];
  for (const v of p.slice(2)) {
    const b = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  }
  return Uint8Array.of(0x06, out.length, ...out);
};

/** DER tags and lengths (X.690 8.1), and the OIDs of CMS / S/MIME (RFC 5652, 5751, 8017, 3565). */
export const DER_DICTIONARY: (string | Uint8Array)[] = [
  Uint8Array.of(0x30, 0x80), Uint8Array.of(0x00, 0x00), Uint8Array.of(0x30, 0x82), Uint8Array.of(0x30, 0x81), Uint8Array.of(0x31, 0x80),
  Uint8Array.of(0xa0, 0x80), Uint8Array.of(0xa0, 0x82), Uint8Array.of(0xa1), Uint8Array.of(0xa2), Uint8Array.of(0x24, 0x80), Uint8Array.of(0x04, 0x82),
  Uint8Array.of(0x02, 0x01, 0x01), Uint8Array.of(0x02, 0x01, 0x00), Uint8Array.of(0x02, 0x01, 0x03), Uint8Array.of(0x05, 0x00), Uint8Array.of(0x01, 0x01, 0xff),
  Uint8Array.of(0x03, 0x02, 0x00), Uint8Array.of(0x17, 0x0d), Uint8Array.of(0x18, 0x0f), Uint8Array.of(0x0c), Uint8Array.of(0x13), Uint8Array.of(0x16),
  Uint8Array.of(0x84, 0xff, 0xff, 0xff, 0xff), Uint8Array.of(0x88, 1, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(0x1f, 0xff, 0xff, 0xff, 0x7f),
  ...['1.2.840.113549.1.7.1', '1.2.840.113549.1.7.2', '1.2.840.113549.1.7.3', '1.2.840.113549.1.9.16.1.23', '1.2.840.113549.1.9.16.1.2',
    '1.2.840.113549.1.1.1', '1.2.840.113549.1.1.7', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.10', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4',
    '1.2.840.113549.1.9.5', '1.2.840.113549.1.9.15', '2.16.840.1.101.3.4.2.1', '2.16.840.1.101.3.4.1.42', '2.16.840.1.101.3.4.1.46', '2.16.840.1.101.3.4.1.2',
    '1.2.840.113549.3.7', '1.2.840.113549.3.2', '1.3.14.3.2.26', '1.2.840.10045.2.1', '1.2.840.10045.4.3.2', '1.3.132.1.11.1', '2.16.840.1.101.3.4.1.45',
    '1.2.840.113549.1.12.10.1.2', '1.2.840.113549.1.12.10.1.3', '1.2.840.113549.1.5.13', '1.2.840.113549.1.5.12', '1.2.840.113549.1.12.1.3',
    '2.5.4.3', '2.5.29.17', '2.5.29.15', '2.5.29.19', '2.5.29.37'].map(oid),
];

export const cmsInspectTarget: Target = {
  name: 'cms-inspect', description: 'inspectCms: what a CMS object holds (RFC 5652 5.1, 6.1)',
  maxLen: 128 * 1024, seeds: cmsSeeds, dictionary: DER_DICTIONARY,
  run: (input) => inspectCms(input),
};

const now = new Date(Date.UTC(2024, 5, 1));
export const cmsVerifyTarget: Target = {
  name: 'cms-verify', description: 'verifySignedData: signatures, chains, attributes (RFC 5652 5.4-5.6, RFC 5280 6.1)',
  maxLen: 128 * 1024, seeds: cmsSeeds, dictionary: DER_DICTIONARY,
  run: (input) => verifySignedData(input, { now, content: input.length % 3 === 0 ? Uint8Array.of(0x61) : undefined }),
};

export const cmsDecryptTarget: Target = {
  name: 'cms-decrypt', description: 'decryptEnvelopedData with a fixed RSA key (RFC 5652 6.2, 6.3; RFC 5083)',
  maxLen: 128 * 1024, seeds: cmsSeeds, dictionary: DER_DICTIONARY, setup: fixedKey, timeoutMs: 10000,
  async run(input) {
    const k = await fixedKey();
    return decryptEnvelopedData(input, { key: k.key, cert: input.length % 2 ? k.cert : undefined });
  },
};

export const openTarget: Target = {
  name: 'open', description: 'openMessage: every S/MIME layer of a message, with a fixed key (src/secure/open.ts)',
  maxLen: 256 * 1024, seeds: () => emlSeeds().filter((m) => m.length < 256 * 1024).slice(0, 200),
  dictionary: MIME_DICTIONARY, setup: fixedKey, timeoutMs: 10000,
  async run(input) {
    const k = await fixedKey();
    const o = await openMessage(input, { recipients: [{ key: k.key, cert: k.cert }], now });
    // made on first use: read them, so the conversion of the innermost content is fuzzed too
    void o.messageObject;
    void o.message;
    return o;
  },
};
