import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram } from './servers/binaries.js';
import { isRoot } from './servers/processes.js';
import { repositoryRoot } from './repository-root.js';

const CACHE = join(repositoryRoot(), '.test-tools', 'prometheus');
const CACHED = join(CACHE, 'usr', 'bin', 'promtool');
const HOW =
  "put promtool on PATH (it is in Debian's `prometheus` package: `apt-get download prometheus && dpkg-deb -x prometheus_*.deb DIR` " +
  'gives DIR/usr/bin/promtool without starting a Prometheus service), set PROMTOOL to its path, or run the tests as root';

/**
 * Prometheus's promtool, for the checks of deploy/prometheus/: PROMTOOL, else promtool on PATH, else the copy in
 * .test-tools/. As root, a missing one is taken from Debian's `prometheus` package: downloaded and unpacked only,
 * not installed (installing would start a Prometheus service). promtool is a Go program needing only libc.
 */
export function promtool(log: (line: string) => void): string {
  const given = process.env.PROMTOOL?.trim();
  if (given !== undefined && given !== '') return checked(given, 'PROMTOOL: ');
  const found = findProgram(['promtool']) ?? (existsSync(CACHED) ? CACHED : undefined);
  if (found !== undefined) return checked(found);
  if (!isRoot) throw new Error(`promtool not found and not running as root: ${HOW}`);
  if (findProgram(['apt-get']) === undefined || findProgram(['dpkg-deb']) === undefined) {
    throw new Error(`promtool not found and apt-get or dpkg-deb is missing: ${HOW}`);
  }
  unpackPrometheusPackage(log);
  return checked(CACHED);
}

function unpackPrometheusPackage(log: (line: string) => void): void {
  mkdirSync(join(CACHE, '..'), { recursive: true });
  const work = mkdtempSync(join(CACHE, '..', 'download-'));
  try {
    log("downloading Debian's prometheus package for promtool (apt-get download; nothing is installed)");
    // A root download into a folder the _apt user cannot enter works; apt only warns that it is unsandboxed.
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const download = () => spawnSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: work, encoding: 'utf8', env });
    let got = download();
    if (got.status !== 0) {
      log('apt-get update (the package lists do not know prometheus yet)');
      const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env });
      if (update.status !== 0) throw new Error(`apt-get update failed (status ${update.status}): ${update.stderr}`);
      got = download();
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (got.status !== 0 || deb === undefined) throw new Error(`apt-get download prometheus failed (status ${got.status}): ${got.stderr}; ${HOW}`);
    const unpacked = join(work, 'root');
    const extract = spawnSync('dpkg-deb', ['-x', join(work, deb), unpacked], { encoding: 'utf8' });
    if (extract.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${extract.stderr}`);
    // Renamed into place whole, so a cut-off download never leaves a half-unpacked cache behind.
    if (!existsSync(CACHE)) renameSync(unpacked, CACHE);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function checked(path: string, from = ''): string {
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) throw new Error(`${from}${path} --version failed (${version.error?.message ?? `status ${version.status}`}): ${HOW}`);
  return path;
}
