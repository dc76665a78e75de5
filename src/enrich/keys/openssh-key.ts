import type { KeyType } from './key-types.js';

/** The RSA numbers of an unencrypted OpenSSH key, as unsigned big-endian bytes without leading zeros. */
export interface OpenSshRsaNumbers {
  readonly n: Buffer;
  readonly e: Buffer;
  readonly d: Buffer;
  readonly iqmp: Buffer;
  readonly p: Buffer;
  readonly q: Buffer;
}

/** What the body of a `BEGIN OPENSSH PRIVATE KEY` block says about its key. */
export interface OpenSshKey {
  readonly type: KeyType;
  readonly encrypted: boolean;
  /** RSA modulus size, read from the public key (known even when the private part is encrypted). */
  readonly bits?: number;
  /** Only for unencrypted RSA keys. */
  readonly rsa?: OpenSshRsaNumbers;
}

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/**
 * Parses the openssh-key-v1 format (OpenSSH's PROTOCOL.key): magic, cipher name, KDF name, KDF options, key count,
 * public key blobs, then the private section (encrypted unless the cipher is `none`). Errors are phrased to follow
 * the key's name and never quote key material.
 */
export function parseOpenSshKey(body: Buffer): OpenSshKey | { readonly error: string } {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    return { error: 'is corrupted: an "OPENSSH PRIVATE KEY" block must start with "openssh-key-v1"' };
  }
  try {
    const outer = new SshReader(body.subarray(MAGIC.length));
    const cipher = outer.text();
    outer.text(); // KDF name: "none" or "bcrypt"; the cipher alone says whether the key is encrypted
    outer.bytes(); // KDF options
    const count = outer.uint32();
    if (count !== 1) return { error: count === 0 ? 'holds no key' : `holds ${count} keys; keep one key per file` };
    const publicKey = new SshReader(outer.bytes());
    const privateSection = outer.bytes();
    const typeName = publicKey.text();
    const type = keyTypeOf(typeName);
    if (typeof type !== 'string') return type;
    const encrypted = cipher !== 'none';
    if (type === 'rsa') publicKey.bytes(); // e
    const bits = type === 'rsa' ? { bits: bitLength(publicKey.bytes()) } : {};
    if (encrypted) return { type, encrypted, ...bits };
    const reader = new SshReader(privateSection);
    const damage = checkPrivateHeader(reader, typeName);
    if (damage !== undefined) return damage;
    if (type !== 'rsa') return { type, encrypted, ...bits };
    const rsa = readRsaPrivate(reader);
    return 'error' in rsa ? rsa : { type, encrypted, ...bits, rsa };
  } catch (err) {
    if (err instanceof TruncatedError) return { error: 'is corrupted: the OpenSSH key data is cut short' };
    throw err;
  }
}

function keyTypeOf(name: string): KeyType | { error: string } {
  if (name === 'ssh-rsa') return 'rsa';
  if (name === 'ssh-ed25519') return 'ed25519';
  if (name === 'ssh-dss') return 'dsa';
  if (/^ecdsa-sha2-nistp(256|384|521)$/.test(name)) return 'ecdsa';
  if (name.startsWith('sk-')) return { error: `holds a hardware security key handle (${name}), which Guacamole cannot use` };
  return { error: `holds a key of an unknown type (${JSON.stringify(name.slice(0, 40))})` };
}

/** The unencrypted private section starts with two equal random "check" numbers, then the key type again. */
function checkPrivateHeader(reader: SshReader, typeName: string): { error: string } | undefined {
  const check = reader.uint32(); // two successive reads: the check word is written twice
  if (reader.uint32() !== check) return { error: 'is corrupted: the OpenSSH private section fails its check' };
  if (reader.text() !== typeName) return { error: 'is corrupted: the private and public halves name different key types' };
  return undefined;
}

function readRsaPrivate(reader: SshReader): OpenSshRsaNumbers | { error: string } {
  const [n, e, d, iqmp, p, q] = [0, 0, 0, 0, 0, 0].map(() => stripZeros(reader.bytes())) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  if (toBigInt(p) * toBigInt(q) !== toBigInt(n) || toBigInt(d) === 0n) return { error: 'is corrupted: its RSA numbers do not fit together' };
  return { n, e, d, iqmp, p, q };
}

class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
}

/** Reads the SSH wire encoding (RFC 4251 §5): big-endian uint32 and uint32-length-prefixed strings. */
class SshReader {
  #offset = 0;
  constructor(private readonly buffer: Buffer) {}

  uint32(): number {
    if (this.#offset + 4 > this.buffer.length) throw new TruncatedError();
    const value = this.buffer.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  bytes(): Buffer {
    const length = this.uint32();
    if (this.#offset + length > this.buffer.length) throw new TruncatedError();
    const value = this.buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  text(): string {
    return this.bytes().toString('latin1');
  }
}

/** An SSH mpint is two's complement with a leading zero byte when the top bit is set; positive numbers only here. */
function stripZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

function bitLength(bytes: Buffer): number {
  const digits = stripZeros(bytes);
  const top = digits[0];
  return top === undefined ? 0 : (digits.length - 1) * 8 + (32 - Math.clz32(top));
}

export function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}
