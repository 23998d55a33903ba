/**
 * `smime-bridge inspect FILE...`: what each message is (kind by content, S/MIME class, every
 * layer and the verdict without trust anchors, headers, attachments, raw and unwrapped views).
 * One message: the whole report; several (an mbox, a folder): one line each and a summary.
 * X.400 BER files are shown by `x400 inspect`.
 */
import { SmimeBridgeError } from '../../errors.js';
import { PidTagBody, PidTagHtml } from '../../mapi/index.js';
import { decideVerdict, openMessage } from '../../secure/index.js';
import { EXIT, worstExit } from '../exit.js';
import { type Printer, errorRecord } from '../output.js';
import type { InputValues } from '../options.js';
import { internetOf, loadBytes } from '../files/io.js';
import { sniffInput } from '../files/formats.js';
import { eachMessage } from '../files/sources.js';
import { JsonLines } from '../files/jsonLines.js';
import { lazyProgress } from '../progress.js';
import { attachmentSummaries, inspect, renderInspect, type InspectReport } from './inspectReport.js';
import { describeVerdict, verdictJson } from '../present.js';
import { runX400Inspect } from './x400.js';

type InspectValues = InputValues & { report?: string; force?: boolean; json?: boolean };

async function reportOf(label: string, name: string, bytes: Uint8Array, o: InspectValues, index?: number): Promise<InspectReport> {
  const input = loadBytes(name, bytes, { strict: o.strict, lenient: o.lenient, index });
  const report = inspect(label, input);
  report.kind = input.kind;
  if (report.smime.kind !== 'none') {
    // Every layer (signed inside encrypted inside signed, ...), opened as far as no key is needed.
    try {
      const opened = await openMessage(internetOf(input));
      const v = decideVerdict(opened);
      report.layers = opened.layers.map((l) => ({
        kind: l.kind, mediaType: l.mediaType, params: l.params, cms: l.cms && { ...l.cms, encapsulatedContent: undefined },
        signers: l.verify?.signers, crlfRetried: l.verify?.crlfRetried, error: l.error, text: [],
      }));
      report.verdict = { state: v.state, text: describeVerdict(opened, v), json: verdictJson(opened, v) };
      // An opaque-signed message needs no key: its unwrapped view is the signed content.
      if (report.smime.kind === 'opaque-or-encrypted' && opened.complete) {
        const p = opened.messageObject.properties;
        report.unwrapped = { body: { plain: p.has(PidTagBody), html: p.has(PidTagHtml) }, attachments: attachmentSummaries(opened.messageObject) };
      }
    } catch (e) {
      report.warnings.push(`layers not read: ${(e as Error).message}`);
    }
  }
  return report;
}

export async function runInspect(p: Printer, files: string[], o: InspectValues): Promise<number> {
  if (files.length === 1 && files[0] !== '-' && /\.(p1|ipm|ber|x400)$/i.test(files[0]!)) return runX400Inspect(p, files[0]!); // issue 5 item 5
  const report = o.report ? await JsonLines.create(o.report, o.force) : undefined;
  type Entry = { label: string; r?: InspectReport; code: number; error?: ReturnType<typeof errorRecord>; thrown?: unknown };
  // One message is shown in full; several are listed one line each, printed as they come (an
  // mbox of 50 000 messages is not held as 50 000 reports): the first waits until a second one
  // (or an mbox) shows it is a listing.
  let first: Entry | undefined;
  let listing = false;
  let count = 0;
  let failed = 0;
  const codes: number[] = [];
  const single = files.length === 1;
  let fromMbox = false;
  const line = (a: Entry) => {
    if (p.json) p.result(a.r ? { ...a.r, verdict: a.r.verdict?.json } : { input: a.label, error: a.error }, false);
    else if (a.r) p.lines(`${a.label}: ${a.r.kind ?? a.r.format} ${a.r.smime.kind}, ${a.r.messageClass}${a.r.verdict ? `, ${a.r.verdict.state}` : ''}: ${a.r.headers.subject ?? '(no subject)'}${a.r.headers.from ? ` (from ${a.r.headers.from})` : ''}`);
    else p.lines(`${a.label}: REJECTED: ${a.error!.code}: ${a.error!.message}`);
  };
  const add = (a: Entry) => {
    count++;
    if (a.error) failed++;
    codes.push(a.code);
    if (listing) return line(a);
    if (!first && !fromMbox) {
      first = a;
      return;
    }
    listing = true;
    if (first) line(first);
    first = undefined;
    line(a);
  };
  const progress = lazyProgress({ enabled: !p.quiet && !p.json });
  for await (const src of eachMessage(files)) {
    progress.tick({ done: count, failed, bytes: 0 });
    if (src.index !== undefined) {
      if (o.index !== undefined && src.index !== o.index) continue; // --index N: that message of the mbox only
      fromMbox = o.index === undefined;
    }
    try {
      if (src.problem) throw new SmimeBridgeError(src.problem.code, src.problem.reason);
      if (single && sniffInput(src.name, src.bytes!, { lenient: o.lenient }) === 'x400') return runX400Inspect(p, src.input);
      const r = await reportOf(src.label, src.name, src.bytes!, o, src.index === undefined ? o.index : undefined);
      add({ label: src.label, r, code: EXIT.OK });
      report?.write(r);
    } catch (e) {
      const rec = errorRecord(e);
      if (rec.exitCode === EXIT.INTERNAL) throw e;
      add({ label: src.label, code: rec.exitCode, error: rec, thrown: e });
      report?.write({ input: src.label, error: rec });
    }
  }
  progress.stop({ done: count, failed, bytes: 0 });
  const code = count === 0 ? EXIT.REJECTED : worstExit(codes);
  await report?.close({ summary: { messages: count, rejected: failed, exitCode: code } });
  if (!listing && first) {
    const a = first;
    if (a.error) throw a.thrown;
    if (p.json) p.result({ ...a.r, verdict: a.r!.verdict?.json });
    else p.lines(renderInspect(a.r!).split('\n'));
    return EXIT.OK;
  }
  const summary = { messages: count, rejected: failed };
  if (p.json) p.result({ summary }, false);
  else p.lines(`${summary.messages} message(s)${summary.rejected ? `, ${summary.rejected} rejected` : ''}${files.length === 1 ? '; --index N shows one in full' : ''}`);
  return code;
}
