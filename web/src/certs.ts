/**
 * Certificates described for an analyst (worker side): every certificate a signed layer carries
 * and every trust anchor the user added. Fields read with PKI.js, the library the CMS code uses.
 */
import * as pkijs from 'pkijs';
import { decodeBody } from '../../src/mime/encoding.js';
import { parseMime } from '../../src/mime/parse.js';
import type { MimeEntity } from '../../src/mime/types.js';
import { summarize } from '../../src/cms/path/summary.js';
import type { OpenedMessage } from '../../src/secure/index.js';
import type { CertView } from './protocol.js';

/** Describe one certificate: the summary path validation gives (src/cms/path/summary.ts), and where it came from. */
export async function describeCert(c: pkijs.Certificate, source: string): Promise<CertView> {
  return { ...(await summarize(c, false)), source };
}

function certsInSignedData(der: Uint8Array): pkijs.Certificate[] {
  const ci = pkijs.ContentInfo.fromBER(der as Uint8Array<ArrayBuffer>);
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

/**
 * The certificates of every signed layer, walking the layers as openMessage did (RFC 8551 3.5
 * clear-signed: the second part; 3.2 opaque: the entity's body), each tagged with its layer.
 */
export async function layerCertificates(message: Uint8Array, opened: OpenedMessage): Promise<CertView[]> {
  const out: Array<{ cert: pkijs.Certificate; source: string }> = [];
  let current: MimeEntity | undefined = parseMime(message).root;
  opened.layers.forEach((l, i) => {
    if (!current) return;
    let next: Uint8Array | undefined;
    try {
      if (l.kind === 'clear-signed') {
        const sig = current.children[1];
        const first = current.children[0];
        if (sig) out.push(...certsInSignedData(decodeBody(sig)).map((cert) => ({ cert, source: `layer ${i + 1}` })));
        next = first ? first.source.subarray(first.range.start, first.range.end) : undefined;
      } else {
        if (l.kind === 'opaque-signed' || l.kind === 'certs-only') out.push(...certsInSignedData(decodeBody(current)).map((cert) => ({ cert, source: `layer ${i + 1}` })));
        next = l.innerContent;
      }
    } catch { /* the layer's own error is in the verdict */ }
    current = next ? parseMime(next).root : undefined;
  });
  return Promise.all(out.map((x) => describeCert(x.cert, x.source)));
}
