/**
 * Every input the fuzz campaign found (minimized), replayed through its harness with the
 * harness's oracle (fuzz/targets/): only SmimeBridgeError may escape, an accepted message
 * writes and reads back equal, signed bytes stay identical. The inputs live in
 * test/fuzz/inputs/<target>/; `npm run fuzz -- --replay FILE --target NAME` replays one under
 * the time and memory budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { targets } from '../../fuzz/targets/index.js';
import { isSmimeBridgeError } from '../../src/errors.js';

const root = new URL('../../../test/fuzz/inputs/', import.meta.url).pathname;

for (const t of targets) {
  const dir = join(root, t.name);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.bin')).sort()) {
    test(`fuzz regression ${t.name}/${f}: only SmimeBridgeError, and the harness's invariants hold`, async () => {
      await t.setup?.();
      const input = new Uint8Array(readFileSync(join(dir, f)));
      try {
        await t.run(input);
      } catch (e) {
        assert.ok(isSmimeBridgeError(e), `${(e as Error).name}: ${(e as Error).message}`);
      }
    });
  }
}

test('every fuzz target has a seed corpus and a dictionary or a generator', async () => {
  for (const t of targets) {
    const seeds = await t.seeds();
    assert.ok(seeds.length > 0, `${t.name} has no seeds`);
    assert.ok(t.dictionary.length > 0 || t.generator, `${t.name} has neither dictionary nor generator`);
  }
});
