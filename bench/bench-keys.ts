/**
 * The key pairs of the synthetic fleet, written as `<name>.pem` into a temporary keys folder, and the Windows
 * password data: a few distinct passwords encrypted the way EC2 does (RSA PKCS#1 v1.5 with the key pair's public
 * key, base64), made once and shared by many instances. Decrypting stays a real cost per instance in the daemon.
 */
import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptWindowsPassword } from '../src/enrich/passwords/decrypt-password.js';
import { readKeyFiles } from '../src/enrich/keys/key-files.js';
import { KEY_NAMES } from './fleet.js';

export interface BenchKeys {
  readonly dir: string;
  /** Base64 ciphertexts of distinct passwords, for `FakeInstance.passwordData`. */
  readonly passwordData: readonly string[];
}

const DISTINCT_PASSWORDS = 8;

/** The mean cost of one decryption with the product's own function (ms): what each fetched password costs the run. */
export async function decryptCost(keys: BenchKeys, rounds = 200): Promise<number> {
  const lookup = (await readKeyFiles(keys.dir, [KEY_NAMES.windows])).get(KEY_NAMES.windows);
  if (lookup?.status !== 'found') throw new Error(`the benchmark's Windows key cannot be read: ${lookup?.reason ?? 'not looked up'}`);
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const result = decryptWindowsPassword(keys.passwordData[i % keys.passwordData.length] as string, lookup.key);
    if (!result.ok) throw new Error(`the benchmark's password data does not decrypt: ${result.reason}`);
  }
  return (performance.now() - started) / rounds;
}

export function makeBenchKeys(): BenchKeys {
  const dir = mkdtempSync(join(tmpdir(), 'ged-bench-keys-'));
  let windowsPublicKey = '';
  for (const name of [...KEY_NAMES.linux, KEY_NAMES.windows]) {
    // EC2 hands out RSA key pairs as PKCS#1 PEM.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    writeFileSync(join(dir, `${name}.pem`), privateKey, { mode: 0o600 });
    if (name === KEY_NAMES.windows) windowsPublicKey = publicKey;
  }
  const passwordData = Array.from({ length: DISTINCT_PASSWORDS }, () => {
    const password = `${randomBytes(24).toString('base64').replace(/[+/=]/g, '')}!a1`;
    return publicEncrypt({ key: windowsPublicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password, 'utf8')).toString('base64');
  });
  return { dir, passwordData };
}
