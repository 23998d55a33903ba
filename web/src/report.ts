/**
 * The verification report a user can save: JSON (machine-readable) and a printable HTML page.
 * It names the file, its SHA-256, every layer, every signer's verdict with reasons, the
 * certificates and the trust anchors used, and the time of the check.
 */
import type { CertView, FileView } from './protocol.js';
import { keyText } from './protocol.js';
import { STATE_WORDS } from './words.js';

/** The JSON report of one file. */
export function reportJson(v: FileView, anchors: CertView[]): object {
  return {
    report: 'smime-bridge verification report',
    checkedAt: v.checkedAt,
    file: { name: v.name, size: v.size, sha256: v.sha256, kind: v.kind, index: v.index },
    error: v.error, openError: v.openError,
    ...(v.verdict ?? {}),
    certificates: v.certificates,
    trustAnchors: anchors,
  };
}

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A standalone printable HTML report of one file (no script, no remote resource). */
export function reportHtml(v: FileView, anchors: CertView[]): string {
  const rows = (pairs: [string, unknown][]) => pairs.map(([k, x]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(x)}</td></tr>`).join('');
  const cert = (c: CertView) => `<table>${rows([['Source', c.source], ['Subject', c.subject], ['Issuer', c.issuer], ['Serial', c.serialHex],
    ['Valid', `${c.notBefore} to ${c.notAfter}`], ['SHA-256', c.sha256], ['Key', keyText(c)], ['Key usage', (c.keyUsage ?? []).join(', ')],
    ['Extended key usage', (c.extKeyUsage ?? []).join(', ')], ['E-mail', c.emails.join(', ')]])}</table>`;
  const vj = v.verdict;
  const layers = (vj?.layers ?? []).map((l, i) => `<li>Layer ${i + 1}: ${esc(l.kind)} (${esc(l.mediaType)})${l.cms ? `, CMS ${esc(l.cms.contentType)}` : ''}${l.error ? ` — ${esc(l.error.code)}: ${esc(l.error.message)}` : ''}</li>`).join('');
  const signers = (vj?.signers ?? []).map((s) => `<li><strong>${esc(s.state.toUpperCase())}</strong> — ${esc(s.signer.subject || '(certificate not found)')} (layer ${s.layer + 1}; ${esc(s.digestAlgorithm)}/${esc(s.signatureAlgorithm)}; signed ${esc(s.signingTime ?? 'no signing time')})<ul>${s.reasons.map((r) => `<li>${esc(r.severity)}: ${esc(r.code)}: ${esc(r.message)}</li>`).join('')}</ul></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Verification report: ${esc(v.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px/1.4 system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}th{text-align:left;vertical-align:top;padding-right:1rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #ccc;padding:.2rem .4rem}td{word-break:break-all}</style></head>
<body><h1>Verification report</h1>
<table>${rows([['File', v.name], ['Size', `${v.size} bytes`], ['SHA-256', v.sha256], ['Kind', v.kind], ['Message', v.index], ['Checked at', v.checkedAt],
    ['Verdict', vj ? STATE_WORDS[vj.verdict] : v.error ? `REJECTED: ${v.error.code}: ${v.error.message}` : v.openError ? `NOT OPENED: ${v.openError.code}: ${v.openError.message}` : '']])}</table>
${vj?.reasons.length ? `<h2>Reasons</h2><ul>${vj.reasons.map((r) => `<li>${esc(r.severity)}: ${esc(r.code)}: ${esc(r.message)}</li>`).join('')}</ul>` : ''}
<h2>Layers</h2><ol>${layers || '<li>no S/MIME layer</li>'}</ol>
<h2>Signers</h2><ul>${signers || '<li>none</li>'}</ul>
<h2>Certificates</h2>${v.certificates.map(cert).join('') || '<p>none</p>'}
<h2>Trust anchors</h2>${anchors.map(cert).join('') || '<p>none given: a valid signature is at best untrusted</p>'}
<p>Made by smime-bridge in the browser; nothing was sent anywhere.</p></body></html>
`;
}
