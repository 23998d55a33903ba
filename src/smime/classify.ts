/**
 * MS-OXOSMIME 3.1.5.1.1 and 3.1.5.2.1: recognize an S/MIME message in Internet format.
 *
 * The decision is made on the top-level entity only: its media type is the value of its LAST
 * Content-Type field (the MIME parser already applies that rule).
 */
import { Diagnostics } from '../errors.js';
import type { MimeEntity } from '../mime/types.js';

/** Which MS-OXOSMIME structure a message has. */
export type SmimeKind = 'clear-signed' | 'opaque-or-encrypted' | 'none';

/** What {@link classifyEntity} found. */
export interface Classification {
  kind: SmimeKind;
  /** Lower-case media type of the top-level entity (last Content-Type field). */
  mediaType: string;
  /** Its parameters (decoded). */
  params: Record<string, string>;
  /** `smime-type` parameter, lower case, when present. */
  smimeType?: string;
  /** multipart/signed `protocol` parameter, lower case. */
  protocol?: string;
  /** multipart/signed `micalg` parameter, lower case. */
  micalg?: string;
  /** True for `smime-type=signed-receipt` (MS-OXOSMIME endnote <5>). */
  signedReceipt: boolean;
  /** For application/octet-stream: the `.p7m` file name that qualified it. */
  p7mName?: string;
  /** The rule that decided, for people: `MS-OXOSMIME 3.1.5.1.1` etc. */
  rule: string;
}

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

/** True when a file name has the extension `.p7m`, any case (MS-OXOSMIME 3.1.5.2.1). */
export function hasP7mExtension(name: string | undefined): boolean {
  return name !== undefined && /\.p7m$/i.test(name.trim());
}

/**
 * Classify the top-level entity of a parsed message.
 * @param diag receives `SMIME_NOT_TWO_PARTS` when a multipart/signed entity does not have exactly
 *   two body parts (the optional check of 3.1.5.1.1; a warning, it stays clear-signed).
 */
export function classifyEntity(root: MimeEntity, diag: Diagnostics = new Diagnostics()): Classification {
  const mediaType = root.contentType.value;
  const params = root.contentType.params;
  const base = {
    mediaType,
    params,
    smimeType: params['smime-type']?.toLowerCase(),
    protocol: params['protocol']?.toLowerCase(),
    micalg: params['micalg']?.toLowerCase(),
  };
  // MS-OXOSMIME 3.1.5.1.1: multipart/signed is clear-signed.
  if (mediaType === 'multipart/signed') {
    if (root.children.length !== 2) {
      // 3.1.5.1.1 "Additional verification steps MAY be performed": RFC 1847 requires two parts.
      diag.report('SMIME_NOT_TWO_PARTS', `multipart/signed has ${root.children.length} body part(s), RFC 1847 requires 2`, { partPath: root.path });
    }
    return { ...base, kind: 'clear-signed', signedReceipt: false, rule: 'MS-OXOSMIME 3.1.5.1.1' };
  }
  // MS-OXOSMIME 3.1.5.2.1: application/pkcs7-mime or application/x-pkcs7-mime.
  if (PKCS7_MIME.has(mediaType)) {
    return { ...base, kind: 'opaque-or-encrypted', signedReceipt: base.smimeType === 'signed-receipt', rule: 'MS-OXOSMIME 3.1.5.2.1' };
  }
  // MS-OXOSMIME 3.1.5.2.1: application/octet-stream named *.p7m by Content-Type name or
  // Content-Disposition filename.
  if (mediaType === 'application/octet-stream') {
    const name = params['name'];
    const filename = root.disposition?.params['filename'];
    const p7m = hasP7mExtension(name) ? name : hasP7mExtension(filename) ? filename : undefined;
    if (p7m !== undefined) {
      return { ...base, kind: 'opaque-or-encrypted', signedReceipt: base.smimeType === 'signed-receipt', p7mName: p7m, rule: 'MS-OXOSMIME 3.1.5.2.1 (.p7m name)' };
    }
  }
  return { ...base, kind: 'none', signedReceipt: false, rule: 'not S/MIME by MS-OXOSMIME 3.1.5.1.1 / 3.1.5.2.1' };
}
