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

/**
 * `kcm:hostname` cannot steer an instance's secrets: through the CLI against the fake EC2, on both databases. A
 * foreign hostname gets a connection without the password or key (an earlier one is removed), no GetPasswordData
 * call, a warning in the log and in `status --json`; `aws-discovery-trust-hostname-tag` restores the old behaviour.
 */
const WIN_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const LINUX_KEY = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const PASSWORD = 'Tg8%u!Rb3;Yw@5kQ(zN1)hJ';
const FOREIGN_RDP = 'rdp.attacker.example';
const FOREIGN_SSH = 'ssh.attacker.example';
const WIN = 'i-0000000000tagwin1';
const WIN_TAGGED = 'i-0000000000tagwin2';
const LINUX = 'i-0000000000taglin1';

function encryptLikeEc2(password: string): string {
  return publicEncrypt({ key: WIN_KEY.publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(password)).toString('base64');
}

function fleet(): FakeInstance[] {
  return [
    {
      instanceId: WIN,
      region: 'us-east-1',
      platform: 'windows',
      keyName: 'win-key',
      privateIp: '10.0.4.1',
      privateDns: 'ip-10-0-4-1.ec2.internal',
      tags: { Name: 'win' },
      passwordData: encryptLikeEc2(PASSWORD),
    },
    {
      instanceId: WIN_TAGGED,
      region: 'us-east-1',
      platform: 'windows',
      keyName: 'win-key',
      privateIp: '10.0.4.2',
      tags: { Name: 'win-tagged', 'kcm:hostname': FOREIGN_RDP },
      passwordData: encryptLikeEc2(PASSWORD),
    },
    { instanceId: LINUX, region: 'us-east-1', keyName: 'lin-key', privateIp: '10.0.4.3', publicIp: '54.0.4.3', tags: { Name: 'lin' } },
  ];
}

/** Everything a run or `status` printed: no secret may be in it. */
function expectNoSecret(...results: CliResult[]): void {
  for (const r of results) {
    const text = r.stdout + r.stderr;
    expect(text).to.not.include(PASSWORD);
    expect(text).to.not.include('PRIVATE KEY');
    for (const line of [...WIN_KEY.privateKey.split('\n'), ...LINUX_KEY.privateKey.split('\n')].filter((l) => l.length > 20)) expect(text).to.not.include(line);
  }
}

function warningsFor(result: CliResult, instanceId: string): string[] {
  return result.logs.filter((l) => l.level === 'warn' && String(l.instance ?? '').endsWith(instanceId)).map((l) => String(l.message));
}

const WITHHELD = new RegExp(
  'kcm:hostname "[^"]+" is not one of this instance\'s own addresses or DNS names: ' +
    "the connection is written without the instance's (private key|Administrator password)",
);

for (const dialect of DIALECTS) {
  describe(`secrets stay with their instance (kcm:hostname) on ${dialect}`, function () {
    const s = useCliSuite(dialect);
    let keysDir: string;
    let home: string;
    let env: Record<string, string>;
    beforeEach(function () {
      keysDir = mkdtempSync(join(tmpdir(), 'ged-tag-keys-'));
      home = mkdtempSync(join(tmpdir(), 'ged-tag-home-'));
      writeFileSync(join(keysDir, 'win-key.pem'), WIN_KEY.privateKey, { mode: 0o600 });
      writeFileSync(join(keysDir, 'lin-key.pem'), LINUX_KEY.privateKey, { mode: 0o600 });
      s.fake.instances = fleet();
      env = s.env({ AWS_DISCOVERY_KEYS_DIR: keysDir, GUACAMOLE_HOME: home });
    });
    afterEach(function () {
      rmSync(keysDir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    });

    it('a foreign kcm:hostname gets a connection without the secret, an earlier secret is removed, and the problem is reported', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      // The tagged Windows instance's password is not even fetched.
      expect(s.fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId'))).to.deep.equal([WIN]);
      let connections = await readConnections(s.database.db);
      expect(connections.get('Amazon EC2/win')!.parameters).to.include({ hostname: '10.0.4.1', password: PASSWORD });
      expect(connections.get('Amazon EC2/lin')!.parameters).to.include({ hostname: '10.0.4.3', 'private-key': LINUX_KEY.privateKey });
      const tagged = connections.get('Amazon EC2/win-tagged')!.parameters;
      expect(tagged).to.include({ hostname: FOREIGN_RDP, port: '3389', username: 'Administrator' });
      expect(tagged).to.not.have.property('password');
      expect(warningsFor(first, WIN_TAGGED).join('\n')).to.match(WITHHELD).and.include('AWS_DISCOVERY_TRUST_HOSTNAME_TAG=true');

      // Tags change: the connections that held the secrets lose them; their own DNS name (any case) keeps them.
      s.fake.instances[0]!.tags = { Name: 'win', 'kcm:hostname': FOREIGN_RDP };
      s.fake.instances[2]!.tags = { Name: 'lin', 'kcm:hostname': FOREIGN_SSH, 'kcm:port': '2222' };
      s.fake.requests.length = 0;
      const second = await runCli(['--once'], env);
      expect(second.code, second.stdout + second.stderr).to.equal(0);
      expect(summaryOf(second)).to.include({ updated: 2 });
      expect(s.fake.requestsFor('GetPasswordData')).to.deep.equal([]);
      connections = await readConnections(s.database.db);
      expect(connections.get('Amazon EC2/win')!.parameters).to.include({ hostname: FOREIGN_RDP });
      expect(connections.get('Amazon EC2/win')!.parameters).to.not.have.property('password');
      expect(connections.get('Amazon EC2/lin')!.parameters).to.include({ hostname: FOREIGN_SSH, port: '2222' });
      expect(connections.get('Amazon EC2/lin')!.parameters).to.not.have.property('private-key');
      expect(warningsFor(second, WIN).join('\n')).to.match(WITHHELD).and.include('Administrator password');
      expect(warningsFor(second, LINUX).join('\n')).to.match(WITHHELD).and.include('private key');

      const status = await runCli(['status', '--json'], env);
      const problems = (JSON.parse(status.stdout) as { problems: { subject: string; kind: string; message: string }[] }).problems;
      for (const id of [WIN, WIN_TAGGED, LINUX]) {
        const problem = problems.find((p) => p.subject.endsWith(id) && p.kind === 'warning');
        expect(problem?.message, id).to.match(WITHHELD);
      }
      const text = await runCli(['status'], env);
      expect(text.stdout).to.include(LINUX);

      // Back to its own DNS name, written in upper case: the secrets return (the password is fetched again).
      s.fake.instances[0]!.tags = { Name: 'win', 'kcm:hostname': 'IP-10-0-4-1.EC2.INTERNAL.' };
      s.fake.requests.length = 0;
      const third = await runCli(['--once'], env);
      expect(third.code).to.equal(0);
      expect(s.fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId'))).to.deep.equal([WIN]);
      expect((await readConnections(s.database.db)).get('Amazon EC2/win')!.parameters).to.include({
        hostname: 'IP-10-0-4-1.EC2.INTERNAL.',
        password: PASSWORD,
      });
      expectNoSecret(first, second, status, text, third);
    });

    it('aws-discovery-trust-hostname-tag=true in guacamole.properties: the secrets follow the tag', async function () {
      writeFileSync(join(home, 'guacamole.properties'), 'aws-discovery-trust-hostname-tag = true\n');
      s.fake.instances[2]!.tags = { Name: 'lin', 'kcm:hostname': FOREIGN_SSH };
      const run = await runCli(['--once'], env);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(s.fake.requestsFor('GetPasswordData').map((r) => r.params.get('InstanceId')).sort()).to.deep.equal([WIN, WIN_TAGGED]);
      const connections = await readConnections(s.database.db);
      expect(connections.get('Amazon EC2/win-tagged')!.parameters).to.include({ hostname: FOREIGN_RDP, password: PASSWORD });
      expect(connections.get('Amazon EC2/lin')!.parameters).to.include({ hostname: FOREIGN_SSH, 'private-key': LINUX_KEY.privateKey });
      expect(run.logs.some((l) => WITHHELD.test(String(l.message)))).to.equal(false);
      expectNoSecret(run);
    });
  });
}
