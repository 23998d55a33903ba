/**
 * The one exit-code table of the `smime-bridge` command (issue 9 item 3, issue 10 item 1). Every
 * command maps the same failure to the same code; `help` and the README print this table.
 */

/** Exit codes. */
export const EXIT = {
  /** Success; for a verdict: every signature of every layer is `valid`. */
  OK: 0,
  /** Rejected: an input could not be read or used (missing, malformed, wrong key or password), or an output could not be written (exists without --force). */
  REJECTED: 1,
  /** Usage error: unknown command or option, missing or bad argument. */
  USAGE: 2,
  /** Internal error: a bug in smime-bridge (please report it with the input's shape). */
  INTERNAL: 3,
  /** Verdict `invalid`: a signature, digest, structure or policy check failed (forged, tampered, ambiguous). */
  INVALID: 10,
  /** Verdict `untrusted`: the signature holds, but no trust anchor was given or the path does not reach one. */
  UNTRUSTED: 11,
  /** Verdict `cannot-check`: an encrypted layer without a key, an unsupported algorithm, a detached signature without its content. */
  CANNOT_CHECK: 12,
  /** Verdict `unsigned`: the message carries no signature at all. */
  UNSIGNED: 13,
  /** Interrupted by SIGINT (Ctrl-C). */
  SIGINT: 130,
  /** Output pipe closed by the reader (as with SIGPIPE, e.g. `| head -1`). */
  PIPE: 141,
  /** Interrupted by SIGTERM. */
  SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table as `help` and the README show it. */
export const EXIT_TABLE = `exit codes (the same in every command):
   0  success; verify: every signature valid (signature, path to a trust anchor, usage, address)
   1  rejected: an input could not be read or used, or an output not written (the line names the code)
   2  usage error (unknown option, missing argument)
   3  internal error (a bug: please report it)
  10  invalid: a signature, digest, structure or policy check failed (forged, tampered, ambiguous)
  11  untrusted: the signature holds, but no --ca was given or the path does not reach one
  12  cannot-check: encrypted without a key, unsupported algorithm, detached signature without content
  13  unsigned: no signature found
 130  interrupted (SIGINT)   141  output pipe closed   143  terminated (SIGTERM)
several files: the most serious outcome decides, in this order: 10, 1, 12, 13, 11, 0`;

/** Severity order for runs over several files: the first listed code that occurred is the exit code. */
const SEVERITY: number[] = [EXIT.INTERNAL, EXIT.INVALID, EXIT.REJECTED, EXIT.CANNOT_CHECK, EXIT.UNSIGNED, EXIT.UNTRUSTED, EXIT.OK];

/** The exit code of a run over several inputs: the most serious one. */
export function worstExit(codes: Iterable<number>): number {
  let best = SEVERITY.length - 1;
  for (const c of codes) {
    const i = SEVERITY.indexOf(c);
    if (i >= 0 && i < best) best = i;
  }
  return SEVERITY[best]!;
}
