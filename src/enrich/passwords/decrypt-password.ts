import { constants, privateDecrypt } from 'node:crypto';
import { decodeStrictBase64 } from '../keys/pem-blocks.js';
import { rsaPrivateKeyObject } from '../keys/private-key.js';
import type { PrivateKeyInfo } from '../keys/key-types.js';

export type WindowsPasswordResult = { readonly ok: true; readonly password: string } | { readonly ok: false; readonly reason: string };

export const WRONG_KEY_REASON = "the key does not match this instance's key pair (decryption failed)";

/** One parse per key lookup (shared by every instance of the key pair), not one per instance. */
const parsedKeys = new WeakMap<PrivateKeyInfo, ReturnType<typeof rsaPrivateKeyObject>>();

function parsedKey(key: PrivateKeyInfo): ReturnType<typeof rsaPrivateKeyObject> {
  let parsed = parsedKeys.get(key);
  if (parsed === undefined) {
    parsed = rsaPrivateKeyObject(key);
    parsedKeys.set(key, parsed);
  }
  return parsed;
}

/** Windows accepts passwords of at most 127 characters. */
const MAX_PASSWORD_LENGTH = 127;
/** PKCS#1 v1.5 (RFC 8017 §7.2.2): 0x00 0x02, at least 8 non-zero padding bytes, 0x00, then the message. */
const MIN_PADDING = 8;

/**
 * Decrypts EC2's `PasswordData` (base64 of the Administrator password, RSA-encrypted with the key pair's public
 * key, PKCS#1 v1.5 padding). Pure.
 *
 * Node 20 refuses `RSA_PKCS1_PADDING` for private decryption since the February 2024 security releases
 * (CVE-2023-46809, the Marvin timing attack) unless started with `--security-revert`, which Node 22 no longer
 * has. So the raw RSA operation runs with `RSA_NO_PADDING` and the padding is removed here. The timing concern does
 * not apply: the ciphertext comes from the EC2 API, not from an attacker who can watch many attempts.
 *
 * A wrong key yields random bytes rather than an error, so the result must also look like a password (valid
 * UTF-8, no control characters, 1 to 127 characters); anything else is reported as a wrong key, never returned.
 * Reasons never contain the password or the key.
 */
export function decryptWindowsPassword(passwordData: string, key: PrivateKeyInfo): WindowsPasswordResult {
  const keyObject = parsedKey(key);
  if ('error' in keyObject) return { ok: false, reason: keyObject.error };
  const compact = passwordData.replace(/\s+/g, '');
  if (compact === '') return { ok: false, reason: 'EC2 returned no password data' };
  const ciphertext = decodeStrictBase64(compact);
  if (ciphertext === undefined) return { ok: false, reason: 'the password data from EC2 is not valid base64' };
  const modulusBits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
  // RSA_NO_PADDING accepts shorter input (it is left-padded with zeros), so a cut-short value must be caught here.
  if (ciphertext.length !== Math.ceil(modulusBits / 8)) return { ok: false, reason: WRONG_KEY_REASON };
  let block: Buffer;
  try {
    block = privateDecrypt({ key: keyObject, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch {
    return { ok: false, reason: WRONG_KEY_REASON }; // e.g. "data too large for modulus": the value was not made for this key
  }
  try {
    const message = removePkcs1Type2Padding(block);
    const password = message === undefined ? undefined : asPassword(message);
    return password === undefined ? { ok: false, reason: WRONG_KEY_REASON } : { ok: true, password };
  } finally {
    block.fill(0);
  }
}

/** The message inside a PKCS#1 v1.5 encryption block, or undefined when the padding is not valid. */
export function removePkcs1Type2Padding(block: Uint8Array): Uint8Array | undefined {
  if (block[0] !== 0x00 || block[1] !== 0x02) return undefined;
  const separator = block.indexOf(0x00, 2);
  if (separator < 2 + MIN_PADDING) return undefined; // also covers "no separator" (-1)
  return block.subarray(separator + 1);
}

function asPassword(message: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(message);
  } catch {
    return undefined;
  }
  const length = [...text].length;
  if (length === 0 || length > MAX_PASSWORD_LENGTH || /\p{C}/u.test(text)) return undefined;
  return text;
}
