/**
 * Verify and decrypt: `openssl cms` as a whole process against our in-process verifySignedData /
 * decryptEnvelopedData (in a dedicated child, reading the file and keys included), and our CLI as a
 * whole process when this build has such a command.
 */
import { statSync } from 'node:fs';
import type { BenchKeys, Generated } from './inputs.js';
import { runChild, runProcess } from './proc.js';
import { alternate, mb } from './stats.js';
import type { Row } from './report.js';

function check(what: string, r: { status: number | null; stderr: string }): void {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
}

/** Verify a clear-signed message: one row. */
export async function benchVerify(g: Generated, keys: BenchKeys, rounds: number, target: boolean): Promise<Row> {
  const rss: number[] = [];
  const s = await alternate(rounds, [
    { name: 'peer', run: () => { const r = runProcess('openssl', ['cms', '-verify', '-in', g.eml, '-CAfile', keys.cert, '-out', '/dev/null']); check('openssl cms -verify', r); return r.ms; } },
    { name: 'ours', run: () => { const r = runChild('verify', { input: g.eml, cert: keys.cert }); rss.push(r.maxRssMB); return r.ms; } },
  ]);
  return {
    bench: 'verify (clear-signed, detached)',
    input: `generated ${g.shape === 'big' ? 'one big attachment' : 'many small parts'}, ${mb(g.bytes)}`,
    ours: { label: 'parseMime+verifySignedData (child)', samples: s.get('ours')! },
    peer: { label: 'openssl cms -verify (whole process)', samples: s.get('peer')! },
    kind: 'within',
    target: target ? 1.5 : undefined,
    note: `peak RSS ours ${Math.max(...rss).toFixed(0)} MiB`,
  };
}

/** Decrypt an enveloped message (RSA key transport, AES-256-CBC): one row. */
export async function benchDecrypt(g: Generated, keys: BenchKeys, rounds: number, target: boolean): Promise<Row> {
  const rss: number[] = [];
  const expectBytes = statSync(g.content).size;
  const s = await alternate(rounds, [
    { name: 'peer', run: () => { const r = runProcess('openssl', ['cms', '-decrypt', '-in', g.eml, '-recip', keys.cert, '-inkey', keys.key, '-out', '/dev/null']); check('openssl cms -decrypt', r); return r.ms; } },
    { name: 'ours', run: () => { const r = runChild('decrypt', { input: g.eml, cert: keys.cert, key: keys.key, expectBytes }); rss.push(r.maxRssMB); return r.ms; } },
  ]);
  return {
    bench: 'decrypt (EnvelopedData, RSA + AES-256-CBC)',
    input: `generated ${g.shape === 'big' ? 'one big attachment' : 'many small parts'}, ${mb(g.bytes)}`,
    ours: { label: 'parseMime+decryptEnvelopedData (child)', samples: s.get('ours')! },
    peer: { label: 'openssl cms -decrypt (whole process)', samples: s.get('peer')! },
    kind: 'within',
    target: target ? 1.5 : undefined,
    note: `peak RSS ours ${Math.max(...rss).toFixed(0)} MiB`,
  };
}
