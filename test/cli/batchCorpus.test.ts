/**
 * The batch command over the whole shared corpus (real mail from other projects): every message
 * converts, its S/MIME class is the one OpenSSL found (MANIFEST.json), and python3-olefile opens
 * every .msg written; the .msg outputs convert back to .eml in a second batch run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { runCli, readReport } from '../helpers/cli.js';
import { CORPUS_DIR, manifest } from '../helpers/corpus.js';
import { tempDir } from '../helpers/openssl.js';

const t = tempDir('smime-bridge-batch-corpus-');
after(() => t.cleanup());

interface Rec { input: string; index?: number; output?: string; status: string; smimeKind?: string; code?: string; reason?: string }

test('batch over the corpus: every message converts to .msg with the S/MIME class OpenSSL found; olefile opens every output', () => {
  const out = join(t.dir, 'msg');
  const reportPath = join(t.dir, 'report.jsonl');
  const r = runCli(['convert', CORPUS_DIR, '--out', out, '--to', 'msg', '--report', reportPath, '-q']);
  const report = readReport(reportPath) as { messages: Rec[] };
  // The one failure allowed: MANIFEST.json itself is JSON but no message object.
  const failed = report.messages.filter((m) => m.status === 'failed');
  assert.deepEqual(failed.map((m) => [relative(CORPUS_DIR, m.input), m.code]), [['MANIFEST.json', 'MAPI_JSON_INVALID']]);
  assert.equal(r.status, 1);

  const byInput = new Map(report.messages.map((m) => [relative(CORPUS_DIR, m.input), m]));
  let checked = 0;
  for (const e of manifest().entries) {
    if (!['.eml', '.msg', '.mbox'].includes(extname(e.path).toLowerCase())) continue;
    const rec = byInput.get(e.path);
    assert.ok(rec, `${e.path} is in the report`);
    assert.equal(rec.status, 'converted', `${e.path}: ${rec.code} ${rec.reason}`);
    assert.equal(rec.smimeKind, e.smimeClass, `${e.path}: S/MIME class`);
    checked++;
  }
  assert.ok(checked >= 150, `${checked} corpus messages checked`);

  // python3-olefile opens every output and finds the message class stream.
  const outputs = report.messages.filter((m) => m.status === 'converted').map((m) => m.output!);
  const py = spawnSync('/usr/bin/python3', ['-c', `
import sys, olefile
bad = []
for p in sys.stdin.read().split('\\n'):
    if not p: continue
    try:
        o = olefile.OleFileIO(p)
        if not o.exists('__substg1.0_001A001F'): bad.append(p + ': no PidTagMessageClass')
        o.close()
    except Exception as e:
        bad.append(p + ': ' + str(e))
print('\\n'.join(bad))
`], { input: outputs.join('\n'), encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), '', 'olefile opens every output');

  // And back: the .msg tree converts to .eml with the same classes.
  const back = join(t.dir, 'eml');
  const rb = runCli(['convert', out, '--out', back, '--to', 'eml', '-q', '--report', join(t.dir, 'back.jsonl')]);
  assert.equal(rb.status, 0, rb.stderr);
  assert.equal(rb.stdout, '', '-q prints nothing when nothing failed');
  const kinds = (p: string) => readReport<Rec, { converted: number; byKind: object }>(p).summary;
  assert.deepEqual([kinds(join(t.dir, 'back.jsonl')).converted, kinds(join(t.dir, 'back.jsonl')).byKind], [kinds(reportPath).converted, kinds(reportPath).byKind]);
  assert.equal((readdirSync(back, { recursive: true }) as string[]).filter((f) => f.endsWith('.eml')).length, outputs.length);
});
