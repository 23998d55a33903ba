/**
 * Compound File Binary writer for .msg files (MS-CFB v3, 512-byte sectors).
 *
 * Hand-written instead of the `cfb` package (SheetJS): its writer copies Uint8Array stream content
 * one byte at a time (only Node Buffers get a memcpy), always adds a marker stream `\u0001Sh33tJ5`,
 * links siblings as a case-sensitive right-leaning chain and gives empty streams sector 0; the
 * output then had to be copied and patched. Here the final size is computed first, one zero-filled
 * Uint8Array of exactly that size is allocated, and every stream is copied into it with one
 * `set` (a memcpy). Layout, in sector order:
 *
 *   FAT sectors | DIFAT sectors | directory | mini FAT | mini stream | regular streams
 *
 * - Header (MS-CFB 2.2): v3 (minor 0x003E), sector shift 9, mini sector shift 6, cutoff 4096;
 *   the first 109 FAT sector numbers in the header, the rest in DIFAT sectors (MS-CFB 2.5).
 * - Streams shorter than 4096 bytes live in the mini stream (MS-CFB 2.4), whose chain starts at
 *   the root entry; longer ones are contiguous runs of regular sectors (MS-CFB 2.3).
 * - Zero-length streams have starting sector ENDOFCHAIN (MS-CFB 2.6.3); storages 0 / size 0.
 * - Every storage's children form a red-black tree in MS-CFB 2.6.4 order (length, then
 *   upper-case compare); timestamps are zero; unused directory entries are all zero with
 *   NOSTREAM ids (MS-CFB 2.6.1).
 *
 * Output is deterministic: entries are numbered root first, then depth-first with every storage's
 * children in MS-CFB 2.6.4 order, and stream data follows that numbering.
 */
import { SmimeBridgeError } from '../errors.js';
import { ENDOFCHAIN, FATSECT, DIFSECT, FREESECT, NOSTREAM } from './cfb-read.js';
import { MAX_CFB_NAME, guidToBytes } from './layout.js';

/** One stream to write: `path` relative to the root, components separated by `/`. */
export interface CfbStreamSpec {
  path: string;
  data: Uint8Array;
}

/** A storage with a CLSID (or one that must exist even when empty). Other storages come from the stream paths. */
export interface CfbStorageSpec {
  path: string;
  /** 16 on-disk CLSID bytes; zero when absent. */
  clsid?: Uint8Array;
}

const SECTOR = 512;
const MINI = 64;
const CUTOFF = 4096;
/** MS-CFB 2.2: header DIFAT holds 109 FAT sector numbers; a DIFAT sector 127 plus a next pointer. */
const HEADER_DIFAT = 109;
const PER_DIFAT = SECTOR / 4 - 1;
const PER_FAT = SECTOR / 4;

interface Node {
  name: string;
  /** 1 storage, 2 stream, 5 root. */
  type: number;
  clsid?: Uint8Array;
  data?: Uint8Array;
  /** Children by upper-case name (storages only). */
  kids?: Map<string, Node>;
  id: number;
  /** Starting sector (regular or mini) of a stream. */
  start: number;
  left: number;
  right: number;
  child: number;
  /** 0 red, 1 black. */
  color: number;
}

/** MS-CFB 2.6.4: siblings are ordered by name length, then by upper-cased UTF-16 code units. */
export function compareCfbNames(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

function newNode(name: string, type: number): Node {
  return { name, type, id: 0, start: ENDOFCHAIN, left: NOSTREAM, right: NOSTREAM, child: NOSTREAM, color: 1, ...(type !== 2 ? { kids: new Map() } : {}) };
}

function checkName(part: string, path: string): void {
  // MS-CFB 2.6.1: at most 31 UTF-16 code units plus NUL; '/', '\\', ':' and '!' are not allowed.
  if (part.length === 0 || part.length > MAX_CFB_NAME || /[/\\:!]/.test(part)) {
    throw new SmimeBridgeError('INVALID_ARGUMENT', `CFB name ${JSON.stringify(part)} is empty, longer than ${MAX_CFB_NAME} characters or holds a reserved character`, { streamPath: path });
  }
}

/** The storage at `parts` under `root`, created (without CLSID) where missing. */
function storageAt(root: Node, parts: string[], path: string): Node {
  let cur = root;
  for (const part of parts) {
    checkName(part, path);
    const key = part.toUpperCase();
    let next = cur.kids!.get(key);
    if (!next) {
      next = newNode(part, 1);
      cur.kids!.set(key, next);
    } else if (next.type !== 1) {
      throw new SmimeBridgeError('INVALID_ARGUMENT', `${JSON.stringify(part)} is a stream and a storage`, { streamPath: path });
    }
    cur = next;
  }
  return cur;
}

/**
 * Build a compound file (v3, 512-byte sectors) holding `streams`; storages are created from the
 * paths. `rootClsid` is a GUID string or 16 on-disk bytes. Names longer than 31 characters, names
 * with `/ \ : !`, and an entry written twice are refused (`INVALID_ARGUMENT`).
 */
export function buildCfb(streams: CfbStreamSpec[], rootClsid: string | Uint8Array, storages: CfbStorageSpec[] = []): Uint8Array {
  const clsid = typeof rootClsid === 'string' ? guidToBytes(rootClsid) : rootClsid;
  if (!clsid || clsid.length !== 16) throw new SmimeBridgeError('INVALID_ARGUMENT', `root CLSID ${String(rootClsid)} is not a GUID`);
  const root = newNode('Root Entry', 5);
  root.clsid = clsid;
  const declared = new Set<Node>();
  for (const st of storages) {
    const parts = st.path.split('/');
    const node = storageAt(root, parts, st.path);
    if (declared.has(node)) throw new SmimeBridgeError('INVALID_ARGUMENT', 'entry written twice', { streamPath: st.path });
    declared.add(node);
    if (st.clsid) {
      if (st.clsid.length !== 16) throw new SmimeBridgeError('INVALID_ARGUMENT', `CLSID of ${st.clsid.length} bytes, not 16`, { streamPath: st.path });
      node.clsid = st.clsid;
    }
  }
  for (const s of streams) {
    const parts = s.path.split('/');
    const name = parts.pop()!;
    const parent = storageAt(root, parts, s.path);
    checkName(name, s.path);
    const key = name.toUpperCase();
    if (parent.kids!.has(key)) throw new SmimeBridgeError('INVALID_ARGUMENT', 'entry written twice', { streamPath: s.path });
    const node = newNode(name, 2);
    node.data = s.data;
    parent.kids!.set(key, node);
  }

  // Number the entries: root first, then depth-first, children in MS-CFB 2.6.4 order.
  const order: Node[] = [root];
  const sortedKids = new Map<Node, Node[]>();
  const stack: Node[] = [root];
  while (stack.length) {
    const st = stack.pop()!;
    const kids = [...st.kids!.values()].sort((a, b) => compareCfbNames(a.name, b.name));
    sortedKids.set(st, kids);
    for (const k of kids) {
      k.id = order.length;
      order.push(k);
    }
    for (let i = kids.length - 1; i >= 0; i--) if (kids[i]!.type === 1) stack.push(kids[i]!);
  }
  for (const [st, kids] of sortedKids) st.child = linkTree(kids);

  // Sector counts.
  let miniSectors = 0;
  let bigSectors = 0;
  for (const n of order) {
    if (n.type !== 2) continue;
    const len = n.data!.length;
    if (len === 0) continue;
    if (len < CUTOFF) {
      n.start = miniSectors;
      miniSectors += Math.ceil(len / MINI);
    } else {
      n.start = bigSectors; // relative; shifted below
      bigSectors += Math.ceil(len / SECTOR);
    }
  }
  const dirSectors = Math.ceil(order.length / (SECTOR / 128));
  const miniFatSectors = Math.ceil((miniSectors * 4) / SECTOR);
  const miniStreamSectors = Math.ceil((miniSectors * MINI) / SECTOR);
  const dataSectors = dirSectors + miniFatSectors + miniStreamSectors + bigSectors;
  // MS-CFB 2.3 / 2.5: enough FAT sectors to describe every sector, the FAT and DIFAT ones included.
  let fatSectors = 0;
  let difatSectors = 0;
  for (;;) {
    difatSectors = fatSectors > HEADER_DIFAT ? Math.ceil((fatSectors - HEADER_DIFAT) / PER_DIFAT) : 0;
    if (fatSectors * PER_FAT >= dataSectors + fatSectors + difatSectors) break;
    fatSectors++;
  }
  const total = fatSectors + difatSectors + dataSectors;
  const difatStart = fatSectors;
  const dirStart = difatStart + difatSectors;
  const miniFatStart = dirStart + dirSectors;
  const miniStreamStart = miniFatStart + miniFatSectors;
  const bigStart = miniStreamStart + miniStreamSectors;

  const out = new Uint8Array(SECTOR * (total + 1));
  const dv = new DataView(out.buffer, out.byteOffset, out.length);
  const off = (s: number) => (s + 1) * SECTOR;

  // MS-CFB 2.2 header.
  out.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
  dv.setUint16(24, 0x003e, true); // minor version
  dv.setUint16(26, 3, true); // major version 3
  dv.setUint16(28, 0xfffe, true); // byte order
  dv.setUint16(30, 9, true); // sector shift: 512
  dv.setUint16(32, 6, true); // mini sector shift: 64
  dv.setUint32(40, 0, true); // directory sectors: 0 in v3
  dv.setUint32(44, fatSectors, true);
  dv.setUint32(48, dirStart, true);
  dv.setUint32(56, CUTOFF, true);
  dv.setUint32(60, miniFatSectors ? miniFatStart : ENDOFCHAIN, true);
  dv.setUint32(64, miniFatSectors, true);
  dv.setUint32(68, difatSectors ? difatStart : ENDOFCHAIN, true);
  dv.setUint32(72, difatSectors, true);
  for (let i = 0; i < HEADER_DIFAT; i++) dv.setUint32(76 + 4 * i, i < fatSectors ? i : FREESECT, true);
  // MS-CFB 2.5 DIFAT sectors: 127 FAT sector numbers, then the next DIFAT sector.
  for (let d = 0; d < difatSectors; d++) {
    const base = off(difatStart + d);
    for (let i = 0; i < PER_DIFAT; i++) {
      const f = HEADER_DIFAT + d * PER_DIFAT + i;
      dv.setUint32(base + 4 * i, f < fatSectors ? f : FREESECT, true);
    }
    dv.setUint32(base + 4 * PER_DIFAT, d + 1 < difatSectors ? difatStart + d + 1 : ENDOFCHAIN, true);
  }

  // MS-CFB 2.3 FAT: FAT sectors are at the start of the file, so entry s sits at byte 512 + 4 s.
  const fatBase = off(0);
  const setFat = (s: number, v: number) => dv.setUint32(fatBase + 4 * s, v, true);
  const chain = (start: number, count: number) => {
    for (let i = 0; i < count - 1; i++) setFat(start + i, start + i + 1);
    if (count > 0) setFat(start + count - 1, ENDOFCHAIN);
  };
  for (let s = 0; s < fatSectors; s++) setFat(s, FATSECT);
  for (let s = 0; s < difatSectors; s++) setFat(difatStart + s, DIFSECT);
  chain(dirStart, dirSectors);
  chain(miniFatStart, miniFatSectors);
  chain(miniStreamStart, miniStreamSectors);
  for (let s = total; s < fatSectors * PER_FAT; s++) setFat(s, FREESECT);

  // MS-CFB 2.4 mini FAT: one contiguous chain per mini stream; unused entries FREESECT.
  const miniFatBase = off(miniFatStart);
  for (let s = miniSectors; s < miniFatSectors * PER_FAT; s++) dv.setUint32(miniFatBase + 4 * s, FREESECT, true);
  for (const n of order) {
    if (n.type !== 2) continue;
    const len = n.data!.length;
    if (len === 0) continue;
    if (len < CUTOFF) {
      const count = Math.ceil(len / MINI);
      for (let i = 0; i < count; i++) dv.setUint32(miniFatBase + 4 * (n.start + i), i + 1 < count ? n.start + i + 1 : ENDOFCHAIN, true);
      out.set(n.data!, off(miniStreamStart) + n.start * MINI); // the mini stream's sectors are contiguous
    } else {
      n.start += bigStart;
      chain(n.start, Math.ceil(len / SECTOR));
      out.set(n.data!, off(n.start));
    }
  }

  // MS-CFB 2.6 directory entries.
  if (miniSectors > 0) root.start = miniStreamStart;
  const dirBase = off(dirStart);
  for (const n of order) {
    const base = dirBase + n.id * 128;
    for (let i = 0; i < n.name.length; i++) dv.setUint16(base + 2 * i, n.name.charCodeAt(i), true);
    dv.setUint16(base + 64, (n.name.length + 1) * 2, true);
    out[base + 66] = n.type;
    out[base + 67] = n.color;
    dv.setUint32(base + 68, n.left, true);
    dv.setUint32(base + 72, n.right, true);
    dv.setUint32(base + 76, n.child, true);
    if (n.clsid) out.set(n.clsid, base + 80);
    if (n.type === 5) {
      dv.setUint32(base + 116, root.start, true);
      dv.setUint32(base + 120, miniSectors * MINI, true);
    } else if (n.type === 2) {
      dv.setUint32(base + 116, n.start, true);
      dv.setUint32(base + 120, n.data!.length, true);
    }
  }
  // Unused entries at the end of the last directory sector: all zero, ids NOSTREAM.
  for (let id = order.length; id < dirSectors * (SECTOR / 128); id++) {
    const base = dirBase + id * 128;
    dv.setUint32(base + 68, NOSTREAM, true);
    dv.setUint32(base + 72, NOSTREAM, true);
    dv.setUint32(base + 76, NOSTREAM, true);
  }
  return out;
}

/**
 * Link sorted siblings as a balanced binary search tree and colour it (MS-CFB 2.6.4): splitting
 * at the middle puts every leaf on the last two levels, so colouring the last level red (when it
 * is not full) and everything else black satisfies the red-black rules. Returns the root id.
 */
function linkTree(kids: Node[]): number {
  const n = kids.length;
  if (n === 0) return NOSTREAM;
  const h = Math.floor(Math.log2(n)); // depth of the last level
  const perfect = n === 2 ** (h + 1) - 1;
  const build = (lo: number, hi: number, depth: number): number => {
    if (lo > hi) return NOSTREAM;
    const mid = (lo + hi) >> 1;
    const k = kids[mid]!;
    k.left = build(lo, mid - 1, depth + 1);
    k.right = build(mid + 1, hi, depth + 1);
    k.color = !perfect && depth === h ? 0 : 1;
    return k.id;
  };
  return build(0, n - 1, 0);
}
