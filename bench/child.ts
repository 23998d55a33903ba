/**
 * One measured task in a dedicated child process, so that its peak resident memory
 * (`process.resourceUsage().maxRSS`) belongs to that task alone. Prints one JSON line:
 * `{ "ms": elapsed, "maxRssMB": peak, "ok": true, "detail": "..." }`.
 *
 * usage: node dist/bench/child.js TASK JSON-ARGS
 *   floor   {input, out}            read, base64-decode the body bytes (Node's native decoder), write input-size output
 *   eml2msg {input, out}            read .eml, toMessage, writeMsg, write .msg
 *   verify  {input, cert}           read clear-signed .eml, parseMime, verifySignedData (detached)
 *   decrypt {input, cert, key, expectBytes} read enveloped .eml, parseMime, decodeBody, decryptEnvelopedData
 */
// The library as Node users get it: the package's Node entry installs the node:crypto/Buffer platform.
import '../src/node.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { toMessage } from '../src/smime/index.js';
import { writeMsg } from '../src/msg/index.js';
import { parseMime, decodeBody, entityBytes } from '../src/mime/index.js';
import { decryptEnvelopedData, loadCertificates, loadPrivateKey, verifySignedData, certDer } from '../src/cms/index.js';
import { nowMs } from './stats.js';

/** What a child reports. */
export interface ChildResult {
  ms: number;
  maxRssMB: number;
  ok: boolean;
  detail: string;
}

/** The file's bytes as a plain Uint8Array view of the Buffer, without a copy (`new Uint8Array(buf)` would copy). */
function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

type Args = { input: string; out?: string; cert?: string; key?: string; expectBytes?: number };

/** Limits large enough for the 100 MB inputs (the defaults allow 10 000 parts, 512 MiB decoded). */
const LIMITS = { maxParts: 100_000 };

/**
 * The floor's decoding: every base64 body of the (generated, CRLF) message, found with native
 * `indexOf` and decoded by Node's native decoder: the least work any converter must do.
 */
function decodeBase64Bodies(buf: Buffer): number {
  let total = 0;
  let i = 0;
  for (;;) {
    i = buf.indexOf('Content-Transfer-Encoding: base64', i, 'latin1');
    if (i < 0) return total;
    const s = buf.indexOf('\r\n\r\n', i, 'latin1') + 4;
    let e = buf.indexOf('\r\n--', s, 'latin1');
    if (e < 0) e = buf.length;
    total += Buffer.from(buf.toString('latin1', s, e), 'base64').length;
    i = e;
  }
}

const TASKS: Record<string, (a: Args) => Promise<string>> = {
  async floor(a) {
    const buf = readFileSync(a.input);
    const decoded = decodeBase64Bodies(buf);
    writeFileSync(a.out!, buf);
    return `decoded ${decoded} bytes`;
  },
  async eml2msg(a) {
    const bytes = readBytes(a.input);
    const r = toMessage(bytes, { limits: LIMITS });
    const msg = writeMsg(r.message);
    writeFileSync(a.out!, msg);
    return `${r.message.messageClass}, ${msg.length} bytes`;
  },
  async verify(a) {
    const bytes = readBytes(a.input);
    const anchor = certDer(loadCertificates(readFileSync(a.cert!, 'utf8'))[0]!);
    const { root } = parseMime(bytes, { limits: LIMITS });
    if (root.contentType.value !== 'multipart/signed' || root.children.length !== 2) throw new Error('not multipart/signed');
    const content = entityBytes(root.children[0]!);
    const sig = decodeBody(root.children[1]!);
    const rep = await verifySignedData(sig, { content, trustAnchors: [anchor] });
    const s = rep.signers[0];
    if (!s?.signatureValid || !s.chain.trusted) throw new Error(`verification failed: ${JSON.stringify(s?.reason ?? s?.chain)}`);
    return `signature valid over ${content.length} bytes`;
  },
  async decrypt(a) {
    const bytes = readBytes(a.input);
    const key = await loadPrivateKey(readFileSync(a.key!, 'utf8'));
    const cert = loadCertificates(readFileSync(a.cert!, 'utf8'))[0]!;
    const { root } = parseMime(bytes, { limits: LIMITS });
    const der = decodeBody(root);
    const plain = await decryptEnvelopedData(der, { key, cert });
    if (a.expectBytes !== undefined && plain.length !== a.expectBytes) throw new Error(`decrypted ${plain.length} bytes, expected ${a.expectBytes}`);
    return `decrypted ${plain.length} bytes`;
  },
};

async function main(): Promise<void> {
  const [task, json] = process.argv.slice(2);
  const fn = task ? TASKS[task] : undefined;
  if (!fn || !json) {
    process.stderr.write('usage: child.js floor|eml2msg|verify|decrypt JSON\n');
    process.exit(2);
  }
  const args = JSON.parse(json) as Args;
  const t0 = nowMs();
  let ok = true;
  let detail: string;
  try {
    detail = await fn(args);
  } catch (e) {
    ok = false;
    detail = (e as Error).message ?? String(e);
  }
  const ms = nowMs() - t0;
  const res: ChildResult = { ms, maxRssMB: process.resourceUsage().maxRSS / 1024, ok, detail };
  process.stdout.write(JSON.stringify(res) + '\n');
}

await main();
