/**
 * Reading S/MIME messages (MS-OXOSMIME 3.1.5.1.5 / 3.1.5.2.5: reconstruct the Internet message,
 * then interpret it per RFC 1847 / RFC 8551): peel every layer — clear-signed, opaque-signed,
 * encrypted — verifying and decrypting as keys allow, and give the innermost content as a
 * normal message object with the record of every layer.
 */
import { Diagnostics, type Diagnostic, SmimeBridgeError, isSmimeBridgeError } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { decodeBody } from '../mime/encoding.js';
import { decodeWords, fieldText, getFields } from '../mime/headers.js';
import type { EnvelopeAddresses } from './verdict.js';
import { parseAddressList } from '../mime/address.js';
import type { MimeEntity } from '../mime/types.js';
import { type MessageObject, PidTagMessageClass } from '../mapi/index.js';
import { mimeToMessage, promoteHeaders } from '../oxcmail/index.js';
import { classifyEntity, toInternet } from '../smime/index.js';
import {
  type CmsInfo, type Recipient, type VerifyOptions, type VerifyReport, decryptEnvelopedData, inspectCms, verifySignedData,
} from '../cms/index.js';
import { joinMessage, envelopeBytes } from './envelope.js';

/** Keys and trust for {@link openMessage}. */
export interface OpenOptions {
  /** Trust anchors (DER certificates) for chain building. */
  trustAnchors?: Uint8Array[];
  /** Untrusted intermediates (DER). */
  intermediates?: Uint8Array[];
  /** "Now" for validity checks. */
  now?: Date;
  /** Decryption keys, tried in order. */
  recipients?: Recipient[];
  /** Most layers peeled (default 8). */
  maxLayers?: number;
  /** The signed content of a bare detached signature (a .p7s given without its message). */
  detachedContent?: Uint8Array;
  /** Further options of every signature verification (revocation, CRLs, limits, policy inputs). */
  verify?: Partial<Omit<VerifyOptions, 'content' | 'expectedAddress' | 'trustAnchors' | 'intermediates' | 'now'>>;
}

/** One S/MIME layer and what happened to it. */
export interface Layer {
  kind: 'clear-signed' | 'opaque-signed' | 'enveloped' | 'auth-enveloped' | 'certs-only' | 'other-cms';
  /** MIME part path of the layer's entity at its level (`''` for the top of that level). */
  mediaType: string;
  /** multipart/signed parameters or smime-type. */
  params: Record<string, string>;
  /** What the CMS object holds. */
  cms?: CmsInfo;
  /** Signature verdicts (signed layers). */
  verify?: VerifyReport;
  /** True when this encrypted layer was decrypted. */
  decrypted?: boolean;
  /** The plaintext of a decrypted layer, or the encapsulated content of an opaque-signed one: the next layer's entity. */
  innerContent?: Uint8Array;
  /** Why the layer could not be opened or checked (typed error code + message). */
  error?: { code: string; message: string };
  /**
   * Ambiguities of the signed entity that readers resolve differently (issue 10 item 2): more
   * than one Content-Type field, a repeated boundary/protocol/micalg parameter, a part count
   * other than two. Any of them makes the verdict `invalid`, whatever the signature says.
   */
  ambiguities?: string[];
  /** Opaque-signed: the encapsulated content type (`data` for mail; anything else is not opened as mail). */
  eContentType?: string;
  /** Encrypted: the content-encryption key size in bits when the algorithm has a variable one (RC2). */
  cipherKeyBits?: number;
}

/** What {@link openMessage} found. */
export interface OpenedMessage {
  layers: Layer[];
  /** The innermost content entity (a MIME entity without envelope fields). */
  content: Uint8Array;
  /** The innermost content as a whole message: the outer envelope fields + the content entity (made on first use). */
  readonly message: Uint8Array;
  /** The innermost message as a normal message object (IPM.Note: body and real attachments; made on first use). */
  readonly messageObject: MessageObject;
  /** False when a layer could not be opened (no key, unsupported, malformed): `content` is that layer. */
  complete: boolean;
  /** The From and Sender addresses of the outer message, for the address check (RFC 8550 3). */
  envelope: EnvelopeAddresses;
  /** Warnings of every layer and of the conversion (reading them makes {@link messageObject}). */
  readonly warnings: Diagnostic[];
}

function addressesOf(root: MimeEntity, lname: string): string[][] {
  return getFields(root, lname).map((f) => parseAddressList(decodeWords(fieldText(root.source, f))).map((m) => m.address.toLowerCase()));
}

/** From (every field: clients display the first) and Sender addresses of the outer message. */
export function envelopeAddresses(root: MimeEntity): EnvelopeAddresses {
  return { from: addressesOf(root, 'from'), sender: addressesOf(root, 'sender').flat() };
}

function errorOf(e: unknown): { code: string; message: string } {
  if (isSmimeBridgeError(e)) return { code: e.code, message: e.reason };
  return { code: 'CMS_MALFORMED', message: (e as Error).message ?? String(e) };
}

/** Names of the parameters of a header value as written, repeated ones included (quoted strings skipped). */
export function parameterNames(value: string): string[] {
  const names: string[] = [];
  let i = value.indexOf(';');
  while (i >= 0 && i < value.length) {
    const m = /^;\s*([^\s=;"]+)\s*=/.exec(value.slice(i, i + 200));
    if (m) names.push(m[1]!.toLowerCase().replace(/\*(\d+\*?)?$/, ''));
    // skip to the next ';' outside a quoted string
    let j = i + 1;
    let quoted = false;
    for (; j < value.length; j++) {
      const c = value[j];
      if (quoted && c === '\\') { j++; continue; }
      if (c === '"') quoted = !quoted;
      else if (c === ';' && !quoted) break;
    }
    i = j < value.length ? j : -1;
  }
  return names;
}

/** What readers could take differently in a signed entity (issue 10 item 2). */
export function ambiguitiesOf(e: MimeEntity, clearSigned: boolean): string[] {
  const out: string[] = [];
  const cts = getFields(e, 'content-type');
  if (cts.length > 1) out.push(`${cts.length} Content-Type fields (MS-OXOSMIME 3.1.5.1.1 takes the last, most readers the first)`);
  for (const f of cts) {
    const seen = new Map<string, number>();
    for (const n of parameterNames(f.unfolded)) seen.set(n, (seen.get(n) ?? 0) + 1);
    for (const [n, k] of seen) if (k > 1 && (n === 'boundary' || n === 'protocol' || n === 'micalg' || n === 'smime-type')) out.push(`parameter ${n} given ${k} times`);
  }
  if (clearSigned && e.children.length !== 2) out.push(`multipart/signed with ${e.children.length} parts instead of 2 (RFC 1847 2.1)`);
  return out;
}

/** Open every S/MIME layer of a message (.eml bytes, or a message object reconstructed first). */
export async function openMessage(input: Uint8Array | MessageObject, opts: OpenOptions = {}): Promise<OpenedMessage> {
  const diag = new Diagnostics(false);
  const bytes = input instanceof Uint8Array ? input : toInternet(input).bytes;
  const parsed = parseMime(bytes);
  const outer = parsed.root;
  diag.warnings.push(...parsed.warnings);
  const envelope = envelopeAddresses(outer);
  const expectedAddress = envelope.from[0]?.[0];
  const layers: Layer[] = [];
  let current = outer;
  let headerOnly = false; // `current` was read with headersOnly
  let complete = true;
  const max = opts.maxLayers ?? 8;
  const verifyOpts: VerifyOptions = { ...opts.verify, trustAnchors: opts.trustAnchors, intermediates: opts.intermediates, now: opts.now, expectedAddress };
  for (let depth = 0; depth < max; depth++) {
    const c = classifyEntity(current, diag);
    if (c.kind === 'none') break;
    let next: Uint8Array | undefined;
    if (c.kind === 'clear-signed') {
      const layer: Layer = { kind: 'clear-signed', mediaType: c.mediaType, params: c.params };
      const amb = ambiguitiesOf(current, true);
      if (amb.length) layer.ambiguities = amb;
      layers.push(layer);
      const first = current.children[0];
      const sig = current.children[1];
      if (!first) { layer.error = { code: 'SMIME_STRUCTURE', message: 'multipart/signed without body parts' }; complete = false; break; }
      next = first.source.subarray(first.range.start, first.range.end);
      if (!sig) layer.error = { code: 'SMIME_NOT_TWO_PARTS', message: 'multipart/signed without a signature part' };
      else if (!/pkcs7-signature$/.test(sig.contentType.value)) {
        layer.error = { code: 'CMS_UNSUPPORTED_ALGORITHM', message: `signature part ${sig.contentType.value} is not CMS (e.g. PGP): not verified` };
      } else {
        try {
          const der = decodeBody(sig);
          layer.cms = inspectCms(der);
          layer.verify = await verifySignedData(der, { ...verifyOpts, content: next });
        } catch (e) { layer.error = errorOf(e); }
      }
    } else {
      const der = decodeBody(current);
      let info: CmsInfo;
      try { info = inspectCms(der); } catch (e) {
        layers.push({ kind: 'other-cms', mediaType: c.mediaType, params: c.params, error: errorOf(e) });
        complete = false;
        break;
      }
      if (info.contentType === 'signed-data') {
        const signers = info.signedData?.signers.length ?? 0;
        const layer: Layer = { kind: signers === 0 ? 'certs-only' : 'opaque-signed', mediaType: c.mediaType, params: c.params, cms: info };
        const amb = ambiguitiesOf(current, false);
        if (amb.length) layer.ambiguities = amb;
        layer.eContentType = info.signedData?.eContentType;
        layers.push(layer);
        if (signers === 0) break;
        if (info.signedData?.detached && !opts.detachedContent) {
          layer.error = { code: 'CMS_DETACHED_NO_CONTENT', message: 'a detached signature without its signed content (give the content: --content FILE)' };
          complete = false;
          break;
        }
        try {
          layer.verify = await verifySignedData(der, info.signedData?.detached ? { ...verifyOpts, content: opts.detachedContent } : verifyOpts);
        } catch (e) { layer.error = errorOf(e); }
        if (info.signedData?.detached) break;
        next = info.encapsulatedContent;
        if (!next) { complete = false; break; }
        // RFC 5652 5.2: content of another type is not a MIME entity: report it, never render it as mail.
        if (layer.eContentType !== 'data') { layer.innerContent = next; complete = false; break; }
        layer.innerContent = next;
      } else if (info.contentType === 'enveloped-data' || info.contentType === 'auth-enveloped-data') {
        const layer: Layer = { kind: info.contentType === 'enveloped-data' ? 'enveloped' : 'auth-enveloped', mediaType: c.mediaType, params: c.params, cms: info, decrypted: false };
        const amb = ambiguitiesOf(current, false);
        if (amb.length) layer.ambiguities = amb;
        if (info.envelopedData?.contentEncryptionKeyBits) layer.cipherKeyBits = info.envelopedData.contentEncryptionKeyBits;
        layers.push(layer);
        const keys = opts.recipients ?? [];
        if (keys.length === 0) { layer.error = { code: 'CMS_NO_RECIPIENT', message: 'encrypted: no decryption key was given' }; complete = false; break; }
        let lastError: unknown;
        for (const r of keys) {
          try { next = await decryptEnvelopedData(der, r); break; } catch (e) { lastError = e; }
        }
        if (!next) { layer.error = errorOf(lastError); complete = false; break; }
        layer.decrypted = true;
        layer.innerContent = next;
      } else {
        layers.push({ kind: 'other-cms', mediaType: c.mediaType, params: c.params, cms: info, error: { code: 'CMS_UNSUPPORTED_ALGORITHM', message: `CMS ${info.contentType} is not opened` } });
        complete = false;
        break;
      }
    }
    // The next layer's header says whether it is a layer at all; its body (a 25 MB multipart)
    // is parsed now only for multipart/signed, and otherwise when the message object is made.
    current = parseMime(next!, { headersOnly: true }).root;
    headerOnly = current.contentType.value !== 'multipart/signed';
    if (!headerOnly) current = parseMime(next!).root;
  }
  if (layers.length >= max && classifyEntity(current).kind !== 'none') {
    throw new SmimeBridgeError('LIMIT_EXCEEDED', `more than ${max} S/MIME layers`);
  }
  const inner = current;
  const innerHeaderOnly = headerOnly;
  const content = inner.source.subarray(inner.range.start, inner.range.end);
  // `message` and `messageObject` are made on first use: verify and decrypt need neither, and for
  // a 25 MB message they cost a copy of the content and a decoding of every attachment.
  let message: Uint8Array | undefined;
  let messageObject: MessageObject | undefined;
  const convert = (): MessageObject => {
    if (!messageObject) {
      // The innermost content as a normal message: body and attachments from the content, envelope from the outside.
      const converted = mimeToMessage(innerHeaderOnly ? parseMime(inner.source).root : inner);
      diag.warnings.push(...converted.warnings);
      const m = converted.message;
      if (inner !== outer) promoteHeaders(outer, m, diag);
      if (complete) m.properties.set(PidTagMessageClass, 'IPM.Note');
      messageObject = m;
    }
    return messageObject;
  };
  return {
    layers,
    content,
    get message() {
      return (message ??= inner === outer ? bytes : joinMessage(envelopeBytes(outer), content));
    },
    get messageObject() {
      return convert();
    },
    complete,
    envelope,
    get warnings() {
      convert(); // the conversion's warnings are part of the record
      return diag.warnings;
    },
  };
}

/** True when every signature of every signed layer is valid (and, with trust anchors given, chains to one). */
export function allSignaturesValid(o: OpenedMessage, requireTrust: boolean): boolean {
  const signed = o.layers.filter((l) => l.kind === 'clear-signed' || l.kind === 'opaque-signed');
  if (signed.length === 0) return false;
  return signed.every((l) => !l.error && l.verify !== undefined && l.verify.signers.length > 0
    && l.verify.signers.every((s) => s.signatureValid && (!requireTrust || s.chain.trusted)));
}
