import { constants } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { KeyLookup } from './key-types.js';
import { type KeyFileReader, keyFileModeWarning } from './key-file-mode.js';
import { inspectPrivateKey } from './private-key.js';

/** A private key is a few kilobytes (an 8192-bit RSA key is about 6.3 KB); anything much larger is not one. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Reads `<key pair name>.pem` from the keys folder for each key pair name, fresh on every run (a file copied in is
 * picked up without a restart). Problems are returned per name, never thrown; key text never reaches a reason.
 * Symbolic links are followed only to files inside the folder (Kubernetes secret volumes link `x.pem` to
 * `..data/x.pem`); a link leading elsewhere is refused, so the folder is the only place keys come from.
 */
export async function readKeyFiles(dir: string, keyNames: Iterable<string>): Promise<Map<string, KeyLookup>> {
  const names = [...new Set(keyNames)];
  const folder = await resolveKeysFolder(dir);
  const lookups = await Promise.all(
    names.map(async (name): Promise<KeyLookup> => {
      if (!isFileName(name)) return { status: 'invalid', reason: `the key pair name cannot be used as a file name (${JSON.stringify(name)})` };
      return typeof folder === 'string' ? readKeyFile(dir, folder, name) : folder;
    }),
  );
  return new Map(names.map((name, i) => [name, lookups[i] as KeyLookup]));
}

function isFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** The folder's real path, or the lookup every name gets when the folder cannot be used. */
async function resolveKeysFolder(dir: string): Promise<string | KeyLookup> {
  try {
    const real = await realpath(dir);
    if (!(await stat(real)).isDirectory()) return { status: 'invalid', reason: `the keys folder ${dir} is not a folder` };
    return real;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing', reason: `the keys folder ${dir} does not exist` };
    return { status: 'unavailable', reason: `the keys folder ${dir} cannot be read (${code})` };
  }
}

async function readKeyFile(dir: string, realDir: string, name: string): Promise<KeyLookup> {
  const path = join(dir, `${name}.pem`);
  let target = join(realDir, `${name}.pem`);
  try {
    if ((await lstat(target)).isSymbolicLink()) {
      const resolved = await resolveLink(path, target, realDir);
      if (typeof resolved !== 'string') return resolved;
      target = resolved;
    }
  } catch (err) {
    return failedRead(path, err);
  }
  return readKeyContent(path, target);
}

async function resolveLink(path: string, link: string, realDir: string): Promise<string | KeyLookup> {
  let real: string;
  try {
    real = await realpath(link);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { status: 'missing', reason: `${path} is a symbolic link to a file that does not exist` };
    throw err;
  }
  const inside = relative(realDir, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { status: 'invalid', reason: `${path} is a symbolic link to ${real}, outside the keys folder; copy the key into the folder instead` };
  }
  return real;
}

async function readKeyContent(path: string, target: string): Promise<KeyLookup> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: the path was checked above and must not turn into a link now; O_NONBLOCK: a FIFO must not hang us.
    handle = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    return failedRead(path, err);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return { status: 'invalid', reason: `${path} is a folder, not a key file` };
    if (!info.isFile()) return { status: 'invalid', reason: `${path} is not a regular file` };
    const content = info.size > MAX_KEY_FILE_BYTES ? undefined : await readAtMost(handle, MAX_KEY_FILE_BYTES + 1);
    if (content === undefined || content.length > MAX_KEY_FILE_BYTES) {
      return { status: 'invalid', reason: `${path} is too large to be a key (over ${MAX_KEY_FILE_BYTES / 1024} KiB)` };
    }
    const key = inspectPrivateKey(content.toString('utf8'));
    if ('error' in key) return { status: 'invalid', reason: `${path} ${key.error}` };
    const warning = keyFileModeWarning(path, info, daemonUser());
    return { status: 'found', key, source: path, warnings: warning === undefined ? [] : [warning] };
  } catch (err) {
    return failedRead(path, err);
  } finally {
    await handle.close();
  }
}

function daemonUser(): KeyFileReader {
  const primary = process.getgid?.();
  const groups = process.getgroups?.() ?? [];
  return { uid: process.getuid?.(), gids: primary === undefined ? groups : [primary, ...groups.filter((g) => g !== primary)] };
}

async function readAtMost(handle: FileHandle, limit: number): Promise<Buffer> {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    const { bytesRead } = await handle.read(buffer, length, limit - length, null);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

/** A file that vanished between looking and reading counts as missing, like one that was never there. */
function failedRead(path: string, err: unknown): KeyLookup {
  const code = errorCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return { status: 'missing', reason: `no key file ${path} (name it exactly like the key pair in EC2, plus .pem)` };
  }
  if (code === 'EACCES' || code === 'EPERM') return { status: 'invalid', reason: `cannot read ${path} (${code}): let the daemon's user read it` };
  return { status: 'invalid', reason: `cannot read ${path} (${code})` };
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error';
}
