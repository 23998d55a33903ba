/**
 * Charset <-> Windows code page (PidTagInternetCodepage, MS-OXCMAIL 2.2.3.3.2.1 / 2.1.3.3) and
 * language tag <-> LCID (PidTagMessageLocaleId, MS-OXCMAIL 2.2.3.2.10; LCIDs from MS-LCID).
 *
 * Small hand-written tables: only the labels mail actually uses; anything else is transcoded to
 * UTF-8 by the caller.
 */
import { normalizeCharset } from '../mime/index.js';

const CHARSET_TO_CP: Record<string, number> = {
  'utf-8': 65001, utf8: 65001, 'utf-7': 65000, 'us-ascii': 20127, ascii: 20127,
  'iso-8859-1': 28591, latin1: 28591, 'iso-8859-2': 28592, 'iso-8859-3': 28593, 'iso-8859-4': 28594,
  'iso-8859-5': 28595, 'iso-8859-6': 28596, 'iso-8859-7': 28597, 'iso-8859-8': 28598, 'iso-8859-8-i': 38598,
  'iso-8859-9': 28599, 'iso-8859-13': 28603, 'iso-8859-15': 28605,
  'windows-1250': 1250, 'windows-1251': 1251, 'windows-1252': 1252, 'windows-1253': 1253, 'windows-1254': 1254,
  'windows-1255': 1255, 'windows-1256': 1256, 'windows-1257': 1257, 'windows-1258': 1258,
  'cp1250': 1250, 'cp1251': 1251, 'cp1252': 1252, 'cp1253': 1253, 'cp1254': 1254, 'cp1255': 1255, 'cp1256': 1256,
  'cp1257': 1257, 'cp1258': 1258, 'windows-874': 874, 'tis-620': 874,
  'koi8-r': 20866, 'koi8-u': 21866, 'iso-2022-jp': 50220, 'shift_jis': 932, 'shift-jis': 932, 'sjis': 932,
  'euc-jp': 51932, 'euc-kr': 51949, 'ks_c_5601-1987': 949, 'gb2312': 936, 'gbk': 936, 'gb18030': 54936,
  'big5': 950, 'hz-gb-2312': 52936, 'utf-16': 1200, 'utf-16le': 1200, 'utf-16be': 1201,
};

const CP_TO_CHARSET: Record<number, string> = {
  65001: 'utf-8', 65000: 'utf-7', 20127: 'us-ascii', 28591: 'iso-8859-1', 28592: 'iso-8859-2', 28593: 'iso-8859-3',
  28594: 'iso-8859-4', 28595: 'iso-8859-5', 28596: 'iso-8859-6', 28597: 'iso-8859-7', 28598: 'iso-8859-8',
  38598: 'iso-8859-8-i', 28599: 'iso-8859-9', 28603: 'iso-8859-13', 28605: 'iso-8859-15',
  1250: 'windows-1250', 1251: 'windows-1251', 1252: 'windows-1252', 1253: 'windows-1253', 1254: 'windows-1254',
  1255: 'windows-1255', 1256: 'windows-1256', 1257: 'windows-1257', 1258: 'windows-1258', 874: 'windows-874',
  20866: 'koi8-r', 21866: 'koi8-u', 50220: 'iso-2022-jp', 50221: 'iso-2022-jp', 50222: 'iso-2022-jp', 932: 'shift_jis',
  51932: 'euc-jp', 51949: 'euc-kr', 949: 'ks_c_5601-1987', 936: 'gb2312', 54936: 'gb18030', 950: 'big5',
  52936: 'hz-gb-2312', 1200: 'utf-16le', 1201: 'utf-16be',
};

/** Windows code page of a MIME charset label (`utf-8` -> 65001), or undefined when not in the table. */
export function charsetToCodepage(charset: string): number | undefined {
  return CHARSET_TO_CP[normalizeCharset(charset)];
}

/** MIME charset label of a Windows code page (65001 -> `utf-8`), or undefined when not in the table. */
export function codepageToCharset(cp: number): string | undefined {
  return CP_TO_CHARSET[cp];
}

const LANG_TO_LCID: Record<string, number> = {
  'ar-sa': 0x0401, 'bg-bg': 0x0402, 'ca-es': 0x0403, 'zh-tw': 0x0404, 'cs-cz': 0x0405, 'da-dk': 0x0406,
  'de-de': 0x0407, 'el-gr': 0x0408, 'en-us': 0x0409, 'es-es': 0x0c0a, 'fi-fi': 0x040b, 'fr-fr': 0x040c,
  'he-il': 0x040d, 'hu-hu': 0x040e, 'is-is': 0x040f, 'it-it': 0x0410, 'ja-jp': 0x0411, 'ko-kr': 0x0412,
  'nl-nl': 0x0413, 'nb-no': 0x0414, 'pl-pl': 0x0415, 'pt-br': 0x0416, 'ro-ro': 0x0418, 'ru-ru': 0x0419,
  'hr-hr': 0x041a, 'sk-sk': 0x041b, 'sv-se': 0x041d, 'th-th': 0x041e, 'tr-tr': 0x041f, 'uk-ua': 0x0422,
  'sl-si': 0x0424, 'et-ee': 0x0425, 'lv-lv': 0x0426, 'lt-lt': 0x0427, 'vi-vn': 0x042a, 'zh-cn': 0x0804,
  'de-ch': 0x0807, 'en-gb': 0x0809, 'es-mx': 0x080a, 'fr-be': 0x080c, 'it-ch': 0x0810, 'nl-be': 0x0813,
  'pt-pt': 0x0816, 'sr-latn-rs': 0x241a, 'de-at': 0x0c07, 'en-au': 0x0c09, 'fr-ca': 0x0c0c, 'en-ca': 0x1009,
  'fr-ch': 0x100c, 'en-nz': 0x1409, 'en-ie': 0x1809, 'zh-hk': 0x0c04, 'en-in': 0x4009,
};
/** Bare language -> its primary region. */
const LANG_DEFAULT: Record<string, string> = {
  ar: 'ar-sa', bg: 'bg-bg', ca: 'ca-es', cs: 'cs-cz', da: 'da-dk', de: 'de-de', el: 'el-gr', en: 'en-us',
  es: 'es-es', fi: 'fi-fi', fr: 'fr-fr', he: 'he-il', hu: 'hu-hu', is: 'is-is', it: 'it-it', ja: 'ja-jp',
  ko: 'ko-kr', nl: 'nl-nl', nb: 'nb-no', no: 'nb-no', pl: 'pl-pl', pt: 'pt-br', ro: 'ro-ro', ru: 'ru-ru',
  hr: 'hr-hr', sk: 'sk-sk', sv: 'sv-se', th: 'th-th', tr: 'tr-tr', uk: 'uk-ua', sl: 'sl-si', et: 'et-ee',
  lv: 'lv-lv', lt: 'lt-lt', vi: 'vi-vn', zh: 'zh-cn',
};

/** LCID of the first language tag of a Content-Language value (`de-DE, en` -> 0x0407), or undefined. */
export function languageToLcid(value: string): number | undefined {
  const first = value.split(',')[0]!.trim().toLowerCase().replace(/_/g, '-');
  if (!first) return undefined;
  return LANG_TO_LCID[first] ?? LANG_TO_LCID[LANG_DEFAULT[first.split('-')[0]!] ?? ''];
}

/** Language tag of an LCID (0x0409 -> `en-US`), or undefined when not in the table. */
export function lcidToLanguage(lcid: number): string | undefined {
  for (const [tag, id] of Object.entries(LANG_TO_LCID)) {
    if (id === lcid) {
      const parts = tag.split('-');
      return parts.map((p, i) => (i === 0 ? p : p.length === 2 ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1))).join('-');
    }
  }
  return undefined;
}
