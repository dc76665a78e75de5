/**
 * Which npm packages a process of the built CLI loaded, as the preload record-modules.ts recorded its modules: the
 * top-level package of every module under a node_modules folder (`@aws-sdk/client-ec2`, `pg`, `kysely`…).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { type CliResult, runCli } from '../run-cli.js';

const PRELOAD = new URL('./record-modules.js', import.meta.url).href;

/** A log for one process: `env` goes into its environment, `read()` after it exited, `remove()` at the end. */
export interface ModuleLog {
  readonly env: Readonly<Record<string, string>>;
  /** The packages loaded, by name. */
  read(): ReadonlySet<string>;
  remove(): void;
}

export function moduleLog(): ModuleLog {
  const folder = mkdtempSync(join(tmpdir(), 'ged-modules-'));
  const file = join(folder, 'modules.log');
  return {
    env: { NODE_OPTIONS: `--import=${PRELOAD}`, MODULE_LOG_FILE: file },
    read: () => loadedPackages(readFileSync(file, 'utf8')),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** `runCli`, and the packages the process loaded. */
export async function runCliRecordingPackages(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ readonly result: CliResult; readonly packages: ReadonlySet<string> }> {
  const log = moduleLog();
  try {
    const result = await runCli(args, { ...env, ...log.env });
    return { result, packages: log.read() };
  } finally {
    log.remove();
  }
}

/** A fresh node process that only imports `module` (a `file:` URL under dist/), and the packages that loaded. */
export async function importRecordingPackages(module: URL): Promise<ReadonlySet<string>> {
  const log = moduleLog();
  try {
    const script = `await import(${JSON.stringify(module.href)});`;
    await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], { env: { PATH: process.env.PATH ?? '', ...log.env } });
    return log.read();
  } finally {
    log.remove();
  }
}

function loadedPackages(text: string): Set<string> {
  const paths = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line));
  return new Set(paths.flatMap((path) => packageOf(path) ?? []));
}

/** `…/node_modules/@aws-sdk/client-ec2/dist-cjs/index.js` → `@aws-sdk/client-ec2`; the innermost node_modules counts. */
function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const [first, second] = path.slice(at + '/node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}
