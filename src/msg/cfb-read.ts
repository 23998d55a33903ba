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
 * skipped with a warning in lenient mode). Writing is in cfb-write.ts.
 *
 * Allocation-light, because .msg files hold hundreds of small entries: directory entries are
 * decoded only when the tree walk reaches them, streams share one empty children map, CLSIDs are
 * views, chains get a visited set only once they stop ascending, and a stream stored in
 * contiguous sectors is returned as a view into the file (no copy).
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

/** Children of a stream: always empty, shared (streams have no children). */
const NO_CHILDREN: ReadonlyMap<string, CfbEntry> = new Map();

/**
 * A storage or stream of the compound file, with its position in the tree. Built only for
 * entries reached from the root; the CLSID is a view into the file, read on demand.
 */
export class CfbEntry {
  /** CLSID as 16 on-disk bytes (a view into the file's bytes). */
  get clsid(): Uint8Array {
    return this.src.subarray(this.offset + 80, this.offset + 96);
  }

  constructor(
    /** Directory entry index (stream id). */
    readonly id: number,
    readonly name: string,
    /** 1 storage, 2 stream, 5 root storage (MS-CFB 2.6.1 Object Type). */
    readonly type: number,
    readonly startSector: number,
    readonly size: number,
    /** Path from the root, `__attach_version1.0_#00000000/__properties_version1.0`; `""` for the root. */
    readonly path: string,
    /** Children of a storage by upper-case name (MS-CFB 2.6.4 compares names case-insensitively). */
    readonly children: ReadonlyMap<string, CfbEntry>,
    private readonly src: Uint8Array,
    /** Byte offset of the 128-byte directory entry in the file. */
    private readonly offset: number,
  ) {}
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
  /** Bytes that stream reads may still return (see readChain). */
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
    const per = ss / 4;
    for (let i = 0; i < fatSectors.length; i++) readU32s(b, this.offsetOf(fatSectors[i]!), fat, i * per, per);
    this.fat = fat;

    // MS-CFB 2.6: directory chain.
    this.directorySectors = this.chain(firstDirSector, this.fat, this.sectorCount, 'directory');
    if (this.directorySectors.length === 0) fail('directory chain is empty', 48);
    const maxEntries = limits.maxDirectoryEntries ?? 200_000;
    const entryCount = Math.min(this.directorySectors.length * (ss / 128), maxEntries + 1);
    if (entryCount > maxEntries) throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${maxEntries} directory entries`, { offset: 48 });
    // Entries are decoded only when the tree walk reaches them; one past the end of the file reads as unused.
    const r0 = this.entryOffset(0);
    const r0type = r0 + 128 <= b.length ? b[r0 + 66]! : 0;
    if (r0type !== 5) fail(`directory entry 0 has type ${r0type}, not a root storage (5)`, r0);
    const r0start = u32(b, r0 + 116);
    const r0size = u32(b, r0 + 120);

    // Mini FAT and mini stream (MS-CFB 2.3, 2.4): the root entry's chain holds the mini stream.
    if (numMiniFatSectors > 0 && firstMiniFatSector !== ENDOFCHAIN) {
      try {
        this.miniFatSectors = this.chain(firstMiniFatSector, this.fat, this.sectorCount, 'mini FAT');
        const mf = new Uint32Array(this.miniFatSectors.length * per);
        for (let i = 0; i < this.miniFatSectors.length; i++) readU32s(b, this.offsetOf(this.miniFatSectors[i]!), mf, i * per, per);
        this.miniFat = mf;
      } catch (e) {
        if (!(e instanceof SmimeBridgeError)) throw e;
        diag.report('MSG_CFB_MALFORMED', `mini FAT unreadable: ${e.message}`, { offset: 60 });
      }
    }
    if (r0size > 0 && r0start <= MAXREGSECT) {
      try {
        const root = this.readChain(r0start, r0size, false, 'Root Entry (mini stream)', true);
        this.miniStream = root.data;
        this.miniStreamSectors = root.sectors!;
      } catch (e) {
        if (!(e instanceof SmimeBridgeError)) throw e;
        diag.report('MSG_CFB_MALFORMED', `mini stream unreadable: ${e.message}`, { offset: r0 });
      }
    }

    // MS-CFB 2.6.4: walk the red-black trees iteratively; every entry may be reached once.
    const maxDepth = limits.maxDepth ?? 64;
    const visited = new Uint8Array(entryCount);
    visited[0] = 1;
    const rootKids = new Map<string, CfbEntry>();
    const rootEntry = new CfbEntry(0, readName(b, r0, u16(b, r0 + 64)), 5, r0start, r0size, '', rootKids, b, r0);
    this.entries[0] = rootEntry;
    this.root = rootEntry;
    const storages: { entry: CfbEntry; kids: Map<string, CfbEntry>; child: number; depth: number }[] = [{ entry: rootEntry, kids: rootKids, child: u32(b, r0 + 76), depth: 0 }];
    const stack: number[] = [];
    while (storages.length) {
      const { entry: parent, kids, child, depth } = storages.pop()!;
      if (depth > maxDepth) {
        diag.report('LIMIT_EXCEEDED', `storages nested deeper than ${maxDepth}`, { streamPath: parent.path });
        continue;
      }
      stack.push(child);
      while (stack.length) {
        const id = stack.pop()!;
        if (id === NOSTREAM) continue;
        if (id >= entryCount) {
          diag.report('MSG_CFB_MALFORMED', `directory entry id ${id} is out of range (${entryCount} entries)`, { streamPath: parent.path === '' ? '(root)' : parent.path });
          continue;
        }
        const off = this.entryOffset(id);
        if (visited[id]) {
          diag.report('MSG_CFB_MALFORMED', `directory cycle: entry ${id} is reached twice`, { streamPath: parent.path === '' ? '(root)' : parent.path, offset: off });
          continue;
        }
        visited[id] = 1;
        if (off + 128 > b.length) continue; // cut off by the end of the file: an unused entry
        const type = b[off + 66]!;
        stack.push(u32(b, off + 72), u32(b, off + 68)); // right, left
        if (type !== 1 && type !== 2) {
          if (type !== 0) diag.report('MSG_CFB_MALFORMED', `directory entry ${id} has type ${type}`, { streamPath: parent.path === '' ? '(root)' : parent.path, offset: off });
          continue;
        }
        const nameLen = u16(b, off + 64);
        if (nameLen > 64 || nameLen % 2 !== 0 || nameLen < 2) {
          diag.report('MSG_CFB_MALFORMED', `directory entry ${id} has name length ${nameLen} (must be even, 2..64: at most 31 characters plus NUL)`, { streamPath: parent.path === '' ? '(root)' : parent.path, offset: off + 64 });
          continue;
        }
        const name = readName(b, off, nameLen);
        const key = lastKey;
        const path = parent.path === '' ? name : `${parent.path}/${name}`;
        // v3 files may hold junk in the high word (MS-CFB 2.6.1 Stream Size): only the low 32 bits are used.
        const size = u32(b, off + 120);
        if (kids.has(key)) {
          this.entries[id] = new CfbEntry(id, name, type, u32(b, off + 116), size, path, NO_CHILDREN, b, off);
          diag.report('MSG_CFB_MALFORMED', `duplicate name ${JSON.stringify(name)} in one storage`, { streamPath: path, offset: off });
          continue;
        }
        if (type === 1) {
          const sub = new Map<string, CfbEntry>();
          const e = new CfbEntry(id, name, type, u32(b, off + 116), size, path, sub, b, off);
          this.entries[id] = e;
          kids.set(key, e);
          storages.push({ entry: e, kids: sub, child: u32(b, off + 76), depth: depth + 1 });
        } else {
          const e = new CfbEntry(id, name, type, u32(b, off + 116), size, path, NO_CHILDREN, b, off);
          this.entries[id] = e;
          if (size > b.length) {
            diag.report('MSG_CFB_MALFORMED', `stream size ${size} is larger than the file (${b.length} bytes)`, { streamPath: path, offset: off + 120 });
            continue;
          }
          kids.set(key, e);
        }
      }
    }
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
   * Read `size` bytes along a chain of regular sectors or (`mini`) of 64-byte mini sectors. A
   * stream that claims more sectors than the file has throws. A broken chain (early ENDOFCHAIN,
   * index out of range, loop, sector past the end) is reported; in lenient mode the bytes read
   * so far are returned (as olefile does).
   *
   * Allocation-light: the chain is first walked without copying. A chain that only ascends cannot
   * loop, so the visited set is built only once a step goes backwards. A contiguous chain is
   * returned as a view (`subarray`) of the file or mini stream; any other is copied run by run
   * into one buffer of the final size.
   */
  private readChain(start: number, size: number, mini: boolean, path: string, wantSectors = false): { data: Uint8Array; sectors?: number[] } {
    const unit = mini ? 64 : this.sectorSize;
    const fat = mini ? this.miniFat : this.fat;
    const src = mini ? this.miniStream : this.bytes;
    const count = mini ? Math.floor(this.miniStream.length / 64) : this.sectorCount;
    const base = mini ? 0 : this.sectorSize; // byte offset of sector s: base + s * unit
    const need = Math.ceil(size / unit);
    // Valid files never share sectors between streams, so all streams together hold at most the
    // file (twice, counting the mini stream and its streams). Shared chains cannot multiply memory.
    if (size > this.budget) {
      throw new SmimeBridgeError('LIMIT_EXCEEDED', `streams read so far exceed twice the file size; ${size} more bytes refused (shared sector chains?)`, { streamPath: path });
    }
    this.budget -= size;
    if (need > count + 1) fail(`stream of ${size} bytes needs ${need} sectors of ${unit} bytes, the file has ${count}`, undefined, path);

    // Pass 1: validate the chain, find how many bytes it yields and whether it is contiguous.
    let seen: Set<number> | undefined;
    let contiguous = true;
    let prev = -1;
    let got = 0;
    let used = 0; // sectors that contribute bytes
    let s = start;
    for (let i = 0; i < need; i++) {
      let problem: string | undefined;
      if (s === ENDOFCHAIN) problem = `chain ends after ${i} of ${need} sectors (size past the end of the chain)`;
      else if (s > MAXREGSECT || s >= fat.length) problem = `sector index ${s >>> 0} out of range (${count} sectors)`;
      else {
        if (s <= prev && !seen) {
          // First backward step: remember the sectors so far (distinct, since they ascended).
          seen = new Set<number>();
          for (let k = 0, t = start; k < i; k++, t = fat[t]!) seen.add(t);
        }
        if (seen) {
          if (seen.has(s)) problem = `FAT loop at sector ${s}`;
          else seen.add(s);
        }
      }
      const off = base + s * unit;
      if (!problem && off >= src.length) problem = `sector ${s} lies past the end of the file`;
      if (problem) {
        this.diag.report('MSG_CFB_MALFORMED', `${problem}; ${got} of ${size} bytes read`, { streamPath: path });
        break;
      }
      if (prev >= 0 && s !== prev + 1) contiguous = false;
      used = i + 1;
      const n = Math.min(unit, size - i * unit);
      const avail = Math.min(n, src.length - off);
      got = i * unit + avail;
      if (avail < n) {
        this.diag.report('MSG_CFB_MALFORMED', `sector ${s} is cut off by the end of the file; ${got} of ${size} bytes read`, { streamPath: path, offset: off });
        break;
      }
      prev = s;
      s = fat[s]!;
    }

    // Pass 2: a view for a contiguous run, else one buffer filled run by run.
    let sectors: number[] | undefined;
    if (wantSectors) {
      sectors = [];
      for (let k = 0, t = start; k < used; k++, t = fat[t]!) sectors.push(t);
    }
    if (got === 0) return { data: src.subarray(0, 0), sectors };
    if (contiguous) {
      const from = base + start * unit;
      return { data: src.subarray(from, from + got), sectors };
    }
    const out = new Uint8Array(got);
    let pos = 0;
    let t = start;
    while (pos < got) {
      // Extend the run while the next sector follows the current one.
      let runLen = 1;
      let last = t;
      while (pos + runLen * unit < got && fat[last] === last + 1) { last++; runLen++; }
      const from = base + t * unit;
      const len = Math.min(runLen * unit, got - pos);
      out.set(src.subarray(from, from + len), pos);
      pos += len;
      t = fat[last]!;
    }
    return { data: out, sectors };
  }

  /** The bytes of a stream entry (a view into the file when its sectors are contiguous). Throws `MSG_CFB_MALFORMED` with the stream path when its chain is broken. */
  read(e: CfbEntry): Uint8Array {
    if (e.type !== 2) fail('not a stream', undefined, e.path);
    if (e.size === 0) return this.bytes.subarray(0, 0);
    return this.readChain(e.startSector, e.size, e.size < this.miniCutoff, e.path).data;
  }

  /** Sector (or mini sector) numbers of a stream's chain. */
  sectorsOf(e: CfbEntry): { mini: boolean; sectors: number[] } {
    if (e.size === 0) return { mini: false, sectors: [] };
    const mini = e.size < this.miniCutoff;
    return { mini, sectors: this.readChain(e.startSector, e.size, mini, e.path, true).sectors! };
  }
}

/** `n` little-endian u32 values from `b` at `off` into `out` at `at`; values past the end of `b` are FREESECT. */
function readU32s(b: Uint8Array, off: number, out: Uint32Array, at: number, n: number): void {
  for (let k = 0; k < n; k++, off += 4) {
    out[at + k] = off + 4 <= b.length ? (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0 : FREESECT;
  }
}

/** Scratch code units for {@link readName} (names hold at most 32 units). */
const NAME_UNITS: number[] = [];
const KEY_UNITS: number[] = [];
/** Upper-case key of the name last decoded by {@link readName}. */
let lastKey = '';

/**
 * MS-CFB 2.6.1 entry name: UTF-16LE, up to `nameLen` bytes including the NUL, cut at the first
 * NUL. Also sets {@link lastKey} to the upper-case name (MS-CFB 2.6.4 compares upper-cased
 * names), built from the same code units for ASCII names instead of a second pass.
 */
function readName(b: Uint8Array, off: number, nameLen: number): string {
  const chars = Math.min(32, Math.max(0, nameLen / 2 - 1));
  let n = 0;
  let ascii = true;
  let lower = false;
  for (; n < chars; n++) {
    const c = b[off + 2 * n]! | (b[off + 2 * n + 1]! << 8);
    if (c === 0) break;
    NAME_UNITS[n] = c;
    if (c >= 0x61 && c <= 0x7a) { KEY_UNITS[n] = c - 0x20; lower = true; } else { KEY_UNITS[n] = c; if (c >= 0x80) ascii = false; }
  }
  NAME_UNITS.length = n;
  KEY_UNITS.length = n;
  const name = String.fromCharCode.apply(null, NAME_UNITS);
  lastKey = !ascii ? name.toUpperCase() : lower ? String.fromCharCode.apply(null, KEY_UNITS) : name;
  return name;
}
