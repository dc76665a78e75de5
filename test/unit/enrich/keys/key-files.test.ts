import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MAX_KEY_FILE_BYTES, readKeyFiles } from '../../../../src/enrich/keys/key-files.js';
import type { KeyLookup } from '../../../../src/enrich/keys/key-types.js';
import { makeTempDir, pemKeyPair, removeDir } from '../../../support/key-fixtures.js';

const KEY = pemKeyPair('rsa-pkcs1').privateText;

function expectFound(lookup: KeyLookup | undefined): Extract<KeyLookup, { status: 'found' }> {
  if (lookup?.status !== 'found') return expect.fail(`expected a key, got ${JSON.stringify(lookup)}`);
  return lookup;
}

const NOBODY = 65534; // uid of "nobody" and gid of "nogroup" on Debian

const isRoot = process.getuid?.() === 0;

/**
 * The compiled key readers copied to a world-readable folder: the checkout may be private to root (a 0700 temporary
 * clone), and "nobody" must still load the code. The keys folder imports nothing outside itself.
 */
let nobodyCopy: string | undefined;
function readerForNobody(): string {
  if (nobodyCopy !== undefined) return nobodyCopy;
  const compiled = fileURLToPath(new URL('../../../../src/enrich/keys/', import.meta.url));
  const copy = mkdtempSync(join(tmpdir(), 'key-readers-'));
  for (const name of readdirSync(compiled).filter((n) => n.endsWith('.js'))) copyFileSync(join(compiled, name), join(copy, name));
  writeFileSync(join(copy, 'package.json'), '{"type":"module"}');
  for (const name of readdirSync(copy)) chmodSync(join(copy, name), 0o644);
  chmodSync(copy, 0o755);
  nobodyCopy = copy;
  return copy;
}
after(() => {
  if (nobodyCopy !== undefined) removeDir(nobodyCopy);
});

/** Runs readKeyFiles in a child process as the unprivileged user "nobody" (group "nogroup"). */
function readKeyFilesAsNobody(dir: string, names: readonly string[]): Record<string, KeyLookup> {
  const moduleUrl = pathToFileURL(join(readerForNobody(), 'key-files.js')).href;
  const script = `const { readKeyFiles } = await import(${JSON.stringify(moduleUrl)});
    process.stdout.write(JSON.stringify(Object.fromEntries(await readKeyFiles(${JSON.stringify(dir)}, ${JSON.stringify(names)}))));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });
  expect(child.status, child.stderr).to.equal(0);
  return JSON.parse(child.stdout) as Record<string, KeyLookup>;
}

function expectProblem(lookup: KeyLookup | undefined, status: 'missing' | 'invalid' | 'unavailable', reason: RegExp): void {
  expect(lookup?.status, JSON.stringify(lookup)).to.equal(status);
  expect(lookup).to.have.property('reason').that.matches(reason);
}

describe('readKeyFiles', () => {
  let root: string;
  let dir: string;

  beforeEach(() => {
    root = makeTempDir('key-files-');
    dir = join(root, 'keys');
    mkdirSync(dir);
  });
  afterEach(() => removeDir(root));

  function writeKey(name: string, text = KEY, mode = 0o600): string {
    const path = join(dir, name);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode); // the umask may have removed bits
    return path;
  }

  it('reads <key pair name>.pem and reports its format, type and path', async () => {
    const path = writeKey('deploy.pem');
    const found = expectFound((await readKeyFiles(dir, ['deploy'])).get('deploy'));
    expect(found.key).to.include({ format: 'pkcs1', type: 'rsa', bits: 2048, encrypted: false });
    expect(found.key.text).to.equal(KEY);
    expect(found.source).to.equal(path);
    expect(found.warnings ?? []).to.deep.equal([]);
  });

  it('uses the key pair name exactly as EC2 shows it (spaces, dots, case)', async () => {
    writeKey('My Key.v2.pem');
    const keys = await readKeyFiles(dir, ['My Key.v2', 'my key.v2']);
    expectFound(keys.get('My Key.v2'));
    expectProblem(keys.get('my key.v2'), 'missing', /my key\.v2\.pem/);
  });

  it('reports a missing file with the path it expected, and looks each name up once', async () => {
    writeKey('a.pem');
    const keys = await readKeyFiles(dir, ['a', 'b', 'a']);
    expect([...keys.keys()]).to.deep.equal(['a', 'b']);
    expectProblem(keys.get('b'), 'missing', new RegExp(`no key file ${join(dir, 'b.pem')}`));
  });

  it('picks up a file copied in or replaced between runs', async () => {
    expectProblem((await readKeyFiles(dir, ['late'])).get('late'), 'missing', /late\.pem/);
    writeKey('late.pem');
    expectFound((await readKeyFiles(dir, ['late'])).get('late'));
    const ec = pemKeyPair('ec-sec1').privateText;
    writeFileSync(join(dir, 'late.pem.tmp'), ec, { mode: 0o600 });
    renameSync(join(dir, 'late.pem.tmp'), join(dir, 'late.pem'));
    expect(expectFound((await readKeyFiles(dir, ['late'])).get('late')).key.type).to.equal('ecdsa');
  });

  it('warns about a key file other users can read, but still uses it', async () => {
    const path = writeKey('open.pem', KEY, 0o644);
    const found = expectFound((await readKeyFiles(dir, ['open'])).get('open'));
    expect(found.warnings).to.deep.equal([`${path} is readable by its group and readable by other users (mode 0644); run chmod 600 ${path}`]);
  });

  it("the daemon's own key file: 0600 is quiet; 0660 and 0604 warn and advise chmod 600", async () => {
    writeKey('own.pem', KEY, 0o600);
    const wide = { group: writeKey('group.pem', KEY, 0o660), others: writeKey('others.pem', KEY, 0o604) };
    const keys = await readKeyFiles(dir, ['own', 'group', 'others']);
    expect(expectFound(keys.get('own')).warnings).to.deep.equal([]);
    expect(expectFound(keys.get('group')).warnings).to.deep.equal([
      `${wide.group} is readable and writable by its group (mode 0660); run chmod 600 ${wide.group}`,
    ]);
    expect(expectFound(keys.get('others')).warnings).to.deep.equal([`${wide.others} is readable by other users (mode 0604); run chmod 600 ${wide.others}`]);
  });

  it("the README layout (owner root, the daemon's group, 0640) is quiet for a daemon reading through the group; wider warns", async function () {
    // Needs root to hand the files to root:nogroup and to run the reader as "nobody" (CI runs the tests as root).
    if (!isRoot) this.skip();
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    const modes = { readme: 0o640, readonly: 0o440, world: 0o644, groupWrite: 0o660, others: 0o604 };
    // others.pem stays root:root, so nobody reads it as one of the other users (a group match would deny it).
    for (const [name, mode] of Object.entries(modes)) chownSync(writeKey(`${name}.pem`, KEY, mode), 0, name === 'others' ? 0 : NOBODY);
    const lookups = readKeyFilesAsNobody(dir, Object.keys(modes));
    const fix = (name: string) => `run chown root:${NOBODY} ${join(dir, `${name}.pem`)} && chmod 640 ${join(dir, `${name}.pem`)}`;
    expect(expectFound(lookups.readme).warnings).to.deep.equal([]);
    expect(expectFound(lookups.readonly).warnings).to.deep.equal([]);
    expect(expectFound(lookups.world).warnings).to.deep.equal([`${join(dir, 'world.pem')} is readable by other users (mode 0644); ${fix('world')}`]);
    const groupWrite = join(dir, 'groupWrite.pem');
    expect(expectFound(lookups.groupWrite).warnings).to.deep.equal([`${groupWrite} is writable by its group (mode 0660); ${fix('groupWrite')}`]);
    expect(expectFound(lookups.others).warnings).to.deep.equal([`${join(dir, 'others.pem')} is readable by other users (mode 0604); ${fix('others')}`]);
  });

  it('a root daemon needs no group: root:group 0640 warns and advises chmod 600', async function () {
    if (!isRoot) this.skip();
    const path = writeKey('rootgroup.pem', KEY, 0o640);
    chownSync(path, 0, NOBODY);
    const found = expectFound((await readKeyFiles(dir, ['rootgroup'])).get('rootgroup'));
    expect(found.warnings).to.deep.equal([`${path} is readable by its group (mode 0640); run chmod 600 ${path}`]);
  });

  it('refuses names that cannot be file names', async () => {
    const names = ['a/b', '..', '.', 'nul\0byte', ''];
    const keys = await readKeyFiles(dir, names);
    for (const name of names) expectProblem(keys.get(name), 'invalid', /cannot be used as a file name/);
  });

  it('reports every name missing when the keys folder does not exist', async () => {
    const absent = join(root, 'nope');
    const keys = await readKeyFiles(absent, ['a', 'b']);
    for (const name of ['a', 'b']) expectProblem(keys.get(name), 'missing', new RegExp(`keys folder ${absent} does not exist`));
  });

  it('refuses a folder named x.pem', async () => {
    mkdirSync(join(dir, 'x.pem'));
    expectProblem((await readKeyFiles(dir, ['x'])).get('x'), 'invalid', /x\.pem is a folder, not a key file/);
  });

  it('refuses a FIFO named x.pem without hanging', async () => {
    const made = spawnSync('mkfifo', [join(dir, 'x.pem')]);
    expect(made.status, 'mkfifo').to.equal(0);
    expectProblem((await readKeyFiles(dir, ['x'])).get('x'), 'invalid', /not a regular file/);
  });

  it('refuses a file too large to be a key', async () => {
    writeKey('big.pem', `${KEY}${'#'.repeat(MAX_KEY_FILE_BYTES)}`);
    expectProblem((await readKeyFiles(dir, ['big'])).get('big'), 'invalid', /too large to be a key/);
  });

  it('reports an unreadable file with its error code', async function () {
    writeKey('locked.pem', KEY, 0o000);
    const expected = /^cannot read .*locked\.pem \(EACCES\)/;
    if (!isRoot) {
      expectProblem((await readKeyFiles(dir, ['locked'])).get('locked'), 'invalid', expected);
      return;
    }
    // chmod 000 does not stop root (CI runs the tests as root): read as the unprivileged user "nobody" instead.
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
    const lookups = readKeyFilesAsNobody(dir, ['locked']);
    expectProblem(lookups.locked, 'invalid', expected);
  });

  it('prefixes what is wrong with the content with the file path', async () => {
    const path = writeKey('pub.pem', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDv5 user@host\n');
    writeKey('empty.pem', '');
    const keys = await readKeyFiles(dir, ['pub', 'empty']);
    expectProblem(keys.get('pub'), 'invalid', new RegExp(`^${path} holds a public key, not a private one$`));
    expectProblem(keys.get('empty'), 'invalid', /empty\.pem is empty$/);
  });

  it('refuses a symbolic link that leads out of the keys folder', async () => {
    const outside = join(root, 'elsewhere.pem');
    writeFileSync(outside, KEY, { mode: 0o600 });
    symlinkSync(outside, join(dir, 'out.pem'));
    symlinkSync('../elsewhere.pem', join(dir, 'relative.pem'));
    const keys = await readKeyFiles(dir, ['out', 'relative']);
    for (const name of ['out', 'relative']) expectProblem(keys.get(name), 'invalid', /symbolic link to .*elsewhere\.pem, outside the keys folder/);
  });

  it('follows symbolic links inside the folder, as in a Kubernetes secret volume', async () => {
    // kubelet layout: x.pem -> ..data/x.pem, ..data -> ..2024_01_01_00_00_00.123/, the real files live in the latter.
    mkdirSync(join(dir, '..2024_01_01_00_00_00.123'));
    writeKey('..2024_01_01_00_00_00.123/deploy.pem', KEY, 0o600);
    symlinkSync('..2024_01_01_00_00_00.123', join(dir, '..data'));
    symlinkSync('..data/deploy.pem', join(dir, 'deploy.pem'));
    const found = expectFound((await readKeyFiles(dir, ['deploy'])).get('deploy'));
    expect(found.source).to.equal(join(dir, 'deploy.pem'));
    expect(found.key.type).to.equal('rsa');
  });

  it('follows a keys folder that is itself a symbolic link', async () => {
    writeKey('deploy.pem');
    const link = join(root, 'keys-link');
    symlinkSync(dir, link);
    expectFound((await readKeyFiles(link, ['deploy'])).get('deploy'));
  });

  it('reports a dangling symbolic link as missing', async () => {
    symlinkSync('gone.pem', join(dir, 'dangling.pem'));
    expectProblem((await readKeyFiles(dir, ['dangling'])).get('dangling'), 'missing', /symbolic link to a file that does not exist/);
  });

  it('never puts key text into a reason', async () => {
    const damaged = KEY.replace(/\n-----END/, '\n!!!!\n-----END');
    writeKey('damaged.pem', damaged);
    const lookup = (await readKeyFiles(dir, ['damaged'])).get('damaged');
    expectProblem(lookup, 'invalid', /damaged\.pem is corrupted/);
    expect(JSON.stringify(lookup)).not.to.contain(KEY.split('\n')[5]);
  });
});
