/**
 * Compound File Binary writer for .msg files: the `cfb` package (SheetJS) builds the container
 * (header, FAT, mini stream, sectors); this module fixes what a .msg needs and the package does
 * differently, by post-processing the directory it wrote:
 *
 * - `cfb` always adds a marker stream `\u0001Sh33tJ5` to the root (its `seed_cfb` runs on every
 *   write and has no option to skip it). The marker's entry is cleared (MS-CFB 2.6.1 unused entry:
 *   all zero, ids NOSTREAM), left out of the root's tree, and its mini sector freed.
 * - `cfb` links siblings as a right-leaning chain sorted case-sensitively; every storage's
 *   siblings are re-linked as a balanced red-black tree in MS-CFB 2.6.4 order (length, then
 *   upper-case compare).
 * - Zero-length streams get starting sector ENDOFCHAIN (MS-CFB 2.6.3), not 0.
 *
 * Output is deterministic: `cfb` writes zero timestamps and sorts entries by path.
 */
import CFB from 'cfb';
import { Diagnostics, SmimeBridgeError } from '../errors.js';
import { CfbReader, ENDOFCHAIN, FREESECT, NOSTREAM } from './cfb-read.js';
import { MAX_CFB_NAME, guidToBytes } from './layout.js';

const MARKER = '\u0001Sh33tJ5';

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

function hexOf(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Build a compound file (v3, 512-byte sectors) holding `streams`; storages are created from the
 * paths. `rootClsid` is a GUID string. Names longer than 31 characters are refused.
 */
export function buildCfb(streams: CfbStreamSpec[], rootClsid: string | Uint8Array, storages: CfbStorageSpec[] = []): Uint8Array {
  const clsid = typeof rootClsid === 'string' ? guidToBytes(rootClsid) : rootClsid;
  if (!clsid || clsid.length !== 16) throw new SmimeBridgeError('INVALID_ARGUMENT', `root CLSID ${String(rootClsid)} is not a GUID`);
  const container = CFB.utils.cfb_new({ CLSID: hexOf(clsid) } as never);
  const seen = new Set<string>();
  const checkPath = (path: string) => {
    for (const part of path.split('/')) {
      // MS-CFB 2.6.1: at most 31 UTF-16 code units plus NUL; '/', '\\', ':' and '!' are not allowed.
      if (part.length === 0 || part.length > MAX_CFB_NAME || /[/\\:!]/.test(part)) {
        throw new SmimeBridgeError('INVALID_ARGUMENT', `CFB name ${JSON.stringify(part)} is empty, longer than ${MAX_CFB_NAME} characters or holds a reserved character`, { streamPath: path });
      }
    }
    const key = path.toUpperCase();
    if (seen.has(key)) throw new SmimeBridgeError('INVALID_ARGUMENT', 'entry written twice', { streamPath: path });
    seen.add(key);
  };
  for (const st of storages) {
    checkPath(st.path);
    // A storage entry as cfb's rebuild expects it: full path ending in "/", type 1, CLSID as hex.
    container.FileIndex.push({ name: st.path.split('/').pop()!, type: 1, clsid: hexOf(st.clsid ?? new Uint8Array(16)), content: null } as never);
    container.FullPaths.push(`Root Entry/${st.path}/`);
  }
  for (const s of streams) {
    checkPath(s.path);
    CFB.utils.cfb_add(container, `Root Entry/${s.path}`, s.data, { unsafe: true });
  }
  CFB.utils.cfb_gc(container);
  const out = CFB.write(container, { type: 'array' }) as ArrayLike<number>;
  const bytes = Uint8Array.from(out as ArrayLike<number>);
  return fixUp(bytes);
}

/** MS-CFB 2.6.4: siblings are ordered by name length, then by upper-cased UTF-16 code units. */
export function compareCfbNames(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  const ua = a.toUpperCase();
  const ub = b.toUpperCase();
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * Post-process cfb's output (see the module comment): drop the marker stream, give empty streams
 * ENDOFCHAIN, and rebuild every storage's sibling tree as a balanced red-black tree in MS-CFB
 * 2.6.4 order (cfb links siblings as a right-leaning chain, sorted case-sensitively).
 */
function fixUp(bytes: Uint8Array): Uint8Array {
  const r = new CfbReader(bytes, new Diagnostics(true)); // our own output must parse without a single warning
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const ss = r.sectorSize;
  for (const e of r.entries) {
    if (e && e.type === 2 && e.size === 0) dv.setUint32(r.entryOffset(e.id) + 116, ENDOFCHAIN, true);
  }
  const marker = r.root.children.get(MARKER.toUpperCase());
  for (const e of r.entries) {
    if (!e || e.type === 2) continue;
    const kids = [...e.children.values()].filter((c) => c !== marker).sort((a, b) => compareCfbNames(a.name, b.name));
    dv.setUint32(r.entryOffset(e.id) + 76, linkTree(r, dv, kids), true);
  }
  if (!marker) return bytes;
  // Free the marker's mini sectors and clear their bytes.
  const { mini, sectors } = r.sectorsOf(marker);
  if (mini) {
    for (const ms of sectors) {
      const fatSec = r.miniFatSectors[Math.floor((ms * 4) / ss)]!;
      dv.setUint32(r.offsetOf(fatSec) + ((ms * 4) % ss), FREESECT, true);
      const dataSec = r.miniStreamSectors[Math.floor((ms * 64) / ss)]!;
      bytes.fill(0, r.offsetOf(dataSec) + ((ms * 64) % ss), r.offsetOf(dataSec) + ((ms * 64) % ss) + 64);
    }
  }
  // MS-CFB 2.6.1: an unused entry is all zero except the three ids, which are NOSTREAM.
  const mOff = r.entryOffset(marker.id);
  bytes.fill(0, mOff, mOff + 128);
  dv.setUint32(mOff + 68, NOSTREAM, true);
  dv.setUint32(mOff + 72, NOSTREAM, true);
  dv.setUint32(mOff + 76, NOSTREAM, true);
  return bytes;
}

/**
 * Link sorted siblings as a balanced binary search tree and colour it (MS-CFB 2.6.4): splitting
 * at the middle puts every leaf on the last two levels, so colouring the last level red (when it
 * is not full) and everything else black satisfies the red-black rules. Returns the root id.
 */
function linkTree(r: CfbReader, dv: DataView, kids: { id: number }[]): number {
  const n = kids.length;
  if (n === 0) return NOSTREAM;
  const h = Math.floor(Math.log2(n)); // depth of the last level
  const perfect = n === 2 ** (h + 1) - 1;
  const build = (lo: number, hi: number, depth: number): number => {
    if (lo > hi) return NOSTREAM;
    const mid = (lo + hi) >> 1;
    const off = r.entryOffset(kids[mid]!.id);
    dv.setUint32(off + 68, build(lo, mid - 1, depth + 1), true);
    dv.setUint32(off + 72, build(mid + 1, hi, depth + 1), true);
    dv.setUint8(off + 67, !perfect && depth === h ? 0 : 1); // 0 red, 1 black
    return kids[mid]!.id;
  };
  return build(0, n - 1, 0);
}
