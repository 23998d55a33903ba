/**
 * The .eml path on hostile input (issue 12): long header blocks, runs of spaces in a header value,
 * file names of dots, many boundaries, deep nesting, many recipients. Prints the time of
 * toMessage (+ writeMsg) per shape. Run: `npx tsc -p . && node dist/bench/hostile-eml.js`.
 */
import { toMessage } from '../src/smime/index.js';
import { writeMsg } from '../src/msg/index.js';

const b = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const shapes: Record<string, () => string> = {
  'spaces inside a header value (100 kB)': () => `Subject: a${' '.repeat(100_000)}b\r\n\r\nx`,
  'spaces at the end of a header value (100 kB)': () => `Subject: a${' '.repeat(100_000)}\r\n\r\nx`,
  'attachment name of dots (100 kB)': () => `Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream; name="a${'.'.repeat(100_000)}b"\r\n\r\nx\r\n--b--\r\n`,
  '20 000 header fields': () => Array.from({ length: 20_000 }, (_, i) => `X-H${i}: v${i}\r\n`).join('') + '\r\nbody',
  'one header folded 20 000 times': () => `Subject: s${'\r\n w'.repeat(20_000)}\r\n\r\nx`,
  '5 000 body parts': () => `Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(5000)}--b--\r\n`,
  '20 000 boundary-like lines': () => `Content-Type: multipart/mixed; boundary=bound\r\n\r\n--bound\r\n\r\n${'--boun\r\n'.repeat(20_000)}\r\n--bound--\r\n`,
  'nesting 60 deep': () => { let s = 'x'; for (let i = 0; i < 60; i++) s = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${s}\r\n--b${i}--\r\n`; return s; },
  '3 000 recipients': () => `To: ${Array.from({ length: 3000 }, (_, i) => `u${i}@example.org`).join(', ')}\r\n\r\nx`,
};
for (const [name, make] of Object.entries(shapes)) {
  const input = b(make());
  const t0 = performance.now();
  let note = '';
  try { writeMsg(toMessage(input).message); } catch (e) { note = ` (${(e as { code?: string }).code ?? (e as Error).name})`; }
  console.log(`${(performance.now() - t0).toFixed(0).padStart(7)} ms  ${name}${note}`);
}
