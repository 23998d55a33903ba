/** Usage errors (exit code 2) and the help text of the `smime-bridge` command. */

/** Thrown for wrong arguments; the CLI exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const HELP = `smime-bridge: carry S/MIME e-mail between .eml, Outlook .msg and X.400

usage:
  smime-bridge convert IN OUT [--strict]        convert by extension: .eml/.mbox, .msg, .json
  smime-bridge convert INPUT... --out DIR --to msg|eml|json [--force] [--jobs N] [--report F.json]
                                                batch: files, folders, mbox files; every core (convert --help)
  smime-bridge inspect FILE [--json]            S/MIME class, media type, CMS type, headers, attachments
  smime-bridge extract FILE DIR [--force] [--key PEM|--p12 F --password PW]
                                                body and real attachments (of the signed or decrypted content) + smime.p7s
  smime-bridge verify FILE [--ca PEM|DIR]... [--json] [--key PEM|--p12 F --password PW]
                                                every signature of every layer; exit 0 valid, 1 not valid, 2 error
  smime-bridge decrypt FILE (--key PEM [--cert PEM] | --p12 FILE --password PW) -o OUT.eml|OUT.msg
  smime-bridge sign FILE (--key PEM --cert PEM | --p12 F --password PW) [--opaque] [--digest sha256]
                    [--encrypt CERT]... -o OUT.eml|OUT.msg
  smime-bridge encrypt FILE --cert PEM... [--cipher aes-256-cbc|aes-128-cbc|aes-256-gcm]
                    [--key-transport oaep|pkcs1] -o OUT.eml|OUT.msg
  smime-bridge unwrap FILE [--key PEM|--p12 F --password PW] [--ca PEM]... -o OUT.eml|OUT.msg|OUT.json
                                                peel every layer; the innermost message as IPM.Note + the record of each layer
  smime-bridge x400 wrap IN -o OUT.p1 [--mime-wrapper] [--originator OR] [--recipient OR]...
                                                CMS object (or S/MIME entity) as X.400 P1 content (RFC 3855 2.2/2.4)
  smime-bridge x400 forward IN -o OUT.p1|OUT.ipm [same options] [--subject S]
                                                CMS object as a forwarded IPMS body part (RFC 3855 2.3)
  smime-bridge x400 unwrap IN.p1|IN.ipm -o OUT.eml|OUT.msg|OUT.p7m
  smime-bridge x400 inspect IN.p1|IN.ipm        envelope, heading, body parts, CMS objects (JSON)
  smime-bridge demo [DIR]                       convert every sample in DIR (default samples/) and back
  smime-bridge help                             this text

exit codes: 0 success, 1 input rejected (the reason names the error code), 2 usage error
`;
