import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { FakeEc2 } from '../../support/fake-ec2.js';
import { runCommand } from '../../support/run-cli.js';
import { DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { statusFixture } from '../status/status-fixture.js';
import { type InstalledPackage, LEFTOVERS, packAndInstall } from './pack-and-install.js';

/** The checkout these tests were built from (they run from dist/test/integration/install/). */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

interface PackageJson {
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}
interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/**
 * The install path of README.md's "Linux install (systemd)", for real: `npm pack` of a copy of this checkout, the
 * tarball installed with `npm install -g` into a temporary prefix, and the installed command run against a fresh
 * Guacamole database.
 */
describe('the package, packed and installed globally', function () {
  let installed: InstalledPackage;
  const pkg = readJson<PackageJson>(join(ROOT, 'package.json'));
  const lock = readJson<{ packages: Readonly<Record<string, LockEntry>> }>(join(ROOT, 'package-lock.json')).packages;

  before(async function () {
    // A safety net, not a measurement: a build, a pack of about 40 MB and its install take a minute on a busy machine.
    this.timeout(600_000);
    installed = await packAndInstall(ROOT);
  });
  after(function () {
    installed?.remove();
  });

  it('the tarball holds what an operator needs and no test, benchmark, source or left-over build output', function () {
    const { entries } = installed;
    expect([...new Set(entries.map((e) => e.split('/')[0]))].sort()).to.deep.equal(
      ['.env.example', 'README.md', 'deploy', 'dist', 'node_modules', 'package.json', 'systemd'].sort(),
    );
    const dist = entries.filter((e) => e.startsWith('dist/'));
    expect([...new Set(dist.map((e) => e.split('/')[1]))].sort()).to.deep.equal(['migrations', 'src']);
    expect(dist.filter((e) => !e.endsWith('.js'))).to.deep.equal([]); // no map, no .ts
    for (const leftover of LEFTOVERS) expect(entries).to.not.include(leftover);
    const units = readdirSync(join(ROOT, 'systemd')).map((f) => `systemd/${f}`);
    expect(units).to.include('systemd/guacamole-ec2-discovery.service');
    expect(entries).to.include.members([...units, 'dist/src/cli/main.js', 'dist/migrations/index.js', 'deploy/aws/iam-policy.json']);
    expect(readFileSync(join(installed.packageDir, 'README.md'), 'utf8')).to.equal(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  });

  it('installs the production dependencies at the versions of package-lock.json, and no development dependency', function () {
    const found = installedPackages(installed.packageDir);
    const mismatched = found.filter(({ key, version }) => lock[key]?.version !== version || lock[key]?.dev === true);
    expect(mismatched, 'installed packages not in package-lock.json as production dependencies at that version').to.deep.equal([]);
    const keys = new Set(found.map((p) => p.key));
    expect(Object.keys(pkg.dependencies).filter((name) => !keys.has(`node_modules/${name}`))).to.deep.equal([]);
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => lock[`node_modules/${name}`]?.dev === true);
    expect(devOnly).to.include.members(['mocha', 'typescript']);
    expect(devOnly.filter((name) => keys.has(`node_modules/${name}`))).to.deep.equal([]);
  });

  it('links the command into <prefix>/bin, executable, and --version prints the package version', async function () {
    accessSync(installed.command, constants.X_OK);
    expect(realpathSync(installed.command)).to.equal(join(realpathSync(installed.packageDir), 'dist/src/cli/main.js'));
    const result = await runCommand(installed.command, ['--version'], {});
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(`${pkg.version}\n`);
    expect(result.stderr).to.equal('');
  });

  for (const dialect of DIALECTS) {
    describe(`the installed command on ${dialect}`, function () {
      let database: TestDatabase;
      let runEnv: Record<string, string>;
      let fake: FakeEc2;
      statusFixture(dialect, (context) => {
        ({ database, env: runEnv, fake } = context);
      });

      it('status on a fresh Guacamole database, a --once run (its migrations included), then status again', async function () {
        const before = await runCommand(installed.command, ['status'], database.env);
        expect(before.code, before.stderr).to.equal(1);
        expect(before.stdout).to.include('No run recorded yet.');
        expect(before.stderr).to.equal('');

        const once = await runCommand(installed.command, ['--once'], runEnv);
        expect(once.code, once.stdout + once.stderr).to.equal(0);
        expect(fake.requests.length).to.be.greaterThan(0);

        const after = await runCommand(installed.command, ['status'], database.env);
        expect(after.code, after.stderr).to.equal(0);
        expect(after.stderr).to.equal('');
        const connections = await database.db.selectFrom('guacamole_connection').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
        expect(Number(connections.n)).to.be.greaterThan(0);
        expect(after.stdout).to.match(new RegExp(`^owner: default\\s+managed connections: ${Number(connections.n)}\\n`));
        expect(after.stdout).to.match(/ success /);
      });
    });
  }
});

/** Every package under `dir`/node_modules, nested ones included, keyed as package-lock.json keys them. */
function installedPackages(dir: string, prefix = ''): { key: string; version: string }[] {
  const modules = join(dir, 'node_modules');
  if (!existsSync(modules)) return [];
  const names = readdirSync(modules)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : [n]));
  return names.flatMap((name) => {
    const key = `${prefix}node_modules/${name}`;
    const { version } = readJson<{ version: string }>(join(modules, name, 'package.json'));
    return [{ key, version }, ...installedPackages(join(modules, name), `${key}/`)];
  });
}
