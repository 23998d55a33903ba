/**
 * `smime-bridge verify FILE...`: open every layer of each message, verify every signature and
 * decide the verdict (secure/verdict.ts). Exit 0 only when every message is `valid`; otherwise
 * the code of the most serious outcome (exit.ts). One message: the whole verdict (text, or one
 * JSON object); several: one line (or JSON line) each and a summary line.
 */
import { SmimeBridgeError } from '../../errors.js';
import { decideVerdict, openMessage, type OpenOptions, type VerdictPolicy, type WeakAlgorithm } from '../../secure/index.js';
import { EXIT, worstExit } from '../exit.js';
import { type Printer, UsageError, errorRecord } from '../output.js';
import type { InputValues, KeyValues, TrustValues } from '../options.js';
import { internetOf, loadBytes, loadInternet, readInputBytes } from '../files/io.js';
import { loadCertFiles, loadCrlFiles, loadRecipient } from '../files/keyFiles.js';
import { eachMessage } from '../files/sources.js';
import { STATE_WORDS, describeVerdict, exitOfState, verdictJson } from '../present.js';
import { JsonLines } from '../files/jsonLines.js';
import { lazyProgress } from '../progress.js';

type VerifyValues = KeyValues & TrustValues & InputValues & { content?: string; report?: string; force?: boolean };

const usage = (m: string) => new UsageError(m);

/** Trust, keys and policy from the options, shared by every command that opens layers. */
export async function openOptionsFrom(o: KeyValues & TrustValues): Promise<{ open: OpenOptions; policy: VerdictPolicy }> {
  let at: Date | undefined;
  if (o.at !== undefined) {
    at = new Date(o.at);
    if (Number.isNaN(at.getTime())) throw usage(`--at needs an ISO 8601 time, got "${o.at}"`);
  }
  // --trust-leaf: end-entity certificates trusted as themselves (never as issuers, cms/path).
  const leaves = await loadCertFiles(o.trustLeaf ?? []);
  const trustAnchors = [...await loadCertFiles(o.ca ?? []), ...leaves];
  const crls = await loadCrlFiles(o.crl ?? []);
  const recipients = o.key || o.p12 ? [await loadRecipient(o, usage)] : [];
  const verify: OpenOptions['verify'] = { crls, revocation: o.revocation as 'require' | 'if-available' | 'off' | undefined, trustLeafAsItself: leaves.length > 0, validationTime: at };
  return {
    open: { trustAnchors, recipients, verify },
    policy: { signatureOnly: o.signatureOnly, allowAddressMismatch: o.allowAddressMismatch, allowWeak: (o.allowWeak ?? []) as WeakAlgorithm[] },
  };
}

export async function runVerify(p: Printer, files: string[], o: VerifyValues): Promise<number> {
  const { open, policy } = await openOptionsFrom(o);
  const content = o.content !== undefined ? await readInputBytes(o.content) : undefined;
  // One message: the whole verdict (pretty JSON); several: a line each. Known after the second.
  const texts: string[][] = [];
  const records: unknown[] = [];
  const progress = lazyProgress({ enabled: !p.quiet && !p.json });
  const flush = () => progress.print(() => {
    for (const r of records.splice(0)) p.result(r, false);
    for (const x of texts.splice(0)) p.lines(x.slice(0, 1));
  });
  const report = o.report ? await JsonLines.create(o.report, o.force) : undefined;
  const codes: number[] = [];
  const counts = new Map<string, number>();
  let n = 0;
  for await (const src of eachMessage(files)) {
    n++;
    let code: number;
    let record: Record<string, unknown>;
    let text: string[];
    try {
      if (src.problem) throw new SmimeBridgeError(src.problem.code, src.problem.reason);
      const load = { strict: o.strict, lenient: o.lenient, index: src.index === undefined ? o.index : undefined };
      // Only the layers are opened: no message object is made (strict reading makes it, for what it refuses).
      const internet = o.strict ? internetOf(loadBytes(src.name, src.bytes!, load)) : loadInternet(src.name, src.bytes!, load);
      const opened = await openMessage(internet, { ...open, detachedContent: content });
      const v = decideVerdict(opened, policy);
      code = exitOfState(v.state);
      record = { input: src.label, ...verdictJson(opened, v) };
      text = [`${src.label}: ${STATE_WORDS[v.state]}${policy.signatureOnly ? ' (--signature-only: trust not required)' : ''}`, ...describeVerdict(opened, v, p.verbose)];
      counts.set(v.state, (counts.get(v.state) ?? 0) + 1);
    } catch (e) {
      const r = errorRecord(e);
      if (r.exitCode === EXIT.INTERNAL) throw e;
      code = r.exitCode;
      record = { input: src.label, error: r };
      text = [`${src.label}: REJECTED: ${r.code}: ${r.message}`];
      counts.set('rejected', (counts.get('rejected') ?? 0) + 1);
    }
    codes.push(code);
    report?.write(record);
    records.push(record);
    texts.push(text);
    if (n > 1) flush();
    progress.tick({ done: n, failed: counts.get('rejected') ?? 0, bytes: 0 });
  }
  progress.stop({ done: n, failed: counts.get('rejected') ?? 0, bytes: 0 });
  const summary = { messages: n, ...Object.fromEntries(counts), exitCode: worstExit(codes) };
  await report?.close({ summary });
  if (n === 1) {
    p.result(records[0]);
    p.lines(texts[0]!);
  } else {
    flush();
    if (p.json) p.result({ summary }, false);
    else p.lines(`${n} message(s): ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  }
  if (n === 0) return EXIT.REJECTED;
  return worstExit(codes);
}
