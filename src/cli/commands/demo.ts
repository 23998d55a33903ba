/**
 * `smime-bridge demo [DIR]`: the README's main job on the included samples. Every `.eml` in DIR
 * goes to a message object, to `.msg` and `.json`, and back to `.eml`; the demo prints what it
 * found and checks that the signed bytes came back unchanged (and, when `openssl` is on the
 * PATH, that OpenSSL still verifies the round-tripped message).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseMime } from '../../mime/parse.js';
import { messageFromJson, stringifyMessage } from '../../mapi/index.js';
import { toInternet } from '../../smime/index.js';
import { readMsg, writeMsg } from '../../msg/index.js';
import { inspect, renderInspect } from './inspectReport.js';
import { loadBytes, writeOutput } from '../files/io.js';
import { packageRoot } from '../packageRoot.js';
import { type Printer, UsageError } from '../output.js';
import { existsSync } from 'node:fs';
import { decodeBody } from '../../mime/encoding.js';
import { openMessage } from '../../secure/index.js';
import { loadCertFiles, loadRecipient } from '../files/keyFiles.js';
import { describeLayer } from '../present.js';
import { bytesView } from '../files/io.js';

function signedPart(bytes: Uint8Array): Uint8Array | undefined {
  const { root } = parseMime(bytes);
  if (root.contentType.value !== 'multipart/signed') return undefined;
  const first = root.children[0];
  return first ? bytes.subarray(first.range.start, first.range.end) : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function opensslVerify(file: string): string {
  try {
    execFileSync('openssl', ['cms', '-verify', '-noverify', '-in', file, '-out', '/dev/null'], { stdio: 'pipe' });
    return 'ok';
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') return 'openssl not installed';
    return `FAILED ${String(err.stderr ?? '').split('\n')[0]}`;
  }
}

/** The samples shipped with the package (the repository's samples/ folder, also in the npm package). */
export function shippedSamples(): string {
  return join(packageRoot(), 'samples');
}

export async function runDemo(p: Printer, dirArg: string | undefined, o: { out: string }): Promise<number> {
  const dir = dirArg ?? shippedSamples();
  const outDir = o.out;
  await mkdir(outDir, { recursive: true });
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  let failures = 0;
  // The samples' own throwaway keys (samples/keys): the demo verifies against the sample CA and
  // decrypts with Bob's key, so every layer can be shown.
  const keyDir = join(dir, 'keys');
  const trustAnchors = existsSync(join(keyDir, 'ca.pem')) ? await loadCertFiles([join(keyDir, 'ca.pem')]) : [];
  const recipients = existsSync(join(keyDir, 'bob.key')) ? [await loadRecipient({ key: join(keyDir, 'bob.key'), cert: join(keyDir, 'bob.pem') }, (m) => new UsageError(m))] : [];
  for (const f of files) {
    const path = join(dir, f);
    const original = bytesView(await readFile(path));
    const input = loadBytes(path, original);
    p.lines(renderInspect(inspect(path, input)).split('\n'));
    if (input.internet?.classification.kind !== 'none') {
      const opened = await openMessage(original, { trustAnchors, recipients });
      for (const [i, l] of opened.layers.entries()) p.lines(describeLayer(l, i).map((x) => `  ${x}`));
    }
    const stem = join(outDir, basename(f, '.eml'));
    // .eml -> message object -> .msg -> message object -> .json -> message object -> .eml
    const msgBytes = writeMsg(input.message);
    await writeOutput(`${stem}.msg`, msgBytes, { force: true });
    const fromMsg = readMsg(msgBytes).message;
    const json = stringifyMessage(fromMsg);
    await writeOutput(`${stem}.json`, new TextEncoder().encode(json), { force: true });
    const back = toInternet(messageFromJson(json)).bytes;
    await writeOutput(`${stem}.back.eml`, back, { force: true });
    let line = `  round trip    ${stem}.msg (${msgBytes.length} bytes), ${stem}.json, ${stem}.back.eml`;
    const cmsBefore = input.internet?.classification.kind === 'opaque-or-encrypted' ? decodeBody(input.internet.root) : undefined;
    if (cmsBefore) {
      const same = sameBytes(cmsBefore, decodeBody(parseMime(back).root));
      if (!same) failures++;
      line += `\n  CMS bytes     ${same ? 'identical' : 'CHANGED'} after the round trip`;
    }
    const before = signedPart(original);
    if (before) {
      const after = signedPart(back);
      const same = after !== undefined && sameBytes(before, after);
      if (!same) failures++;
      const verdict = opensslVerify(`${stem}.back.eml`);
      if (verdict.startsWith('FAILED')) failures++;
      line += `\n  signed bytes  ${same ? 'identical' : 'CHANGED'} after the round trip; openssl cms -verify: ${verdict}`;
    }
    p.lines([...line.split('\n'), '']);
  }
  p.lines(`${files.length} sample(s) converted, ${failures} problem(s); outputs in ${outDir}/`);
  p.result({ samples: files.length, problems: failures, out: outDir });
  return failures ? 1 : 0;
}
