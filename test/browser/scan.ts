/**
 * A static check that core code stays browser-safe (house rule; issue 4 item 7): walks the
 * TypeScript syntax tree (the TypeScript compiler's own parser, so comments and strings that
 * merely mention `Buffer` or `require(` are not counted) of every file in the core folders and
 * lists each Node built-in import, `require(...)` call and `Buffer` reference with file:line:column.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { isNodeBuiltin } from './bundle.js';

/** The folders under src/ whose code must also run in browsers. */
export const CORE_FOLDERS = ['mime', 'mapi', 'oxcmail', 'smime', 'msg', 'cms', 'x400', 'secure', 'platform', 'formats'];

/**
 * The one core file allowed to use Node: the `node:crypto` / Buffer platform, installed only by the
 * Node entry point (src/node.ts). Everything else under src/platform must stay browser-safe.
 */
export const NODE_EXEMPT = ['platform/node.ts'];

/** Every .ts file under `dir`, recursively, sorted. */
export function tsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFilesUnder(p));
    else if (entry.isFile() && entry.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/** The Node-only constructs in one TypeScript source text, as `file:line:col what`. */
export function nodeOnlyUsages(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (n: ts.Node, what: string): void => {
    const { line, character } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    found.push(`${file}:${line + 1}:${character + 1} ${what}`);
  };
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)
      && isNodeBuiltin(n.moduleSpecifier.text)) {
      at(n, `imports Node built-in '${n.moduleSpecifier.text}'`);
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      at(n, 'uses import = require(...)');
    } else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require') {
      at(n, 'calls require(...)');
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = n.arguments[0];
      if (arg && ts.isStringLiteral(arg) && isNodeBuiltin(arg.text)) at(n, `imports Node built-in '${arg.text}' dynamically`);
    } else if (ts.isIdentifier(n) && n.text === 'Buffer'
      && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)
      && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) {
      at(n, 'uses Buffer');
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** Every Node-only construct in the core folders of `srcDir`. */
export function scanCore(srcDir: string): { files: number; offenders: string[] } {
  const exempt = new Set(NODE_EXEMPT.map((f) => join(srcDir, f)));
  const files = CORE_FOLDERS.flatMap((f) => tsFilesUnder(join(srcDir, f))).filter((f) => !exempt.has(f));
  return { files: files.length, offenders: files.flatMap((f) => nodeOnlyUsages(f, readFileSync(f, 'utf8'))) };
}
