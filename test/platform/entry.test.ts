/**
 * The Node entry point: `import 'smime-bridge'` in Node resolves through package.json
 * `exports["."].node` to dist/src/node.js, which installs the node:crypto platform; the plain
 * library entry (what browsers get) keeps the portable one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('the library entry alone keeps the portable platform', async () => {
  const lib = await import('../../src/index.js');
  assert.equal(lib.platform().name, 'portable');
});

test("import 'smime-bridge' in Node (exports condition \"node\") installs the node:crypto platform", async () => {
  const pkg = (await import('smime-bridge' as string)) as typeof import('../../src/node.js');
  assert.equal(pkg.platform().name, 'node');
  assert.equal(pkg.nodePlatform.name, 'node');
});
