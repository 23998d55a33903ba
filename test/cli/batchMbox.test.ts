/**
 * The mbox reader of the batch command (RFC 4155): split while streaming in chunks of any size,
 * un-quote `>From ` lines (mboxrd), skip oversize messages without holding them, report text
 * before the first `From ` line; and the output names of batch items.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { mboxMessageContent, readMbox, type MboxItem } from '../../src/cli/files/mbox.js';
import { mboxOutputPathFor, outputPathFor, tempPathFor } from '../../src/cli/batch/plan.js';
import { convertJob } from '../../src/cli/batch/convert.js';
import { readdirSync } from 'node:fs';
import { tempDir } from '../helpers/openssl.js';

const t = tempDir('smime-bridge-mbox-');
after(() => t.cleanup());
const enc = new TextEncoder();
const dec = new TextDecoder();

/** An mboxrd writer for the test (RFC 4155 Appendix A): From line, quoted body, empty line. */
function writeMbox(messages: string[]): Uint8Array {
  return enc.encode(messages.map((m) => `From sender@example.org Mon Nov 23 10:00:00 2026\n${m.replace(/^(>*From )/gm, '>$1')}\n`).join(''));
}

async function collect(path: string, opts: Parameters<typeof readMbox>[1]): Promise<MboxItem[]> {
  const out: MboxItem[] = [];
  for await (const m of readMbox(path, opts)) out.push(m);
  return out;
}

let fileNo = 0;
const file = (bytes: Uint8Array | string) => t.file(`m${++fileNo}.mbox`, bytes);

const line = fc.oneof(
  fc.constantFrom('From here', '>From there', '>>From x', 'From', 'Fro', ' From y', '', 'Subject: s', '>', 'From '),
  fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
);
const message = fc.tuple(fc.array(line, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, eol]) => lines.map((l) => l + eol).join(''));

test('RFC 4155: every message comes back as written, whatever the chunk size (From lines un-quoted, separator line dropped)', async () => {
  await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 64 }), async (msgs, chunk) => {
    const path = file(writeMbox(msgs));
    const items = await collect(path, { chunkBytes: chunk });
    assert.deepEqual(items.map((i) => dec.decode(mboxMessageContent(i.bytes!))), msgs);
    assert.deepEqual(items.map((i) => i.index), msgs.map((_, k) => k + 1));
  }), { numRuns: 150 });
});

test('offsets and sizes of the entries tile the file', async () => {
  const bytes = writeMbox(['a\n', 'b\nFrom c\n', 'd\r\n']);
  const items = await collect(file(bytes), { chunkBytes: 7 });
  assert.deepEqual(items.map((i) => [i.offset, i.size]), [[0, 52], [52, 60], [112, 53]]);
  assert.equal(items.reduce((n, i) => n + i.size, 0), bytes.length);
});

test('a message larger than maxMessageBytes is reported without its bytes; the messages around it are intact', async () => {
  const big = `Subject: big\n\n${'x'.repeat(5000)}\n`;
  const bytes = writeMbox(['Subject: 1\n\none\n', big, 'Subject: 3\n\nthree\n']);
  const items = await collect(file(bytes), { chunkBytes: 100, maxMessageBytes: 1000 });
  assert.equal(items.length, 3);
  assert.equal(dec.decode(mboxMessageContent(items[0]!.bytes!)), 'Subject: 1\n\none\n');
  assert.equal(items[1]!.bytes, undefined);
  assert.equal(items[1]!.index, 2);
  assert.equal(items[1]!.offset, items[0]!.size);
  assert.equal(items[1]!.size, 49 + big.length + 1);
  assert.equal(dec.decode(mboxMessageContent(items[2]!.bytes!)), 'Subject: 3\n\nthree\n');
});

test('the size limit: entries over maxMessageBytes come without bytes, the others intact, for any chunk size', async () => {
  await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 60, max: 160 }),
    async (msgs, chunk, max) => {
      const items = await collect(file(writeMbox(msgs)), { chunkBytes: chunk, maxMessageBytes: max });
      assert.deepEqual(items.map((i) => i.index), msgs.map((_, k) => k + 1));
      items.forEach((it, k) => {
        const size = enc.encode(`From sender@example.org Mon Nov 23 10:00:00 2026\n${msgs[k]!.replace(/^(>*From )/gm, '>$1')}\n`).length;
        assert.equal(it.size, size);
        if (size > max) assert.equal(it.bytes, undefined);
        if (size + 6 <= max) assert.equal(dec.decode(mboxMessageContent(it.bytes!)), msgs[k]);
      });
    }), { numRuns: 150 });
});

test('RFC 4155 section 2: text before the first From line is reported as a preamble, blank lines are not, a header block is a message', async () => {
  let items = await collect(file(`junk line\n${dec.decode(writeMbox(['a\n']))}`), {});
  assert.deepEqual(items.map((i) => [i.index, i.preamble ?? false]), [[0, true], [1, false]]);
  // A file that starts with a header field is one message without its From line (as KDE's test data is saved).
  items = await collect(file(`Subject: x\r\n\r\nbody\r\n${dec.decode(writeMbox(['a\n']))}`), {});
  assert.deepEqual(items.map((i) => [i.index, dec.decode(mboxMessageContent(i.bytes!))]), [[1, 'Subject: x\r\n\r\nbody\r\n'], [2, 'a\n']]);
  items = await collect(file(`\n\n${dec.decode(writeMbox(['a\n']))}`), {});
  assert.deepEqual(items.map((i) => i.index), [1]);
  items = await collect(file(''), {});
  assert.deepEqual(items, []);
});

test('output names mirror the relative input path; mbox message N becomes <mbox name>/00000N', () => {
  assert.equal(outputPathFor('out', join('a', 'b.eml'), 'msg'), join('out', 'a', 'b.msg'));
  assert.equal(outputPathFor('out', join('a', 'b.eml'), 'msg', true), join('out', 'a', 'b.eml.msg'));
  assert.equal(mboxOutputPathFor('out', join('x', 'box.mbox'), 17, 'eml'), join('out', 'x', 'box', '000017.eml'));
  assert.equal(mboxOutputPathFor('out', 'box.mbox', 1234567, 'json'), join('out', 'box', '1234567.json'));
  assert.match(tempPathFor(join('out', 'a.msg'), 3), /^out[/\\]\.a\.msg\.\d+-3\.tmp$/);
});

test('a message that fails to convert leaves neither an output nor a temporary file', async () => {
  const dir = join(t.dir, 'job');
  const out = join(dir, 'bad.msg');
  const r = await convertJob({
    id: 1, mboxEntry: enc.encode('From x\nFrom: a@example.org\nSubj'), formatName: 'e.eml', out, tmp: tempPathFor(out, 1),
    to: 'msg', strict: true, force: false, maxInputBytes: 1 << 20,
  });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.code, 'MIME_HEADER_MALFORMED');
  let listing: string[] = [];
  try { listing = readdirSync(dir); } catch { /* not even created */ }
  assert.deepEqual(listing, []);
});
