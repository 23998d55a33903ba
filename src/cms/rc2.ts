/**
 * RC2 block cipher (RFC 2268) for reading old S/MIME mail (RC2-40/64/128-CBC, RFC 3370 5.2) and
 * PKCS#12 files using pbeWithSHAAnd40BitRC2-CBC.
 *
 * Hand-written because neither WebCrypto nor PKI.js implements RC2. Never used to write new data
 * except in tests.
 */
import type { BlockCipher64 } from './des.js';

// RFC 2268 section 2: PITABLE, a permutation of 0..255 derived from the digits of pi.
const PITABLE = new Uint8Array([
  0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d, 0xc6, 0x7e, 0x37, 0x83, 0x2b,
  0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2, 0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45,
  0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32, 0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e,
  0x82, 0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc, 0x12, 0x75, 0xca, 0x1f,
  0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26, 0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27,
  0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03, 0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66,
  0x1e, 0xd7, 0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a, 0x96, 0x1a, 0xd2,
  0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec, 0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc,
  0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39, 0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25,
  0x55, 0x97, 0x31, 0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9, 0xd3, 0x00,
  0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9, 0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff,
  0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e, 0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68,
  0xfe, 0x7f, 0xc1, 0xad,
]);

/**
 * RFC 3370 5.2 / RFC 8018 B.2.3: RC2ParameterVersion to effective key bits. Versions 160, 120
 * and 58 encode 40, 64 and 128 bits; a value >= 256 is the bit count itself.
 */
export function rc2EffectiveBits(version: number): number {
  if (version >= 256) return version;
  const map: Record<number, number> = { 160: 40, 120: 64, 58: 128 };
  return map[version] ?? -1;
}

/** RC2 parameter version for effective bits (inverse of {@link rc2EffectiveBits}). */
export function rc2Version(bits: number): number {
  const map: Record<number, number> = { 40: 160, 64: 120, 128: 58 };
  return map[bits] ?? bits;
}

/** A keyed RC2 cipher. */
export class Rc2 implements BlockCipher64 {
  private readonly K = new Uint16Array(64);

  /** `key` 1..128 bytes; `effectiveBits` 1..1024 (RFC 2268 section 2, "T1"). */
  constructor(key: Uint8Array, effectiveBits: number) {
    if (key.length < 1 || key.length > 128) throw new RangeError('RC2 key must be 1..128 bytes');
    if (effectiveBits < 1 || effectiveBits > 1024) throw new RangeError('RC2 effective bits must be 1..1024');
    // RFC 2268 section 2: key expansion
    const L = new Uint8Array(128);
    L.set(key);
    const T = key.length;
    const T8 = Math.floor((effectiveBits + 7) / 8);
    const TM = 0xff % (1 << (8 + effectiveBits - 8 * T8));
    for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1]! + L[i - T]!) & 0xff]!;
    L[128 - T8] = PITABLE[L[128 - T8]! & TM]!;
    for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1]! ^ L[i + T8]!]!;
    for (let i = 0; i < 64; i++) this.K[i] = L[2 * i]! + 256 * L[2 * i + 1]!;
  }

  /** Encrypt one 8-byte block in place (RFC 2268 section 3). */
  encryptBlock(b: Uint8Array, o: number): void {
    const R = this.read(b, o);
    const K = this.K;
    let j = 0;
    const mix = () => {
      R[0] = (R[0]! + K[j++]! + (R[3]! & R[2]!) + (~R[3]! & R[1]!)) & 0xffff;
      R[0] = ((R[0]! << 1) | (R[0]! >>> 15)) & 0xffff;
      R[1] = (R[1]! + K[j++]! + (R[0]! & R[3]!) + (~R[0]! & R[2]!)) & 0xffff;
      R[1] = ((R[1]! << 2) | (R[1]! >>> 14)) & 0xffff;
      R[2] = (R[2]! + K[j++]! + (R[1]! & R[0]!) + (~R[1]! & R[3]!)) & 0xffff;
      R[2] = ((R[2]! << 3) | (R[2]! >>> 13)) & 0xffff;
      R[3] = (R[3]! + K[j++]! + (R[2]! & R[1]!) + (~R[2]! & R[0]!)) & 0xffff;
      R[3] = ((R[3]! << 5) | (R[3]! >>> 11)) & 0xffff;
    };
    const mash = () => {
      R[0] = (R[0]! + K[R[3]! & 63]!) & 0xffff;
      R[1] = (R[1]! + K[R[0]! & 63]!) & 0xffff;
      R[2] = (R[2]! + K[R[1]! & 63]!) & 0xffff;
      R[3] = (R[3]! + K[R[2]! & 63]!) & 0xffff;
    };
    for (let i = 0; i < 5; i++) mix();
    mash();
    for (let i = 0; i < 6; i++) mix();
    mash();
    for (let i = 0; i < 5; i++) mix();
    this.write(b, o, R);
  }

  /** Decrypt one 8-byte block in place (RFC 2268 section 4). */
  decryptBlock(b: Uint8Array, o: number): void {
    const R = this.read(b, o);
    const K = this.K;
    let j = 63;
    const rmix = () => {
      R[3] = ((R[3]! >>> 5) | (R[3]! << 11)) & 0xffff;
      R[3] = (R[3]! - K[j--]! - (R[2]! & R[1]!) - (~R[2]! & R[0]!)) & 0xffff;
      R[2] = ((R[2]! >>> 3) | (R[2]! << 13)) & 0xffff;
      R[2] = (R[2]! - K[j--]! - (R[1]! & R[0]!) - (~R[1]! & R[3]!)) & 0xffff;
      R[1] = ((R[1]! >>> 2) | (R[1]! << 14)) & 0xffff;
      R[1] = (R[1]! - K[j--]! - (R[0]! & R[3]!) - (~R[0]! & R[2]!)) & 0xffff;
      R[0] = ((R[0]! >>> 1) | (R[0]! << 15)) & 0xffff;
      R[0] = (R[0]! - K[j--]! - (R[3]! & R[2]!) - (~R[3]! & R[1]!)) & 0xffff;
    };
    const rmash = () => {
      R[3] = (R[3]! - K[R[2]! & 63]!) & 0xffff;
      R[2] = (R[2]! - K[R[1]! & 63]!) & 0xffff;
      R[1] = (R[1]! - K[R[0]! & 63]!) & 0xffff;
      R[0] = (R[0]! - K[R[3]! & 63]!) & 0xffff;
    };
    for (let i = 0; i < 5; i++) rmix();
    rmash();
    for (let i = 0; i < 6; i++) rmix();
    rmash();
    for (let i = 0; i < 5; i++) rmix();
    this.write(b, o, R);
  }

  private read(b: Uint8Array, o: number): number[] {
    return [b[o]! | (b[o + 1]! << 8), b[o + 2]! | (b[o + 3]! << 8), b[o + 4]! | (b[o + 5]! << 8), b[o + 6]! | (b[o + 7]! << 8)];
  }

  private write(b: Uint8Array, o: number, R: number[]): void {
    for (let i = 0; i < 4; i++) {
      b[o + 2 * i] = R[i]! & 0xff;
      b[o + 2 * i + 1] = R[i]! >>> 8;
    }
  }
}
