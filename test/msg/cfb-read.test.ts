/**
 * The allocation-light CFB reader (src/msg/cfb-read.ts) against python3-olefile: every stream of
 * every corpus .msg (Outlook files, many with fragmented chains) must read back byte for byte,
 * whether it comes back as a view (contiguous sectors) or as a copy (fragmented chain). Also the
 * UTF-16LE decoder's fast path and its fallback for unpaired surrogates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CfbReader, type CfbEntry } from '../../src/msg/cfb-read.js';
import { Diagnostics } from '../../src/errors.js';
import { toUtf16le, utf16le } from '../../src/msg/layout.js';
import { CORPUS, corpusBytes, msgEntries } from './helpers.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('MS-CFB 2.3 / 2.4: every stream of every corpus .msg reads the same bytes as python3-olefile (views and copies)', () => {
  const files = msgEntries().map((e) => e.path);
  const py = spawnSync('/usr/bin/python3', ['-c', `
import olefile, json, sys, hashlib
out = {}
for f in sys.argv[1:]:
    try:
        o = olefile.OleFileIO(f)
        out[f] = {'/'.join(p): hashlib.sha256(o.openstream(p).read()).hexdigest() for p in o.listdir(streams=True, storages=False)}
    except Exception as e:
        out[f] = None
print(json.dumps(out))
`, ...files.map((f) => join(CORPUS, f))], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  const ole = JSON.parse(py.stdout) as Record<string, Record<string, string> | null>;
  let compared = 0;
  let views = 0;
  let copies = 0;
  for (const f of files) {
    const expected = ole[join(CORPUS, f)];
    if (!expected) continue; // olefile rejects it: nothing to compare with
    const bytes = corpusBytes(f);
    let cfb: CfbReader;
    try {
      cfb = new CfbReader(bytes, new Diagnostics(true));
    } catch {
      continue; // damaged on purpose (hostile corpus files); covered by hostile.test.ts
    }
    const walk = (e: CfbEntry) => {
      for (const c of e.children.values()) {
        if (c.type === 1) { walk(c); continue; }
        const data = cfb.read(c);
        assert.equal(sha256(data), expected[c.path], `${f}: ${c.path}`);
        if (data.length > 0 && data.buffer === bytes.buffer) views++;
        else if (data.length > 0) copies++;
        compared++;
      }
    };
    try {
      walk(cfb.root);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
      // a broken chain in a damaged file: strict mode throws, olefile may still read it
    }
  }
  assert.ok(compared > 1000, `only ${compared} streams compared`);
  assert.ok(views > 0 && copies > 0, `views ${views}, copies ${copies}: both paths must be exercised`);
});

test('UTF-16LE strings: trailing NULs dropped, unpaired surrogates kept (TextDecoder fallback)', () => {
  const s = 'Subject \u00e9\u4e2d \ud83d\ude00';
  assert.equal(utf16le(toUtf16le(s)), s);
  const withNul = new Uint8Array(toUtf16le(s).length + 4);
  withNul.set(toUtf16le(s));
  assert.equal(utf16le(withNul), s);
  const lone = 'a\ud800b\udc00';
  assert.equal(utf16le(toUtf16le(lone)), lone);
  assert.equal(utf16le(toUtf16le('real \ufffd kept')), 'real \ufffd kept');
  assert.equal(utf16le(Uint8Array.of(0x41, 0x00, 0x42)), 'A'); // odd trailing byte ignored
});
