/**
 * The CRC-32 of MS-OXRTFCP 2.1.3.2: table polynomial 0xEDB88320, initial value 0, no final XOR.
 * Used for the compressed-RTF header and for named-property hash buckets (MS-OXMSG 2.2.3.2.2).
 * Hand-written: 10 lines, and the `crc-32` package uses the standard initial value and final XOR.
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** MS-OXRTFCP CRC-32 of `bytes` (unsigned). */
export function crc32Rtf(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc >>> 0;
}
