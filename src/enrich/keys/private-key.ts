import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { KeyFormat, KeyType, PrivateKeyInfo } from './key-types.js';
import { parseOpenSshKey, toBigInt, type OpenSshRsaNumbers } from './openssh-key.js';
import { findPemBlocks, type PemBlock } from './pem-blocks.js';

type Inspected = PrivateKeyInfo | { readonly error: string };

/** PEM labels of private keys, with the format and (when the label tells) the type. */
const PRIVATE_LABELS: ReadonlyMap<string, { format: KeyFormat; type?: KeyType }> = new Map([
  ['RSA PRIVATE KEY', { format: 'pkcs1', type: 'rsa' }],
  ['EC PRIVATE KEY', { format: 'sec1', type: 'ecdsa' }],
  // OpenSSL's "traditional" DSA encoding; the closest of the known formats.
  ['DSA PRIVATE KEY', { format: 'pkcs1', type: 'dsa' }],
  ['PRIVATE KEY', { format: 'pkcs8' }],
  ['ENCRYPTED PRIVATE KEY', { format: 'pkcs8' }],
  ['OPENSSH PRIVATE KEY', { format: 'openssh' }],
]);

/** The curves OpenSSH's ecdsa-sha2-nistp* key types use; other curves cannot log in over SSH. */
const SSH_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * Reads a private key file's text: which format and type it is, whether a passphrase protects it, its RSA size.
 * Pure. The returned `text` is the key block as given (never converted), with LF line endings, no surrounding
 * blank space or byte order mark, and one trailing newline: the form Guacamole stores for SSH.
 * Errors are phrases meant to follow the file or record name ("… holds a public key, not a private one") and
 * never quote the key.
 */
export function inspectPrivateKey(text: string): Inspected {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').trim();
  if (normalized === '') return { error: 'is empty' };
  // Bytes that are not valid UTF-8 decode to U+FFFD; control characters other than tab and newline mean binary.
  if (/[\u0000-\u0008\u000B-\u001F\u007F\uFFFD]/.test(normalized)) {
    return { error: 'is binary data, not a text key (a DER key? convert it: openssl pkey -inform DER -in KEY -out KEY.pem)' };
  }
  if (/^PuTTY-User-Key-File-\d+:/m.test(normalized)) {
    return { error: 'is a PuTTY key (.ppk); convert it with: puttygen KEY.ppk -O private-openssh -o KEY.pem' };
  }
  const found = findPemBlocks(normalized);
  if ('error' in found) return found;
  const privateBlocks = found.blocks.filter((block) => block.label.endsWith('PRIVATE KEY'));
  const [first] = privateBlocks;
  if (first === undefined) return notAPrivateKey(normalized, found.blocks);
  if (privateBlocks.length > 1) return { error: `holds ${privateBlocks.length} private keys; keep one key per file` };
  if (found.blocks.length > 1) {
    const others = found.blocks.filter((block) => block !== first).map((block) => block.label);
    return { error: `holds other PEM blocks besides the private key (${others.join(', ')}); keep only the private key in it` };
  }
  return inspectBlock(first);
}

function notAPrivateKey(text: string, blocks: readonly PemBlock[]): { error: string } {
  const labels = blocks.map((block) => block.label);
  if (labels.some((label) => label.endsWith('PUBLIC KEY')) || /^---- BEGIN SSH2 PUBLIC KEY ----/m.test(text)) {
    return { error: 'holds a public key, not a private one' };
  }
  if (labels.some((label) => label.includes('CERTIFICATE')) || /^\S+-cert-v01@openssh\.com\s/m.test(text)) {
    return { error: 'holds a certificate, not a private key' };
  }
  if (/^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/m.test(text)) return { error: 'holds a public key, not a private one' };
  if (/^---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----/m.test(text)) {
    return { error: 'is in the ssh.com (SSH2) format; convert it with: ssh-keygen -i -f KEY > KEY.pem' };
  }
  if (labels.length > 0) return { error: `holds no private key (only: ${labels.join(', ')})` };
  return { error: 'holds no private key (no "-----BEGIN … PRIVATE KEY-----" block)' };
}

function inspectBlock(block: PemBlock): Inspected {
  const known = PRIVATE_LABELS.get(block.label);
  if (known === undefined) return { error: `holds an unsupported kind of key ("${block.label}")` };
  const text = `${block.text}\n`;
  if (known.format === 'openssh') {
    const parsed = parseOpenSshKey(block.body);
    if ('error' in parsed) return parsed;
    return { text, format: 'openssh', type: parsed.type, encrypted: parsed.encrypted, ...(parsed.bits === undefined ? {} : { bits: parsed.bits }) };
  }
  // Legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED`) keeps the plain label; PKCS#8 says so in the label.
  const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers.get('proc-type') ?? '');
  if (encrypted) {
    // An encrypted PKCS#8 key does not reveal its algorithm without the passphrase. RSA is assumed: it is what EC2
    // and most tools create, and the passphrase, not the type, is what stops the key's use for Windows passwords.
    return { text, format: known.format, type: known.type ?? 'rsa', encrypted: true };
  }
  return inspectWithOpenSsl(text, known.format, known.type);
}

function inspectWithOpenSsl(text: string, format: KeyFormat, expected: KeyType | undefined): Inspected {
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^error:[0-9A-F]+:/, '') : 'unknown error';
    return { error: `is corrupted: the key cannot be read (${detail})` };
  }
  const details = key.asymmetricKeyDetails ?? {};
  const type = keyTypeOf(key.asymmetricKeyType, details.namedCurve);
  if (typeof type !== 'string') return type;
  if (expected !== undefined && type !== expected) {
    return { error: `is corrupted: its label says ${expected.toUpperCase()} but it holds ${type.toUpperCase()}` };
  }
  const bits = type === 'rsa' && details.modulusLength !== undefined ? { bits: details.modulusLength } : {};
  return { text, format, type, encrypted: false, ...bits };
}

function keyTypeOf(asymmetricKeyType: string | undefined, curve: string | undefined): KeyType | { error: string } {
  switch (asymmetricKeyType) {
    case 'rsa':
      return 'rsa';
    case 'ed25519':
      return 'ed25519';
    case 'dsa':
      return 'dsa';
    case 'ec':
      if (curve !== undefined && SSH_CURVES.has(curve)) return 'ecdsa';
      return { error: `holds an EC key on the curve ${curve ?? 'unknown'}, which SSH cannot use (only P-256, P-384, P-521)` };
    default:
      return { error: `holds a ${asymmetricKeyType ?? 'unknown'} key, which SSH cannot use` };
  }
}

/**
 * The node:crypto key for decrypting with an RSA key, whatever its format. OpenSSL cannot read the OpenSSH format,
 * so such keys go through a JWK built from their numbers (OpenSSH stores no CRT exponents; they are computed).
 */
export function rsaPrivateKeyObject(info: PrivateKeyInfo): KeyObject | { readonly error: string } {
  if (info.type !== 'rsa') {
    const why = info.type === 'ed25519' ? ' (ED25519 key pairs cannot be used for Windows instances)' : '';
    return { error: `the key is ${info.type.toUpperCase()}, but decrypting a Windows password needs an RSA key pair${why}` };
  }
  if (info.encrypted) return { error: 'the key is protected by a passphrase, so it cannot decrypt the Windows password; provide an unencrypted copy' };
  try {
    if (info.format !== 'openssh') return checkedRsa(createPrivateKey(info.text));
    const block = findPemBlocks(info.text.trim());
    const body = 'blocks' in block ? block.blocks[0]?.body : undefined;
    const parsed = body === undefined ? undefined : parseOpenSshKey(body);
    if (parsed === undefined || 'error' in parsed || parsed.rsa === undefined) return { error: 'the key cannot be read as an RSA key' };
    return checkedRsa(createPrivateKey({ key: rsaJwk(parsed.rsa), format: 'jwk' }));
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^error:[0-9A-F]+:/, '') : 'unknown error';
    return { error: `the key cannot be read as an RSA key (${detail})` };
  }
}

function checkedRsa(key: KeyObject): KeyObject | { error: string } {
  return key.asymmetricKeyType === 'rsa' ? key : { error: `the key is ${key.asymmetricKeyType ?? 'not'} RSA` };
}

/** RFC 7518 §6.3 private RSA key: unsigned big-endian numbers without leading zero bytes, base64url. */
function rsaJwk(rsa: OpenSshRsaNumbers): { kty: 'RSA'; [name: string]: string } {
  const d = toBigInt(rsa.d);
  const fromBigInt = (value: bigint): string => {
    const hex = value.toString(16);
    return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
  };
  return {
    kty: 'RSA',
    n: rsa.n.toString('base64url'),
    e: rsa.e.toString('base64url'),
    d: rsa.d.toString('base64url'),
    p: rsa.p.toString('base64url'),
    q: rsa.q.toString('base64url'),
    dp: fromBigInt(d % (toBigInt(rsa.p) - 1n)),
    dq: fromBigInt(d % (toBigInt(rsa.q) - 1n)),
    qi: rsa.iqmp.toString('base64url'),
  };
}
