/**
 * Certificate policy processing of RFC 5280 6.1: the valid_policy_tree (6.1.2 (a)), its growth
 * per certificate (6.1.3 (d)-(f)), policy mappings (6.1.4 (a)-(b)) and the user-initial-policy-set
 * intersection at the end (6.1.5 (g)). Qualifiers are not kept (nothing here acts on them).
 */
import * as pkijs from 'pkijs';
import { ANY_POLICY, EXT, extOf } from './ext.js';

interface PolicyNode {
  validPolicy: string;
  expected: Set<string>;
  parent?: PolicyNode;
  children: PolicyNode[];
}

/** The valid_policy_tree, by depth; `null` is the NULL tree. */
export class PolicyTree {
  private levels: PolicyNode[][] | null;

  constructor() {
    // 6.1.2 (a): a single anyPolicy node at depth 0
    this.levels = [[{ validPolicy: ANY_POLICY, expected: new Set([ANY_POLICY]), children: [] }]];
  }

  get isNull(): boolean {
    return this.levels === null;
  }

  /** 6.1.3 (d)/(e) for certificate `i` (1-based) of `n`. */
  processCertificate(cert: pkijs.Certificate, i: number, n: number, inhibitAnyPolicy: number, selfIssued: boolean): void {
    if (!this.levels) return;
    const ext = extOf(cert, EXT.certificatePolicies)?.parsedValue as pkijs.CertificatePolicies | undefined;
    if (!ext) {
      this.levels = null; // (e)
      return;
    }
    const parents = this.levels[i - 1] ?? [];
    const level: PolicyNode[] = [];
    const add = (parent: PolicyNode, validPolicy: string, expected: Set<string>) => {
      const node: PolicyNode = { validPolicy, expected, parent, children: [] };
      parent.children.push(node);
      level.push(node);
    };
    let anyPresent = false;
    for (const pi of ext.certificatePolicies) {
      const p = pi.policyIdentifier;
      if (p === ANY_POLICY) {
        anyPresent = true;
        continue;
      }
      // (d)(1)(i): children of nodes expecting P
      const matching = parents.filter((x) => x.expected.has(p));
      if (matching.length) for (const m of matching) add(m, p, new Set([p]));
      else for (const m of parents.filter((x) => x.validPolicy === ANY_POLICY)) add(m, p, new Set([p])); // (d)(1)(ii)
    }
    // (d)(2): anyPolicy in the certificate, when not inhibited
    if (anyPresent && (inhibitAnyPolicy > 0 || (i < n && selfIssued))) {
      for (const parent of parents) {
        for (const e of parent.expected) {
          if (!parent.children.some((c) => c.validPolicy === e)) add(parent, e, new Set([e]));
        }
      }
    }
    this.levels[i] = level;
    this.prune(i); // (d)(3)
  }

  /** Delete childless nodes above depth `i`; the tree becomes NULL when the root goes. */
  private prune(i: number): void {
    if (!this.levels) return;
    for (let d = i - 1; d >= 0; d--) {
      const keep = this.levels[d]!.filter((x) => x.children.length > 0);
      for (const gone of this.levels[d]!.filter((x) => x.children.length === 0)) {
        if (gone.parent) gone.parent.children = gone.parent.children.filter((c) => c !== gone);
      }
      this.levels[d] = keep;
    }
    if ((this.levels[0]?.length ?? 0) === 0 || (this.levels[i]?.length ?? 0) === 0) this.levels = null;
  }

  /** 6.1.4 (b): apply policyMappings of certificate `i`; `policyMapping` is the state variable. */
  applyMappings(mappings: pkijs.PolicyMapping[], i: number, policyMapping: number): void {
    if (!this.levels) return;
    const level = this.levels[i] ?? [];
    const byIssuer = new Map<string, Set<string>>();
    for (const m of mappings) {
      if (!byIssuer.has(m.issuerDomainPolicy)) byIssuer.set(m.issuerDomainPolicy, new Set());
      byIssuer.get(m.issuerDomainPolicy)!.add(m.subjectDomainPolicy);
    }
    for (const [idp, sdps] of byIssuer) {
      const nodes = level.filter((x) => x.validPolicy === idp);
      if (policyMapping > 0) {
        // (b)(1)
        if (nodes.length) for (const x of nodes) x.expected = new Set(sdps);
        else {
          const any = level.find((x) => x.validPolicy === ANY_POLICY);
          if (any?.parent) {
            const node: PolicyNode = { validPolicy: idp, expected: new Set(sdps), parent: any.parent, children: [] };
            any.parent.children.push(node);
            level.push(node);
          }
        }
      } else {
        // (b)(2): delete the nodes, then prune
        for (const x of nodes) {
          if (x.parent) x.parent.children = x.parent.children.filter((c) => c !== x);
        }
        this.levels[i] = level.filter((x) => !nodes.includes(x));
        this.prune(i);
        if (!this.levels) return;
      }
    }
  }

  /**
   * 6.1.5 (g): intersect with the user-initial-policy-set. Returns the policies of the
   * intersection at depth `n` (the user-constrained policy set), or null for the NULL tree.
   */
  intersect(userSet: string[], n: number): string[] | null {
    if (!this.levels) return null; // (g)(i)
    if (userSet.includes(ANY_POLICY)) return this.authorities(n); // (g)(ii)
    const user = new Set(userSet);
    // (g)(iii)(1)-(2): nodes whose parent is anyPolicy, but themselves not anyPolicy, outside the user set go
    for (let d = 1; d <= n; d++) {
      const level = this.levels[d] ?? [];
      for (const x of level) {
        if (x.parent?.validPolicy === ANY_POLICY && x.validPolicy !== ANY_POLICY && !user.has(x.validPolicy)) this.removeSubtree(x);
      }
    }
    if (!this.levels) return null;
    // (g)(iii)(3): an anyPolicy leaf is replaced by the user policies not yet in the set
    const leaves = this.levels[n] ?? [];
    const anyLeaf = leaves.find((x) => x.validPolicy === ANY_POLICY);
    if (anyLeaf?.parent) {
      const present = new Set(this.validPolicyNodeSet().map((x) => x.validPolicy));
      for (const p of user) {
        if (present.has(p)) continue;
        const node: PolicyNode = { validPolicy: p, expected: new Set([p]), parent: anyLeaf.parent, children: [] };
        anyLeaf.parent.children.push(node);
        leaves.push(node);
      }
      this.removeSubtree(anyLeaf);
    } else if (anyLeaf && n === 0) {
      return [...user];
    }
    if (!this.levels) return null;
    this.prune(n); // (g)(iii)(4)
    return this.levels ? this.authorities(n) : null;
  }

  private validPolicyNodeSet(): PolicyNode[] {
    return (this.levels ?? []).flat().filter((x) => x.parent?.validPolicy === ANY_POLICY && x.validPolicy !== ANY_POLICY);
  }

  private removeSubtree(x: PolicyNode): void {
    if (!this.levels) return;
    const doomed = new Set<PolicyNode>();
    const walk = (y: PolicyNode) => {
      doomed.add(y);
      y.children.forEach(walk);
    };
    walk(x);
    if (x.parent) x.parent.children = x.parent.children.filter((c) => c !== x);
    this.levels = this.levels.map((l) => l.filter((y) => !doomed.has(y)));
  }

  /** Valid policies of the leaves at depth `n`. */
  private authorities(n: number): string[] {
    return [...new Set((this.levels?.[n] ?? []).map((x) => x.validPolicy))];
  }
}
