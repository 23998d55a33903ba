/**
 * Windows code pages for PT_STRING8 values in ANSI .msg files (MS-OXMSG 2.1.1.1, 2.1.3: the
 * strings are in the code page of PidTagInternetCodepage / PidTagMessageCodepage).
 *
 * The platform `TextDecoder` (WHATWG Encoding) decodes the common code pages; iconv-lite (pure
 * JavaScript) covers the DOS/OEM ones it lacks. A small table maps code page numbers to labels
 * (MS-OXCMAIL code page / charset correspondence as published for Windows).
 */
import { codePages } from '../mime/codepages.js';

const LABELS: Record<number, string> = {
  437: 'cp437', 708: 'iso-8859-6', 720: 'cp720', 737: 'cp737', 775: 'cp775', 850: 'cp850', 852: 'cp852',
  855: 'cp855', 857: 'cp857', 858: 'cp858', 860: 'cp860', 861: 'cp861', 862: 'cp862', 863: 'cp863', 864: 'cp864',
  865: 'cp865', 866: 'ibm866', 869: 'cp869', 874: 'windows-874', 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr',
  950: 'big5', 1200: 'utf-16le', 1201: 'utf-16be', 1250: 'windows-1250', 1251: 'windows-1251',
  1252: 'windows-1252', 1253: 'windows-1253', 1254: 'windows-1254', 1255: 'windows-1255', 1256: 'windows-1256',
  1257: 'windows-1257', 1258: 'windows-1258', 10000: 'macintosh', 10007: 'x-mac-cyrillic', 20127: 'us-ascii',
  20866: 'koi8-r', 21866: 'koi8-u', 28591: 'iso-8859-1', 28592: 'iso-8859-2', 28593: 'iso-8859-3',
  28594: 'iso-8859-4', 28595: 'iso-8859-5', 28596: 'iso-8859-6', 28597: 'iso-8859-7', 28598: 'iso-8859-8',
  28599: 'iso-8859-9', 28603: 'iso-8859-13', 28605: 'iso-8859-15', 38598: 'iso-8859-8-i', 50220: 'iso-2022-jp',
  50221: 'iso-2022-jp', 50222: 'iso-2022-jp', 51932: 'euc-jp', 51936: 'gb2312', 51949: 'euc-kr',
  52936: 'hz-gb-2312', 54936: 'gb18030', 65000: 'utf-7', 65001: 'utf-8',
};

/** The encoding label for a Windows code page, or undefined when unknown. */
export function codepageLabel(cp: number): string | undefined {
  return LABELS[cp];
}

const cache = new Map<string, TextDecoder | null>();
function decoderFor(label: string): TextDecoder | null {
  if (cache.has(label)) return cache.get(label)!;
  let d: TextDecoder | null = null;
  try {
    d = new TextDecoder(label, { fatal: false });
    if (d.encoding === 'replacement') d = null;
  } catch {
    d = null;
  }
  cache.set(label, d);
  return d;
}

/** True when the bytes decode as UTF-8 without errors. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decode `bytes` in Windows code page `cp`. Returns undefined when the code page is unknown to both
 * iconv-lite and TextDecoder (the caller falls back and warns). Never throws.
 *
 * iconv-lite comes first for everything but UTF-8: Node's TextDecoder decodes `windows-1252` as
 * ISO-8859-1 (0x80 becomes U+0080 instead of the euro sign), a known Node bug.
 */
export function decodeCodepage(bytes: Uint8Array, cp: number): string | undefined {
  const label = LABELS[cp] ?? `cp${cp}`;
  if (label === 'utf-8') return decoderFor('utf-8')!.decode(bytes);
  const iconvLabel = label === 'us-ascii' ? 'windows-1252' : label === 'x-mac-cyrillic' ? 'maccyrillic' : label;
  try {
    const pages = codePages();
    if (pages?.encodingExists(iconvLabel)) return pages.decode(bytes, iconvLabel);
  } catch {
    /* fall through */
  }
  const d = label === 'utf-7' ? null : decoderFor(label);
  return d ? d.decode(bytes) : undefined;
}
