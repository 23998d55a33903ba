/**
 * Bounded, validating reader for Compound File Binary containers (MS-CFB), as used by .msg files.
 *
 * Hand-written instead of `CFB.read` from the `cfb` package because that reader follows FAT
 * chains without a visited set (`get_sector_list`: a FAT loop hangs and grows memory without
 * bound), rebuilds paths with a parent heuristic that loops on directory cycles, and throws
 * TypeErrors on damaged files that other readers (olefile) still open. Here every walk is
 * bounded: chains carry a visited set and may not be longer than the file has sectors, the
 * directory tree is walked iteratively with a visited set, and a stream may not claim more bytes
 * than its chain holds. Header-level damage throws `MSG_CFB_MALFORMED`; damage confined to one
 * directory entry or stream is reported through {@link Diagnostics} (thrown in strict mode,
 * skipped with a warning in lenient mode). Writing uses the `cfb` package (see cfb-write.ts).
 */
import { Diagnostics, SmimeBridgeError } from '../errors.js';

/** MS-CFB 2.1 special sector numbers. */
export const FREESECT = 0xffffffff;
export const ENDOFCHAIN = 0xfffffffe;
export const FATSECT = 0xfffffffd;
export const DIFSECT = 0xfffffffc;
const MAXREGSECT = 0xfffffffa;
/** MS-CFB 2.6.1 "no stream" sibling/child id. */
export const NOSTREAM = 0xffffffff;

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** A storage or stream of the compound file, with its position in the tree. */
export interface CfbEntry {
  /** Directory entry index (stream id). */
  id: number;
  name: string;
  /** 1 storage, 2 stream, 5 root storage (MS-CFB 2.6.1 Object Type). */
  type: number;
  /** CLSID as 16 on-disk bytes. */
  clsid: Uint8Array;
  startSector: number;
  size: number;
  /** Path from the root, `__attach_version1.0_#00000000/__properties_version1.0`; `""` for the root. */
  path: string;
  /** Children of a storage by upper-case name (MS-CFB 2.6.4 compares names case-insensitively). */
  children: Map<string, CfbEntry>;
}

/** Limits for {@link CfbReader}; defaults are safe for untrusted input. */
export interface CfbLimits {
  /** Maximum directory entries (default 200 000). */
  maxDirectoryEntries?: number;
  /** Maximum storage nesting depth (default 64). */
  maxDepth?: number;
}

function fail(message: string, offset?: number, streamPath?: string): never {
  throw new SmimeBridgeError('MSG_CFB_MALFORMED', message, { ...(offset !== undefined ? { offset } : {}), ...(streamPath !== undefined ? { streamPath } : {}) });
}

/** Little-endian u32 at `off` (caller guarantees bounds). */
function u32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}
function u16(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

/**
 * A parsed compound file: header, FAT, mini FAT and the directory tree. Stream contents are read
 * on demand with {@link CfbReader.read}.
 */
export class CfbReader {
  readonly sectorSize: number;
  readonly miniSectorSize: number;
  readonly miniCutoff: number;
  /** Number of whole or partial sectors after the header. */
  readonly sectorCount: number;
  readonly fat: Uint32Array;
  private miniFat: Uint32Array = new Uint32Array(0);
  private miniStream: Uint8Array = new Uint8Array(0);
  readonly entries: (CfbEntry | undefined)[] = [];
  readonly root: CfbEntry;
  /** Sector numbers holding the directory, in chain order. */
  readonly directorySectors: number[];
  /** Sector numbers holding the FAT, in order. */
  readonly fatSectors: number[];
  /** Sector numbers holding the mini FAT, in chain order. */
  miniFatSectors: number[] = [];
  /** Sector numbers holding the mini stream, in chain order. */
  miniStreamSectors: number[] = [];
  /** Bytes that stream reads may still allocate (see readChain). */
  private budget: number;

  constructor(readonly bytes: Uint8Array, readonly diag: Diagnostics = new Diagnostics(false), limits: CfbLimits = {}) {
    const b = bytes;
    this.budget = 2 * b.length + (1 << 16);
    // MS-CFB 2.2 Compound File Header
    if (b.length < 512) fail(`file of ${b.length} bytes is shorter than a CFB header (512)`, 0);
    for (let i = 0; i < 8; i++) if (b[i] !== SIGNATURE[i]) fail('not a compound file (header signature D0CF11E0A1B11AE1 missing)', 0);
    const major = u16(b, 26);
    const shift = u16(b, 30);
    if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) fail(`unsupported major version ${major} / sector shift ${shift}`, 26);
    if (u16(b, 32) !== 6) fail(`mini sector shift ${u16(b, 32)} is not 6`, 32);
    this.sectorSize = 1 << shift;
    this.miniSectorSize = 64;
    this.miniCutoff = u32(b, 56);
    if (this.miniCutoff !== 4096) diag.report('MSG_CFB_MALFORMED', `mini stream cutoff ${this.miniCutoff} is not 4096`, { offset: 56 });
    const ss = this.sectorSize;
    this.sectorCount = b.length <= ss ? 0 : Math.ceil((b.length - ss) / ss);
    const numFatSectors = u32(b, 44);
    const firstDirSector = u32(b, 48);
    const firstMiniFatSector = u32(b, 60);
    const numMiniFatSectors = u32(b, 64);
    const firstDifatSector = u32(b, 68);
    const numDifatSectors = u32(b, 72);
    if (numFatSectors > this.sectorCount) fail(`header claims ${numFatSectors} FAT sectors but the file has ${this.sectorCount} sectors`, 44);

    // MS-CFB 2.5: FAT sector locations, 109 in the header, the rest in the DIFAT chain.
    const fatSectors: number[] = [];
    for (let i = 0; i < 109 && fatSectors.length < numFatSectors; i++) fatSectors.push(u32(b, 76 + 4 * i));
    let difat = firstDifatSector;
    const seenDifat = new Set<number>();
    const perDifat = ss / 4 - 1;
    while (fatSectors.length < numFatSectors) {
      if (difat > MAXREGSECT || difat >= this.sectorCount) fail(`DIFAT chain ends (sector ${difat === ENDOFCHAIN ? 'ENDOFCHAIN' : difat}) before ${numFatSectors} FAT sectors are listed`, 68);
      if (seenDifat.has(difat)) fail(`DIFAT chain loops at sector ${difat}`, this.offsetOf(difat));
      if (seenDifat.size > numDifatSectors + 1) fail('DIFAT chain longer than the header says', 72);
      seenDifat.add(difat);
      const off = this.offsetOf(difat);
      for (let i = 0; i < perDifat && fatSectors.length < numFatSectors; i++) fatSectors.push(u32(b, off + 4 * i));
      difat = u32(b, off + perDifat * 4);
    }
    const seenFat = new Set<number>();
    for (const [i, s] of fatSectors.entries()) {
      if (s >= this.sectorCount) fail(`FAT sector #${i} points to sector ${s}, past the end of the file (${this.sectorCount} sectors)`, 76 + 4 * Math.min(i, 108));
      if (seenFat.has(s)) fail(`FAT sector ${s} listed twice`, 76);
      seenFat.add(s);
    }
    this.fatSectors = fatSectors;
    const fat = new Uint32Array(fatSectors.length * (ss / 4));
    fatSectors.forEach((s, i) => {
      const off = this.offsetOf(s);
      for (let k = 0; k < ss / 4; k++) fat[i * (ss / 4) + k] = off + 4 * k + 4 <= b.length ? u32(b, off + 4 * k) : FREESECT;
    });
    this.fat = fat;

    // MS-CFB 2.6: directory chain.
    this.directorySectors = this.chain(firstDirSector, this.fat, this.sectorCount, 'directory');
    if (this.directorySectors.length === 0) fail('directory chain is empty', 48);
    const maxEntries = limits.maxDirectoryEntries ?? 200_000;
    const entryCount = Math.min(this.directorySectors.length * (ss / 128), maxEntries + 1);
    if (entryCount > maxEntries) throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${maxEntries} directory entries`, { offset: 48 });
    const raw: RawEntry[] = [];
    for (let i = 0; i < entryCount; i++) {
      const sec = this.directorySectors[Math.floor((i * 128) / ss)]!;
      const off = this.offsetOf(sec) + ((i * 128) % ss);
      raw.push(off + 128 <= b.length ? readRawEntry(b, off) : { nameLen: 0, name: '', type: 0, left: NOSTREAM, right: NOSTREAM, child: NOSTREAM, clsid: new Uint8Array(16), start: 0, size: 0, offset: off });
    }
    const r0 = raw[0]!;
    if (r0.type !== 5) fail(`directory entry 0 has type ${r0.type}, not a root storage (5)`, r0.offset);

    // Mini FAT and mini stream (MS-CFB 2.3, 2.4): the root entry's chain holds the mini stream.
    if (numMiniFatSectors > 0 && firstMiniFatSector !== ENDOFCHAIN) {
      try {
        this.miniFatSectors = this.chain(firstMiniFatSector, this.fat, this.sectorCount, 'mini FAT');
        const mf = new Uint32Array(this.miniFatSectors.length * (ss / 4));
        this.miniFatSectors.forEach((s, i) => {
          const off = this.offsetOf(s);
          for (let k = 0; k < ss / 4; k++) mf[i * (ss / 4) + k] = off + 4 * k + 4 <= b.length ? u32(b, off + 4 * k) : FREESECT;
        });
        this.miniFat = mf;
      } catch (e) {
        if (!(e instanceof SmimeBridgeError)) throw e;
        diag.report('MSG_CFB_MALFORMED', `mini FAT unreadable: ${e.message}`, { offset: 60 });
      }
    }
    if (r0.size > 0 && r0.start <= MAXREGSECT) {
      try {
        const root = this.readChain(r0.start, r0.size, this.fat, ss, this.sectorCount, (s) => this.offsetOf(s), b, 'Root Entry (mini stream)');
        this.miniStream = root.data;
        this.miniStreamSectors = root.sectors;
      } catch (e) {
        if (!(e instanceof SmimeBridgeError)) throw e;
        diag.report('MSG_CFB_MALFORMED', `mini stream unreadable: ${e.message}`, { offset: r0.offset });
      }
    }

    // MS-CFB 2.6.4: walk the red-black trees iteratively; every entry may be reached once.
    const maxDepth = limits.maxDepth ?? 64;
    const visited = new Set<number>([0]);
    const rootEntry = this.makeEntry(0, r0, '');
    this.root = rootEntry;
    const storages: { entry: CfbEntry; child: number; depth: number }[] = [{ entry: rootEntry, child: r0.child, depth: 0 }];
    while (storages.length) {
      const { entry: parent, child, depth } = storages.pop()!;
      if (depth > maxDepth) {
        diag.report('LIMIT_EXCEEDED', `storages nested deeper than ${maxDepth}`, { streamPath: parent.path });
        continue;
      }
      const stack = [child];
      while (stack.length) {
        const id = stack.pop()!;
        if (id === NOSTREAM) continue;
        const where = parent.path === '' ? '(root)' : parent.path;
        if (id >= raw.length) {
          diag.report('MSG_CFB_MALFORMED', `directory entry id ${id} is out of range (${raw.length} entries)`, { streamPath: where });
          continue;
        }
        if (visited.has(id)) {
          diag.report('MSG_CFB_MALFORMED', `directory cycle: entry ${id} is reached twice`, { streamPath: where, offset: raw[id]!.offset });
          continue;
        }
        visited.add(id);
        const r = raw[id]!;
        stack.push(r.right, r.left);
        if (r.type !== 1 && r.type !== 2) {
          if (r.type !== 0) diag.report('MSG_CFB_MALFORMED', `directory entry ${id} has type ${r.type}`, { streamPath: where, offset: r.offset });
          continue;
        }
        if (r.nameLen > 64 || r.nameLen % 2 !== 0 || r.nameLen < 2) {
          diag.report('MSG_CFB_MALFORMED', `directory entry ${id} has name length ${r.nameLen} (must be even, 2..64: at most 31 characters plus NUL)`, { streamPath: where, offset: r.offset + 64 });
          continue;
        }
        const path = parent.path === '' ? r.name : `${parent.path}/${r.name}`;
        const e = this.makeEntry(id, r, path);
        const key = r.name.toUpperCase();
        if (parent.children.has(key)) {
          diag.report('MSG_CFB_MALFORMED', `duplicate name ${JSON.stringify(r.name)} in one storage`, { streamPath: path, offset: r.offset });
          continue;
        }
        parent.children.set(key, e);
        if (r.type === 1) storages.push({ entry: e, child: r.child, depth: depth + 1 });
        else if (r.size > b.length) {
          diag.report('MSG_CFB_MALFORMED', `stream size ${r.size} is larger than the file (${b.length} bytes)`, { streamPath: path, offset: r.offset + 120 });
          parent.children.delete(key);
        }
      }
    }
  }

  private makeEntry(id: number, r: RawEntry, path: string): CfbEntry {
    const e: CfbEntry = { id, name: r.name, type: r.type, clsid: r.clsid, startSector: r.start, size: r.size, path, children: new Map() };
    this.entries[id] = e;
    return e;
  }

  /** Byte offset of directory entry `id` in the file. */
  entryOffset(id: number): number {
    const per = this.sectorSize / 128;
    return this.offsetOf(this.directorySectors[Math.floor(id / per)]!) + (id % per) * 128;
  }

  /** Byte offset of sector `s` (sector 0 follows the header). */
  offsetOf(s: number): number {
    return (s + 1) * this.sectorSize;
  }

  /** Follow a FAT chain to ENDOFCHAIN with a visited set; every sector must exist. */
  private chain(start: number, fat: Uint32Array, count: number, what: string): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    let s = start;
    while (s !== ENDOFCHAIN) {
      if (s > MAXREGSECT || s >= count) fail(`${what} chain points to sector ${s >>> 0} (${count} sectors exist)`);
      if (seen.has(s)) fail(`${what} chain loops at sector ${s}`, this.offsetOf(s));
      seen.add(s);
      out.push(s);
      if (s >= fat.length) fail(`${what} chain: sector ${s} has no FAT entry`);
      s = fat[s]!;
    }
    return out;
  }

  /**
   * Read `size` bytes along a chain of `unit`-byte sectors. A stream that claims more sectors than
   * the file has throws. A broken chain (early ENDOFCHAIN, index out of range, loop, sector past
   * the end) is reported; in lenient mode the bytes read so far are returned (as olefile does).
   */
  private readChain(start: number, size: number, fat: Uint32Array, unit: number, count: number,
    offsetOf: (s: number) => number, src: Uint8Array, path: string): { data: Uint8Array; sectors: number[] } {
    const need = Math.ceil(size / unit);
    // Valid files never share sectors between streams, so all streams together hold at most the
    // file (twice, counting the mini stream and its streams). Shared chains cannot multiply memory.
    if (size > this.budget) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', `streams read so far exceed twice the file size; ${size} more bytes refused (shared sector chains?)`, { streamPath: path });
    }
    this.budget -= size;
    if (need > count + 1) fail(`stream of ${size} bytes needs ${need} sectors of ${unit} bytes, the file has ${count}`, undefined, path);
    const out = new Uint8Array(size);
    const sectors: number[] = [];
    const seen = new Set<number>();
    let got = 0;
    let s = start;
    for (let i = 0; i < need; i++) {
      let problem: string | undefined;
      const off = offsetOf(s);
      if (s === ENDOFCHAIN) problem = `chain ends after ${i} of ${need} sectors (size past the end of the chain)`;
      else if (s > MAXREGSECT || s >= fat.length) problem = `sector index ${s >>> 0} out of range (${count} sectors)`;
      else if (seen.has(s)) problem = `FAT loop at sector ${s}`;
      else if (off >= src.length) problem = `sector ${s} lies past the end of the file`;
      if (problem) {
        this.diag.report('MSG_CFB_MALFORMED', `${problem}; ${got} of ${size} bytes read`, { streamPath: path });
        break;
      }
      seen.add(s);
      sectors.push(s);
      const n = Math.min(unit, size - i * unit);
      const avail = Math.min(n, src.length - off);
      out.set(src.subarray(off, off + avail), i * unit);
      got = i * unit + avail;
      if (avail < n) {
        this.diag.report('MSG_CFB_MALFORMED', `sector ${s} is cut off by the end of the file; ${got} of ${size} bytes read`, { streamPath: path, offset: off });
        break;
      }
      s = fat[s]!;
    }
    return { data: got === size ? out : out.slice(0, got), sectors };
  }

  /** The bytes of a stream entry. Throws `MSG_CFB_MALFORMED` with the stream path when its chain is broken. */
  read(e: CfbEntry): Uint8Array {
    if (e.type !== 2) fail('not a stream', undefined, e.path);
    if (e.size === 0) return new Uint8Array(0);
    if (e.size < this.miniCutoff) {
      const count = Math.floor(this.miniStream.length / 64);
      return this.readChain(e.startSector, e.size, this.miniFat, 64, count, (s) => s * 64, this.miniStream, e.path).data;
    }
    return this.readChain(e.startSector, e.size, this.fat, this.sectorSize, this.sectorCount, (s) => this.offsetOf(s), this.bytes, e.path).data;
  }

  /** Sector (or mini sector) numbers of a stream's chain; used by the writer's post-processing. */
  sectorsOf(e: CfbEntry): { mini: boolean; sectors: number[] } {
    if (e.size === 0) return { mini: false, sectors: [] };
    if (e.size < this.miniCutoff) {
      const count = Math.floor(this.miniStream.length / 64);
      return { mini: true, sectors: this.readChain(e.startSector, e.size, this.miniFat, 64, count, (s) => s * 64, this.miniStream, e.path).sectors };
    }
    return { mini: false, sectors: this.readChain(e.startSector, e.size, this.fat, this.sectorSize, this.sectorCount, (s) => this.offsetOf(s), this.bytes, e.path).sectors };
  }
}

interface RawEntry {
  nameLen: number;
  name: string;
  type: number;
  left: number;
  right: number;
  child: number;
  clsid: Uint8Array;
  start: number;
  size: number;
  offset: number;
}

/** MS-CFB 2.6.1 Compound File Directory Entry (128 bytes). Sizes above 4 GB (v4 high word) are not supported. */
function readRawEntry(b: Uint8Array, off: number): RawEntry {
  const nameLen = u16(b, off + 64);
  let name = '';
  const chars = Math.min(32, Math.max(0, nameLen / 2 - 1));
  for (let i = 0; i < chars; i++) {
    const c = u16(b, off + 2 * i);
    if (c === 0) break;
    name += String.fromCharCode(c);
  }
  return {
    nameLen,
    name,
    type: b[off + 66]!,
    left: u32(b, off + 68),
    right: u32(b, off + 72),
    child: u32(b, off + 76),
    clsid: b.slice(off + 80, off + 96),
    start: u32(b, off + 116),
    // v3 files may hold junk in the high word (MS-CFB 2.6.1 Stream Size): only the low 32 bits are used.
    size: u32(b, off + 120),
    offset: off,
  };
}
