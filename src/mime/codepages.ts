/**
 * iconv-lite (pure JavaScript code pages: UTF-7, DOS and Mac code pages, ~500 kB minified of
 * tables) loaded on demand instead of at import (issue 14 item 4), so a page that never meets an
 * old charset never downloads it. The platform `TextDecoder` decodes every WHATWG encoding
 * without it.
 *
 * - In Node (20.16+, `process.getBuiltinModule`) the first caller loads it synchronously.
 * - Elsewhere (browsers) it is absent until {@link loadCodePages} has resolved (a dynamic import:
 *   bundlers put it in its own chunk); until then labels only iconv-lite knows decode as latin1
 *   with `MIME_CHARSET_UNKNOWN`, as any unknown label does.
 */

/** The three iconv-lite functions the library uses. */
export interface CodePages {
  decode(bytes: Uint8Array, label: string): string;
  encode(text: string, label: string): Uint8Array;
  encodingExists(label: string): boolean;
}

let lib: CodePages | undefined;
let pending: Promise<void> | undefined;

type GetBuiltin = (id: string) => { createRequire(url: string): (id: string) => unknown };

/** iconv-lite when loaded (or loadable synchronously, in Node); `undefined` otherwise. */
export function codePages(): CodePages | undefined {
  if (lib) return lib;
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule;
  if (typeof getBuiltin === 'function') {
    try {
      lib = getBuiltin('module').createRequire(import.meta.url)('iconv-lite') as CodePages;
    } catch { /* not resolvable from here (e.g. a bundle without node_modules): loadCodePages() */ }
  }
  return lib;
}

/** Load the code pages (dynamic import of iconv-lite); resolves once {@link codePages} has them. Idempotent. */
export function loadCodePages(): Promise<void> {
  if (lib) return Promise.resolve();
  pending ??= import('iconv-lite').then((m) => {
    lib ??= ((m as { default?: CodePages }).default ?? m) as CodePages;
  });
  return pending;
}
