/**
 * Name constraints (RFC 5280 4.2.1.10; state 6.1.2 (b)(c), checks 6.1.3 (b)(c), update 6.1.4 (g)):
 * directoryName, rfc822Name, dNSName, uniformResourceIdentifier and iPAddress forms.
 *
 * The permitted_subtrees state is kept as the list of every permitted set met on the path, per
 * name form: a name must fall in at least one subtree of each set, which is the intersection of
 * 6.1.4 (g)(1) without computing it. Forms this code cannot evaluate (otherName, x400Address,
 * ediPartyName, registeredID) fail closed: a name of such a form is refused when any constraint
 * of its form is present.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../oids.js';
import { EXT, extOf, subjectAltNames } from './ext.js';
import { type Rdns, dnWithin, isEmptyName, rdnsOf } from './names.js';

const SUPPORTED = new Set([1, 2, 4, 6, 7]);
const FORM_NAMES: Record<number, string> = { 0: 'otherName', 1: 'rfc822Name', 2: 'dNSName', 3: 'x400Address', 4: 'directoryName', 5: 'ediPartyName', 6: 'URI', 7: 'iPAddress', 8: 'registeredID' };

/** A name to check: its GeneralName form and value. */
interface Candidate {
  type: number;
  value: string | Rdns | Uint8Array;
  label: string;
}

/** The name-constraint state of a path. */
export class NameConstraintState {
  private readonly permitted: { type: number; subtrees: pkijs.GeneralName[] }[] = [];
  private readonly excluded: pkijs.GeneralName[] = [];

  /** 6.1.4 (g): add a CA certificate's nameConstraints. */
  update(cert: pkijs.Certificate): void {
    const nc = extOf(cert, EXT.nameConstraints)?.parsedValue as pkijs.NameConstraints | undefined;
    if (!nc) return;
    if (nc.permittedSubtrees?.length) {
      const byType = new Map<number, pkijs.GeneralName[]>();
      for (const s of nc.permittedSubtrees) {
        if (!byType.has(s.base.type)) byType.set(s.base.type, []);
        byType.get(s.base.type)!.push(s.base);
      }
      for (const [type, subtrees] of byType) this.permitted.push({ type, subtrees });
    }
    for (const s of nc.excludedSubtrees ?? []) this.excluded.push(s.base);
  }

  /** 6.1.3 (b)(c): the names of `cert` that violate the constraints (empty when all pass). */
  violations(cert: pkijs.Certificate): string[] {
    if (!this.permitted.length && !this.excluded.length) return [];
    const names: Candidate[] = [];
    if (!isEmptyName(cert.subject)) names.push({ type: 4, value: rdnsOf(cert.subject), label: 'subject' });
    // RFC 5280 4.2.1.10: rfc822Name constraints apply to emailAddress attributes of the subject
    for (const tv of cert.subject.typesAndValues) {
      if (tv.type === OID.emailAddress) {
        const v = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
        if (typeof v === 'string') names.push({ type: 1, value: v, label: `subject emailAddress ${v}` });
      }
    }
    for (const g of subjectAltNames(cert)) names.push(candidateOf(g));
    const out: string[] = [];
    for (const n of names) {
      if (!SUPPORTED.has(n.type)) {
        if (this.excluded.some((s) => s.type === n.type) || this.permitted.some((p) => p.type === n.type)) out.push(`${n.label}: constraints on this name form cannot be evaluated`);
        continue;
      }
      const ex = this.excluded.find((s) => s.type === n.type && within(n, s));
      if (ex) {
        out.push(`${n.label} is in an excluded ${FORM_NAMES[n.type] ?? n.type} subtree`);
        continue;
      }
      const sets = this.permitted.filter((p) => p.type === n.type);
      if (sets.some((p) => !p.subtrees.some((s) => within(n, s)))) out.push(`${n.label} is outside the permitted ${FORM_NAMES[n.type] ?? n.type} subtrees`);
    }
    return out;
  }
}

function candidateOf(g: pkijs.GeneralName): Candidate {
  if (g.type === 4) return { type: 4, value: rdnsOf(g.value as pkijs.RelativeDistinguishedNames), label: 'subjectAltName directoryName' };
  if (g.type === 7) return { type: 7, value: new Uint8Array((g.value as asn1js.OctetString).valueBlock.valueHexView), label: 'subjectAltName iPAddress' };
  if (typeof g.value === 'string') return { type: g.type, value: g.value, label: `subjectAltName ${FORM_NAMES[g.type]} ${g.value}` };
  return { type: g.type, value: '', label: `subjectAltName ${FORM_NAMES[g.type] ?? g.type}` };
}

/** Does name `n` fall within subtree `base` (same, supported form)? */
function within(n: Candidate, base: pkijs.GeneralName): boolean {
  switch (n.type) {
    case 4:
      return dnWithin(n.value as Rdns, rdnsOf(base.value as pkijs.RelativeDistinguishedNames));
    case 1:
      return emailWithin(n.value as string, String(base.value));
    case 2:
      return dnsWithin(n.value as string, String(base.value));
    case 6:
      return uriWithin(n.value as string, String(base.value));
    case 7:
      return ipWithin(n.value as Uint8Array, new Uint8Array((base.value as asn1js.OctetString).valueBlock.valueHexView));
    default:
      return false;
  }
}

/** rfc822Name (4.2.1.10): a mailbox, a host (all mailboxes there) or `.domain` (any host below). */
function emailWithin(addr: string, c: string): boolean {
  const a = addr.toLowerCase();
  const k = c.toLowerCase();
  const at = a.lastIndexOf('@');
  if (at < 0) return false;
  const host = a.slice(at + 1);
  if (k.includes('@')) return a === k;
  if (k.startsWith('.')) return host.endsWith(k);
  return host === k;
}

/** dNSName (4.2.1.10): the name itself or any name below it, label-wise. */
function dnsWithin(name: string, c: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const k = c.toLowerCase().replace(/\.$/, '');
  if (k === '') return true;
  if (k.startsWith('.')) return n.endsWith(k);
  return n === k || n.endsWith('.' + k);
}

/** URI (4.2.1.10): the host part; `.domain` means hosts below it, else the host exactly. */
function uriWithin(uri: string, c: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  if (!m || !m[1]) return false; // no authority: cannot be within any host constraint
  const host = m[1].toLowerCase();
  const k = c.toLowerCase();
  if (k.startsWith('.')) return host.endsWith(k);
  return host === k;
}

/** iPAddress (4.2.1.10): address and mask octets. */
function ipWithin(addr: Uint8Array, c: Uint8Array): boolean {
  if (c.length !== addr.length * 2) return false;
  for (let i = 0; i < addr.length; i++) if ((addr[i]! & c[addr.length + i]!) !== (c[i]! & c[addr.length + i]!)) return false;
  return true;
}
