/**
 * X.400 O/R names: the common string form (`C=GB;A= ;P=Example;O=Org;S=Surname;G=Given`, as in
 * RFC 1685 and X.400 user interfaces), RFC 822 addresses carried in the RFC 2156 `RFC-822`
 * domain-defined attribute (RFC 2156 4.2.1, with the 3.4 PrintableString escapes), and the
 * mapping to and from the ORName schema value of ./modules.ts (X.411 12.5, upper bounds of
 * X.411 annex (MTSUpperBounds)).
 */
import { SmimeBridgeError } from '../errors.js';
import type { RawElement, Rec } from './schema.js';

/** An X.400 O/R name (X.411 ORName): built-in standard and domain-defined attributes. */
export interface ORName {
  /** C: ISO 3166 alpha-2 code or X.121 DCC (3 digits). */
  country?: string;
  /** A: administration management domain; `' '` (one space) means "any". */
  adminDomain?: string;
  /** P: private management domain. */
  privateDomain?: string;
  /** O: organization name. */
  organization?: string;
  /** OU, OU1..OU4: organizational unit names, most significant first. */
  organizationalUnits?: string[];
  /** S: surname. */
  surname?: string;
  /** G: given name. */
  givenName?: string;
  /** I: initials. */
  initials?: string;
  /** Q: generation qualifier. */
  generationQualifier?: string;
  /** X121: network address. */
  networkAddress?: string;
  /** T-ID: terminal identifier. */
  terminalIdentifier?: string;
  /** UA-ID: numeric user identifier. */
  numericUserIdentifier?: string;
  /** DDA:type=value: built-in domain-defined attributes (RFC-822 of RFC 2156 among them). */
  domainDefined?: Array<{ type: string; value: string }>;
  /** Extension attributes and directory name, kept raw (decode only; not re-encoded from text). */
  extensionAttributes?: RawElement[];
  directoryName?: RawElement;
}

/** The RFC 2156 domain-defined attribute type for RFC 822 addresses. */
export const RFC822_DDA = 'RFC-822';

// X.411 MTSUpperBounds
const UB = { adminDomain: 16, privateDomain: 16, organization: 64, ou: 32, ous: 4, surname: 40, given: 16, initials: 5, gq: 3, x121: 16, tid: 24, uaid: 32, ddaType: 8, ddaValue: 128, ddas: 4 };
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function bad(msg: string): SmimeBridgeError {
  return new SmimeBridgeError('X400_ORNAME_MALFORMED', msg);
}

function check(key: string, v: string | undefined, max: number, numeric = false): void {
  if (v === undefined) return;
  if (v.length === 0) throw bad(`${key} is empty`);
  if (v.length > max) throw bad(`${key} is longer than ${max} characters`);
  if (!(numeric ? /^[0-9 ]*$/ : PRINTABLE).test(v)) throw bad(`${key}=${JSON.stringify(v)} has characters outside ${numeric ? 'NumericString' : 'PrintableString'}`);
}

/** Validate an ORName against the X.411 types and upper bounds. */
export function validateORName(n: ORName): void {
  if (n.country !== undefined && !/^([A-Za-z]{2}|[0-9]{3})$/.test(n.country)) throw bad(`C=${JSON.stringify(n.country)} is neither ISO 3166 alpha-2 nor X.121 DCC`);
  check('A', n.adminDomain, UB.adminDomain);
  check('P', n.privateDomain, UB.privateDomain);
  check('O', n.organization, UB.organization);
  if ((n.organizationalUnits?.length ?? 0) > UB.ous) throw bad(`more than ${UB.ous} OU`);
  n.organizationalUnits?.forEach((ou, i) => check(`OU${i + 1}`, ou, UB.ou));
  check('S', n.surname, UB.surname);
  check('G', n.givenName, UB.given);
  check('I', n.initials, UB.initials);
  check('Q', n.generationQualifier, UB.gq);
  if (n.surname === undefined && (n.givenName ?? n.initials ?? n.generationQualifier) !== undefined)
    throw bad('G, I or Q given without S (PersonalName needs a surname)');
  check('X121', n.networkAddress, UB.x121, true);
  check('T-ID', n.terminalIdentifier, UB.tid);
  check('UA-ID', n.numericUserIdentifier, UB.uaid, true);
  if ((n.domainDefined?.length ?? 0) > UB.ddas) throw bad(`more than ${UB.ddas} domain-defined attributes`);
  for (const d of n.domainDefined ?? []) {
    check('DDA type', d.type, UB.ddaType);
    check(`DDA:${d.type}`, d.value, UB.ddaValue);
  }
}

/**
 * Parse the X.400 string form: `key=value` pairs separated by `;` (or a leading-`/` form
 * `/C=GB/A= /...`). Keys: C, A (ADMD), P (PRMD), O, OU / OU1..OU4, S, G, I, Q, X121, T-ID,
 * UA-ID, DDA:type=value. Values are not trimmed (`A= ` is a single space).
 * @throws SmimeBridgeError X400_ORNAME_MALFORMED
 */
export function parseORName(text: string): ORName {
  const sep = text.startsWith('/') ? '/' : ';';
  const parts = (sep === '/' ? text.slice(1) : text).split(sep).filter((p) => p.trim() !== '');
  const n: ORName = {};
  const ous: string[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 1) throw bad(`"${part}" is not key=value`);
    const key = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1);
    const once = (k: keyof ORName) => {
      if (n[k] !== undefined) throw bad(`${key} given twice`);
      (n as Record<string, unknown>)[k] = value;
    };
    if (key.startsWith('DDA:')) {
      (n.domainDefined ??= []).push({ type: part.slice(4, eq).trim(), value });
      continue;
    }
    switch (key) {
      case 'C': once('country'); break;
      case 'A': case 'ADMD': once('adminDomain'); break;
      case 'P': case 'PRMD': once('privateDomain'); break;
      case 'O': once('organization'); break;
      case 'OU': case 'OU1': case 'OU2': case 'OU3': case 'OU4': ous.push(value); break;
      case 'S': once('surname'); break;
      case 'G': once('givenName'); break;
      case 'I': once('initials'); break;
      case 'Q': once('generationQualifier'); break;
      case 'X121': once('networkAddress'); break;
      case 'T-ID': once('terminalIdentifier'); break;
      case 'UA-ID': once('numericUserIdentifier'); break;
      default: throw bad(`unknown O/R attribute ${key}`);
    }
  }
  if (ous.length) n.organizationalUnits = ous;
  if (Object.keys(n).length === 0) throw bad('empty O/R name');
  validateORName(n);
  return n;
}

/** Render an ORName in the `;`-separated string form that {@link parseORName} reads. */
export function formatORName(n: ORName): string {
  const out: string[] = [];
  const add = (k: string, v: string | undefined) => v !== undefined && out.push(`${k}=${v}`);
  add('C', n.country);
  add('A', n.adminDomain);
  add('P', n.privateDomain);
  add('O', n.organization);
  n.organizationalUnits?.forEach((ou, i) => add(`OU${i + 1}`, ou));
  add('S', n.surname);
  add('G', n.givenName);
  add('I', n.initials);
  add('Q', n.generationQualifier);
  add('X121', n.networkAddress);
  add('T-ID', n.terminalIdentifier);
  add('UA-ID', n.numericUserIdentifier);
  for (const d of n.domainDefined ?? []) out.push(`DDA:${d.type}=${d.value}`);
  return out.join(';');
}

// RFC 2156 3.4: IA5 characters outside PrintableString are written as (a) @, (p) %, (b) !,
// (q) ", (u) _, (l) (, (r) ) and (ddd) for any other, in decimal.
const ESC: Record<string, string> = { '@': 'a', '%': 'p', '!': 'b', '"': 'q', _: 'u', '(': 'l', ')': 'r' };
const UNESC: Record<string, string> = Object.fromEntries(Object.entries(ESC).map(([k, v]) => [v, k]));

/** RFC 2156 3.4: IA5 text → PrintableString with escapes. */
export function rfc2156Encode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code > 0x7f) throw bad(`RFC 822 address has a non-ASCII character ${JSON.stringify(ch)}`);
    if (ESC[ch]) out += `(${ESC[ch]})`;
    else if (PRINTABLE.test(ch)) out += ch;
    else out += `(${String(code).padStart(3, '0')})`;
  }
  return out;
}

/** RFC 2156 3.4: PrintableString with escapes → IA5 text. */
export function rfc2156Decode(s: string): string {
  return s.replace(/\((a|p|b|q|u|l|r|\d{3})\)/g, (_, e: string) => UNESC[e] ?? String.fromCharCode(Number(e) & 0x7f));
}

/**
 * An O/R name for an RFC 822 address through the RFC 2156 `RFC-822` domain-defined attribute
 * (RFC 2156 4.2.1). `gateway` supplies the standard attributes of the gateway's domain
 * (e.g. `C=GB;A= ;P=Gateway`); `Name <addr>` and bare addresses are accepted.
 * @throws SmimeBridgeError X400_ORNAME_MALFORMED
 */
export function orNameFromRfc822(addr: string, gateway?: ORName | string): ORName {
  const m = /<([^<>]*)>\s*$/.exec(addr);
  const a = (m ? m[1]! : addr).trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(a)) throw bad(`not an RFC 822 address: ${JSON.stringify(addr)}`);
  const base = typeof gateway === 'string' ? parseORName(gateway) : { ...(gateway ?? {}) };
  const n: ORName = { ...base, domainDefined: [...(base.domainDefined ?? []).filter((d) => d.type !== RFC822_DDA), { type: RFC822_DDA, value: rfc2156Encode(a) }] };
  validateORName(n);
  return n;
}

/** The RFC 822 address in an O/R name's `RFC-822` domain-defined attribute, if any. */
export function rfc822FromORName(n: ORName): string | undefined {
  const d = n.domainDefined?.find((x) => x.type.toUpperCase() === RFC822_DDA);
  return d ? rfc2156Decode(d.value) : undefined;
}

// ---- mapping to/from the ORName schema value (./modules.ts) ---------------------------------

function str2choice(v: string, numericName: string, printableName: string): Rec {
  return /^[0-9]+$/.test(v) ? { [numericName]: v } : { [printableName]: v };
}
function choice2str(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const val = Object.values(v as Rec)[0];
  return typeof val === 'string' ? val : undefined;
}

/** ORName → schema value for modules.ORName. */
export function orNameToAsn(n: ORName): Rec {
  validateORName(n);
  const std: Rec = {};
  if (n.country !== undefined) std['country-name'] = str2choice(n.country, 'x121-dcc-code', 'iso-3166-alpha2-code');
  if (n.adminDomain !== undefined) std['administration-domain-name'] = str2choice(n.adminDomain, 'numeric', 'printable');
  if (n.networkAddress !== undefined) std['network-address'] = n.networkAddress;
  if (n.terminalIdentifier !== undefined) std['terminal-identifier'] = n.terminalIdentifier;
  if (n.privateDomain !== undefined) std['private-domain-name'] = str2choice(n.privateDomain, 'numeric', 'printable');
  if (n.organization !== undefined) std['organization-name'] = n.organization;
  if (n.numericUserIdentifier !== undefined) std['numeric-user-identifier'] = n.numericUserIdentifier;
  if (n.surname !== undefined)
    std['personal-name'] = {
      surname: n.surname,
      'given-name': n.givenName,
      initials: n.initials,
      'generation-qualifier': n.generationQualifier,
    };
  if (n.organizationalUnits?.length) std['organizational-unit-names'] = n.organizationalUnits;
  const out: Rec = { 'built-in-standard-attributes': std };
  if (n.domainDefined?.length) out['built-in-domain-defined-attributes'] = n.domainDefined.map((d) => ({ type: d.type, value: d.value }));
  if (n.extensionAttributes?.length) out['extension-attributes'] = n.extensionAttributes;
  if (n.directoryName) out['directory-name'] = n.directoryName;
  return out;
}

/** Schema value of modules.ORName → ORName. */
export function orNameFromAsn(v: Rec): ORName {
  const std = (v['built-in-standard-attributes'] ?? {}) as Rec;
  const n: ORName = {};
  const s = (x: unknown) => (typeof x === 'string' ? x : undefined);
  const set = <K extends keyof ORName>(k: K, x: ORName[K] | undefined) => {
    if (x !== undefined) n[k] = x;
  };
  set('country', choice2str(std['country-name']));
  set('adminDomain', choice2str(std['administration-domain-name']));
  set('privateDomain', choice2str(std['private-domain-name']));
  set('organization', s(std['organization-name']));
  const ous = std['organizational-unit-names'];
  if (Array.isArray(ous)) n.organizationalUnits = ous.filter((x): x is string => typeof x === 'string');
  const pn = std['personal-name'] as Rec | undefined;
  if (pn) {
    set('surname', s(pn['surname']));
    set('givenName', s(pn['given-name']));
    set('initials', s(pn['initials']));
    set('generationQualifier', s(pn['generation-qualifier']));
  }
  set('networkAddress', s(std['network-address']));
  set('terminalIdentifier', s(std['terminal-identifier']));
  set('numericUserIdentifier', s(std['numeric-user-identifier']));
  const dda = v['built-in-domain-defined-attributes'];
  if (Array.isArray(dda)) n.domainDefined = (dda as Rec[]).map((d) => ({ type: String(d['type']), value: String(d['value']) }));
  const ext = v['extension-attributes'];
  if (Array.isArray(ext) && ext.length) n.extensionAttributes = ext as RawElement[];
  if (v['directory-name']) n.directoryName = v['directory-name'] as RawElement;
  return n;
}
