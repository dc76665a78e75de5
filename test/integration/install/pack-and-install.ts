import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, sep } from 'node:path';

/**
 * The package built and installed as README.md's "Linux install (systemd)" says (`npm pack` in a checkout, then
 * `npm install -g` of the tarball), everything in temporary folders: the repository is only read.
 */
export interface InstalledPackage {
  /** The tarball `npm pack` wrote. */
  readonly tarball: string;
  /** Its entries, without tar's leading `package/`; folders left out. */
  readonly entries: readonly string[];
  /** `<prefix>/bin/guacamole-ec2-discovery`, as npm linked it. */
  readonly command: string;
  /** `<prefix>/lib/node_modules/guacamole-ec2-discovery`. */
  readonly packageDir: string;
  /** Removes every temporary folder. */
  remove(): void;
}

/** Build output a developer's checkout holds after `npm run build` and old builds: none of it may reach the package. */
export const LEFTOVERS = ['dist/test/unit/left-over.test.js', 'dist/bench/left-over.js', 'dist/src/left-over-of-a-deleted-source.js'];

/** Not part of a checkout an operator packs: dependencies (linked instead), build output, test servers, secrets. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist', '.test-servers', '.env', 'bench/results']);

/**
 * Copies the checkout at `root` (sources, not build output), links its node_modules (as `npm ci` left it), adds
 * `LEFTOVERS`, runs `npm pack` there (its prepack script builds) and installs the tarball with `npm install -g` into
 * a temporary prefix. Both npm commands run offline with an empty cache of their own: the tarball must carry its
 * dependencies.
 */
export async function packAndInstall(root: string): Promise<InstalledPackage> {
  const work = mkdtempSync(join(tmpdir(), 'ged-install-'));
  try {
    const checkout = join(work, 'checkout');
    cpSync(root, checkout, { recursive: true, filter: (source) => copied(relative(root, source)) });
    symlinkSync(realpathSync(join(root, 'node_modules')), join(checkout, 'node_modules'));
    for (const file of LEFTOVERS) {
      mkdirSync(dirname(join(checkout, file)), { recursive: true });
      writeFileSync(join(checkout, file), '// left by an earlier build\n');
    }
    const out = join(work, 'out');
    const prefix = join(work, 'prefix');
    mkdirSync(out);
    const npmOptions = ['--offline', '--cache', join(work, 'npm-cache'), '--no-audit', '--no-fund', '--no-update-notifier'];
    await run('npm', ['pack', '--pack-destination', out, ...npmOptions], checkout);
    const [name, ...others] = readdirSync(out);
    if (name === undefined || others.length > 0) throw new Error(`npm pack wrote ${JSON.stringify(readdirSync(out))} into ${out}, expected one tarball`);
    const tarball = join(out, name);
    // The ./ matters: npm reads a bare `out/name.tgz` as a GitHub repository.
    await run('npm', ['install', '--global', '--prefix', prefix, ...npmOptions, `.${sep}${name}`], out);
    const listing = await run('tar', ['-tzf', tarball], work);
    const entries = listing
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''));
    return {
      tarball,
      entries,
      command: join(prefix, 'bin', 'guacamole-ec2-discovery'),
      packageDir: join(prefix, 'lib', 'node_modules', 'guacamole-ec2-discovery'),
      remove: () => rmSync(work, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

function copied(path: string): boolean {
  const top = path.split(sep)[0] ?? '';
  return !NOT_COPIED.has(top) && !NOT_COPIED.has(path) && !top.startsWith('dist-') && !path.endsWith('.log');
}

/**
 * Runs a command, resolving with its stdout; a non-zero exit rejects with everything it printed. npm's own `npm_*`
 * variables (set when the tests run under `npm test`) are left out, so nothing of the outer npm run leaks in.
 */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${String(code)}:\n${stdout}\n${stderr}`));
    });
  });
}
