/**
 * How the command shows layers and verdicts (verify, inspect, decrypt, unwrap, extract). The
 * decision is made in secure/verdict.ts; this only puts it into words and JSON. Text lines are
 * escaped by the Printer, so values from a message or certificate can never repaint the screen.
 */
import type { Layer, MessageVerdict, OpenedMessage, Reason } from '../secure/index.js';
import { EXIT } from './exit.js';

/** Words for each message state, as `verify` prints them. */
export const STATE_WORDS: Record<MessageVerdict['state'], string> = {
  valid: 'VALID: every signature holds and is trusted',
  untrusted: 'UNTRUSTED: the signature holds, but no path reaches a trust anchor',
  invalid: 'INVALID: a signature, structure or policy check failed',
  'cannot-check': 'CANNOT CHECK: a layer could not be verified',
  unsigned: 'UNSIGNED: no signature found',
};

/** The exit code of a verdict state. */
export function exitOfState(state: MessageVerdict['state']): number {
  switch (state) {
    case 'valid': return EXIT.OK;
    case 'untrusted': return EXIT.UNTRUSTED;
    case 'invalid': return EXIT.INVALID;
    case 'cannot-check': return EXIT.CANNOT_CHECK;
    default: return EXIT.UNSIGNED;
  }
}

function reasonLine(r: Reason): string {
  return `${r.severity === 'note' ? 'note' : r.severity}: ${r.code}: ${r.message}`;
}

/** Lines describing one layer: kind, media type, algorithms, errors. */
export function describeLayer(l: Layer, i: number): string[] {
  const lines = [`layer ${i + 1}: ${l.kind}  (${l.mediaType}${l.params['smime-type'] ? `; smime-type=${l.params['smime-type']}` : ''}${l.params['micalg'] ? `; micalg=${l.params['micalg']}` : ''})`];
  if (l.cms?.envelopedData) {
    const e = l.cms.envelopedData;
    lines.push(`  content encryption ${e.contentEncryptionAlgorithm}; recipients: ${e.recipients.map((r) => `${r.type} ${r.keyEncryptionAlgorithm}`).join(', ')}`);
    lines.push(`  ${l.decrypted ? 'decrypted' : 'not decrypted'}`);
  }
  if (l.eContentType && l.eContentType !== 'data') lines.push(`  signed content type ${l.eContentType} (not a MIME message)`);
  if (l.verify?.crlfRetried) lines.push('  note: the received bytes did not verify; the canonical CRLF form did (bare LF line ends in transit)');
  if (l.error) lines.push(`  ${l.error.code}: ${l.error.message}`);
  return lines;
}

/** The verdict in lines: state, message reasons, then each layer with its signers and their reasons. */
export function describeVerdict(opened: OpenedMessage, v: MessageVerdict, verbose = false): string[] {
  const lines: string[] = [];
  for (const r of v.reasons) if (verbose || r.severity !== 'note') lines.push(`  ${reasonLine(r)}`);
  opened.layers.forEach((l, i) => {
    lines.push(...describeLayer(l, i).map((x) => `  ${x}`));
    for (const s of v.signers.filter((x) => x.layer === i)) {
      lines.push(`    signer ${s.signer.subject || '(certificate not found)'}${s.signer.emails.length ? ` <${s.signer.emails.join(', ')}>` : ''}: ${s.state}`);
      lines.push(`      ${s.digestAlgorithm}/${s.signatureAlgorithm}; signed ${s.signingTime ?? '(no signing time)'}${s.path.length > 1 ? `; path ${s.path.join(' <- ')}` : ''}`);
      for (const r of s.reasons) if (verbose || r.severity !== 'note' || s.state === 'valid') lines.push(`      ${reasonLine(r)}`);
    }
  });
  if (!opened.layers.length) lines.push('  no S/MIME layer found');
  return lines;
}

/** The JSON form of an opened message and its verdict: decided in secure/verdict.ts (the page prints the same). */
export { verdictJson } from '../secure/index.js';
