import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyLookup } from '../mapping/keys.js';

const PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----[\s\S]+-----END ([A-Z0-9]+ )*PRIVATE KEY-----/;

/**
 * Reads `<KeyName>.pem` from the keys folder for each key pair name, fresh on every run (a file copied in is
 * picked up without a restart). Problems are returned per name, never thrown; key text never leaves the result.
 */
export async function readKeyFiles(dir: string, keyNames: Iterable<string>): Promise<Map<string, KeyLookup>> {
  const result = new Map<string, KeyLookup>();
  await Promise.all([...new Set(keyNames)].map(async (name) => result.set(name, await readKeyFile(dir, name))));
  return result;
}

async function readKeyFile(dir: string, name: string): Promise<KeyLookup> {
  const file = `${name}.pem`;
  if (name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
    return { status: 'invalid', reason: `the key pair name cannot be used as a file name (${JSON.stringify(name)})` };
  }
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') return { status: 'missing', reason: `no file ${file} in ${dir}` };
    return { status: 'invalid', reason: `cannot read ${join(dir, file)} (${code ?? 'error'})` };
  }
  if (!PRIVATE_KEY.test(text)) return { status: 'invalid', reason: `${file} does not hold a private key (PEM or OpenSSH format)` };
  // Interim until the key inspection lands: format and type are not read yet.
  return { status: 'found', key: { text: `${text.replace(/\r\n/g, '\n').trim()}\n`, format: 'pkcs8', type: 'rsa', encrypted: false }, source: join(dir, file) };
}
