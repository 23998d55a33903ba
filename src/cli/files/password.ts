/**
 * Where a password comes from (issue 9 item 3): `--password-file FILE` (its first line),
 * `--password-env VAR`, `--password PW` (visible to other users: `ps`), or, when none is given
 * and a terminal is attached, a prompt that does not echo. Without any and without a terminal,
 * no password (empty) is tried.
 */
import { readFile } from 'node:fs/promises';
import { SmimeBridgeError } from '../../errors.js';
import { errnoText } from '../output.js';
import type { KeyValues } from '../options.js';

/** The password the options name, or from a prompt on a terminal; undefined when none. */
export async function resolvePassword(o: KeyValues, what: string, usage: (m: string) => Error, prefix = ''): Promise<string | undefined> {
  const given = [o.password !== undefined, o.passwordFile !== undefined, o.passwordEnv !== undefined].filter(Boolean).length;
  if (given > 1) throw usage(`give only one of --${prefix}password, --${prefix}password-file, --${prefix}password-env`);
  if (o.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(o.passwordFile, 'utf8');
    } catch (e) {
      throw new SmimeBridgeError('IO_ERROR', `cannot read password file ${o.passwordFile}: ${errnoText(e)}`);
    }
    return text.split(/\r?\n/)[0]!;
  }
  if (o.passwordEnv !== undefined) {
    const v = process.env[o.passwordEnv];
    if (v === undefined) throw usage(`environment variable ${o.passwordEnv} (--${prefix}password-env) is not set`);
    return v;
  }
  if (o.password !== undefined) return o.password;
  if (process.stdin.isTTY && process.stderr.isTTY) return prompt(`password for ${what}: `);
  return undefined;
}

/** Ask on the terminal without echo. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let value = '';
    stdin.setRawMode(true); // echo off before the question shows, so nothing typed is ever echoed
    process.stderr.write(question);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new SmimeBridgeError('INVALID_ARGUMENT', 'password prompt interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
