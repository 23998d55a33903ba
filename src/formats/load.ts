/**
 * Any supported input as a message object and Internet bytes, and a message object as an output
 * format: the pure part of the CLI's file handling (browser-safe), so that the page converts
 * and opens exactly as the command does. The CLI's src/cli/files/io.ts re-exports it.
 */
import { SmimeBridgeError } from '../errors.js';
import type { Diagnostic } from '../errors.js';
import { MessageObject, messageFromJson, stringifyMessage } from '../mapi/index.js';
import { toInternet, toMessage, cmsContentType, type ToInternetResult, type ToMessageResult } from '../smime/index.js';
import { readMsg, writeMsg } from '../msg/index.js';
import { encodeBase64 } from '../mime/encoding.js';
import { parseMime } from '../mime/parse.js';
import { headerText } from '../mime/headers.js';
import { parseAddressList } from '../mime/address.js';
import { findCmsObjects, toInternetMessage } from '../x400/index.js';
import { bareCmsDer, sniffInput, type InputKind, type OutputFormat } from './sniff.js';
import { mboxMessageContent, splitMbox, toMboxEntry } from './mbox.js';

/** Options for reading an input. */
export interface LoadOptions {
  strict?: boolean;
  /** Read an empty or unrecognisable input as mail instead of rejecting it. */
  lenient?: boolean;
  /** The message of an mbox (1-based); required when it holds more than one. */
  index?: number;
}

/** A loaded input: the message object, and the Internet form of the message. */
export interface LoadedInput {
  /** What the file was. */
  kind: InputKind;
  /** `eml` for every kind read as Internet mail (eml, mbox entry, bare CMS, X.400); else msg or json. */
  format: 'eml' | 'msg' | 'json';
  message: MessageObject;
  /** Present when the input was Internet mail (or made into it: a bare CMS object, X.400 content). */
  internet?: ToMessageResult;
  warnings: Diagnostic[];
}

/** A bare CMS object as an S/MIME entity (RFC 8551 3.2), so every command can open it like mail. */
export function cmsAsMessage(der: Uint8Array): Uint8Array {
  const ct = cmsContentType(der)?.name;
  const smimeType = ct === 'enveloped-data' ? 'enveloped-data' : ct === 'auth-enveloped-data' ? 'authEnveloped-data' : 'signed-data';
  const head = `MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"\r\n`
    + 'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n\r\n';
  const b64 = encodeBase64(der, 76);
  const out = new Uint8Array(head.length + b64.length);
  out.set(new TextEncoder().encode(head), 0);
  out.set(b64, head.length);
  return out;
}

/** The Internet bytes of one message of an mbox, checking that exactly one was meant. */
export function mboxMessage(name: string, bytes: Uint8Array, index?: number): Uint8Array {
  const entries = splitMbox(bytes);
  if (index === undefined) {
    if (entries.length > 1) throw new SmimeBridgeError('MBOX_MULTIPLE', `${name} holds ${entries.length} messages; this command reads one`);
    index = 1;
  }
  const e = entries[index - 1];
  if (!e) throw new SmimeBridgeError('MBOX_MULTIPLE', `${name} has no message ${index} (it holds ${entries.length})`);
  return mboxMessageContent(e.entry);
}

/** Internet bytes of any input kind that is mail underneath (msg/json: undefined; use the message object). */
export function internetBytesOf(name: string, kind: InputKind, bytes: Uint8Array, index?: number): Uint8Array | undefined {
  switch (kind) {
    case 'eml': return bytes;
    case 'mbox': return mboxMessage(name, bytes, index);
    case 'cms': return cmsAsMessage(bareCmsDer(bytes)!);
    case 'x400': {
      const found = findCmsObjects(bytes);
      if (found.length === 0) throw new SmimeBridgeError('X400_UNKNOWN_CONTENT', `${name} carries no CMS object`);
      if (found.length > 1 && index === undefined) throw new SmimeBridgeError('MBOX_MULTIPLE', `${name} carries ${found.length} CMS objects; give --index N (or use x400 unwrap)`);
      return toInternetMessage(found[(index ?? 1) - 1]!);
    }
    default: return undefined;
  }
}

/** Convert bytes named `name` to a message object (kind decided by content, then name). */
export function loadBytes(name: string, bytes: Uint8Array, opts: LoadOptions = {}): LoadedInput {
  const kind = sniffInput(name, bytes, { lenient: opts.lenient });
  if (kind === 'json') return { kind, format: 'json', message: messageFromJson(new TextDecoder().decode(bytes)), warnings: [] };
  if (kind === 'msg') {
    const r = readMsg(bytes, { strict: opts.strict });
    return { kind, format: 'msg', message: r.message, warnings: r.warnings };
  }
  const internet = toMessage(internetBytesOf(name, kind, bytes, opts.index)!, { strict: opts.strict });
  return { kind, format: 'eml', message: internet.message, internet, warnings: internet.warnings };
}

/**
 * The Internet form of the input `bytes` named `name`, without the message object
 * {@link loadBytes} makes: for commands that only open the S/MIME layers (verify), mail is its
 * own bytes; .msg and JSON are read and reconstructed (MS-OXOSMIME 3.1.5.1.5 / 3.1.5.2.5).
 */
export function loadInternet(name: string, bytes: Uint8Array, opts: LoadOptions = {}): Uint8Array {
  const kind = sniffInput(name, bytes, { lenient: opts.lenient });
  return internetBytesOf(name, kind, bytes, opts.index) ?? internetOf(loadBytes(name, bytes, opts));
}

/** The Internet form of a loaded input: its own bytes for mail, else the MS-OXOSMIME reconstruction. */
export function internetOf(input: LoadedInput): Uint8Array {
  return input.internet ? input.internet.root.source : toInternet(input.message).bytes;
}

/** Sender address and date of a message for its mbox `From ` line. */
function mboxEnvelope(eml: Uint8Array): { sender: string; date: Date } {
  const { root } = parseMime(eml);
  const from = headerText(root, 'from');
  const date = Date.parse(headerText(root, 'date') ?? '');
  return { sender: (from && parseAddressList(from)[0]?.address) || 'MAILER-DAEMON', date: new Date(Number.isNaN(date) ? 0 : date) };
}

/** Internet bytes as an output of `format`. */
export function renderInternet(format: OutputFormat, eml: Uint8Array, opts: { strict?: boolean } = {}): Uint8Array {
  if (format === 'eml') return eml;
  if (format === 'mbox') {
    const e = mboxEnvelope(eml);
    return toMboxEntry(eml, e.sender, e.date);
  }
  return renderOutput(format, toMessage(eml, { strict: opts.strict }).message, opts).bytes;
}

/** Render a message object as `format`. */
export function renderOutput(format: OutputFormat, message: MessageObject, opts: { strict?: boolean } = {}): { bytes: Uint8Array; internet?: ToInternetResult } {
  if (format === 'json') return { bytes: new TextEncoder().encode(stringifyMessage(message)) };
  if (format === 'msg') return { bytes: writeMsg(message) };
  const internet = toInternet(message, { strict: opts.strict });
  if (format === 'mbox') {
    const e = mboxEnvelope(internet.bytes);
    return { bytes: toMboxEntry(internet.bytes, e.sender, e.date), internet };
  }
  return { bytes: internet.bytes, internet };
}

