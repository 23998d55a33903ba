/**
 * Read an Outlook .msg file (MS-OXMSG) into a {@link MessageObject}.
 *
 * Handles files from Outlook and other writers: ANSI files (PT_STRING8 in the code page of
 * PidTagInternetCodepage / PidTagMessageCodepage, kept as PT_STRING8 in the model), junk in
 * reserved fields and padding, strings with trailing NULs, missing hash streams, embedded
 * messages (recursively, depth-limited), multi-valued properties, named properties resolved
 * through the top-level name map, and HTML kept only as RTF (PidTagRtfCompressed with
 * `\fromhtml1`, de-encapsulated into PidTagHtml when `deriveHtml` is on).
 *
 * The container is parsed by the bounded reader in cfb-read.ts. Damage confined to one stream,
 * entry or property is a {@link Diagnostic} in lenient mode and an error in strict mode; damage
 * to the container itself is always an error.
 */
import { codePages } from '../mime/codepages.js';
import { type Diagnostic, Diagnostics, SmimeBridgeError } from '../errors.js';
import { Attachment, MessageObject, type Property, PropertyBag, type PropValue, type ScalarValue } from '../mapi/message.js';
import { type NamedId } from '../mapi/named.js';
import {
  MV_FLAG, PT_BINARY, PT_CLSID, PT_LONG, PT_OBJECT, PT_STRING8, PT_UNICODE, isVariableLength, makeTag, tagHex,
} from '../mapi/proptypes.js';
import { PidTagHtml, PidTagInternetCodepage, PidTagRtfCompressed } from '../mapi/tags.js';
import { type CfbEntry, CfbReader } from './cfb-read.js';
import { type CfbStorageSpec, type CfbStreamSpec, buildCfb } from './cfb-write.js';
import { codepageLabel, decodeCodepage, isValidUtf8 } from './codepage.js';
import {
  ATTACH_RE, EMBEDDED_STORAGE, ENTRY_STREAM, GUID_STREAM, HEADER_EMBEDDED, HEADER_SUB, HEADER_TOP, NAMEID_STORAGE,
  PROPERTIES_STREAM, RECIP_RE, STRING_STREAM, SUBSTG_RE, decodeFixed, fixedSize, guidFromBytes, hex8, substgName,
  utf16le,
} from './layout.js';
import { readNameMap } from './nameid.js';
import { decompressRtf, deencapsulateHtml } from './rtf.js';

/** Limits for {@link readMsg}; the defaults are safe for untrusted input. */
export interface ReadMsgLimits {
  /** Embedded messages nested deeper than this are an error (default 16). */
  maxEmbeddingDepth?: number;
  /** Recipients per message (default 2048, MS-OXMSG 2.2.1). */
  maxRecipients?: number;
  /** Attachments per message (default 2048, MS-OXMSG 2.2.2). */
  maxAttachments?: number;
  /** Values of one multi-valued property (default 65536). */
  maxMultiValues?: number;
  /** Directory entries of the compound file (default 200 000). */
  maxDirectoryEntries?: number;
  /** Decompressed RTF size when deriving HTML (default 64 MiB). */
  maxRtfSize?: number;
}

/** Options for {@link readMsg}. */
export interface ReadMsgOptions {
  /** Throw on recoverable violations instead of recording warnings (default false). */
  strict?: boolean;
  limits?: ReadMsgLimits;
  /**
   * When a message has no PidTagHtml but PidTagRtfCompressed holds encapsulated HTML
   * (`\fromhtml1`), add the de-encapsulated HTML as PidTagHtml (default true). The RTF is kept.
   */
  deriveHtml?: boolean;
}

/** Result of {@link readMsg}: the message object and the recoverable problems met. */
export interface ReadMsgResult {
  message: MessageObject;
  warnings: Diagnostic[];
}

interface Ctx {
  cfb: CfbReader;
  diag: Diagnostics;
  names: Map<number, NamedId>;
  limits: Required<ReadMsgLimits>;
  deriveHtml: boolean;
  /** Code pages for which a substitution was already reported. */
  substituted: Set<number>;
}

type Kind = 'top' | 'embedded' | 'recipient' | 'attachment';

const PROPERTIES_KEY = PROPERTIES_STREAM.toUpperCase();
const EMPTY_DV = new DataView(new ArrayBuffer(0));
/** PidTagInternetCodepage and PidTagMessageCodepage as PT_LONG tags (MS-OXMSG 2.1.3). */
const TAG_INTERNET_CP = makeTag(0x3fde, PT_LONG);
const TAG_MESSAGE_CP = makeTag(0x3ffd, PT_LONG);

/**
 * Read a .msg file. Throws {@link SmimeBridgeError} (`MSG_CFB_MALFORMED`,
 * `MSG_PROPERTY_STREAM_MALFORMED`, `MSG_NAMEID_MALFORMED`, `LIMIT_EXCEEDED`, ...) with the
 * stream path; in lenient mode recoverable problems become `warnings`.
 */
export function readMsg(bytes: Uint8Array, opts: ReadMsgOptions = {}): ReadMsgResult {
  const diag = new Diagnostics(opts.strict ?? false);
  const l = opts.limits ?? {};
  const limits: Required<ReadMsgLimits> = {
    maxEmbeddingDepth: l.maxEmbeddingDepth ?? 16,
    maxRecipients: l.maxRecipients ?? 2048,
    maxAttachments: l.maxAttachments ?? 2048,
    maxMultiValues: l.maxMultiValues ?? 65536,
    maxDirectoryEntries: l.maxDirectoryEntries ?? 200_000,
    maxRtfSize: l.maxRtfSize ?? 64 * 1024 * 1024,
  };
  try {
    const cfb = new CfbReader(bytes, diag, { maxDirectoryEntries: limits.maxDirectoryEntries, maxDepth: limits.maxEmbeddingDepth * 3 + 8 });
    const ctx: Ctx = { cfb, diag, names: new Map(), limits, deriveHtml: opts.deriveHtml ?? true, substituted: new Set() };
    const nameid = cfb.root.children.get(NAMEID_STORAGE.toUpperCase());
    if (nameid) {
      const s = (n: string) => readStream(ctx, nameid.children.get(n.toUpperCase()));
      ctx.names = readNameMap({ guids: s(GUID_STREAM), entries: s(ENTRY_STREAM), strings: s(STRING_STREAM) }, diag);
    }
    const message = readMessage(ctx, cfb.root, 'top', 0, undefined);
    return { message, warnings: diag.warnings };
  } catch (e) {
    if (e instanceof SmimeBridgeError) throw e;
    // Defence in depth: no other exception type may escape for bad input.
    throw new SmimeBridgeError('MSG_CFB_MALFORMED', `unreadable .msg file: ${(e as Error)?.message ?? String(e)}`, {}, { cause: e });
  }
}

/** A stream's bytes, or undefined when absent or unreadable (reported). */
function readStream(ctx: Ctx, e: CfbEntry | undefined): Uint8Array | undefined {
  if (!e || e.type !== 2) return undefined;
  try {
    return ctx.cfb.read(e);
  } catch (err) {
    if (!(err instanceof SmimeBridgeError)) throw err;
    ctx.diag.report(err.code, err.message, err.location);
    return undefined;
  }
}

function numberedChildren(storage: CfbEntry, re: RegExp): { n: number; e: CfbEntry }[] {
  const out: { n: number; e: CfbEntry }[] = [];
  for (const e of storage.children.values()) {
    const m = re.exec(e.name);
    if (m && e.type === 1) out.push({ n: parseInt(m[1]!, 16), e });
  }
  return out.sort((a, b) => a.n - b.n);
}

function readMessage(ctx: Ctx, storage: CfbEntry, kind: 'top' | 'embedded', depth: number, parentCp: number | undefined): MessageObject {
  const m = new MessageObject();
  const cp = readBag(ctx, storage, kind, m.properties, parentCp);
  const recips = numberedChildren(storage, RECIP_RE);
  if (recips.length > ctx.limits.maxRecipients) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `${recips.length} recipients, more than ${ctx.limits.maxRecipients}`, { streamPath: storage.path || '(root)' });
  }
  for (const r of recips) {
    const bag = new PropertyBag();
    readBag(ctx, r.e, 'recipient', bag, cp);
    m.recipients.push(bag);
  }
  const atts = numberedChildren(storage, ATTACH_RE);
  if (atts.length > ctx.limits.maxAttachments) {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `${atts.length} attachments, more than ${ctx.limits.maxAttachments}`, { streamPath: storage.path || '(root)' });
  }
  for (const a of atts) {
    const att = new Attachment();
    readBag(ctx, a.e, 'attachment', att.properties, cp);
    const sub = a.e.children.get(EMBEDDED_STORAGE.toUpperCase());
    if (sub && sub.type === 1) {
      const method = att.properties.getNumber(makeTag(0x3705, PT_LONG));
      if (method === 6) {
        // MS-OXCMSG 2.2.2.9 afStorage: an OLE storage, not a message. Kept as PidTagAttachDataObject
        // whose value is that storage as a compound file of its own (root CLSID = the storage's).
        const obj = storageAsCfb(ctx, sub);
        if (obj) att.properties.set(makeTag(0x3701, PT_OBJECT), obj);
      } else if (depth + 1 > ctx.limits.maxEmbeddingDepth) {
        throw new SmimeBridgeError('LIMIT_EXCEEDED', `embedded messages nested deeper than ${ctx.limits.maxEmbeddingDepth}`, { streamPath: sub.path });
      } else {
        att.embedded = readMessage(ctx, sub, 'embedded', depth + 1, cp);
      }
    }
    m.attachments.push(att);
  }
  if (ctx.deriveHtml) deriveHtml(ctx, m, storage);
  return m;
}

/** A storage subtree re-packed as a standalone compound file (bounded by the input's size). */
function storageAsCfb(ctx: Ctx, sub: CfbEntry): Uint8Array | undefined {
  const streams: CfbStreamSpec[] = [];
  const storages: CfbStorageSpec[] = [];
  const walk = (e: CfbEntry, rel: string) => {
    for (const c of e.children.values()) {
      const p = rel === '' ? c.name : `${rel}/${c.name}`;
      if (c.type === 1) {
        storages.push({ path: p, clsid: c.clsid });
        walk(c, p);
      } else {
        const d = readStream(ctx, c);
        if (d) streams.push({ path: p, data: d });
      }
    }
  };
  walk(sub, '');
  try {
    return buildCfb(streams, sub.clsid, storages);
  } catch (e) {
    if (!(e instanceof SmimeBridgeError)) throw e;
    ctx.diag.report('MSG_ATTACHMENT_UNSUPPORTED', `OLE storage attachment not kept: ${e.message}`, { streamPath: sub.path });
    return undefined;
  }
}

/** MS-OXMSG 2.4.1: header size of the property stream by storage kind. */
function headerSize(kind: Kind): number {
  return kind === 'top' ? HEADER_TOP : kind === 'embedded' ? HEADER_EMBEDDED : HEADER_SUB;
}

/** A property stream entry (MS-OXMSG 2.4.2): tag, flags, and where its 8-byte value sits in `dv`. */
interface Entry {
  tag: number;
  flags: number;
  dv: DataView;
  /** Offset of the 8-byte value in `dv`. */
  at: number;
  /** Offset of the entry in the property stream; -1 for a stream without an entry. */
  offset: number;
}

/** Upper-case CFB keys of `__substg1.0_TTTTTTTT`, cached per tag (bounded: hostile files hold arbitrary tags). */
const substgKeys = new Map<number, string>();
function substgKey(tag: number): string {
  let k = substgKeys.get(tag);
  if (k === undefined) {
    k = substgName(tag).toUpperCase();
    if (substgKeys.size < 8192) substgKeys.set(tag, k);
  }
  return k;
}

/**
 * Read one property bag (message, recipient or attachment storage). Returns the code page used
 * for PT_STRING8 values, which sub-objects inherit.
 */
function readBag(ctx: Ctx, storage: CfbEntry, kind: Kind, bag: PropertyBag, parentCp: number | undefined): number | undefined {
  const where = storage.path === '' ? PROPERTIES_STREAM : `${storage.path}/${PROPERTIES_STREAM}`;
  const propsEntry = storage.children.get(PROPERTIES_KEY);
  const ps = readStream(ctx, propsEntry);
  let first = 0; // entries occupy [first, last) of ps, 16 bytes each
  let last = 0;
  const dv = ps ? new DataView(ps.buffer, ps.byteOffset, ps.length) : EMPTY_DV;
  if (!ps) {
    if (!propsEntry) ctx.diag.report('MSG_STREAM_MISSING', 'property stream missing', { streamPath: where });
  } else {
    let hs = headerSize(kind);
    const other = kind === 'top' ? HEADER_EMBEDDED : kind === 'embedded' ? HEADER_TOP : undefined;
    if (other !== undefined && ps.length >= other && (ps.length - hs) % 16 !== 0 && (ps.length - other) % 16 === 0) {
      // Some writers use the top-level header in embedded messages or vice versa (MS-OXMSG 2.4.1.1 / 2.4.1.2).
      ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `property stream fits a ${other}-byte header, not the ${hs}-byte one this storage needs; read with ${other}`, { streamPath: where });
      hs = other;
    }
    if (ps.length < hs) {
      ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `property stream of ${ps.length} bytes is shorter than its ${hs}-byte header`, { streamPath: where });
    } else {
      if ((ps.length - hs) % 16 !== 0) {
        ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `property stream length ${ps.length} minus header ${hs} is not a multiple of 16`, { streamPath: where, offset: ps.length });
      }
      first = hs;
      last = hs + Math.floor((ps.length - hs) / 16) * 16;
    }
  }
  // Code page for PT_STRING8 (MS-OXMSG 2.1.3): PidTagInternetCodepage, then PidTagMessageCodepage, then the parent's.
  let cpInternet: number | undefined;
  let cpMessage: number | undefined;
  for (let off = first; off < last; off += 16) {
    const tag = dv.getUint32(off, true);
    if (cpInternet === undefined && tag === TAG_INTERNET_CP) cpInternet = dv.getInt32(off + 8, true);
    else if (cpMessage === undefined && tag === TAG_MESSAGE_CP) cpMessage = dv.getInt32(off + 8, true);
  }
  // MS-OXMSG 2.1.3 / MS-OXCMAIL 2.2.3.3.2.1: PT_STRING8 values are in the store's code page,
  // PidTagMessageCodepage; PidTagInternetCodepage is the MIME charset the body came in (50220 for
  // ISO-2022-JP mail whose strings the store keeps in 932), used only when the message code page is absent.
  const cp = storeCodepage(cpMessage ?? cpInternet ?? parentCp);
  const fallbackCp = cpInternet !== undefined && storeCodepage(cpInternet) !== cp ? storeCodepage(cpInternet)! : 1252;

  const seen = new Set<number>();
  const streamsUsed = new Set<CfbEntry>();
  const e: Entry = { tag: 0, flags: 0, dv, at: 0, offset: 0 };
  for (let off = first; off < last; off += 16) {
    e.tag = dv.getUint32(off, true);
    e.flags = dv.getUint32(off + 4, true);
    e.at = off + 8;
    e.offset = off;
    const type = e.tag & 0xffff;
    if (seen.has(e.tag)) {
      ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', 'property listed twice', { streamPath: where, propertyTag: tagHex(e.tag), offset: off });
      continue;
    }
    seen.add(e.tag);
    if (type === PT_OBJECT) { // 0x3701000D: the embedded storage, read by readMessage
      const obj = storage.children.get(substgKey(e.tag));
      if (obj) streamsUsed.add(obj);
      continue;
    }
    const value = readValue(ctx, storage, e, type, cp, fallbackCp, where, streamsUsed);
    if (value === undefined) continue;
    putProperty(ctx, bag, e.tag >>> 16, type, value, e.flags, where, e.tag);
  }
  // Streams named like properties but missing from the property stream (some writers, damaged files).
  for (const child of storage.children.values()) {
    if (child.type !== 2 || streamsUsed.has(child)) continue;
    const m = SUBSTG_RE.exec(child.name);
    if (!m) continue;
    const tag = parseInt(m[1]! + m[2]!, 16) >>> 0;
    const type = tag & 0xffff;
    if (seen.has(tag) || type & MV_FLAG || !isVariableLength(type) || type === PT_OBJECT) continue;
    if (tag >>> 16 >= 0x8000) {
      const named = ctx.names.get((tag >>> 16) - 0x8000);
      if (!named || bag.getNamed(named)) continue;
    } else if (bag.has(tag)) continue;
    ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', 'stream has no entry in the property stream; read anyway', { streamPath: child.path });
    const value = readValue(ctx, storage, { tag, flags: 6, dv: new DataView(new ArrayBuffer(8)), at: 0, offset: -1 }, type, cp, fallbackCp, where, streamsUsed);
    if (value !== undefined) putProperty(ctx, bag, tag >>> 16, type, value, undefined, where, tag);
  }
  return cp;
}

function putProperty(ctx: Ctx, bag: PropertyBag, id: number, type: number, value: PropValue, flags: number | undefined, where: string, tag: number): void {
  if (id >= 0x8000) {
    const named = ctx.names.get(id - 0x8000);
    if (named) {
      if (bag.getNamed(named)) {
        ctx.diag.report('MSG_NAMEID_MALFORMED', `two property IDs map to the same named property ${named.name ?? named.lid}`, { streamPath: where, propertyTag: tagHex(tag) });
        return;
      }
      bag.put({ key: { kind: 'named', named }, type, value, ...(flags !== undefined ? { flags } : {}) } as Property);
      return;
    }
    // IDs 0x8000-0xFFFE mean nothing without the name map (MS-OXMSG 2.2.3); the value is dropped.
    ctx.diag.report('MSG_NAMEID_MALFORMED', `property ID 0x${id.toString(16).toUpperCase()} has no entry in the name map; dropped`, { streamPath: where, propertyTag: tagHex(tag) });
    return;
  }
  const existing = bag.get(makeTag(id, type));
  if (existing) {
    ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `property ID 0x${id.toString(16)} appears with two types; the first is kept`, { streamPath: where, propertyTag: tagHex(tag) });
    return;
  }
  bag.put({ key: { kind: 'tag', id }, type, value, ...(flags !== undefined ? { flags } : {}) });
}

/**
 * The code page an ANSI store keeps 8-bit strings in, for a declared code page: the ISO-2022
 * (7-bit, stateful) families are Internet transfer forms that a store never uses for PT_STRING8;
 * their strings are in the matching Windows code page (ISO-2022-JP 50220/50221/50222 -> 932,
 * ISO-2022-KR 50225 -> 949, HZ-GB-2312 52936 -> 936).
 */
export function storeCodepage(cp: number | undefined): number | undefined {
  if (cp === undefined) return undefined;
  if (cp === 50220 || cp === 50221 || cp === 50222) return 932;
  if (cp === 50225) return 949;
  if (cp === 52936) return 936;
  return cp;
}

/** Decode a PT_STRING8 value: code page, with a fallback when UTF-8 is declared but the bytes are not UTF-8. */
function decodeString8(ctx: Ctx, b: Uint8Array, cp: number | undefined, fallbackCp: number, path: string): string {
  let n = b.length;
  while (n > 0 && b[n - 1] === 0) n--; // trailing NULs
  const bytes = b.subarray(0, n);
  let use = cp ?? 1252;
  if (use === 65001 && !isValidUtf8(bytes)) {
    // An ANSI store cannot hold UTF-8 strings; the declared Internet code page is the MIME charset.
    ctx.diag.report('MSG_STRING8_CODEPAGE', `PT_STRING8 value is not valid in code page 65001; decoded as ${fallbackCp}`, { streamPath: path });
    use = fallbackCp;
  }
  const s = decodeCodepage(bytes, use);
  if (s !== undefined) {
    if (s.includes('\ufffd')) noteSubstitution(ctx, use, path);
    return s;
  }
  ctx.diag.report('MSG_STRING8_CODEPAGE', `unknown code page ${use}; decoded as windows-1252`, { streamPath: path });
  return decodeCodepage(bytes, 1252)!;
}

/** One warning per code page and file when a decoder had to put U+FFFD for bytes it could not decode. */
function noteSubstitution(ctx: Ctx, cp: number, path: string): void {
  if (ctx.substituted.has(cp)) return;
  ctx.substituted.add(cp);
  ctx.diag.note('CHARSET_SUBSTITUTED', `bytes not valid in code page ${cp} were replaced by U+FFFD (first in this stream; later ones not reported)`, { streamPath: path });
}

function readValue(ctx: Ctx, storage: CfbEntry, e: Entry, type: number, cp: number | undefined, fallbackCp: number,
  where: string, used: Set<CfbEntry>): PropValue | undefined {
  const mv = (type & MV_FLAG) !== 0;
  const base = type & ~MV_FLAG;
  // Fixed-size single values sit in the entry (MS-OXMSG 2.4.2.1).
  if (!mv && !isVariableLength(type)) {
    if (fixedSize(type) > 0) return decodeFixed(type, e.dv, e.at) as PropValue;
    // Unknown fixed type: keep the raw 8 bytes so that nothing is lost.
    return new Uint8Array(e.dv.buffer, e.dv.byteOffset + e.at, 8).slice();
  }
  // Labels and paths are built only when a diagnostic needs them.
  const at = (extra: object = {}) => ({ streamPath: where, propertyTag: tagHex(e.tag), ...extra });
  const child = storage.children.get(substgKey(e.tag));
  if (child) used.add(child);
  const spath = child ? child.path : storage.path === '' ? substgName(e.tag) : `${storage.path}/${substgName(e.tag)}`;
  if (!child || child.type !== 2) {
    ctx.diag.report('MSG_STREAM_MISSING', 'value stream missing', { streamPath: spath, propertyTag: tagHex(e.tag) });
    return undefined;
  }
  const data = readStream(ctx, child);
  if (!data) return undefined;
  if (!mv) {
    switch (base) {
      // MS-OXMSG 2.4.2.2: Size counts a terminator. With Size = stream length + 2 at most one
      // trailing NUL is a stored terminator (some writers store it anyway, and ours does when the
      // value itself ends in U+0000); the rest belong to the value (issue 12: they were lost).
      case PT_UNICODE: return utf16le(data, e.dv.getUint32(e.at, true) === data.length + 2 ? 'one' : 'all');
      case PT_STRING8: return decodeString8(ctx, data, cp, fallbackCp, spath);
      case PT_CLSID:
        if (data.length < 16) {
          ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `PT_CLSID stream of ${data.length} bytes`, { streamPath: spath, propertyTag: tagHex(e.tag) });
          return undefined;
        }
        return guidFromBytes(data);
      default: return data;
    }
  }
  // Multi-valued (MS-OXMSG 2.1.4): fixed-size elements packed in one stream...
  const size = fixedSize(type);
  if (size > 0) {
    if (data.length % size) ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `multi-valued stream length ${data.length} is not a multiple of ${size}`, at({ streamPath: spath }));
    const count = Math.floor(data.length / size);
    if (count > ctx.limits.maxMultiValues) {
      ctx.diag.report('LIMIT_EXCEEDED', `${count} values, more than ${ctx.limits.maxMultiValues}`, at({ streamPath: spath }));
      return undefined;
    }
    const dv = new DataView(data.buffer, data.byteOffset, data.length);
    const out: ScalarValue[] = [];
    for (let i = 0; i < count; i++) out.push(decodeFixed(base, dv, i * size) as ScalarValue);
    return out;
  }
  // ...variable-size elements: a length stream plus one stream per value (MS-OXMSG 2.1.4.2.2).
  if (base !== PT_UNICODE && base !== PT_STRING8 && base !== PT_BINARY) {
    ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `unsupported multi-valued type 0x${type.toString(16)}`, at());
    return undefined;
  }
  const width = base === PT_BINARY ? 8 : 4;
  if (data.length % width) ctx.diag.report('MSG_PROPERTY_STREAM_MALFORMED', `length stream of ${data.length} bytes is not a multiple of ${width}`, at({ streamPath: spath }));
  const count = Math.floor(data.length / width);
  if (count > ctx.limits.maxMultiValues) {
    ctx.diag.report('LIMIT_EXCEEDED', `${count} values, more than ${ctx.limits.maxMultiValues}`, at({ streamPath: spath }));
    return undefined;
  }
  const out: ScalarValue[] = [];
  for (let i = 0; i < count; i++) {
    const vn = substgName(e.tag, i);
    const ve = storage.children.get(vn.toUpperCase());
    if (ve) used.add(ve);
    const vpath = storage.path === '' ? vn : `${storage.path}/${vn}`;
    if (!ve || ve.type !== 2) {
      ctx.diag.report('MSG_STREAM_MISSING', `value ${i} of ${count} missing`, { streamPath: vpath, propertyTag: tagHex(e.tag) });
      return undefined;
    }
    const v = readStream(ctx, ve);
    if (!v) return undefined;
    out.push(base === PT_UNICODE ? utf16le(v, 'one') : base === PT_STRING8 ? decodeString8(ctx, v, cp, fallbackCp, vpath) : v);
  }
  return out;
}

/**
 * MS-OXRTFEX 2.4: when only PidTagRtfCompressed carries the body and it encapsulates HTML,
 * add the HTML (the RTF is kept). It is PidTagHtml bytes in the PidTagInternetCodepage charset
 * when iconv-lite can encode every character in it; otherwise (ISO-2022-JP, which iconv-lite
 * cannot write, or characters outside the charset) the text itself, PidTagBodyHtml (PT_UNICODE),
 * which the MIME writer labels as what it writes (UTF-8). So the label always says what the
 * bytes are. A warning is added when the RTF held bytes its code page could not decode.
 */
function deriveHtml(ctx: Ctx, m: MessageObject, storage: CfbEntry): void {
  const p = m.properties;
  if (p.has(PidTagHtml)) return;
  const rtfc = p.getBinary(PidTagRtfCompressed);
  if (!rtfc) return;
  const where = { streamPath: storage.path === '' ? substgName(PidTagRtfCompressed) : `${storage.path}/${substgName(PidTagRtfCompressed)}`, propertyTag: tagHex(PidTagRtfCompressed) };
  let html: string | undefined;
  try {
    html = deencapsulateHtml(decompressRtf(rtfc, ctx.limits.maxRtfSize), (cp) => noteSubstitution(ctx, cp, where.streamPath));
  } catch (e) {
    if (!(e instanceof SmimeBridgeError)) throw e;
    ctx.diag.report(e.code, e.message, { ...e.location, ...where });
    return;
  }
  if (html === undefined) return;
  const cp = p.getNumber(PidTagInternetCodepage);
  const label = cp !== undefined ? codepageLabel(cp) : undefined;
  if (label && label !== 'utf-8' && label !== 'utf-16le' && label !== 'utf-16be') {
    try {
      const pages = codePages();
      if (pages?.encodingExists(label)) {
        const bytes = new Uint8Array(pages.encode(html, label));
        if (pages.decode(bytes as never, label) === html) {
          p.set(PidTagHtml, bytes);
          return;
        }
      }
    } catch {
      /* not encodable: the text is kept as PT_UNICODE below */
    }
  }
  if (label === 'utf-8' || cp === undefined) {
    p.set(PidTagHtml, new TextEncoder().encode(html));
    if (cp === undefined) p.set(PidTagInternetCodepage, 65001);
  } else p.set(makeTag(0x1013, PT_UNICODE), html); // PidTagBodyHtml (MS-OXPROPS 2.612)
}
