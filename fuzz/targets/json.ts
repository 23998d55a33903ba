/**
 * The JSON form of a message object (src/mapi/json.ts). Invariants: only SmimeBridgeError
 * escapes; what messageFromJson accepts, writeMsg writes and readMsg reads back equal; the JSON
 * form of an accepted message reads back to the same JSON.
 */
import fc from 'fast-check';
import { JSON_FORMAT, JSON_VERSION, messageFromJson, stringifyMessage } from '../../src/mapi/json.js';
import { toMessage } from '../../src/smime/index.js';
import { readMsg } from '../../src/msg/index.js';
import { OracleFailure, utf8, type Target } from '../engine/target.js';
import { emlSeeds, msgSeeds } from './seeds.js';
import { throughMsg } from './mime.js';

function jsonSeeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const e of emlSeeds().slice(0, 40)) { try { out.push(utf8(stringifyMessage(toMessage(e).message))); } catch { /* skip */ } }
  for (const m of msgSeeds().filter((b) => b.length < 200000).slice(0, 20)) { try { out.push(utf8(stringifyMessage(readMsg(m).message))); } catch { /* skip */ } }
  return out;
}

const TYPES = ['PT_UNICODE', 'PT_STRING8', 'PT_BINARY', 'PT_LONG', 'PT_SHORT', 'PT_BOOLEAN', 'PT_SYSTIME', 'PT_I8', 'PT_CLSID', 'PT_DOUBLE', 'PT_FLOAT', 'PT_CURRENCY', 'PT_APPTIME', 'PT_ERROR', 'PT_MV_UNICODE', 'PT_MV_BINARY', 'PT_MV_LONG', 'PT_MV_CLSID', 'PT_OBJECT', 'PT_NULL'];
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.constantFrom('AAAA', '2024-01-01T00:00:00Z', '{00020329-0000-0000-C000-000000000046}', 'x\u0000\u0000', '12345678901234567890'));
const prop = fc.record({
  tag: fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((id) => `0x${id.toString(16).padStart(4, '0')}001F`), fc.constantFrom('0x0037001F', '0x8001001F', '0x00010102', '0x0E070003')),
  type: fc.constantFrom(...TYPES), value: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })),
}, { requiredKeys: ['type', 'value'] });
const named = fc.record({ named: fc.record({ guid: fc.constantFrom('{00020329-0000-0000-C000-000000000046}', '00062008-0000-0000-C000-000000000046', 'nope'), name: fc.string({ maxLength: 10 }) }), type: fc.constantFrom(...TYPES), value: scalar });
type Msg = { properties: unknown[]; recipients: { properties: unknown[] }[]; attachments: { properties: unknown[]; embedded?: Msg }[] };
const msg: fc.Arbitrary<Msg> = fc.letrec<{ m: Msg }>((tie) => ({
  m: fc.record({
    properties: fc.array(fc.oneof(prop, named), { maxLength: 6 }),
    recipients: fc.array(fc.record({ properties: fc.array(prop, { maxLength: 3 }) }), { maxLength: 3 }),
    attachments: fc.array(fc.record({ properties: fc.array(prop, { maxLength: 3 }), embedded: fc.option(tie('m'), { nil: undefined, depthSize: 'small' }) }, { requiredKeys: ['properties'] }), { maxLength: 2 }),
  }),
})).m;
/** Structure-aware JSON messages (format and version right, properties of every type). */
const jsonGen = msg.map((m) => utf8(JSON.stringify({ format: JSON_FORMAT, version: JSON_VERSION, ...m })));

export const jsonTarget: Target = {
  name: 'json', description: 'messageFromJson -> writeMsg -> readMsg, and JSON -> message -> JSON',
  maxLen: 128 * 1024, seeds: jsonSeeds, generator: jsonGen,
  dictionary: ['"format":"smime-bridge/message-object"', '"version":1', '"properties":[', '"recipients":[', '"attachments":[', '"embedded":{', '"named":{', '"guid":', '"lid":', '"name":',
    '"tag":"0x', '"type":"', '"value":', '"flags":', ...TYPES.map((t) => `"${t}"`), '001F"', '0102"', '0003"', '8000', 'FFFF', '{', '}', '[', ']', ',', '"', '\\u0000', '\\ud800', '====', 'null', 'true', '1e308', '-0'],
  run(input) {
    let parsed: unknown;
    try { parsed = JSON.parse(new TextDecoder().decode(input)); } catch { return; } // not JSON at all: JSON.parse's business
    const m = messageFromJson(parsed);
    const a = stringifyMessage(m);
    const again = stringifyMessage(messageFromJson(a));
    if (again !== a) throw new OracleFailure('json-roundtrip-changed', 'the JSON form of an accepted message does not read back to itself');
    throughMsg(m, 'messageFromJson');
  },
};
