/**
 * Attachment file names (MS-OXCMAIL 2.2.3.4.1.1): sanitising, splitting into base and extension,
 * and the 8.3 short name for PidTagAttachFilename. Hand-written: a few string rules.
 */
import { isWhitespaceOrDot, trimEndWhere, trimStartWhere, trimWhere } from '../trim.js';


/** The file-name properties of one attachment. */
export interface AttachmentNames {
  /** PidTagAttachLongFilename: `<base>.<ext>`. */
  longFilename: string;
  /** PidTagAttachFilename: an 8.3 form (`~1` when shortened). */
  filename: string;
  /** PidTagAttachExtension: `.<ext>`, or `''` when there is none. */
  extension: string;
}

/**
 * Remove control characters and `" / : < > | \` (MS-OXCMAIL 2.2.3.4.1.1; `*` and `?` too, which
 * Windows forbids in file names) and trim spaces and dots at both ends.
 */
export function sanitizeFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\x00-\x1f\x7f"/:<>|\\*?]/g, '');
  return trimWhere(cleaned, isWhitespaceOrDot);
}

/** Split `report.final.PDF` into `report.final` and `PDF`; names without a dot have no extension. */
export function splitExtension(name: string): { base: string; ext: string } {
  const i = name.lastIndexOf('.');
  if (i <= 0 || i === name.length - 1) return { base: name, ext: '' };
  return { base: trimEndWhere(name.slice(0, i), isWhitespaceOrDot), ext: trimStartWhere(name.slice(i + 1), isWhitespaceOrDot) };
}

const SHORT_OK = /^[A-Za-z0-9!#$%&'()@^_`{}~-]+$/;

/** The 8.3 short name of a long file name: unchanged when it already fits, else `BASE6~1.EXT`. */
export function shortFilename(base: string, ext: string): string {
  if (base.length <= 8 && ext.length <= 3 && SHORT_OK.test(base) && (ext === '' || SHORT_OK.test(ext))) {
    return ext ? `${base}.${ext}` : base;
  }
  const clean = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9!#$%&'()@^_`{}~-]/g, '');
  const b = (clean(base) || 'ATT').slice(0, 6);
  const e = clean(ext).slice(0, 3);
  return e ? `${b}~1.${e}` : `${b}~1`;
}

/** All file-name properties for a raw (unsanitised) name; undefined when nothing is left after sanitising. */
export function attachmentNames(raw: string): AttachmentNames | undefined {
  const clean = sanitizeFilename(raw);
  if (!clean) return undefined;
  const { base, ext } = splitExtension(clean);
  const longFilename = ext ? `${base}.${ext}` : base;
  return { longFilename, filename: shortFilename(base, ext), extension: ext ? `.${ext}` : '' };
}
