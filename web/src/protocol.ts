/**
 * The messages between the page (main.ts) and its worker (worker.ts). Everything the page shows
 * is computed in the worker from the library and sent as plain data (structured clone).
 */

import type { CertSummary } from '../../src/cms/path/types.js';
import type { X400Form } from '../../src/formats/x400.js';

export type { X400Form } from '../../src/formats/x400.js';

/** A typed error as the library raises it (SmimeBridgeError): code, words and where. */
export interface ErrorView { code: string; message: string; location?: string }

/** One certificate, described for an analyst: the library's summary and where it came from (`layer 1`, `trust anchor (file.pem)`). */
export type CertView = CertSummary & { source: string };

/** `RSA 2048 bits`, `EC P-256`, `Ed25519`. */
export function keyText(c: CertView): string {
  return c.keyBits !== undefined && !c.curve ? `${c.keyType} ${c.keyBits} bits` : c.curve ? `${c.keyType} ${c.curve}` : c.keyType;
}

/** One header field: name and decoded value. */
export interface FieldView { name: string; value: string }

/** One attachment (with its bytes, for the download). */
export interface AttachmentView { name: string; mimeTag: string; size: number; method?: number; data?: Uint8Array; embedded?: boolean }

/** One row of the property table of a message object (MS-OXPROPS tag or named property). */
export interface PropertyRow { tag: string; name: string; type: string; value: string }

/** One message of an mbox, or one CMS object of an X.400 message. */
export interface EntryView { index: number; label: string }

/** A message view: what a person reads (body, attachments, promoted headers). */
export interface MessageView {
  messageClass: string;
  fields: FieldView[];
  plain?: string;
  html?: string;
  attachments: AttachmentView[];
}

/** A layer as verdictJson gives it (the parts the page presents). */
export interface LayerJson {
  kind: string;
  mediaType: string;
  params: Record<string, string>;
  eContentType?: string;
  decrypted?: boolean;
  cms?: {
    contentType: string;
    signedData?: { eContentType: string; detached: boolean; digestAlgorithms: string[]; certificateCount: number; signers: { digestAlgorithm: string; signatureAlgorithm: string }[] };
    envelopedData?: { contentEncryptionAlgorithm: string; recipients: { type: string; keyEncryptionAlgorithm: string; keyWrapAlgorithm?: string }[] };
  };
  ambiguities?: string[];
  error?: { code: string; message: string };
}

/** A reason of a verdict (secure/verdict.ts). */
export interface ReasonJson { code: string; severity: string; message: string }

/** A signer verdict (secure/verdict.ts SignerVerdict, as JSON). */
export interface SignerJson {
  layer: number;
  state: 'valid' | 'untrusted' | 'invalid' | 'cannot-check';
  reasons: ReasonJson[];
  signer: { subject: string; emails: string[]; issuer: string; serialHex: string };
  digestAlgorithm: string;
  signatureAlgorithm: string;
  signingTime?: string;
  path: string[];
}

/** verdictJson(opened, verdict): the object `smime-bridge verify --json` prints (without `input`). */
export interface VerdictJson {
  verdict: 'valid' | 'untrusted' | 'invalid' | 'cannot-check' | 'unsigned';
  reasons: ReasonJson[];
  signers: SignerJson[];
  complete: boolean;
  layers: LayerJson[];
}

/** Everything the page shows of one file (or one message of an mbox / X.400 file). */
export interface FileView {
  fileId: number;
  name: string;
  size: number;
  sha256: string;
  kind?: string;
  /** mbox messages or X.400 CMS objects to pick from; `index` is the one shown. */
  entries?: EntryView[];
  index?: number;
  /** The input could not be read: nothing else is shown. */
  error?: ErrorView;
  verdict?: VerdictJson;
  /** A layer could not be opened: the error of the opening (the rest is not shown as complete). */
  openError?: ErrorView;
  certificates: CertView[];
  /** The outer header fields as received. */
  received: FieldView[];
  /** The message object as stored (a .msg: what the store holds; an .eml: its MS-OXOSMIME form). */
  stored?: MessageView;
  /** The unwrapped content (every layer peeled as far as possible). */
  content?: MessageView;
  properties: PropertyRow[];
  x400?: unknown;
  warnings: string[];
  /** Time of the check (ISO 8601). */
  checkedAt: string;
}

/** Requests from the page. */
export type Request =
  | { op: 'add'; fileId: number; name: string; file: Blob }
  | { op: 'analyze'; fileId: number; index?: number }
  | { op: 'anchors'; files: { name: string; bytes: ArrayBuffer }[] }
  | { op: 'key'; name: string; bytes: ArrayBuffer; password: string; cert?: ArrayBuffer }
  | { op: 'forget-anchors' }
  | { op: 'forget-keys' }
  | { op: 'convert'; fileId: number; index?: number; format: 'eml' | 'msg' | 'json' }
  | { op: 'x400'; fileId: number; form: X400Form; mimeWrapper: boolean }
  | { op: 'decrypt'; fileId: number; index?: number; format: 'eml' | 'msg' }
  | { op: 'remove'; fileId: number };

/** A file to save. */
export interface Saved { bytes: Uint8Array; name: string; mediaType: string }

/** What a request resolves to. */
export interface Replies {
  add: FileView;
  analyze: FileView;
  anchors: CertView[];
  key: { description: string; keys: number };
  'forget-anchors': CertView[];
  'forget-keys': { keys: number };
  convert: Saved;
  x400: Saved;
  decrypt: Saved;
  remove: null;
}

/** A message from the worker. */
export type WorkerMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ErrorView }
  | { id: number; progress: ProgressView };

/** Progress of a request: the step (of steps) and, for long work, the fraction of it done (0 to 1). */
export interface ProgressView { stage: string; step: number; steps: number; fraction?: number }
