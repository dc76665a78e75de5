import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { FakeEc2, type FakeInstance } from '../../support/fake-ec2.js';
import { freePort } from '../../support/free-port.js';
import { runCli, summaryOf, type CliResult } from '../../support/run-cli.js';
import { fleetFixture } from '../once/fleet-fixture.js';

const AWS_SECRET = 'aws-secret-never-shown-51c2';
const PASSWORD = 'Kq4!first-look-Administrator';
const KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const HEADER = 'no database configured: showing what a first run would create (nothing is written; no database is contacted)';
const RECORDER = pathToFileURL(fileURLToPath(new URL('../../support/connect-recorder.js', import.meta.url))).href;

/** The once suite's fleet, plus Windows instances in each password state and instances left out for each reason. */
function firstLookFleet(): ReturnType<typeof fleetFixture> {
  const fleet = fleetFixture();
  const win1 = fleet.instances.find((i) => i.instanceId === 'i-0000000000000win1') as FakeInstance;
  win1.passwordData = publicEncrypt({ key: KEY.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(PASSWORD)).toString('base64');
  const windows = (id: string, keyName: string, ip: string, name: string): FakeInstance => ({
    instanceId: id,
    region: 'us-east-1',
    platform: 'windows',
    keyName,
    privateIp: ip,
    tags: { Name: name },
  });
  fleet.instances.push(
    windows('i-0000000000000win2', 'absent-win', '10.0.2.8', 'win-02'),
    windows('i-0000000000000win3', 'prod', '10.0.2.9', 'win-booting'), // no password data yet
    { instanceId: 'i-00000000000noaddr', region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod', tags: { Name: 'no-address' } },
    { instanceId: 'i-00000000000ignore', region: 'us-east-1', keyName: 'prod', privateIp: '10.0.0.99', tags: { Name: 'ignored-box', 'kcm:ignore': 'true' } },
  );
  return fleet;
}

describe('a first look: --once --dry-run without a database', function () {
  let fake: FakeEc2;
  let dir: string;
  let keysDir: string;
  let connectLog: string;
  let env: Record<string, string>;

  before(async function () {
    fake = await FakeEc2.start();
  });
  after(async function () {
    await fake.close();
  });
  beforeEach(function () {
    const fleet = firstLookFleet();
    fake.instances = fleet.instances;
    fake.images = fleet.images;
    fake.requests.length = 0;
    fake.clearFailures();
    dir = mkdtempSync(join(tmpdir(), 'ged-first-look-'));
    keysDir = join(dir, 'keys');
    connectLog = join(dir, 'connections.log');
    mkdirSync(keysDir);
    writeFileSync(join(keysDir, 'prod.pem'), KEY.privateKey, { mode: 0o600 });
    writeFileSync(connectLog, '');
    // Guacamole's own settings and one of ours, but no database key: settings still come from the file.
    writeFileSync(join(dir, 'guacamole.properties'), 'guacd-hostname: localhost\nguacd-port: 4822\naws-discovery-page-size: 5\n');
    env = {
      AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_DISCOVERY_SECRET_KEY: AWS_SECRET,
      AWS_DISCOVERY_REGIONS: 'us-east-1, eu-west-1',
      AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
      AWS_DISCOVERY_KEYS_DIR: keysDir,
      GUACAMOLE_HOME: dir,
      NODE_OPTIONS: `--import=${RECORDER}`,
      TEST_CONNECT_LOG: connectLog,
    };
  });
  afterEach(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every connection the CLI opened, as `host:port`. */
  const connections = () => readFileSync(connectLog, 'utf8').split('\n').filter((l) => l !== '');
  const fakePort = () => new URL(fake.endpoint).port;

  it('lists the folder tree, every connection with protocol, address, login and key or password, and every instance left out', async function () {
    expect(Object.keys(env).filter((name) => /^(POSTGRES|MYSQL)/i.test(name))).to.deep.equal([]);
    const run = await runCli(['--once', '--dry-run'], env);
    expect(run.code, output(run)).to.equal(0);
    const key = `key: found prod (${join(keysDir, 'prod.pem')})`;
    const batch = Array.from({ length: 9 }, (_, i) => `    i-00000000000000b0${i}  ssh 10.0.9.${i}:22  login: ec2-user  ${key}`);
    expect(planOf(run)).to.deep.equal([
      HEADER,
      '',
      'Amazon EC2/',
      '  Apps/',
      '    EU/',
      `      api  ssh 10.1.0.5:22  login: admin  ${key}`,
      '  Batch/',
      ...batch,
      '  Databases/',
      '    MySQL/',
      `      db-01  ssh 10.0.1.5:22  login: ubuntu  ${key}  recorded`,
      '  jump  ssh 54.1.2.3:22  login: ops  key: missing missing-key.pem',
      '  stopped-box  ssh 10.0.0.30:22  login: ec2-user  key: none (launched without a key pair)',
      `  web (i-0000000000000web1)  ssh 10.0.0.11:22  login: ec2-user  ${key}`,
      `  web (i-0000000000000web2)  ssh 10.0.0.12:22  login: ec2-user  ${key}`,
      '  win-01  rdp 10.0.2.7:3389  login: Administrator  password: found (decrypted with key prod)',
      `  win-02  rdp 10.0.2.8:3389  login: Administrator  password: none (key pair "absent-win": no key file ${join(keysDir, 'absent-win.pem')} ` +
        '(name it exactly like the key pair in EC2, plus .pem))',
      '  win-booting  rdp 10.0.2.9:3389  login: Administrator  password: not yet (EC2 has not generated the Administrator password yet ' +
        '(a few minutes after launch); a later run adds it)',
      '',
      'skipped (3):',
      '  i-00000000000000ter "terminated-box" (us-east-1): terminated: only pending, running, stopping and stopped instances get a connection',
      '  i-00000000000ignore "ignored-box" (us-east-1): kcm:ignore=true',
      '  i-00000000000noaddr "no-address" (us-east-1): no address yet (private-ip, public-ip); added once it has one',
      '',
      'renamed:',
      '  us-east-1/i-0000000000000web1: name "web" is wanted by 2 instances in "Amazon EC2": named "web (i-0000000000000web1)"',
      '  us-east-1/i-0000000000000web2: name "web" is wanted by 2 instances in "Amazon EC2": named "web (i-0000000000000web2)"',
      '',
      'user group "AWS EC2 Administrators" would be created, with READ on every connection and its folders',
      `keys: <key pair name>.pem in ${keysDir} (AWS_DISCOVERY_KEYS_DIR)`,
      "to create them: configure Guacamole's database (POSTGRESQL_* or MYSQL_*) and run --once",
      '18 connections and 6 folders to create; private keys: 13 found, 2 without; Windows passwords: 1 found, 2 without; 3 instances skipped',
    ]);
    expect(summaryOf(run)).to.include({ created: 18, updated: 0, deleted: 0, skipped: 1, ignored: 1, dryRun: true, database: 'none', ok: true });

    // The same AWS calls as any dry run: pages of 5 (from guacamole.properties), DescribeImages with no cache, GetPasswordData.
    expect(fake.requestsFor('DescribeInstances', 'us-east-1')).to.have.length(4);
    expect(fake.requestsFor('DescribeImages').length).to.be.greaterThan(0);
    expect(fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId')).sort()).to.deep.equal(['i-0000000000000win1', 'i-0000000000000win3']);
    // Nothing but the fake EC2 was reached: no database connection was even tried.
    const opened = connections();
    expect(opened.length).to.be.greaterThan(0);
    expect(opened.filter((c) => !c.endsWith(`:${fakePort()}`)), opened.join('\n')).to.deep.equal([]);

    const all = output(run);
    for (const secret of [AWS_SECRET, PASSWORD, 'PRIVATE KEY']) expect(all).to.not.include(secret);
    expect(run.stderr).to.equal('');
  });

  it('a listing that fails is shown and makes the exit status 1, as for any dry run', async function () {
    fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'eu-west-1', times: 10 });
    const run = await runCli(['--once', '--dry-run'], env);
    expect(run.code, output(run)).to.equal(1);
    const plan = planOf(run);
    expect(plan[0]).to.equal(HEADER);
    expect(plan).to.include('not listed (1):');
    expect(plan.find((l) => l.startsWith('  eu-west-1: '))).to.include('UnauthorizedOperation');
    expect(plan.at(-1)).to.match(/^17 connections and 4 folders to create; .*; 1 listing failed$/);
  });

  it('without --dry-run a missing database stays a configuration error (2) naming the settings; nothing is contacted', async function () {
    for (const args of [['--once'], []]) {
      const run = await runCli(args, env);
      expect(run.code, output(run)).to.equal(2);
      expect(run.stderr).to.include('POSTGRESQL_* or MYSQL_*: no database configured').and.include('--once --dry-run');
      expect(run.stdout).to.equal('');
    }
    expect(fake.requests).to.have.length(0);
    expect(connections()).to.deep.equal([]);
  });

  it('with database settings in guacamole.properties it is an ordinary dry run: it plans against that database', async function () {
    const port = await freePort(); // nothing listens there
    writeFileSync(
      join(dir, 'guacamole.properties'),
      [
        'postgresql-hostname: 127.0.0.1',
        `postgresql-port: ${port}`,
        'postgresql-database: guacamole_db',
        'postgresql-username: guacamole_user',
        'postgresql-password: pw',
      ].join('\n'),
    );
    const run = await runCli(['--once', '--dry-run'], env);
    expect(run.code, output(run)).to.equal(1);
    expect(run.stdout).to.include(`cannot connect to the PostgreSQL database \\"guacamole_db\\" at 127.0.0.1:${port}`).and.not.include(HEADER);
    expect(connections()).to.include(`127.0.0.1:${port}`);
  });
});

/** The printed plan: from its header to the end of stdout (log lines come before it). */
function planOf(run: CliResult): string[] {
  const start = run.stdout.indexOf(HEADER);
  if (start < 0) throw new Error(`no first-look header in:\n${output(run)}`);
  return run.stdout.slice(start).trimEnd().split('\n');
}

function output(run: CliResult): string {
  return `${run.stdout}\n${run.stderr}`;
}
