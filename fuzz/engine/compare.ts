/**
 * Equality of message objects for the round-trip oracle: their JSON forms (src/mapi/json.ts),
 * after the changes the .msg writer documents (src/msg/write.ts header: PT_STRING8 stored as
 * PT_UNICODE, STORE_UNICODE_OK in PidTagStoreSupportMask, PidTagMessageFlags defaulting to mfRead).
 * The first difference is named by property, so that a finding's signature is stable.
 */
import { messageToJson } from '../../src/mapi/json.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
import type { MessageObject, Property, PropertyBag } from '../../src/mapi/message.js';
import { namedKey } from '../../src/mapi/named.js';

type Obj = { [k: string]: Json };
type Bag = Obj[];
const STORE_SUPPORT_MASK = '0x340D0003';
const MESSAGE_FLAGS = '0x0E070003';

function normalizeBag(bag: Bag): Bag {
  const out: Bag = [];
  for (const p of bag) {
    let q = p;
    if (typeof q.type === 'string' && q.type.endsWith('STRING8')) {
      q = { ...q, type: q.type.replace('STRING8', 'UNICODE') };
      if (typeof q.tag === 'string') q.tag = q.tag.slice(0, -1) + 'F';
    }
    if (q.tag === STORE_SUPPORT_MASK) continue;
    out.push(q);
  }
  return out;
}

function keyOf(p: Obj): string {
  return typeof p.tag === 'string' ? p.tag : JSON.stringify(p.named) + String(p.type);
}

/** A stable label for signatures: the tag name, or "named <type>" (names and GUIDs vary). */
function kindOf(p: Obj): string {
  return typeof p.name === 'string' ? `${p.name} ${String(p.type)}` : typeof p.tag === 'string' ? `${p.tag}` : `named ${String(p.type)}`;
}

function nameOf(p: Obj): string {
  return typeof p.name === 'string' ? `${p.name} ${String(p.type)}` : `${keyOf(p)}`;
}

/** Properties the writer adds when absent (src/msg/write.ts): tag -> value. */
type Defaults = Map<string, number>;
const TOP_DEFAULTS: Defaults = new Map([[MESSAGE_FLAGS, 1]]);
const ATTACH_METHOD = '0x37050003';

function diffBags(a: Bag, b: Bag, where: string, defaults: Defaults): string | undefined {
  const bm = new Map(b.map((p) => [keyOf(p), p]));
  const am = new Map(a.map((p) => [keyOf(p), p]));
  for (const p of a) {
    const q = bm.get(keyOf(p));
    if (!q) return `${where}: ${kindOf(p)} lost\n${JSON.stringify(p).slice(0, 400)}`;
    if (JSON.stringify(p.value) !== JSON.stringify(q.value)) return `${where}: ${kindOf(p)} value changed\n${nameOf(p)}: ${JSON.stringify(p.value).slice(0, 300)} became ${JSON.stringify(q.value).slice(0, 300)}`;
    if (JSON.stringify(p) !== JSON.stringify(q)) return `${where}: ${kindOf(p)} changed\n${JSON.stringify(p).slice(0, 300)} became ${JSON.stringify(q).slice(0, 300)}`;
  }
  for (const q of b) {
    if (am.has(keyOf(q))) continue;
    if (typeof q.tag === 'string' && defaults.get(q.tag) === q.value) continue; // documented default
    return `${where}: ${kindOf(q)} appeared\n${JSON.stringify(q).slice(0, 400)}`;
  }
  return undefined;
}

function attachDefaults(att: Obj): Defaults {
  if (att.embedded) return new Map([[ATTACH_METHOD, 5]]);
  return (att.properties as Bag).some((p) => p.tag === '0x3701000D') ? new Map([[ATTACH_METHOD, 6]]) : new Map();
}

function diffBodies(a: Obj, b: Obj, where: string): string | undefined {
  const d = diffBags(normalizeBag(a.properties as Bag), normalizeBag(b.properties as Bag), `${where}.properties`, TOP_DEFAULTS);
  if (d) return d;
  const ar = a.recipients as Obj[], br = b.recipients as Obj[];
  if (ar.length !== br.length) return `${where}.recipients: ${ar.length} became ${br.length}`;
  for (let i = 0; i < ar.length; i++) {
    const r = diffBags(normalizeBag(ar[i]!.properties as Bag), normalizeBag(br[i]!.properties as Bag), `${where}.recipients[i]`, new Map());
    if (r) return r;
  }
  const aa = a.attachments as Obj[], ba = b.attachments as Obj[];
  if (aa.length !== ba.length) return `${where}.attachments: ${aa.length} became ${ba.length}`;
  for (let i = 0; i < aa.length; i++) {
    const r = diffBags(normalizeBag(aa[i]!.properties as Bag), normalizeBag(ba[i]!.properties as Bag), `${where}.attachments[i]`, attachDefaults(aa[i]!));
    if (r) return r;
    if (!!aa[i]!.embedded !== !!ba[i]!.embedded) return `${where}.attachments[i]: embedded message ${aa[i]!.embedded ? 'lost' : 'appeared'}`;
    if (aa[i]!.embedded) {
      const e = diffBodies(aa[i]!.embedded as Obj, ba[i]!.embedded as Obj, `${where}.attachments[i].embedded`);
      if (e) return e;
    }
  }
  return undefined;
}

/** The first difference between `before` and `after` (as `where: what\ndetail`), or undefined. */
export function messageDifference(before: MessageObject, after: MessageObject): string | undefined {
  return diffBodies(messageToJson(before) as Obj, messageToJson(after) as Obj, 'message');
}

// ---- fast equality, without the JSON form (the oracle runs on every accepted input) ----

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return false;
}

const STRING8 = 0x001e, UNICODE = 0x001f, MV = 0x1000;
const normType = (t: number): number => ((t & ~MV) === STRING8 ? (t & MV) | UNICODE : t);
const propKey = (p: Property): string => (p.key.kind === 'tag' ? `t${p.key.id}` : `n${namedKey(p.key.named)}`) + `/${normType(p.type)}`;

function sameBag(a: PropertyBag, b: PropertyBag, defaults: Map<number, number>): boolean {
  const bm = new Map<string, Property>();
  for (const q of b) bm.set(propKey(q), q);
  let matched = 0;
  for (const p of a) {
    if (p.key.kind === 'tag' && p.key.id === 0x340d) continue; // PidTagStoreSupportMask
    const q = bm.get(propKey(p));
    if (!q || !sameValue(p.value, q.value) || (p.flags ?? 6) !== (q.flags ?? 6)) return false;
    matched++;
  }
  let extra = 0;
  const aIds = new Set<number>();
  for (const p of a) if (p.key.kind === 'tag') aIds.add(p.key.id);
  for (const q of b) {
    if (q.key.kind !== 'tag') continue;
    if (q.key.id === 0x340d) extra++;
    else if (defaults.get(q.key.id) === q.value && !aIds.has(q.key.id)) extra++;
  }
  return matched + extra === bm.size;
}

function sameMessage(a: MessageObject, b: MessageObject): boolean {
  if (!sameBag(a.properties, b.properties, new Map([[0x0e07, 1]]))) return false;
  if (a.recipients.length !== b.recipients.length || a.attachments.length !== b.attachments.length) return false;
  for (let i = 0; i < a.recipients.length; i++) if (!sameBag(a.recipients[i]!, b.recipients[i]!, new Map())) return false;
  for (let i = 0; i < a.attachments.length; i++) {
    const x = a.attachments[i]!, y = b.attachments[i]!;
    const d = new Map<number, number>(x.embedded ? [[0x3705, 5]] : x.properties.has(0x3701000d) ? [[0x3705, 6]] : []);
    if (!sameBag(x.properties, y.properties, d) || !!x.embedded !== !!y.embedded) return false;
    if (x.embedded && !sameMessage(x.embedded, y.embedded!)) return false;
  }
  return true;
}

/** Like {@link messageDifference}, with a fast path for the common case of equal messages. */
export function messageChange(before: MessageObject, after: MessageObject): string | undefined {
  if (sameMessage(before, after)) return undefined;
  return messageDifference(before, after) ?? 'message objects differ (in a way the JSON comparison does not name)';
}
