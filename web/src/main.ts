/**
 * The page: choose or drop files, see every layer and verdict, add trust anchors and keys,
 * download conversions and reports. All parsing and cryptography happen in the worker
 * (worker.ts, loaded on the first file); this thread only draws what the worker found.
 */
import { h, replace, type Child } from './dom.js';
import { reportHtml, reportJson } from './report.js';
import { STATE_WORDS } from './words.js';
import type { AttachmentView, CertView, ErrorView, FileView, MessageView, ProgressView, Replies, Request, Saved, SignerJson, WorkerMessage, X400Form } from './protocol.js';
import { keyText } from './protocol.js';

// ---- the worker ----------------------------------------------------------------------------
let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve(v: unknown): void; reject(e: ErrorView): void; onProgress?: (p: ProgressView) => void }>();

function call<K extends Request['op']>(req: Extract<Request, { op: K }>, transfer: Transferable[] = [], onProgress?: (p: ProgressView) => void): Promise<Replies[K]> {
  if (!worker) {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      const p = pending.get(m.id);
      if (!p) return;
      if ('progress' in m) { p.onProgress?.(m.progress); return; }
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value); else p.reject(m.error);
    };
    worker.onerror = (e) => {
      for (const [id, p] of pending) { pending.delete(id); p.reject({ code: 'INTERNAL_ERROR', message: `the worker stopped: ${e.message}` }); }
      worker = undefined;
    };
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
    worker!.postMessage({ id, req }, transfer);
  });
}

// ---- state ---------------------------------------------------------------------------------
const views = new Map<number, FileView | { fileId: number; name: string; busy: true }>();
let selected: number | undefined;
let anchors: CertView[] = [];
let nextFileId = 1;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => { $('status').textContent = text; };

/**
 * Show a request's progress: the bar gives the fraction done of the current step when the worker
 * counts bytes (reading, base64, digests, decryption), else the step of steps. The status line
 * (read by screen readers) changes with the step, not with every percent; the bar carries those.
 */
function setProgress(p: ProgressView, name: string) {
  const bar = $<HTMLProgressElement>('progress');
  const finished = p.step >= p.steps;
  bar.hidden = finished;
  bar.max = 1;
  const value = p.fraction ?? (p.step - 1) / p.steps;
  bar.value = value;
  bar.dataset.stage = p.stage;
  const words = `${name}: ${p.stage}${p.fraction !== undefined ? `, ${Math.round(p.fraction * 100)}%` : ''} (step ${p.step} of ${p.steps})`;
  bar.setAttribute('aria-valuetext', words);
  const line = finished ? '' : `${name}: ${p.stage} (step ${p.step} of ${p.steps})`;
  if ($('status').textContent !== line) status(line);
}

function showError(where: string, e: ErrorView) {
  replace($('notice'), h('div', { className: 'error', role: 'alert' }, h('strong', {}, `${where}: ${e.code}`), ` — ${e.message}`, e.location ? ` (${e.location})` : ''));
}

// ---- files ---------------------------------------------------------------------------------
async function openFiles(list: FileList | File[]) {
  replace($('notice'));
  const filesIn = [...list];
  for (const f of filesIn) {
    const fileId = nextFileId++;
    views.set(fileId, { fileId, name: f.name, busy: true });
    if (selected === undefined || filesIn.length === 1) selected = fileId;
  }
  render();
  let fileId = nextFileId - filesIn.length;
  for (const f of filesIn) {
    const id = fileId++;
    try {
      // The worker reads the file itself (a File is passed by reference), counting the bytes read.
      const v = await call({ op: 'add', fileId: id, name: f.name, file: f }, [], (p) => setProgress(p, f.name));
      views.set(id, v);
    } catch (e) {
      const err = e as ErrorView;
      views.set(id, { fileId: id, name: f.name, size: f.size, sha256: '', certificates: [], received: [], properties: [], warnings: [], checkedAt: new Date().toISOString(), error: err });
    }
    render();
  }
  status(`${filesIn.length} file(s) opened`);
}

async function reanalyze(fileId: number, index?: number) {
  const v = views.get(fileId);
  if (!v) return;
  try {
    views.set(fileId, await call({ op: 'analyze', fileId, index }, [], (p) => setProgress(p, v.name)));
  } catch (e) { showError(v.name, e as ErrorView); }
  render();
}

async function reanalyzeAll() {
  for (const [id, v] of views) if (!('busy' in v)) await reanalyze(id, v.index);
  status('verdicts updated');
}

function download(bytes: Uint8Array | string, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  status(`${name} saved`);
}

// ---- drawing -------------------------------------------------------------------------------
const STATE_LABEL: Record<string, string> = { valid: 'Valid', untrusted: 'Untrusted', invalid: 'Invalid', 'cannot-check': 'Cannot check', unsigned: 'Unsigned' };
const STATE_ICON: Record<string, string> = { valid: '✔', untrusted: '⚠', invalid: '✖', 'cannot-check': '?', unsigned: '–', rejected: '✖' };

function badge(state: string, text?: string): HTMLElement {
  return h('span', { className: `badge state-${state}`, 'data-state': state }, h('span', { 'aria-hidden': 'true' }, `${STATE_ICON[state] ?? ''} `), text ?? STATE_LABEL[state] ?? state);
}

function stateOf(v: FileView): string {
  return v.error ? 'rejected' : v.verdict ? v.verdict.verdict : v.openError ? 'cannot-check' : 'unsigned';
}

function section(id: string, title: string, ...body: Child[]): HTMLElement {
  return h('section', { className: 'panel', 'aria-labelledby': `${id}-h`, id }, h('h3', { id: `${id}-h` }, title), ...body);
}

function table(caption: string, head: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLElement {
  return h('div', { className: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', attrs, h('caption', {}, caption), h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))));
}

function fileList(): HTMLElement | null {
  if (views.size < 2) return null;
  const rows = [...views.values()].map((v) => {
    const busy = 'busy' in v;
    const state = busy ? 'busy' : stateOf(v);
    return [
      v.name,
      busy ? 'working…' : (v.kind ?? ''),
      busy ? 'working…' : badge(state, state === 'rejected' ? `Rejected (${v.error!.code})` : undefined),
      h('button', { type: 'button', 'aria-pressed': String(selected === v.fileId), onclick: () => { selected = v.fileId; render(); $('details').focus(); } }, selected === v.fileId ? 'Shown' : `Show ${v.name}`),
    ];
  });
  return section('files', 'Files', table('Opened files and their verdicts', ['File', 'Kind', 'Verdict', 'Details'], rows, { 'data-testid': 'file-list' }));
}

function layerTree(v: FileView): HTMLElement {
  const layers = v.verdict?.layers ?? [];
  if (!layers.length) return section('layers', 'Layers', h('p', {}, 'No S/MIME layer: the message is neither signed nor encrypted.'));
  // Each layer wraps the next: a nested list shows the tree (outermost first).
  let inner: HTMLElement | null = null;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    const algs: string[] = [];
    const sd = l.cms?.signedData;
    if (sd) algs.push(`digest ${sd.digestAlgorithms.join(', ')}`, ...sd.signers.map((s) => `signature ${s.signatureAlgorithm}`), `${sd.certificateCount} certificate(s)`);
    const ed = l.cms?.envelopedData;
    if (ed) algs.push(`content encryption ${ed.contentEncryptionAlgorithm}`, ...ed.recipients.map((r) => `recipient ${r.type} ${r.keyEncryptionAlgorithm}${r.keyWrapAlgorithm ? ` / ${r.keyWrapAlgorithm}` : ''}`), l.decrypted ? 'decrypted' : 'not decrypted');
    const li: HTMLElement = h('li', { 'data-layer-kind': l.kind },
      h('strong', {}, `Layer ${i + 1}: ${l.kind}`), ` — ${l.mediaType}`,
      Object.keys(l.params).length ? ` (${Object.entries(l.params).map(([k, x]) => `${k}=${x}`).join('; ')})` : '',
      l.cms ? h('div', {}, `CMS ${l.cms.contentType}${l.eContentType ? `, content ${l.eContentType}` : ''}`) : null,
      algs.length ? h('div', { className: 'algs' }, algs.join(' · ')) : null,
      l.ambiguities?.length ? h('div', { className: 'problem' }, `Ambiguous: ${l.ambiguities.join('; ')}`) : null,
      l.error ? h('div', { className: 'problem' }, `${l.error.code}: ${l.error.message}`) : null,
      inner ? h('ul', { className: 'tree' }, inner) : null);
    inner = li;
  }
  return section('layers', 'Layers', h('ul', { className: 'tree', 'data-testid': 'layers' }, inner));
}

function signerItem(s: SignerJson): HTMLElement {
  return h('li', { className: 'signer', 'data-testid': 'signer', 'data-state': s.state },
    h('div', {}, badge(s.state), ' ', h('strong', {}, s.signer.subject || '(certificate not found)'), s.signer.emails.length ? ` <${s.signer.emails.join(', ')}>` : ''),
    h('div', { className: 'algs' }, `layer ${s.layer + 1} · ${s.digestAlgorithm} / ${s.signatureAlgorithm} · signed ${s.signingTime ?? '(no signing time)'}`),
    s.path.length ? h('div', { className: 'algs' }, `path: ${s.path.join(' ← ')}`) : null,
    s.reasons.length ? h('ul', { className: 'reasons' }, s.reasons.map((r) => h('li', { className: `sev-${r.severity}` }, h('strong', {}, `${r.severity}: ${r.code}`), ` — ${r.message}`))) : h('p', {}, 'Every check passed.'));
}

function certTable(certs: CertView[], caption: string): HTMLElement {
  return h('div', {}, certs.map((c, i) => table(`${caption} ${i + 1}: ${c.subject}`, ['Field', 'Value'], [
    ['Source', c.source], ['Subject', c.subject], ['Issuer', c.issuer + (c.selfIssued ? ' (self-issued)' : '')], ['Serial', c.serialHex],
    ['Valid from', c.notBefore], ['Valid until', c.notAfter], ['SHA-256', h('code', {}, c.sha256)], ['Key', keyText(c)],
    ['Key usage', (c.keyUsage ?? []).join(', ') || '(none stated)'], ['Extended key usage', (c.extKeyUsage ?? []).join(', ') || '(none stated)'],
    ['E-mail', c.emails.join(', ') || '(none)'], ['CA', c.isCa ? 'yes' : 'no'],
  ], { className: 'kv' })));
}

function fieldsTable(caption: string, fields: { name: string; value: string }[]): HTMLElement {
  return fields.length ? table(caption, ['Field', 'Value'], fields.map((f) => [f.name, f.value]), { className: 'kv' }) : h('p', {}, `${caption}: none`);
}

/**
 * The HTML body in a sandboxed frame of its own document (frame.html, with its own policy: a
 * srcdoc or data: frame would inherit the page's, which refuses inline styles). The frame may run
 * only its own script (allow-scripts without allow-same-origin: an opaque origin), which draws the
 * HTML it is sent; the message's styles apply, its scripts and every remote load do not.
 */
function htmlFrame(html: string, title: string): HTMLIFrameElement {
  const frame = h('iframe', { sandbox: 'allow-scripts', src: 'frame.html', title, className: 'html-body', 'data-testid': 'html-body', referrerpolicy: 'no-referrer' });
  frame.addEventListener('load', () => frame.contentWindow?.postMessage(html, '*'), { once: true });
  return frame;
}

function attachmentsTable(list: AttachmentView[], caption: string): HTMLElement {
  if (!list.length) return h('p', {}, `${caption}: none`);
  return table(caption, ['Name', 'Type', 'Size', 'Download'], list.map((a) => [
    a.name, a.mimeTag, `${a.size} bytes`,
    a.data ? h('button', { type: 'button', onclick: () => download(a.data!, a.name, a.mimeTag) }, `Download ${a.name}`) : a.embedded ? 'embedded message' : '',
  ]));
}

function messagePanel(id: string, title: string, m: MessageView, note?: string): HTMLElement {
  return section(id, title,
    note ? h('p', {}, note) : null,
    h('p', {}, `Message class: `, h('code', {}, m.messageClass)),
    fieldsTable(`${title}: fields`, m.fields),
    m.plain !== undefined ? h('div', {}, h('h4', {}, 'Plain text body'), h('pre', { className: 'body', tabindex: '0', 'data-testid': `${id}-plain` }, m.plain)) : null,
    m.html !== undefined ? h('div', {}, h('h4', {}, 'HTML body (sandboxed: no scripts, no remote content)'), htmlFrame(m.html, `${title}: HTML body`)) : null,
    attachmentsTable(m.attachments, `${title}: attachments`));
}

function propertyPanel(v: FileView): HTMLElement {
  const tbody = h('tbody', {});
  const fill = (q: string) => {
    const needle = q.trim().toLowerCase();
    replace(tbody, v.properties.filter((p) => !needle || `${p.tag} ${p.name} ${p.type} ${p.value}`.toLowerCase().includes(needle))
      .map((p) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, p.tag)), h('td', {}, p.name), h('td', {}, p.type), h('td', {}, p.value))));
  };
  fill('');
  return section('properties', 'Properties of the message object', h('label', { for: 'prop-search' }, 'Search properties '),
    h('input', { id: 'prop-search', type: 'search', oninput: (e: Event) => fill((e.target as HTMLInputElement).value) }),
    h('div', { className: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Property table' },
      h('table', { 'data-testid': 'properties', className: 'props' }, h('caption', {}, `${v.properties.length} properties`),
        h('thead', {}, h('tr', {}, ['Tag', 'Name', 'Type', 'Value'].map((x) => h('th', { scope: 'col' }, x)))), tbody)));
}

function saveButton(testid: string, text: string, what: string, get: () => Promise<Saved>): HTMLElement {
  return h('button', { type: 'button', 'data-testid': testid, onclick: async () => {
    try {
      const r = await get();
      download(r.bytes, r.name, r.mediaType);
    } catch (e) { showError(`${what}`, e as ErrorView); }
  } }, text);
}

/** The X.400 forms of `smime-bridge x400 wrap|forward` (RFC 3855 2.2, 2.3). */
const X400_FORMS: [X400Form, string][] = [
  ['wrap', 'Save as X.400 P1 (x400 wrap)'],
  ['forward-ipm', 'Save as X.400 IPM (x400 forward)'],
  ['forward-p1', 'Save as X.400 P1 with the IPM (x400 forward)'],
];

function actions(v: FileView): HTMLElement {
  const conv = (format: 'eml' | 'msg' | 'json') => saveButton(`convert-${format}`, `Save as .${format}`, `Converting ${v.name}`,
    () => call({ op: 'convert', fileId: v.fileId, index: v.index, format }));
  const wrapper = h('input', { type: 'checkbox', id: 'mime-wrapper', 'data-testid': 'mime-wrapper' });
  const x400 = (form: X400Form, text: string) => saveButton(`x400-${form}`, text, `X.400 of ${v.name}`,
    () => call({ op: 'x400', fileId: v.fileId, form, mimeWrapper: wrapper.checked }));
  const decryptedLayers = (v.verdict?.layers ?? []).filter((l) => (l.kind === 'enveloped' || l.kind === 'auth-enveloped') && l.decrypted).length;
  const dec = (format: 'eml' | 'msg') => saveButton(`decrypted-${format}`, `Save the decrypted message as .${format}`, `Decrypting ${v.name}`,
    () => call({ op: 'decrypt', fileId: v.fileId, index: v.index, format }));
  const base = v.name.replace(/\.[^.]*$/, '');
  return section('actions', 'Save',
    h('div', { className: 'buttons' },
      v.error ? null : [conv('eml'), conv('msg'), conv('json')],
      h('button', { type: 'button', 'data-testid': 'report-json', onclick: () => download(JSON.stringify(reportJson(v, anchors), null, 2), `${base}.report.json`, 'application/json') }, 'Save report (JSON)'),
      h('button', { type: 'button', 'data-testid': 'report-html', onclick: () => download(reportHtml(v, anchors), `${base}.report.html`, 'text/html') }, 'Save report (printable HTML)')),
    decryptedLayers ? h('div', { className: 'buttons' }, h('p', {}, `Decrypted (${decryptedLayers} encryption layer(s) removed, the signatures inside kept, as smime-bridge decrypt writes it):`), dec('eml'), dec('msg')) : null,
    v.error ? null : h('div', {}, h('h4', {}, 'X.400 (RFC 3855; originator and recipients from From and To/Cc)'),
      h('p', {}, wrapper, ' ', h('label', { for: 'mime-wrapper' }, 'Carry the whole S/MIME entity (--mime-wrapper) instead of the bare CMS object')),
      h('div', { className: 'buttons' }, X400_FORMS.map(([f, t]) => x400(f, t)))));
}

function details(v: FileView | { fileId: number; name: string; busy: true }): Child {
  if ('busy' in v) return h('p', {}, `Working on ${v.name}…`);
  const state = stateOf(v);
  const summary = section('summary', v.name,
    h('p', { className: 'verdict', 'data-testid': 'verdict', 'data-state': state },
      v.error ? badge('rejected', 'Rejected') : v.verdict ? badge(state) : badge('cannot-check'),
      ' ', v.error ? 'The file could not be read; nothing of it is shown.' : v.verdict ? STATE_WORDS[v.verdict.verdict] : 'The layers could not be opened; nothing of the content is shown as complete.'),
    v.verdict && !v.verdict.complete ? h('p', { className: 'problem' }, 'Incomplete: a layer could not be opened (see Layers). The content shown is that layer, not the message inside it.') : null,
    v.error ? h('div', { className: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', {}, v.error.code), ` — ${v.error.message}`, v.error.location ? ` (${v.error.location})` : '') : null,
    v.openError ? h('div', { className: 'error', role: 'alert', 'data-testid': 'error' }, h('strong', {}, v.openError.code), ` — ${v.openError.message}`, v.openError.location ? ` (${v.openError.location})` : '') : null,
    v.verdict?.reasons.length ? h('ul', { className: 'reasons' }, v.verdict.reasons.map((r) => h('li', { className: `sev-${r.severity}` }, h('strong', {}, `${r.severity}: ${r.code}`), ` — ${r.message}`))) : null,
    v.verdict ? h('details', {}, h('summary', {}, 'The verdict as JSON (what smime-bridge verify --json prints)'),
      h('pre', { className: 'body', tabindex: '0', 'data-testid': 'verdict-json' }, JSON.stringify(v.verdict, null, 2))) : null,
    fieldsTable('File', [{ name: 'Size', value: `${v.size} bytes` }, { name: 'SHA-256', value: v.sha256 }, { name: 'Kind', value: v.kind ?? '' }, { name: 'Checked at', value: v.checkedAt }]),
    v.entries ? h('p', {}, h('label', { for: 'entry' }, v.kind === 'mbox' ? 'Message of the mailbox ' : 'CMS object of the X.400 message '),
      h('select', { id: 'entry', 'data-testid': 'entry', onchange: (e: Event) => void reanalyze(v.fileId, Number((e.target as HTMLSelectElement).value)) },
        v.entries.map((x) => h('option', { value: String(x.index), selected: x.index === v.index }, x.label)))) : null);
  if (v.error) return [summary, actions(v)];
  return [summary,
    layerTree(v),
    section('signers', 'Signers', v.verdict?.signers.length ? h('ul', { className: 'signers' }, v.verdict.signers.map(signerItem)) : h('p', {}, 'No signer.')),
    section('certificates', 'Certificates', v.certificates.length ? certTable(v.certificates, 'Certificate') : h('p', {}, 'No certificate in the message.'),
      anchors.length ? [h('h4', {}, 'Trust anchors of this visit'), certTable(anchors, 'Trust anchor')] : h('p', {}, 'No trust anchor added: a good signature is at best untrusted.')),
    section('headers', 'Header fields as received', fieldsTable('Header fields as received', v.received)),
    v.content && v.verdict?.complete ? messagePanel('content', 'Content (every layer opened)', v.content) : null,
    v.stored ? messagePanel('stored', 'As stored (the message object: what an Outlook store holds)', v.stored, v.kind === 'msg' ? 'The .msg file itself: for S/MIME, one attachment carries the protected message.' : 'The MS-OXOSMIME message object of this message, as a .msg would hold it.') : null,
    propertyPanel(v),
    v.x400 !== undefined ? section('x400', 'X.400: envelope, heading, body parts and CMS objects', h('pre', { className: 'body', tabindex: '0', 'data-testid': 'x400' }, JSON.stringify(v.x400, null, 2))) : null,
    v.warnings.length ? section('warnings', 'Warnings', h('ul', {}, v.warnings.map((w) => h('li', {}, w)))) : null,
    actions(v)];
}

function render() {
  replace($('list'), fileList());
  const v = selected !== undefined ? views.get(selected) : undefined;
  replace($('details'), v ? details(v) : h('p', { className: 'hint' }, 'Choose or drop a message: .eml, .msg, .p7m, .p7s, .p1, .ipm or an mbox. It is read here, in this page; nothing is uploaded.'));
}

// ---- trust anchors -------------------------------------------------------------------------
// Memory only by default (gone on reload). Only when the user ticks "keep" are the anchor files
// written to this browser's localStorage (this origin only); "Forget" removes them there too.
const ANCHOR_STORE = 'smime-bridge.trust-anchors';
/** The anchor files of this visit, to store them if the user asks. */
let anchorFiles: { name: string; bytes: Uint8Array }[] = [];
const keepAnchors = () => $<HTMLInputElement>('keep-anchors');

function showAnchorCount() {
  const where = keepAnchors().checked ? 'kept in this browser' : 'for this visit';
  $('anchor-count').textContent = anchors.length ? `${anchors.length} trust anchor(s) ${where}` : 'no trust anchor';
}

async function addAnchors(list: { name: string; bytes: Uint8Array }[]) {
  // Copies go to the worker; the page keeps its own in case they are to be stored.
  anchors = await call({ op: 'anchors', files: list.map((f) => ({ name: f.name, bytes: f.bytes.slice().buffer })) });
  anchorFiles = [...anchorFiles, ...list];
  showAnchorCount();
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function storeAnchors() {
  try {
    localStorage.setItem(ANCHOR_STORE, JSON.stringify(anchorFiles.map((f) => ({ name: f.name, der: toBase64(f.bytes) }))));
  } catch (e) {
    keepAnchors().checked = false;
    showError('Keeping the trust anchors', { code: 'IO_ERROR', message: `this browser refused to store them: ${(e as Error).message}` });
  }
}

function unstoreAnchors() {
  try { localStorage.removeItem(ANCHOR_STORE); } catch { /* storage disabled: nothing was stored */ }
}

async function restoreAnchors() {
  let stored: string | null = null;
  try { stored = localStorage.getItem(ANCHOR_STORE); } catch { /* storage disabled */ }
  if (!stored) return;
  keepAnchors().checked = true;
  try {
    const list = (JSON.parse(stored) as { name: string; der: string }[]).map((f) => ({ name: f.name, bytes: Uint8Array.from(atob(f.der), (c) => c.charCodeAt(0)) }));
    await addAnchors(list);
    await reanalyzeAll();
  } catch (e) { showError('Stored trust anchors', (e as ErrorView).code ? e as ErrorView : { code: 'INVALID_ARGUMENT', message: String(e) }); }
}

// ---- controls ------------------------------------------------------------------------------
function setup() {
  const input = $<HTMLInputElement>('file');
  input.addEventListener('change', () => { if (input.files?.length) void openFiles(input.files); input.value = ''; });
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer?.files.length) void openFiles(e.dataTransfer.files);
  });
  // A drop beside the zone must not navigate away from the page (and lose the keys).
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  const anchorInput = $<HTMLInputElement>('anchors');
  anchorInput.addEventListener('change', async () => {
    const files = [...(anchorInput.files ?? [])];
    anchorInput.value = '';
    try {
      const list = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
      await addAnchors(list);
      if (keepAnchors().checked) storeAnchors();
      await reanalyzeAll();
    } catch (e) { showError('Trust anchor', e as ErrorView); }
  });
  keepAnchors().addEventListener('change', () => {
    if (keepAnchors().checked) storeAnchors(); else unstoreAnchors();
    showAnchorCount();
  });
  $('forget-anchors').addEventListener('click', async () => {
    unstoreAnchors();
    keepAnchors().checked = false;
    anchorFiles = [];
    anchors = await call({ op: 'forget-anchors' });
    showAnchorCount();
    await reanalyzeAll();
  });
  void restoreAnchors();

  $('key-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const keyFile = $<HTMLInputElement>('key').files?.[0];
    const certFile = $<HTMLInputElement>('key-cert').files?.[0];
    const pw = $<HTMLInputElement>('password');
    if (!keyFile) { showError('Key', { code: 'INVALID_ARGUMENT', message: 'choose a .p12/.pfx or PEM key file first' }); return; }
    try {
      const bytes = await keyFile.arrayBuffer();
      const cert = certFile ? await certFile.arrayBuffer() : undefined;
      const r = await call({ op: 'key', name: keyFile.name, bytes, password: pw.value, cert }, [bytes]);
      pw.value = '';
      $('key-count').textContent = `${r.keys} key(s) for this visit: ${r.description}`;
      replace($('notice'));
      await reanalyzeAll();
    } catch (err) { showError('Key', err as ErrorView); }
  });
  $('forget').addEventListener('click', async () => {
    await call({ op: 'forget-keys' });
    $('key-count').textContent = 'no key';
    await reanalyzeAll();
  });
  render();
}

setup();
