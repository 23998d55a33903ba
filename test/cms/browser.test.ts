/**
 * House rule "core code runs in browsers": src/cms bundles for `platform: 'browser'` (esbuild
 * refuses node:* built-ins there) and the bundle, run in a bare V8 context that has only
 * WebCrypto and TextEncoder/TextDecoder (no require, process, Buffer), loads Bob.p12, decrypts a
 * Thunderbird message and verifies a signed one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createContext, runInContext } from 'node:vm';
import { createRequire } from 'node:module';

const D = '../shared/corpus/thunderbird-smime/mailnews/test/data/smime/';

type Esbuild = { build(o: object): Promise<{ outputFiles: { text: string }[] }> };

async function loadEsbuild(): Promise<Esbuild | null> {
  try {
    // esbuild ships with tsx (dev dependency); resolve it from there
    const req = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
    return (await import(req.resolve('esbuild'))) as Esbuild;
  } catch {
    return null;
  }
}

/**
 * Node's WebCrypto rejects typed arrays from another V8 context, which a browser never sees (its
 * page and its crypto share one realm). This shim copies buffers across the realm boundary and
 * forwards everything else unchanged.
 */
function realmCrypto(InnerArrayBuffer: ArrayBufferConstructor): Crypto {
  const isAb = (x: unknown) => Object.prototype.toString.call(x) === '[object ArrayBuffer]';
  const inArg = (x: unknown): unknown => {
    if (isAb(x)) return new Uint8Array(x as ArrayBuffer).slice();
    if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength).slice();
    if (x && typeof x === 'object' && Object.getPrototypeOf(x)?.constructor?.name === 'Object') {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, inArg(v)]));
    }
    return x;
  };
  const outResult = (x: unknown): unknown => {
    if (!isAb(x)) return x;
    const copy = new InnerArrayBuffer((x as ArrayBuffer).byteLength);
    new Uint8Array(copy).set(new Uint8Array(x as ArrayBuffer));
    return copy;
  };
  const subtle = globalThis.crypto.subtle as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const wrapped: Record<string, unknown> = {};
  for (const name of ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey']) {
    wrapped[name] = async (...args: unknown[]) => outResult(await subtle[name]!.apply(globalThis.crypto.subtle, args.map(inArg)));
  }
  return {
    subtle: wrapped,
    getRandomValues<T extends ArrayBufferView>(a: T): T {
      const tmp = new Uint8Array(a.byteLength);
      globalThis.crypto.getRandomValues(tmp);
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(tmp);
      return a;
    },
    randomUUID: () => globalThis.crypto.randomUUID(),
  } as unknown as Crypto;
}

function bodyBase64(path: string): string {
  const raw = readFileSync(path, 'latin1');
  return raw.slice(raw.search(/\r?\n\r?\n/)).replace(/\s+/g, '');
}

test('src/cms bundles for the browser and decrypts and verifies corpus mail with only WebCrypto', async (t) => {
  const esbuild = await loadEsbuild();
  assert.ok(esbuild, 'esbuild is a devDependency: run npm ci');
  const out = await esbuild.build({ entryPoints: ['src/cms/index.ts'], bundle: true, platform: 'browser', format: 'iife', globalName: 'cms', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]!.text;
  assert.doesNotMatch(code, /require\("node:|from "node:/);
  const ctx = createContext({
    crypto: undefined as unknown,
    TextEncoder,
    TextDecoder,
    p12: readFileSync(D + 'Bob.p12').toString('base64'),
    env: bodyBase64(D + 'alice.env.eml'),
    sig: bodyBase64(D + 'alice.sig.SHA256.opaque.eml'),
    result: undefined as unknown,
  });
  ctx.crypto = realmCrypto(runInContext('ArrayBuffer', ctx) as ArrayBufferConstructor);
  runInContext(code, ctx);
  runInContext(
    `
    const b64 = (s) => { const bin = atobLite(s); return Uint8Array.from(bin, (c) => c.charCodeAt(0)); };
    function atobLite(s) {
      const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'; let bits = 0, acc = 0, out = '';
      for (const ch of s.replace(/=+$/, '')) { acc = (acc << 6) | a.indexOf(ch); bits += 6; if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 255); } }
      return out;
    }
    result = (async () => {
      if (typeof process !== 'undefined' || typeof Buffer !== 'undefined' || typeof require !== 'undefined') throw new Error('not a bare context');
      const bob = await cms.loadPkcs12(b64(p12), 'nss');
      const plain = await cms.decryptEnvelopedData(b64(env), { key: bob.key, cert: bob.cert });
      const report = await cms.verifySignedData(b64(sig), {});
      return { plain: new TextDecoder().decode(plain), valid: report.signers.map((s) => s.signatureValid), who: report.signers[0].signer.emails };
    })();
    `,
    ctx,
  );
  // results are objects of the other realm: compare them as JSON
  const r = JSON.parse(JSON.stringify(await (ctx.result as Promise<unknown>))) as { plain: string; valid: boolean[]; who: string[] };
  assert.match(r.plain, /^Content-Type: text\/plain/);
  assert.deepEqual(r.valid, [true]);
  assert.deepEqual(r.who, ['alice@example.com']);
});
