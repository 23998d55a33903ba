/**
 * Content rules of draft-ietf-smime-x400transport-01 2.2 and 2.4 (RFC 3855 2.2, 2.4): which
 * bytes become the X.400 content and which content type the P1 envelope carries.
 *  - bare CMS object (no outer MIME wrapper): content = DER ContentInfo, type id-ct-contentInfo;
 *  - CMS object under an outer MIME wrapper: content = the MIME entity bytes, unchanged, type id-data.
 * Parsing the MIME entity (to remove the wrapper) is the mime module's job; this module only
 * checks the shapes it is given.
 */
import { SmimeBridgeError } from '../errors.js';
import { decodeBer, type BerLimits } from './ber.js';
import { ContentInfo } from './modules.js';
import { ID_CT_CONTENT_INFO, ID_DATA } from './oids.js';
import type { Rec } from './schema.js';

/** X.400 content and its envelope content type (an OID). */
export interface X400Content {
  content: Uint8Array;
  /** id-ct-contentInfo or id-data. */
  contentType: string;
  /** For a bare CMS object: the ContentInfo's own content type (signedData, envelopedData, ...). */
  cmsType?: string;
}

const PEM = /-----BEGIN (?:PKCS7|CMS)-----([\s\S]*?)-----END (?:PKCS7|CMS)-----/;

function base64(text: string): Uint8Array {
  const clean = text.replace(/[\s]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new SmimeBridgeError('CMS_MALFORMED', 'PEM body is not base64');
  const bin = atob(clean);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Check that `der` is one CMS ContentInfo (RFC 5652 3) and return its content type.
 * @throws SmimeBridgeError X400_BER_MALFORMED / X400_BER_TRUNCATED with offset
 */
export function cmsContentType(der: Uint8Array, limits?: BerLimits, base = 0, path = 'ContentInfo'): string {
  const ci = decodeBer(ContentInfo, der, path, limits, base) as Rec;
  return ci['contentType'] as string;
}

/**
 * Draft 2.2: a bare CMS object becomes the content as is, content type id-ct-contentInfo.
 * Accepts DER (or BER: the bytes are kept as given) and PEM (`-----BEGIN PKCS7-----` / `CMS`).
 */
export function contentFromCms(der: Uint8Array, limits?: BerLimits): X400Content {
  let bytes = der;
  if (der.length > 10 && der[0] === 0x2d) {
    const m = PEM.exec(new TextDecoder('latin1').decode(der.subarray(0, 64 * 1024 * 1024)));
    if (m) bytes = base64(m[1]!);
  }
  const cmsType = cmsContentType(bytes, limits);
  return { content: bytes, contentType: ID_CT_CONTENT_INFO, cmsType };
}

/**
 * The canonical form of MIME text (RFC 8551 3.1.1, RFC 5322 2.1): every line ends in CRLF. Bare
 * LF and bare CR become CRLF; input that is already canonical is returned as it is (the same
 * array). One pass.
 */
export function canonicalCrlf(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x0d) {
      if (bytes[i + 1] === 0x0a) i++;
      else bare++;
    } else if (c === 0x0a) bare++;
  }
  if (bare === 0) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0x0d || c === 0x0a) {
      out[o++] = 0x0d;
      out[o++] = 0x0a;
      if (c === 0x0d && bytes[i + 1] === 0x0a) i++;
    } else out[o++] = c;
  }
  return out;
}

/**
 * Draft 2.2 / 2.4: an S/MIME entity whose outer MIME wrapper is kept (heterogeneous systems)
 * becomes the content, content type id-data, in canonical form: CRLF line ends (RFC 8551 3.1.1:
 * S/MIME signatures are computed over the CRLF form, so converting bare LF keeps them valid and
 * makes the content what a byte-exact X.400 receiver expects). A CRLF entity is carried byte
 * for byte.
 * @throws SmimeBridgeError INVALID_ARGUMENT when the bytes have no MIME header section.
 */
export function contentFromMimeEntity(entityBytes: Uint8Array): X400Content {
  const head = new TextDecoder('latin1').decode(entityBytes.subarray(0, 64 * 1024));
  if (!/^[!-9;-~]+:/.test(head) || !/\r?\n\r?\n/.test(head) || !/^content-type\s*:/im.test(head))
    throw new SmimeBridgeError('INVALID_ARGUMENT', 'not a MIME entity (no header section with Content-Type)', { offset: 0 });
  return { content: canonicalCrlf(entityBytes), contentType: ID_DATA };
}
