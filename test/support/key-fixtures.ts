import { spawnSync } from 'node:child_process';
import { constants, createPublicKey, generateKeyPair, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A generated key pair: the private key text as a tool wrote it, and the public key as SPKI PEM. */
export interface KeyPairFixture {
  readonly privateText: string;
  readonly publicPem: string;
}

export function makeTempDir(prefix = 'keys-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export type PemKind = 'rsa-pkcs1' | 'rsa-pkcs8' | 'ec-sec1' | 'ec-pkcs8' | 'ed25519-pkcs8' | 'dsa-pkcs8';

/** A key written by node:crypto in one of the PEM encodings. */
export function pemKeyPair(kind: PemKind, options: { bits?: number; passphrase?: string } = {}): KeyPairFixture {
  const [algorithm, type] = kind.split('-') as ['rsa' | 'ec' | 'ed25519' | 'dsa', 'pkcs1' | 'pkcs8' | 'sec1'];
  const cipher = options.passphrase === undefined ? {} : { cipher: 'aes-256-cbc', passphrase: options.passphrase };
  const { privateKey, publicKey } = generateKeyPairSync(algorithm as 'rsa', {
    modulusLength: options.bits ?? 2048,
    ...(algorithm === 'ec' ? { namedCurve: 'P-256' } : {}),
    ...(algorithm === 'dsa' ? { divisorLength: 256 } : {}),
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: type as 'pkcs8', format: 'pem', ...cipher },
  });
  return { privateText: privateKey, publicPem: publicKey };
}

const rsaCache = new Map<number, Promise<KeyPairFixture>>();

/** A PKCS#1 RSA key of the given size, generated once per test process (8192 bits takes several seconds). */
export function cachedRsaKeyPair(bits: number): Promise<KeyPairFixture> {
  const cached = rsaCache.get(bits);
  if (cached !== undefined) return cached;
  const pair = new Promise<KeyPairFixture>((resolve, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } },
      (err, publicPem, privateText) => (err ? reject(err) : resolve({ privateText, publicPem })),
    );
  });
  rsaCache.set(bits, pair);
  return pair;
}

export interface SshKeyFixture extends KeyPairFixture {
  /** The `.pub` file: `ssh-ed25519 AAAA… comment`. */
  readonly publicLine: string;
}

export interface SshKeygenOptions {
  readonly type: 'rsa' | 'ecdsa' | 'ed25519' | 'dsa';
  readonly bits?: number;
  readonly passphrase?: string;
  /** `-m PEM`: the legacy PEM encoding (PKCS#1 / SEC1, with `Proc-Type` headers when there is a passphrase). */
  readonly pem?: boolean;
}

/**
 * A key written by ssh-keygen (OpenSSH format unless `pem`). Returns undefined when this ssh-keygen refuses the key
 * type (DSA is gone from OpenSSH 10); throws a clear error when ssh-keygen is not installed.
 */
export function sshKeygen(options: SshKeygenOptions): SshKeyFixture | undefined {
  const dir = makeTempDir('ssh-keygen-');
  try {
    const file = join(dir, 'key');
    const args = ['-t', options.type, '-N', options.passphrase ?? '', '-C', 'test', '-f', file, '-q'];
    if (options.bits !== undefined) args.push('-b', String(options.bits));
    if (options.pem === true) args.push('-m', 'PEM');
    if (!runSshKeygen(args, options.type === 'dsa')) return undefined;
    const publicLine = readFileSync(`${file}.pub`, 'utf8');
    return { privateText: readFileSync(file, 'utf8'), publicPem: exportPublicPem(`${file}.pub`, publicLine), publicLine };
  } finally {
    removeDir(dir);
  }
}

/** SPKI PEM of an OpenSSH public key; ssh-keygen -e cannot export ED25519, whose blob is just the 32 raw bytes. */
function exportPublicPem(file: string, publicLine: string): string {
  if (publicLine.startsWith('ssh-ed25519 ')) {
    const blob = Buffer.from(publicLine.split(' ')[1] ?? '', 'base64');
    const x = blob.subarray(blob.length - 32).toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  }
  const exported = spawnSync('ssh-keygen', ['-e', '-m', 'PKCS8', '-f', file], { encoding: 'utf8' });
  if (exported.status !== 0) throw new Error(`ssh-keygen -e failed: ${exported.stderr}`);
  return exported.stdout;
}

function runSshKeygen(args: string[], mayBeUnsupported: boolean): boolean {
  const run = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if ((run.error as { code?: string } | undefined)?.code === 'ENOENT') {
    throw new Error('ssh-keygen is not installed: the key tests need it (apt-get install openssh-client)');
  }
  if (run.error !== undefined) throw run.error;
  if (run.status === 0) return true;
  if (mayBeUnsupported) return false;
  throw new Error(`ssh-keygen ${args.join(' ')} failed: ${run.stderr}`);
}

/** How EC2 produces `PasswordData`: RSA with PKCS#1 v1.5 padding (Node still allows it for encryption), base64. */
export function encryptLikeEc2(password: string, publicKeyPem: string): string {
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password, 'utf8')).toString('base64');
}

/** Base64 broken into lines, the way the EC2 API returns `PasswordData`. */
export function wrapBase64(base64: string, eol = '\r\n'): string {
  return `${eol}${base64.replace(/(.{64})/g, `$1${eol}`)}${eol}`;
}

/** A password of printable ASCII (space to tilde) from a seeded generator, so failures can be replayed. */
export function randomPassword(seed: number, length = 32): string {
  let state = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out += String.fromCharCode(0x20 + ((state >>> 0) % 95));
  }
  return out;
}
