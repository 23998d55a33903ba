/**
 * `verify`, `decrypt`, `sign`, `encrypt`: S/MIME cryptography on .eml and .msg files.
 * `verify` exit codes (issue contract): 0 every signer valid, 1 a signer not valid, 2 error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SmimeBridgeError, isSmimeBridgeError } from '../../errors.js';
import { envelopeBytes, joinMessage, allSignaturesValid, encryptMessage, openMessage, signAndEncryptMessage, signMessage } from '../../secure/index.js';
import type { SignDigest } from '../../cms/index.js';
import { loadCertFiles, loadIdentity, loadRecipient } from '../files/keyFiles.js';
import { loadInput, loadBytes, renderOutput, writeAtomic, formatOf } from '../files/io.js';
import { UsageError } from '../usage.js';
import { parseMime } from '../../mime/parse.js';
import { describeLayer } from '../present.js';
import { bytesView } from '../files/io.js';

async function internetBytesOf(file: string): Promise<Uint8Array> {
  const input = await loadInput(file);
  if (input.format === 'eml') return bytesView(await readFile(file));
  return renderOutput('x.eml', input.message).bytes;
}

async function writeOut(out: string, eml: Uint8Array, force: boolean): Promise<void> {
  const bytes = formatOf(out) === 'eml' ? eml : renderOutput(out, loadBytes('x.eml', eml).message).bytes;
  await writeAtomic(out, bytes, force);
}

export async function runVerify(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true,
      options: { ca: { type: 'string', multiple: true }, json: { type: 'boolean', default: false }, key: { type: 'string' }, cert: { type: 'string' }, p12: { type: 'string' }, password: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('verify needs exactly one FILE');
    const file = positionals[0]!;
    const trustAnchors = await loadCertFiles(values.ca ?? []);
    const recipients = values.key || values.p12 ? [await loadRecipient(values)] : [];
    const opened = await openMessage(await internetBytesOf(file), { trustAnchors, recipients });
    const requireTrust = trustAnchors.length > 0;
    const ok = allSignaturesValid(opened, requireTrust);
    if (values.json) {
      process.stdout.write(JSON.stringify({ file, valid: ok, trustChecked: requireTrust, complete: opened.complete, layers: opened.layers.map((l) => ({ ...l, cms: undefined, verify: l.verify && { ...l.verify, content: undefined } })) }, null, 2) + '\n');
    } else {
      process.stdout.write(`${file}: ${ok ? 'all signatures valid' : 'NOT VALID'}${requireTrust ? '' : ' (signature and digest only: no --ca given, no chain checked)'}\n`);
      opened.layers.forEach((l, i) => process.stdout.write(describeLayer(l, i).map((x) => `  ${x}`).join('\n') + '\n'));
      if (!opened.layers.some((l) => l.kind === 'clear-signed' || l.kind === 'opaque-signed')) process.stdout.write('  no signed layer found\n');
    }
    return ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError || isSmimeBridgeError(e)) {
      process.stderr.write(`smime-bridge: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export async function runDecrypt(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { key: { type: 'string' }, cert: { type: 'string' }, p12: { type: 'string' }, password: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean', default: true } },
  });
  if (positionals.length !== 1 || !values.out) throw new UsageError('decrypt needs FILE and -o OUT.eml|OUT.msg');
  if (!values.key && !values.p12) throw new UsageError('decrypt needs --key PEM [--cert PEM] or --p12 FILE --password PW');
  const identity = await loadRecipient(values);
  const input = await internetBytesOf(positionals[0]!);
  const opened = await openMessage(input, { recipients: [identity] });
  const encrypted = opened.layers.filter((l) => l.kind === 'enveloped' || l.kind === 'auth-enveloped');
  if (encrypted.length === 0) throw new SmimeBridgeError('SMIME_NOT_SMIME', 'the message is not encrypted');
  const failed = encrypted.find((l) => !l.decrypted);
  if (failed && failed === encrypted[0]) throw new SmimeBridgeError(failed.error?.code ?? 'CMS_DECRYPT_FAILED', failed.error?.message ?? 'could not decrypt');
  // Remove the encryption, keep every signature inside it: the output is the plaintext of the last
  // decrypted layer (for signed-then-encrypted mail, the signed message, still verifiable).
  const last = [...encrypted].reverse().find((l) => l.decrypted)!;
  const lastIndex = opened.layers.indexOf(last);
  const lostSignatures = opened.layers.slice(0, lastIndex).some((l) => l.kind === 'clear-signed' || l.kind === 'opaque-signed');
  const outer = parseMime(input).root;
  await writeOut(values.out, joinMessage(envelopeBytes(outer), last.innerContent!), values.force!);
  process.stdout.write(`${positionals[0]} -> ${values.out}: decrypted ${encrypted.filter((l) => l.decrypted).length} encryption layer(s); signatures inside are kept\n`);
  if (lostSignatures) process.stdout.write('  note: a signature outside the encryption covers the encrypted form and cannot travel with the plaintext; verify the input for it\n');
  opened.layers.forEach((l, i) => process.stdout.write(describeLayer(l, i).map((x) => `  ${x}`).join('\n') + '\n'));
  return 0;
}

function digestOf(s: string | undefined): SignDigest {
  const d = (s ?? 'sha256').toUpperCase().replace(/^SHA-?/, 'SHA-');
  if (d === 'SHA-1' || d === 'SHA-256' || d === 'SHA-384' || d === 'SHA-512') return d;
  throw new UsageError(`unknown digest ${s} (sha256, sha384, sha512, sha1)`);
}

export async function runSign(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      key: { type: 'string' }, cert: { type: 'string' }, p12: { type: 'string' }, password: { type: 'string' },
      opaque: { type: 'boolean', default: false }, digest: { type: 'string' }, encrypt: { type: 'string', multiple: true },
      out: { type: 'string', short: 'o' }, force: { type: 'boolean', default: true },
    },
  });
  if (positionals.length !== 1 || !values.out) throw new UsageError('sign needs FILE and -o OUT.eml|OUT.msg');
  const signer = await loadIdentity(values);
  const input = await internetBytesOf(positionals[0]!);
  const opts = { mode: values.opaque ? 'opaque' as const : 'clear' as const, digest: digestOf(values.digest) };
  const out = values.encrypt?.length
    ? await signAndEncryptMessage(input, signer, await loadCertFiles(values.encrypt), opts)
    : await signMessage(input, signer, opts);
  await writeOut(values.out, out, values.force!);
  process.stdout.write(`${positionals[0]} -> ${values.out}: ${opts.mode}-signed${values.encrypt?.length ? ' and encrypted' : ''} (${opts.digest})\n`);
  return 0;
}

export async function runEncrypt(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      cert: { type: 'string', multiple: true }, cipher: { type: 'string', default: 'aes-256-cbc' }, 'key-transport': { type: 'string', default: 'oaep' },
      out: { type: 'string', short: 'o' }, force: { type: 'boolean', default: true },
    },
  });
  if (positionals.length !== 1 || !values.out || !values.cert?.length) throw new UsageError('encrypt needs FILE, --cert PEM (one or more) and -o OUT.eml|OUT.msg');
  const cipher = ({ 'aes-256-cbc': 'AES-256-CBC', 'aes-128-cbc': 'AES-128-CBC', 'aes-256-gcm': 'AES-256-GCM' } as const)[values.cipher!.toLowerCase() as 'aes-256-cbc'];
  if (!cipher) throw new UsageError(`unknown cipher ${values.cipher} (aes-256-cbc, aes-128-cbc, aes-256-gcm)`);
  const kt = values['key-transport']!.toLowerCase();
  if (kt !== 'oaep' && kt !== 'pkcs1') throw new UsageError('--key-transport is oaep or pkcs1');
  const out = await encryptMessage(await internetBytesOf(positionals[0]!), await loadCertFiles(values.cert), { cipher, keyTransport: kt === 'oaep' ? 'RSA-OAEP' : 'RSAES-PKCS1-v1_5' });
  await writeOut(values.out, out, values.force!);
  process.stdout.write(`${positionals[0]} -> ${values.out}: encrypted for ${values.cert.length} recipient certificate file(s) (${cipher})\n`);
  return 0;
}

/**
 * `unwrap FILE -o OUT.eml|OUT.msg|OUT.json`: peel every S/MIME layer (issue 4 item 5) and write the
 * innermost message as a normal message (IPM.Note: body and real attachments), printing the
 * verification and decryption record of every layer.
 */
export async function runUnwrap(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      key: { type: 'string' }, cert: { type: 'string' }, p12: { type: 'string' }, password: { type: 'string' },
      ca: { type: 'string', multiple: true }, out: { type: 'string', short: 'o' }, force: { type: 'boolean', default: true },
    },
  });
  if (positionals.length !== 1 || !values.out) throw new UsageError('unwrap needs FILE and -o OUT.eml|OUT.msg|OUT.json');
  const recipients = values.key || values.p12 ? [await loadRecipient(values)] : [];
  const opened = await openMessage(await internetBytesOf(positionals[0]!), { recipients, trustAnchors: await loadCertFiles(values.ca ?? []) });
  if (!opened.complete) {
    const why = opened.layers.find((l) => l.error)?.error;
    throw new SmimeBridgeError(why?.code ?? 'CMS_NO_RECIPIENT', `cannot open every layer: ${why?.message ?? 'unknown'}`);
  }
  const bytes = formatOf(values.out) === 'eml' ? opened.message : renderOutput(values.out, opened.messageObject).bytes;
  await writeAtomic(values.out, bytes, values.force!);
  process.stdout.write(`${positionals[0]} -> ${values.out}: ${opened.layers.length} layer(s) removed\n`);
  opened.layers.forEach((l, i) => process.stdout.write(describeLayer(l, i).map((x) => `  ${x}`).join('\n') + '\n'));
  return 0;
}
