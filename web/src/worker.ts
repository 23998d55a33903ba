/**
 * The page's worker: parsing and cryptography run here, off the page's thread. It holds the
 * dropped files, the trust anchors and the keys of this visit in memory only (nothing is
 * stored; a reload forgets everything), and answers the page's requests (protocol.ts).
 */
import { SmimeBridgeError } from '../../src/errors.js';
import { certDer, loadCertificates, loadPkcs12, loadPrivateKey, subjectOf, type Recipient } from '../../src/cms/index.js';
import { analyze, convert, errorView, type Session } from './analyze.js';
import { describeCert } from './certs.js';
import type { CertView, Request, WorkerMessage } from './protocol.js';

interface Scope { postMessage(m: WorkerMessage): void; onmessage: ((e: MessageEvent<{ id: number; req: Request }>) => void) | null }
const scope = self as unknown as Scope;

const files = new Map<number, { name: string; bytes: Uint8Array }>();
const session: Session = { anchors: [], recipients: [] };
let anchorViews: CertView[] = [];

function held(fileId: number) {
  const f = files.get(fileId);
  if (!f) throw new SmimeBridgeError('INVALID_ARGUMENT', `file ${fileId} is no longer open`);
  return f;
}

function safeCerts(b: Uint8Array) {
  try { return loadCertificates(b); } catch { return []; }
}

async function handle(id: number, req: Request): Promise<unknown> {
  const progress = (stage: string, step: number, steps: number) => scope.postMessage({ id, progress: { stage, step, steps } });
  switch (req.op) {
    case 'add': {
      const bytes = new Uint8Array(req.bytes);
      files.set(req.fileId, { name: req.name, bytes });
      return analyze(req.fileId, req.name, bytes, session, progress);
    }
    case 'analyze': {
      const f = held(req.fileId);
      return analyze(req.fileId, f.name, f.bytes, session, progress, req.index);
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
  }
}

scope.onmessage = (e) => {
  const { id, req } = e.data;
  handle(id, req).then(
    (value) => scope.postMessage({ id, ok: true, value }),
    (err: unknown) => scope.postMessage({ id, ok: false, error: errorView(err) }),
  );
};
