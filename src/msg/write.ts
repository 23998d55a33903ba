/**
 * Write a {@link MessageObject} as an Outlook .msg file (MS-OXMSG 2.2, 2.4), Unicode flavour.
 *
 * - Root storage CLSID {00020D0B-0000-0000-C000-000000000046} (MS-OXMSG 2.2.1 / fact sheet 1.1).
 * - Property streams with 32 / 24 / 8-byte headers and 16-byte entries (MS-OXMSG 2.4).
 * - Strings always PT_UNICODE: PT_STRING8 values are converted, and PidTagStoreSupportMask gets
 *   STORE_UNICODE_OK on the message and on every attachment (MS-OXMSG 2.1.1.1).
 * - Multi-valued properties (MS-OXMSG 2.1.4), recipient and attachment storages numbered in
 *   upper-case hex (2.2.1, 2.2.2), embedded messages under `__substg1.0_3701000D` with a 24-byte
 *   header and no name map of their own (2.2.2.1), and the one top-level name map (2.2.3).
 * - PidTagAttachMethod defaults to 5 (afEmbeddedMessage) for an embedded message and 6 (afStorage)
 *   for a storage object (MS-OXCMSG 2.2.2.9).
 * - PidTagMessageFlags defaults to mfRead (1); mfUnsent is never added (imported mail must not
 *   open as a draft).
 *
 * Deterministic: the same message object gives the same bytes.
 */
import { Diagnostics, SmimeBridgeError } from '../errors.js';
import { type Attachment, type MessageObject, type Property, type ScalarValue, propertyLabel } from '../mapi/message.js';
import {
  MV_FLAG, PT_BINARY, PT_CLSID, PT_LONG, PT_OBJECT, PT_STRING8, PT_UNICODE, isVariableLength, makeTag,
} from '../mapi/proptypes.js';
import { PidTagAttachMethod, PidTagMessageFlags, PidTagStoreSupportMask, STORE_UNICODE_OK } from '../mapi/tags.js';
import { CfbReader, type CfbEntry } from './cfb-read.js';
import { type CfbStorageSpec, type CfbStreamSpec, buildCfb } from './cfb-write.js';
import {
  EMBEDDED_STORAGE, HEADER_EMBEDDED, HEADER_SUB, HEADER_TOP, MAX_ATTACHMENTS, MAX_RECIPIENTS, MSG_ROOT_CLSID,
  NAMEID_STORAGE, PROPERTIES_STREAM, attachStorageName, encodeFixed, fixedSize, guidToBytes, recipStorageName,
  substgName, toUtf16le,
} from './layout.js';
import { NameMapBuilder } from './nameid.js';

/** Options for {@link writeMsg}. */
export interface WriteMsgOptions {
  /** Embedded messages nested deeper than this are refused (default 16). */
  maxEmbeddingDepth?: number;
}

type Kind = 'top' | 'embedded' | 'recipient' | 'attachment';

interface Ctx {
  streams: CfbStreamSpec[];
  storages: CfbStorageSpec[];
  names: NameMapBuilder;
  maxDepth: number;
}

/** PidTagAttachDataObject, written as the embedded message's storage. */
const TAG_ATTACH_DATA_OBJECT = makeTag(0x3701, PT_OBJECT);

/**
 * Serialize a message object as a .msg file. Throws `LIMIT_EXCEEDED` for more than 2048
 * recipients or attachments or too deep embedding, `MAPI_PROPERTY_INVALID` for values that cannot
 * be stored, `INVALID_ARGUMENT` for CFB names above 31 characters.
 */
export function writeMsg(m: MessageObject, opts: WriteMsgOptions = {}): Uint8Array {
  const ctx: Ctx = { streams: [], storages: [], names: new NameMapBuilder(), maxDepth: opts.maxEmbeddingDepth ?? 16 };
  writeMessage(ctx, m, '', 'top', 0);
  // MS-OXMSG 2.2.3: exactly one name map, at the top level, written after every object used it.
  for (const [name, data] of ctx.names.streams()) ctx.streams.push({ path: `${NAMEID_STORAGE}/${name}`, data });
  return buildCfb(ctx.streams, MSG_ROOT_CLSID, ctx.storages);
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

function writeMessage(ctx: Ctx, m: MessageObject, prefix: string, kind: 'top' | 'embedded', depth: number): void {
  const where = prefix === '' ? '(root)' : prefix;
  if (m.recipients.length > MAX_RECIPIENTS) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${m.recipients.length} recipients; a .msg holds at most ${MAX_RECIPIENTS} (MS-OXMSG 2.2.1)`, { streamPath: where });
  if (m.attachments.length > MAX_ATTACHMENTS) throw new SmimeBridgeError('LIMIT_EXCEEDED', `${m.attachments.length} attachments; a .msg holds at most ${MAX_ATTACHMENTS} (MS-OXMSG 2.2.2)`, { streamPath: where });
  const props = [...m.properties];
  ensure(props, PidTagMessageFlags, 1); // mfRead; never mfUnsent
  unicodeMask(props);
  // MS-OXMSG 2.4.1.1 / 2.4.1.2: Next IDs equal the counts (0 when there are none).
  const header = new Uint8Array(kind === 'top' ? HEADER_TOP : HEADER_EMBEDDED);
  const hdv = new DataView(header.buffer);
  hdv.setUint32(8, m.recipients.length, true);
  hdv.setUint32(12, m.attachments.length, true);
  hdv.setUint32(16, m.recipients.length, true);
  hdv.setUint32(20, m.attachments.length, true);
  writeBag(ctx, props, prefix, header, []);
  m.recipients.forEach((r, i) => writeBag(ctx, [...r], join(prefix, recipStorageName(i)), new Uint8Array(HEADER_SUB), []));
  m.attachments.forEach((a, i) => writeAttachment(ctx, a, join(prefix, attachStorageName(i)), depth));
}

function writeAttachment(ctx: Ctx, a: Attachment, path: string, depth: number): void {
  let props = [...a.properties];
  const extra: Uint8Array[] = [];
  if (a.embedded) {
    // MS-OXMSG 2.2.2.1: the embedded message lives in the storage; the entry has Size 0xFFFFFFFF, Reserved 1.
    props = props.filter((p) => !(p.key.kind === 'tag' && p.key.id === 0x3701));
    ensure(props, PidTagAttachMethod, 5);
    const e = new Uint8Array(16);
    const dv = new DataView(e.buffer);
    dv.setUint32(0, TAG_ATTACH_DATA_OBJECT, true);
    dv.setUint32(4, 6, true);
    dv.setUint32(8, 0xffffffff, true);
    dv.setUint32(12, 1, true);
    extra.push(e);
    if (depth + 1 > ctx.maxDepth) throw new SmimeBridgeError('LIMIT_EXCEEDED', `embedded messages nested deeper than ${ctx.maxDepth}`, { streamPath: path });
  }
  const object = !a.embedded ? props.find((p) => p.key.kind === 'tag' && p.key.id === 0x3701 && p.type === PT_OBJECT) : undefined;
  if (object) {
    // MS-OXMSG 2.2.2.2: a storage attachment (method 6); the value is the storage as a compound file.
    props = props.filter((p) => p !== object);
    ensure(props, PidTagAttachMethod, 6);
    addObjectStorage(ctx, object.value as Uint8Array, join(path, EMBEDDED_STORAGE));
    const e = new Uint8Array(16);
    const dv = new DataView(e.buffer);
    dv.setUint32(0, TAG_ATTACH_DATA_OBJECT, true);
    dv.setUint32(4, object.flags ?? 6, true);
    dv.setUint32(8, 0xffffffff, true);
    dv.setUint32(12, 4, true); // MS-OXMSG 2.4.2.2: Reserved 4 for a storage object
    extra.push(e);
  }
  unicodeMask(props);
  writeBag(ctx, props, path, new Uint8Array(HEADER_SUB), extra);
  if (a.embedded) writeMessage(ctx, a.embedded, join(path, EMBEDDED_STORAGE), 'embedded', depth + 1);
}

/** Copy the storages and streams of a compound file (a PT_OBJECT value) under `path`. */
function addObjectStorage(ctx: Ctx, cfbBytes: Uint8Array, path: string): void {
  let r: CfbReader;
  try {
    r = new CfbReader(cfbBytes, new Diagnostics(true));
  } catch (e) {
    throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', `PidTagAttachDataObject is not a readable compound file: ${(e as Error).message}`, { propertyTag: '0x3701000D', streamPath: path });
  }
  ctx.storages.push({ path, clsid: r.root.clsid });
  const walk = (e: CfbEntry, rel: string) => {
    for (const c of e.children.values()) {
      const p = `${rel}/${c.name}`;
      if (c.type === 1) {
        ctx.storages.push({ path: p, clsid: c.clsid });
        walk(c, p);
      } else {
        ctx.streams.push({ path: p, data: r.read(c) });
      }
    }
  };
  walk(r.root, path);
}

/** Add a PT_LONG property when absent (kept at the end of the bag order). */
function ensure(props: Property[], tag: number, value: number): void {
  const id = tag >>> 16;
  if (!props.some((p) => p.key.kind === 'tag' && p.key.id === id)) props.push({ key: { kind: 'tag', id }, type: PT_LONG, value });
}

/** MS-OXMSG 2.1.1.1: every string is PT_UNICODE, so STORE_UNICODE_OK must be set. */
function unicodeMask(props: Property[]): void {
  const id = PidTagStoreSupportMask >>> 16;
  const i = props.findIndex((p) => p.key.kind === 'tag' && p.key.id === id);
  if (i < 0) {
    props.push({ key: { kind: 'tag', id }, type: PT_LONG, value: STORE_UNICODE_OK });
    return;
  }
  const p = props[i]!;
  const v = typeof p.value === 'number' ? p.value : 0;
  props[i] = { ...p, type: PT_LONG, value: (v | STORE_UNICODE_OK) | 0 };
}

function writeBag(ctx: Ctx, props: Property[], prefix: string, header: Uint8Array, extra: Uint8Array[]): void {
  const entries: Uint8Array[] = [];
  const seenTags = new Set<number>();
  for (const p of props) {
    const label = propertyLabel(p);
    // MS-OXMSG 2.1.3: a Unicode file holds no PT_STRING8.
    let type = p.type;
    if ((type & ~MV_FLAG) === PT_STRING8) type = (type & MV_FLAG) | PT_UNICODE;
    if (type === PT_OBJECT) {
      throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', 'PT_OBJECT property without an embedded message cannot be written', { propertyTag: label, streamPath: prefix || '(root)' });
    }
    if (p.key.kind === 'tag' && p.key.id >= 0x8000) {
      // MS-OXPROPS 1.3.2: IDs 0x8000 and above are assigned by the name map; a bare tag there has no identity.
      throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', 'tagged property in the named-property range (0x8000+) needs a named id', { propertyTag: label, streamPath: prefix || '(root)' });
    }
    const id = p.key.kind === 'tag' ? p.key.id : namedId(ctx, p, label);
    const tag = makeTag(id, type);
    if (seenTags.has(tag)) continue;
    seenTags.add(tag);
    const e = new Uint8Array(16);
    const dv = new DataView(e.buffer);
    dv.setUint32(0, tag, true);
    dv.setUint32(4, (p.flags ?? 6) >>> 0, true);
    const mv = (type & MV_FLAG) !== 0;
    if (!mv && !isVariableLength(type)) {
      // MS-OXMSG 2.4.2.1.1: fixed-size value inline, zero-padded.
      if (fixedSize(type) > 0) encodeFixed(type, p.value, dv, 8);
      else if (p.value instanceof Uint8Array) e.set(p.value.subarray(0, 8), 8);
    } else {
      const size = writeVariable(ctx, prefix, tag, type, p.value, label);
      dv.setUint32(8, size, true); // MS-OXMSG 2.4.2.2: Size, then Reserved = 0
    }
    entries.push(e);
  }
  entries.push(...extra);
  const out = new Uint8Array(header.length + entries.length * 16);
  out.set(header, 0);
  entries.forEach((e, i) => out.set(e, header.length + i * 16));
  ctx.streams.push({ path: join(prefix, PROPERTIES_STREAM), data: out });
}

function namedId(ctx: Ctx, p: Property, label: string): number {
  if (p.key.kind !== 'named') return 0;
  if (!guidToBytes(p.key.named.guid)) throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', `named property GUID ${p.key.named.guid} is not a GUID`, { propertyTag: label });
  try {
    return ctx.names.idOf(p.key.named);
  } catch {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', 'more than 32767 named properties', { propertyTag: label });
  }
}

/** Write the stream(s) of a variable-size or multi-valued property; returns the entry's Size field. */
function writeVariable(ctx: Ctx, prefix: string, tag: number, type: number, value: unknown, label: string): number {
  const base = type & ~MV_FLAG;
  const put = (name: string, data: Uint8Array) => ctx.streams.push({ path: join(prefix, name), data });
  if (!(type & MV_FLAG)) {
    if (base === PT_UNICODE) {
      const s = String(value);
      // No terminator in the stream (MS-OXMSG 2.1.3), except after a value ending in U+0000:
      // then one is stored, so that the reader tells the value's NULs from a terminator.
      const data = toUtf16le(s.endsWith('\0') ? s + '\0' : s);
      put(substgName(tag), data);
      return data.length + 2; // MS-OXMSG 2.4.2.2: Size counts the terminator
    }
    if (base === PT_CLSID) {
      const g = guidToBytes(String(value));
      if (!g) throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', `${String(value)} is not a GUID`, { propertyTag: label });
      put(substgName(tag), g);
      return 16;
    }
    const data = value as Uint8Array;
    put(substgName(tag), data);
    return data.length;
  }
  const values = value as ScalarValue[];
  const size = fixedSize(type);
  if (size > 0) {
    // MS-OXMSG 2.1.4.2.1: fixed-size elements packed in one stream.
    const data = new Uint8Array(values.length * size);
    const dv = new DataView(data.buffer);
    values.forEach((v, i) => {
      if (base === PT_CLSID && !guidToBytes(String(v))) throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', `${String(v)} is not a GUID`, { propertyTag: label });
      encodeFixed(base, v, dv, i * size);
    });
    put(substgName(tag), data);
    return data.length;
  }
  if (base !== PT_UNICODE && base !== PT_BINARY) {
    throw new SmimeBridgeError('MAPI_PROPERTY_INVALID', `multi-valued type 0x${type.toString(16)} cannot be stored in a .msg`, { propertyTag: label });
  }
  // MS-OXMSG 2.1.4.2.2: a length stream plus one stream per value.
  const width = base === PT_BINARY ? 8 : 4;
  const lengths = new Uint8Array(values.length * width);
  const ldv = new DataView(lengths.buffer);
  values.forEach((v, i) => {
    let data: Uint8Array;
    if (base === PT_UNICODE) {
      const u = toUtf16le(String(v));
      data = new Uint8Array(u.length + 2); // string values end with a NUL
      data.set(u);
    } else {
      data = v as Uint8Array;
    }
    ldv.setUint32(i * width, data.length, true);
    put(substgName(tag, i), data);
  });
  put(substgName(tag), lengths);
  return lengths.length;
}
