// RFC 5322 3.4 address lists and 3.3 / 4.3 dates; python3's email.utils judges our output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { parseAddressList, formatMailbox, parseDate, formatDate } from '../../src/mime/index.js';

function py(code: string, input: string): string {
  return execFileSync('/usr/bin/python3', ['-c', code], { input, encoding: 'utf8' });
}

test('RFC 5322 3.4: display names quoted or plain, bare addresses, angle addresses', () => {
  assert.deepEqual(parseAddressList('"Doe, John" <john@example.com>, Jane Roe <jane@example.org>, bare@example.net'), [
    { name: 'Doe, John', address: 'john@example.com' },
    { name: 'Jane Roe', address: 'jane@example.org' },
    { address: 'bare@example.net' },
  ]);
  assert.deepEqual(parseAddressList('<only@x.y>'), [{ address: 'only@x.y' }]);
});

test('RFC 5322 3.4: groups name their members; empty groups yield nothing', () => {
  assert.deepEqual(parseAddressList('Team: a@x.y, B <b@x.y>;, c@x.y, undisclosed-recipients:;'), [
    { address: 'a@x.y', group: 'Team' },
    { name: 'B', address: 'b@x.y', group: 'Team' },
    { address: 'c@x.y' },
  ]);
});

test('RFC 5322 3.2.2 comments, 4.4 obsolete routes, RFC 2047 display names', () => {
  assert.deepEqual(parseAddressList('pete@silly.test (Pete Old Style)'), [{ name: 'Pete Old Style', address: 'pete@silly.test' }]);
  assert.deepEqual(parseAddressList('Route <@relay1,@relay2:joe@where.test>'), [{ name: 'Route', address: 'joe@where.test' }]);
  assert.deepEqual(parseAddressList('=?utf-8?Q?J=C3=BCrgen?= <j@x.de>'), [{ name: 'Jürgen', address: 'j@x.de' }]);
  assert.deepEqual(parseAddressList('"=?iso-8859-1?Q?Ren=E9?=" <r@x.fr>'), [{ name: 'René', address: 'r@x.fr' }]);
  assert.deepEqual(parseAddressList('"quoted local"@x.y'), [{ address: '"quoted local"@x.y' }]);
});

test('address lists: garbage never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 120 }), (s) => {
      const r = parseAddressList(s);
      assert.ok(Array.isArray(r));
    }),
  );
  assert.deepEqual(parseAddressList(''), []);
  assert.ok(Array.isArray(parseAddressList('<<<,,,;;;:::"unterminated (comment')));
});

test('formatMailbox output is read back by python3 email.utils.getaddresses', () => {
  const boxes = [
    { name: 'Doe, John', address: 'john@example.com' },
    { name: 'Jürgen Groß', address: 'j@x.de' },
    { name: 'Plain Name', address: 'p@x.y' },
    { address: 'bare@x.y' },
    { name: 'Quote "me"', address: 'q@x.y' },
  ];
  const line = boxes.map(formatMailbox).join(', ');
  const out = py(
    'import sys,json; from email.utils import getaddresses; from email.header import decode_header, make_header\n' +
      'r=[(str(make_header(decode_header(n))) if n else "",a) for n,a in getaddresses([sys.stdin.read()])]\n' +
      'print(json.dumps(r))',
    line,
  );
  assert.deepEqual(JSON.parse(out), boxes.map((b) => [b.name ?? '', b.address]));
  assert.deepEqual(parseAddressList(line), boxes);
});

test('RFC 5322 3.3: dates with zones, without seconds, with comments', () => {
  assert.equal(parseDate('Mon, 23 Nov 2026 18:05:26 +0000')?.toISOString(), '2026-11-23T18:05:26.000Z');
  assert.equal(parseDate('23 Nov 2026 20:05 +0200')?.toISOString(), '2026-11-23T18:05:00.000Z');
  assert.equal(parseDate('Tue, 27 Feb 2007 00:12:10 +0100 (CET)')?.toISOString(), '2007-02-26T23:12:10.000Z');
});

test('RFC 5322 4.3: obsolete zones, two-digit years, military zones', () => {
  assert.equal(parseDate('Fri, 21 Nov 97 09:55:06 GMT')?.toISOString(), '1997-11-21T09:55:06.000Z');
  assert.equal(parseDate('21 Nov 03 09:55:06 EST')?.toISOString(), '2003-11-21T14:55:06.000Z');
  assert.equal(parseDate('1 Jan 2000 00:00:00 PDT')?.toISOString(), '2000-01-01T07:00:00.000Z');
  assert.equal(parseDate('1 Jan 2000 00:00:00 A')?.toISOString(), '2000-01-01T00:00:00.000Z');
});

test('dates: junk yields undefined, never a throw', () => {
  assert.equal(parseDate('not a date'), undefined);
  assert.equal(parseDate('31 Feb 2020 10:00:00 +0000'), undefined);
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => void parseDate(s)));
});

test('formatDate: RFC 5322 form, read identically by python3 email.utils', () => {
  const d = new Date(Date.UTC(2026, 10, 23, 18, 5, 26));
  assert.equal(formatDate(d), 'Mon, 23 Nov 2026 18:05:26 +0000');
  const dates = [d, new Date(0), new Date(Date.UTC(1999, 0, 1, 23, 59, 59)), new Date(Date.UTC(2030, 5, 9, 1, 2, 3))];
  const out = py(
    'import sys; from email.utils import parsedate_to_datetime\nfor l in sys.stdin.read().splitlines(): print(int(parsedate_to_datetime(l).timestamp()))',
    dates.map(formatDate).join('\n'),
  );
  assert.deepEqual(out.trim().split('\n').map(Number), dates.map((x) => x.getTime() / 1000));
  for (const x of dates) assert.equal(parseDate(formatDate(x))?.getTime(), x.getTime());
});

test('dates: ISO 8601 accepted as a fallback, zone-less read as UTC', () => {
  assert.equal(parseDate('2026-11-23T18:05:26Z')?.toISOString(), '2026-11-23T18:05:26.000Z');
  assert.equal(parseDate('2026-11-23 18:05')?.toISOString(), '2026-11-23T18:05:00.000Z');
  assert.equal(parseDate('2026-11-23T20:05:26+02:00')?.toISOString(), '2026-11-23T18:05:26.000Z');
});

test('address lists: a bare local name without @ is kept as the address', () => {
  assert.deepEqual(parseAddressList('postmaster, Jane <jane@x.y>'), [{ address: 'postmaster' }, { name: 'Jane', address: 'jane@x.y' }]);
});
