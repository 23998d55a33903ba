/**
 * The page's worker: parsing and cryptography run here, off the page's thread. It holds the
 * dropped files, the trust anchors and the keys of this visit in memory only (the page keeps
 * trust anchors in the browser's storage only when the user asks), and answers the page's
 * requests (protocol.ts). Long work reports the fraction done: reading the file here, and base64
 * decoding, digests and AES-CBC decryption through the progress platform (src/platform/progress.ts).
 */
import { SmimeBridgeError } from '../../src/errors.js';
import { certDer, loadCertificates, loadPkcs12, loadPrivateKey, subjectOf, type Recipient } from '../../src/cms/index.js';
import { platform, setPlatform } from '../../src/platform/index.js';
import { progressPlatform, type ByteReport } from '../../src/platform/progress.js';
import { analyze, convert, decrypted, errorView, toX400, type Session } from './analyze.js';
import { describeCert } from './certs.js';
import type { CertView, Request, WorkerMessage } from './protocol.js';

interface Scope { postMessage(m: WorkerMessage): void; onmessage: ((e: MessageEvent<{ id: number; req: Request }>) => void) | null }
const scope = self as unknown as Scope;

const files = new Map<number, { name: string; bytes: Uint8Array; sha256: string }>();
const session: Session = { anchors: [], recipients: [] };
let anchorViews: CertView[] = [];

/** The byte reports of the request being answered (one at a time: the page waits for each). */
let sink: ByteReport | undefined;
setPlatform(progressPlatform(platform(), () => sink));

function held(fileId: number) {
  const f = files.get(fileId);
  if (!f) throw new SmimeBridgeError('INVALID_ARGUMENT', `file ${fileId} is no longer open`);
  return f;
}

function safeCerts(b: Uint8Array) {
  try { return loadCertificates(b); } catch { return []; }
}

const hex = (d: Uint8Array) => Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');

/** Read a file as it streams in, reporting the bytes read, and its SHA-256 (FIPS 180-4; WebCrypto, one pass after). */
async function readFile(file: Blob, report: ByteReport): Promise<{ bytes: Uint8Array; sha256: string }> {
  const bytes = new Uint8Array(file.size);
  const reader = file.stream().getReader();
  let at = 0;
  report('reading the file', 0, file.size);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > bytes.length) throw new SmimeBridgeError('IO_ERROR', 'the file grew while it was read');
    bytes.set(value, at);
    at += value.length;
    report('reading the file', at, file.size);
  }
  if (at !== bytes.length) throw new SmimeBridgeError('IO_ERROR', `the file gave ${at} of ${bytes.length} bytes`);
  return { bytes, sha256: hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))) };
}

async function handle(id: number, req: Request): Promise<unknown> {
  let step = 1;
  let steps = 5;
  let last = { stage: '', fraction: -1 };
  const progress = (stage: string, i: number, n: number) => {
    step = i; steps = n;
    scope.postMessage({ id, progress: { stage, step, steps } });
  };
  // Byte reports: one message per percent (and the last), so a 25 MB step posts about 100.
  sink = (what, done, total) => {
    const fraction = total > 0 ? done / total : 1;
    // A repeated step (a second base64 decoding) starts again below the last fraction: reported.
    if (what === last.stage && fraction < 1 && fraction >= last.fraction && fraction - last.fraction < 0.01) return;
    last = { stage: what, fraction };
    scope.postMessage({ id, progress: { stage: what, step, steps, fraction } });
  };
  switch (req.op) {
    case 'add': {
      progress('reading the file', 1, 5);
      const f = await readFile(req.file, sink);
      files.set(req.fileId, { name: req.name, ...f });
      return analyze(req.fileId, req.name, f.bytes, f.sha256, session, progress);
    }
    case 'analyze': {
      const f = held(req.fileId);
      return analyze(req.fileId, f.name, f.bytes, f.sha256, session, progress, req.index);
    }
    case 'remove':
      files.delete(req.fileId);
      return null;
    case 'anchors': {
      const der: Uint8Array[] = [];
      const views: CertView[] = [];
      for (const f of req.files) {
        const certs = loadCertificates(new Uint8Array(f.bytes));
        if (certs.length === 0) throw new SmimeBridgeError('INVALID_ARGUMENT', `no certificate found in ${f.name}`);
        for (const c of certs) { der.push(certDer(c)); views.push(await describeCert(c, `trust anchor (${f.name})`)); }
      }
      session.anchors.push(...der);
      anchorViews = [...anchorViews, ...views];
      return anchorViews;
    }
    case 'forget-anchors':
      session.anchors = [];
      anchorViews = [];
      return [];
    case 'key': {
      // As `--p12 FILE` or `--key KEY.pem [--cert CERT.pem]` (src/cli/files/keyFiles.ts loadRecipient).
      const bytes = new Uint8Array(req.bytes);
      let r: Recipient;
      if (/\.(p12|pfx)$/i.test(req.name) || bytes[0] === 0x30 && !/\.(der|key)$/i.test(req.name)) {
        const p = await loadPkcs12(bytes, req.password);
        r = { key: p.key, cert: p.cert };
      } else {
        const key = await loadPrivateKey(bytes, req.password || undefined);
        const certs = req.cert ? loadCertificates(new Uint8Array(req.cert)) : safeCerts(bytes);
        r = { key, cert: certs[0] };
      }
      session.recipients.push(r);
      const cert = r.cert && !(r.cert instanceof Uint8Array) ? subjectOf(r.cert) : undefined;
      return { description: cert ? `key of ${cert}` : 'key (without certificate: every recipient of its type is tried)', keys: session.recipients.length };
    }
    case 'forget-keys':
      session.recipients = [];
      return { keys: 0 };
    case 'convert': {
      const f = held(req.fileId);
      return convert(f.name, f.bytes, req.format, req.index);
    }
    case 'x400': {
      const f = held(req.fileId);
      return toX400(f.name, f.bytes, req.form, req.mimeWrapper);
    }
    case 'decrypt': {
      const f = held(req.fileId);
      return decrypted(f.name, f.bytes, req.format, session, req.index);
    }
  }
}

scope.onmessage = (e) => {
  const { id, req } = e.data;
  handle(id, req).then(
    (value) => scope.postMessage({ id, ok: true, value }),
    (err: unknown) => scope.postMessage({ id, ok: false, error: errorView(err) }),
  ).finally(() => { sink = undefined; });
};
