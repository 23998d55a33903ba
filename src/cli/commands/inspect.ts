/** `smime-bridge inspect FILE [--json]`. */
import { parseArgs } from 'node:util';
import { loadInput } from '../files/io.js';
import { attachmentSummaries, inspect, renderInspect } from './inspectReport.js';
import { PidTagBody, PidTagHtml } from '../../mapi/index.js';
import { UsageError } from '../usage.js';
import { runX400 } from './x400.js';
import { openMessage } from '../../secure/index.js';
import { toInternet } from '../../smime/index.js';
import { describeLayer } from '../present.js';

export async function runInspect(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false } },
  });
  if (positionals.length !== 1) throw new UsageError('inspect needs exactly one FILE');
  const file = positionals[0]!;
  if (/\.(p1|ipm|ber|x400)$/i.test(file)) return runX400(['inspect', file]); // X.400 BER files (issue 5 item 5)
  const input = await loadInput(file, { strict: values.strict });
  const report = inspect(file, input);
  if (report.smime.kind !== 'none') {
    // Issue 4 item 8: every layer (signed inside encrypted inside signed, ...), opened as far as no key is needed.
    try {
      const bytes = input.internet ? input.internet.root.source : toInternet(input.message).bytes;
      const opened = await openMessage(bytes);
      report.layers = opened.layers.map((l, i) => ({
        kind: l.kind, mediaType: l.mediaType, params: l.params, cms: l.cms && { ...l.cms, encapsulatedContent: undefined },
        signers: l.verify?.signers, crlfRetried: l.verify?.crlfRetried, error: l.error, text: describeLayer(l, i),
      }));
      // An opaque-signed message needs no key: its unwrapped view is the signed content.
      if (report.smime.kind === 'opaque-or-encrypted' && opened.complete) {
        const p = opened.messageObject.properties;
        report.unwrapped = { body: { plain: p.has(PidTagBody), html: p.has(PidTagHtml) }, attachments: attachmentSummaries(opened.messageObject) };
      }
    } catch (e) {
      report.warnings.push(`layers not read: ${(e as Error).message}`);
    }
  }
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : renderInspect(report) + '\n');
  return 0;
}
