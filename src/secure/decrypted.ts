/**
 * The output of `smime-bridge decrypt`: the message with its encryption removed and every
 * signature inside it kept (RFC 8551 3.3 / 3.5: for signed-then-encrypted mail, the signed
 * message, still verifiable). Shared by the command and the page, so both write the same bytes.
 */
import { SmimeBridgeError } from '../errors.js';
import { parseMime } from '../mime/parse.js';
import { concatBytes } from '../mime/bytes.js';
import { envelopeBytes, messageParts } from './envelope.js';
import type { OpenedMessage } from './open.js';

/** A decrypted message and what was removed. */
export interface DecryptedMessage {
  /** The outer envelope fields joined with the plaintext of the last decrypted layer (Internet bytes; joined on first use). */
  readonly message: Uint8Array;
  /** The same bytes as {@link message} in pieces (envelope, `MIME-Version`, plaintext), for writing without joining them. */
  parts: Uint8Array[];
  /** Encryption layers decrypted. */
  decryptedLayers: number;
  /** A signature outside the encryption covered the encrypted form: it cannot travel with the plaintext. */
  lostSignatures: boolean;
}

/**
 * The message `input` (Internet bytes, opened as `opened`) without its encryption. Throws
 * SMIME_NOT_SMIME when nothing is encrypted, and the error of the outermost encryption layer
 * when that one could not be decrypted.
 */
export function decryptedMessage(input: Uint8Array, opened: OpenedMessage): DecryptedMessage {
  const encrypted = opened.layers.filter((l) => l.kind === 'enveloped' || l.kind === 'auth-enveloped');
  if (encrypted.length === 0) throw new SmimeBridgeError('SMIME_NOT_SMIME', 'the message is not encrypted');
  const failed = encrypted.find((l) => !l.decrypted);
  if (failed && failed === encrypted[0]) throw new SmimeBridgeError(failed.error?.code ?? 'CMS_DECRYPT_FAILED', failed.error?.message ?? 'could not decrypt');
  // The plaintext of the last decrypted layer: inner encryption that could not be opened stays.
  const last = [...encrypted].reverse().find((l) => l.decrypted)!;
  const lastIndex = opened.layers.indexOf(last);
  const lostSignatures = opened.layers.slice(0, lastIndex).some((l) => l.kind === 'clear-signed' || l.kind === 'opaque-signed');
  const outer = parseMime(input).root;
  const parts = messageParts(envelopeBytes(outer), last.innerContent!);
  let message: Uint8Array | undefined;
  return {
    get message() {
      return (message ??= concatBytes(parts));
    },
    parts,
    decryptedLayers: encrypted.filter((l) => l.decrypted).length,
    lostSignatures,
  };
}
