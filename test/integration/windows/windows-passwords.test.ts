import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { readConnections } from '../../support/guacamole-queries.js';
import { runCli, summaryOf, type CliResult } from '../../support/run-cli.js';
import { useCliSuite } from '../../support/cli-suite.js';
import { DIALECTS } from '../../support/test-databases.js';

function rsaKeyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

/** What EC2 does: the password encrypted with the key pair's public key, PKCS#1 v1.5, base64 with line breaks. */
function encryptLikeEc2(password: string, publicKey: string): string {
  const base64 = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password)).toString('base64');
  return `\n${base64.replace(/.{64}/g, '$&\n')}\n`;
}

const WIN_KEY = rsaKeyPair();
const OTHER_KEY = rsaKeyPair();
const ED25519_KEY = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const PASSWORD = 'Gx7%q!Lm2;Rt@9vZ(wN4)eK';
const LATE_PASSWORD = 'late-P@ss-4567-abc';

function windowsFleet(): FakeInstance[] {
  const win = (id: string, keyName: string, name: string, passwordData?: string): FakeInstance => ({
    instanceId: id,
    region: 'us-east-1',
    platform: 'windows',
    keyName,
    privateIp: `10.0.3.${id.slice(-1)}`,
    tags: { Name: name },
    ...(passwordData === undefined ? {} : { passwordData }),
  });
  return [
    win('i-000000000000win01', 'win-key', 'ready', encryptLikeEc2(PASSWORD, WIN_KEY.publicKey)),
    win('i-000000000000win02', 'win-key', 'booting'),
    win('i-000000000000win03', 'wrong-key', 'wrong', encryptLikeEc2(PASSWORD, WIN_KEY.publicKey)),
    win('i-000000000000win04', 'ed-key', 'edwards', encryptLikeEc2(PASSWORD, WIN_KEY.publicKey)),
    win('i-000000000000win05', 'absent-key', 'keyless', encryptLikeEc2(PASSWORD, WIN_KEY.publicKey)),
  ];
}

function warningsFor(result: CliResult, instanceId: string): string[] {
  return result.logs.filter((l) => l.level === 'warn' && String(l.instance ?? '').endsWith(instanceId)).map((l) => String(l.message));
}

for (const dialect of DIALECTS) {
  describe(`Windows instances over RDP on ${dialect}`, function () {
    const s = useCliSuite(dialect);
    let keysDir: string;
    let env: Record<string, string>;
    beforeEach(async function () {
      keysDir = mkdtempSync(join(tmpdir(), 'ged-win-keys-'));
      writeFileSync(join(keysDir, 'win-key.pem'), WIN_KEY.privateKey.replace(/\n/g, '\r\n'), { mode: 0o600 });
      writeFileSync(join(keysDir, 'wrong-key.pem'), OTHER_KEY.privateKey, { mode: 0o600 });
      writeFileSync(join(keysDir, 'ed-key.pem'), ED25519_KEY.privateKey, { mode: 0o600 });
      s.fake.instances = windowsFleet();
      env = s.env({
        AWS_DISCOVERY_KEYS_DIR: keysDir,
        AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: 'true',
      });
    });
    afterEach(async function () {
      rmSync(keysDir, { recursive: true, force: true });
    });

    it('decrypts the Administrator password, fills late ones in, and calls GetPasswordData only where a password is missing', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      expect(summaryOf(first)).to.include({ created: 5, passwordFetches: 3 });
      // No call for the ED25519 key or the missing key: neither could decrypt the answer.
      expect(s.fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId')).sort()).to.deep.equal([
        'i-000000000000win01',
        'i-000000000000win02',
        'i-000000000000win03',
      ]);
      expect(first.stdout + first.stderr).not.to.include(PASSWORD);

      const connections = await readConnections(s.database.db);
      expect(connections.get('Amazon EC2/ready')).to.deep.include({ protocol: 'rdp' });
      expect(connections.get('Amazon EC2/ready')!.parameters).to.deep.equal({
        hostname: '10.0.3.1',
        port: '3389',
        username: 'Administrator',
        password: PASSWORD,
        'ignore-cert': 'true',
        security: 'any',
        'recording-path': '${HISTORY_PATH}/${HISTORY_UUID}',
        'create-recording-path': 'true',
      });
      for (const name of ['booting', 'wrong', 'edwards', 'keyless']) {
        expect(connections.get(`Amazon EC2/${name}`)!.parameters, name).not.to.have.property('password');
      }
      expect(warningsFor(first, 'win02').join()).to.match(/not generated the Administrator password yet/);
      expect(warningsFor(first, 'win03').join()).to.match(/key pair "wrong-key": .*does not match/);
      expect(warningsFor(first, 'win04').join()).to.match(/key pair "ed-key" is ED25519/);
      expect(warningsFor(first, 'win05').join()).to.match(/key pair "absent-key": .*absent-key\.pem/);

      // Run 2: the stored password is verified by its digest (no call); the two without one are asked again.
      s.fake.requests.length = 0;
      const second = await runCli(['--once'], env);
      expect(summaryOf(second)).to.include({ created: 0, updated: 0, unchanged: 5, passwordFetches: 2 });
      expect(s.fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId')).sort()).to.deep.equal(['i-000000000000win02', 'i-000000000000win03']);

      // Run 3: EC2 has generated the late password: it lands; run 4 needs only the call for the wrong key.
      s.fake.instances[1]!.passwordData = encryptLikeEc2(LATE_PASSWORD, WIN_KEY.publicKey);
      s.fake.requests.length = 0;
      const third = await runCli(['--once'], env);
      expect(summaryOf(third)).to.include({ updated: 1, passwordFetches: 2 });
      expect((await readConnections(s.database.db)).get('Amazon EC2/booting')!.parameters.password).to.equal(LATE_PASSWORD);
      s.fake.requests.length = 0;
      const fourth = await runCli(['--once'], env);
      expect(summaryOf(fourth)).to.include({ updated: 0, passwordFetches: 1 });
    });

    it('puts back a password an administrator edited, and keeps a password when the key goes missing', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const id = (await readConnections(s.database.db)).get('Amazon EC2/ready')!.id;
      await s.database.db
        .updateTable('guacamole_connection_parameter')
        .set({ parameter_value: 'changed-by-hand' })
        .where('connection_id', '=', id)
        .where('parameter_name', '=', 'password')
        .execute();

      s.fake.requests.length = 0;
      const repaired = await runCli(['--once'], env);
      expect(summaryOf(repaired)).to.include({ updated: 1 });
      expect(s.fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId'))).to.include('i-000000000000win01');
      expect((await readConnections(s.database.db)).get('Amazon EC2/ready')!.parameters.password).to.equal(PASSWORD);

      // The key file disappears: nothing can be decrypted, but the password Guacamole holds stays.
      rmSync(join(keysDir, 'win-key.pem'));
      const keyless = await runCli(['--once'], env);
      expect(keyless.code).to.equal(0);
      expect((await readConnections(s.database.db)).get('Amazon EC2/ready')!.parameters.password).to.equal(PASSWORD);
    });

    it('uses the kcm:username tag as the RDP user', async function () {
      s.fake.instances[0]!.tags = { Name: 'ready', 'kcm:username': 'ops-admin' };
      expect((await runCli(['--once'], env)).code).to.equal(0);
      expect((await readConnections(s.database.db)).get('Amazon EC2/ready')!.parameters).to.include({ username: 'ops-admin', password: PASSWORD });
    });
  });
}
