/** Usage errors (exit code 2) and the help text of the `smime-bridge` command. */

/** Thrown for wrong arguments; the CLI exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const HELP = `smime-bridge: carry S/MIME e-mail between .eml, Outlook .msg and X.400

usage:
  smime-bridge convert IN OUT [--strict]        convert by extension: .eml/.mbox, .msg, .json
  smime-bridge inspect FILE [--json]            S/MIME class, media type, CMS type, headers, attachments
  smime-bridge extract FILE DIR [--force]       body and real attachments (of the signed content) + smime.p7s
  smime-bridge demo [DIR]                       convert every sample in DIR (default samples/) and back
  smime-bridge help                             this text

exit codes: 0 success, 1 input rejected (the reason names the error code), 2 usage error
`;
