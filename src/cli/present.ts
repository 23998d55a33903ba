/** Human-readable lines for the S/MIME layers found by `openMessage` (verify, decrypt, inspect). */
import type { Layer } from '../secure/index.js';

/** Lines describing one layer: kind, media type, algorithms, signers and their verdicts, errors. */
export function describeLayer(l: Layer, i: number): string[] {
  const lines = [`layer ${i + 1}: ${l.kind}  (${l.mediaType}${l.params['smime-type'] ? `; smime-type=${l.params['smime-type']}` : ''}${l.params['micalg'] ? `; micalg=${l.params['micalg']}` : ''})`];
  if (l.cms?.envelopedData) {
    const e = l.cms.envelopedData;
    lines.push(`  content encryption ${e.contentEncryptionAlgorithm}; recipients: ${e.recipients.map((r) => `${r.type} ${r.keyEncryptionAlgorithm}`).join(', ')}`);
    lines.push(`  ${l.decrypted ? 'decrypted' : 'not decrypted'}`);
  }
  for (const s of l.verify?.signers ?? []) {
    lines.push(`  signer ${s.signer.subject}${s.signer.emails.length ? ` <${s.signer.emails.join(', ')}>` : ''}`);
    lines.push(`    signature ${s.signatureValid ? 'VALID' : `INVALID (${s.reason}${s.detail ? `: ${s.detail}` : ''})`}; ${s.digestAlgorithm}/${s.signatureAlgorithm}${s.weakAlgorithm ? ' (weak)' : ''}`);
    lines.push(`    chain ${s.chain.trusted ? 'trusted' : `not trusted${s.chain.reason ? ` (${s.chain.reason})` : ''}`}${s.chain.path.length ? `: ${s.chain.path.join(' <- ')}` : ''}`);
    lines.push(`    signing time ${s.signingTime?.toISOString() ?? 'none'}; valid at signing time ${s.validAtSigningTime ?? 'unknown'}; valid now ${s.validNow}; e-mail protection ${s.emailProtectionUsage}${s.addressMatches !== undefined ? `; From address matches ${s.addressMatches}` : ''}`);
  }
  if (l.verify?.crlfRetried) lines.push('  note: the received bytes did not verify; the canonical CRLF form did (bare LF line ends in transit)');
  if (l.error) lines.push(`  ${l.error.code}: ${l.error.message}`);
  return lines;
}
