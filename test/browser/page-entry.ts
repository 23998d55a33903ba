/**
 * The page script of the browser test (issue 4 item 7): bundled by esbuild for the browser and run
 * in Chromium. It imports the library through its public entry (src/index.ts) exactly as a web
 * application would, fetches corpus files from the test's server, and does in the page what a
 * user does with an S/MIME message: verify it, notice tampering, decrypt it with a PKCS#12 key,
 * and carry it through a .msg file and back. Results go back to Node as JSON (bytes as base64),
 * where independent tools (OpenSSL) judge them.
 */
import {
  allSignaturesValid, openMessage, readMsg, toInternet, toMessage, writeMsg, cms,
} from '../../src/index.js';

/** What the test asks the page to do: URLs on the test server plus the PKCS#12 password. */
export interface PageJob {
  /** A clear-signed message whose signer certificate travels inside it. */
  clearSigned: string;
  /** An opaque-signed message (round-tripped through .msg as well). */
  opaqueSigned: string;
  /** An encrypted message for the holder of `p12`. */
  encrypted: string;
  /** The recipient's PKCS#12 file and its password. */
  p12: string;
  password: string;
  /** Trust anchor certificates (PEM). */
  trustAnchors: string[];
}

/** One message's verification verdict as seen in the page. */
export interface PageVerdict {
  allValid: boolean;
  allValidAndTrusted: boolean;
  layers: string[];
  signers: { signatureValid: boolean; trusted: boolean; reason?: string; subject?: string }[];
}

/** Everything the page reports back to Node. */
export interface PageResult {
  /** What the page's global scope offers: the library must not need Node's globals. */
  environment: { hasBuffer: boolean; hasProcess: boolean; hasSubtle: boolean; userAgent: string };
  clearSigned: PageVerdict;
  /** The tampered copy (base64) and its verdict, or the error opening it threw. */
  tampered: PageVerdict & { bytesBase64: string; error?: string };
  decrypted: { layers: string[]; complete: boolean; innerContentBase64: string };
  /** The clear-signed / opaque-signed messages after .eml → toMessage → writeMsg → readMsg → toInternet. */
  roundTrip: { name: string; msgBytes: number; messageClass: string; emlBase64: string; verdict: PageVerdict }[];
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function verdictOf(opened: Awaited<ReturnType<typeof openMessage>>): PageVerdict {
  return {
    allValid: allSignaturesValid(opened, false),
    allValidAndTrusted: allSignaturesValid(opened, true),
    layers: opened.layers.map((l) => l.kind + (l.error ? ` (${l.error.code}: ${l.error.message})` : '')),
    signers: opened.layers.flatMap((l) => l.verify?.signers ?? []).map((s) => ({
      signatureValid: s.signatureValid,
      trusted: s.chain.trusted,
      reason: s.reason,
      subject: s.signer.subject,
    })),
  };
}

/** Change one character of the signed body text ("Alice" → "Alicf"): the signature must no longer hold. */
function tamper(eml: Uint8Array): Uint8Array {
  const text = new TextDecoder('latin1').decode(eml);
  const headerEnd = text.indexOf('\r\n\r\n') >= 0 ? text.indexOf('\r\n\r\n') : text.indexOf('\n\n');
  const at = text.indexOf('Alice', headerEnd);
  if (headerEnd < 0 || at < 0) throw new Error('tamper: no "Alice" in the body of the signed message');
  const copy = eml.slice();
  copy[at + 4] = copy[at + 4]! + 1;
  return copy;
}

async function run(job: PageJob): Promise<PageResult> {
  const enc = new TextEncoder();
  const trustAnchors = (await Promise.all(job.trustAnchors.map(fetchBytes)))
    .flatMap((pem) => cms.loadCertificates(pem).map(cms.certDer));
  const clearSigned = await fetchBytes(job.clearSigned);
  const opaqueSigned = await fetchBytes(job.opaqueSigned);

  const good = verdictOf(await openMessage(clearSigned, { trustAnchors }));

  const tamperedBytes = tamper(clearSigned);
  let tampered: PageResult['tampered'];
  try {
    tampered = { ...verdictOf(await openMessage(tamperedBytes, { trustAnchors })), bytesBase64: toBase64(tamperedBytes) };
  } catch (e) {
    tampered = { allValid: false, allValidAndTrusted: false, layers: [], signers: [], bytesBase64: toBase64(tamperedBytes), error: String(e) };
  }

  const p12 = await cms.loadPkcs12(await fetchBytes(job.p12), job.password);
  const opened = await openMessage(await fetchBytes(job.encrypted), { recipients: [{ key: p12.key, cert: p12.cert }] });
  const envLayer = opened.layers.find((l) => l.kind === 'enveloped' || l.kind === 'auth-enveloped');
  const decrypted = {
    layers: opened.layers.map((l) => l.kind + (l.error ? ` (${l.error.code}: ${l.error.message})` : '')),
    complete: opened.complete,
    innerContentBase64: toBase64(envLayer?.innerContent ?? enc.encode('')),
  };

  const roundTrip: PageResult['roundTrip'] = [];
  for (const [name, eml] of [['clear-signed', clearSigned], ['opaque-signed', opaqueSigned]] as const) {
    const msg = writeMsg(toMessage(eml).message);
    const back = readMsg(msg).message;
    const out = toInternet(back).bytes;
    roundTrip.push({
      name,
      msgBytes: msg.length,
      messageClass: back.messageClass,
      emlBase64: toBase64(out),
      verdict: verdictOf(await openMessage(out, { trustAnchors })),
    });
  }

  const g = globalThis as Record<string, unknown>;
  return {
    environment: {
      hasBuffer: typeof g['Buffer'] !== 'undefined',
      hasProcess: typeof g['process'] !== 'undefined',
      hasSubtle: typeof globalThis.crypto?.subtle !== 'undefined',
      userAgent: navigator.userAgent,
    },
    clearSigned: good,
    tampered,
    decrypted,
    roundTrip,
  };
}

(globalThis as Record<string, unknown>)['smimeBridgeBrowserTest'] = { run };
