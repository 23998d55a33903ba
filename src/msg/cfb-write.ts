/**
 * Compound File Binary writer for .msg files: the `cfb` package (SheetJS) builds the container;
 * this module only fixes what a .msg needs and the package does differently:
 *
 * - `cfb` always adds a marker stream `\u0001Sh33tJ5` to the root (its `seed_cfb` runs on every
 *   write and has no option to skip it). After writing, the marker's directory entry is unlinked
 *   from the root's sibling tree and cleared, and its mini sector freed (MS-CFB 2.6.1 unused
 *   entry: all zero, sibling and child ids NOSTREAM).
 * - Zero-length streams get starting sector ENDOFCHAIN (MS-CFB 2.6.3), not 0.
 *
 * Output is deterministic: `cfb` writes zero timestamps and sorts entries by name.
 */
import CFB from 'cfb';
import { SmimeBridgeError } from '../errors.js';
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

/** Remove the marker stream and set ENDOFCHAIN as start of empty streams (see module comment). */
function fixUp(bytes: Uint8Array): Uint8Array {
  const r = new CfbReader(bytes, undefined);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const ss = r.sectorSize;
  const all = r.entries.filter((e): e is NonNullable<typeof e> => e !== undefined);
  for (const e of all) {
    if (e.type === 2 && e.size === 0) dv.setUint32(r.entryOffset(e.id) + 116, ENDOFCHAIN, true);
  }
  const marker = r.root.children.get(MARKER.toUpperCase());
  if (!marker) return bytes;
  const mOff = r.entryOffset(marker.id);
  const mLeft = dv.getUint32(mOff + 68, true);
  const mRight = dv.getUint32(mOff + 72, true);
  if (mLeft !== NOSTREAM) throw new SmimeBridgeError('MSG_CFB_MALFORMED', 'unexpected layout from the cfb package: marker stream has a left sibling');
  // Unlink: whoever points at the marker (root child or a sibling's left/right) now points at its right sibling.
  const total = r.directorySectors.length * (ss / 128);
  for (let id = 0; id < total; id++) {
    const off = r.entryOffset(id);
    for (const field of [68, 72, 76]) if (dv.getUint32(off + field, true) === marker.id) dv.setUint32(off + field, mRight, true);
  }
  // Free its mini sectors and clear their bytes.
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
  bytes.fill(0, mOff, mOff + 128);
  dv.setUint32(mOff + 68, NOSTREAM, true);
  dv.setUint32(mOff + 72, NOSTREAM, true);
  dv.setUint32(mOff + 76, NOSTREAM, true);
  return bytes;
}
