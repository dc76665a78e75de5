import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConsoleHostKeys } from '../../../src/enrich/host-keys/console-host-keys.js';
import { createEc2Client } from '../../../src/discover/ec2-client.js';
import { FakeEc2 } from '../../support/fake-ec2.js';
import { testClients } from '../../support/ec2-test-client.js';

describe('createEc2Client', () => {
  it('uses adaptive retries, 5 attempts by default, and silences the Node version warning', async () => {
    const client = createEc2Client({ region: 'ap-southeast-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      expect(await client.config.region()).to.equal('ap-southeast-2');
      expect(await client.config.maxAttempts()).to.equal(5);
      expect(await client.config.retryStrategy()).to.have.property('mode', 'adaptive');
      expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).to.equal('true');
    } finally {
      client.destroy();
    }
  });

  it('takes maxAttempts', async () => {
    const client = createEc2Client({ region: 'us-east-1', maxAttempts: 2 });
    try {
      expect(await client.config.maxAttempts()).to.equal(2);
    } finally {
      client.destroy();
    }
  });
});

describe('sdkEc2Api', () => {
  let fake: FakeEc2;
  const clients = testClients(() => fake);

  beforeEach(async () => {
    fake = await FakeEc2.start();
  });
  afterEach(async () => {
    clients.destroyAll();
    await fake.close();
  });

  it('passes filters to DescribeInstances', async () => {
    fake.instances = [
      { instanceId: 'i-1', region: 'us-east-1', state: 'running' },
      { instanceId: 'i-2', region: 'us-east-1', state: 'stopped' },
    ];
    const pages = clients.api('us-east-1').describeInstancePages({
      pageSize: 5,
      filters: [{ Name: 'instance-state-name', Values: ['running'] }],
    });

    const ids: string[] = [];
    for await (const page of pages) ids.push(...page.instances.map((i) => i.InstanceId ?? ''));

    expect(ids).to.deep.equal(['i-1']);
  });

  it('refuses more than 200 image ids in one call', async () => {
    const ids = Array.from({ length: 201 }, (_, n) => `ami-${n}`);

    const error = await clients.api('us-east-1').describeImages(ids).catch((err: unknown) => err);

    expect(error).to.be.instanceOf(RangeError);
    expect(fake.requests).to.deep.equal([]);
  });

  it('reads password data: trimmed ciphertext, or an empty string before Windows has generated it', async () => {
    fake.instances = [
      { instanceId: 'i-new', region: 'us-east-1', platform: 'windows' },
      { instanceId: 'i-old', region: 'us-east-1', platform: 'windows', passwordData: '\r\nQUJD\r\n' },
    ];
    const api = clients.api('us-east-1');

    expect(await api.getPasswordData('i-new')).to.include({ instanceId: 'i-new', passwordData: '' });
    const old = await api.getPasswordData('i-old');
    expect(old).to.include({ instanceId: 'i-old', passwordData: 'QUJD' });
    expect(old.timestamp).to.be.instanceOf(Date);
    expect(fake.requestsFor('GetPasswordData')[0]?.params.get('InstanceId')).to.equal('i-new');
  });

  it('rejects GetPasswordData for an unknown instance with the AWS code', async () => {
    const error = await clients.api('us-east-1').getPasswordData('i-nope').catch((err: unknown) => err);

    expect(error).to.have.property('name', 'InvalidInstanceID.NotFound');
  });

  it('reads the latest console output, decoded from base64 as UTF-8 text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-key-'));
    let pubLine: string;
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'root@ip-10-0-0-5', '-f', join(dir, 'k')]);
      pubLine = readFileSync(join(dir, 'k.pub'), 'utf8').trim();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const text = [
      '\x1b[0;32m[  OK  ]\x1b[0m Started cloud-final.service – Execute cloud user/final scripts.\r',
      'ec2: -----BEGIN SSH HOST KEY KEYS-----\r',
      `ec2: ${pubLine}\r`,
      'ec2: -----END SSH HOST KEY KEYS-----\r',
      'Grüße, ip-10-0-0-5 login: ',
    ].join('\n');
    fake.instances = [{ instanceId: 'i-linux', region: 'eu-west-1', consoleOutput: text }];

    const out = await clients.api('eu-west-1').getConsoleOutput('i-linux');

    expect(out).to.deep.equal({ instanceId: 'i-linux', output: text });
    const [type, base64] = pubLine.split(' ');
    expect(parseConsoleHostKeys(out.output)).to.deep.equal({ keys: [{ type, base64 }] });
    const params = fake.requestsFor('GetConsoleOutput', 'eu-west-1')[0]?.params;
    expect(params?.get('InstanceId')).to.equal('i-linux');
    expect(params?.get('Latest')).to.equal('true');
  });

  it('gives empty console output when AWS returns none', async () => {
    fake.instances = [{ instanceId: 'i-quiet', region: 'us-east-1' }];

    expect(await clients.api('us-east-1').getConsoleOutput('i-quiet')).to.deep.equal({ instanceId: 'i-quiet', output: '' });
  });

  it('rejects GetConsoleOutput for an unknown instance (or one in another region) with the AWS code', async () => {
    fake.instances = [{ instanceId: 'i-elsewhere', region: 'eu-west-1', consoleOutput: 'boot' }];

    for (const id of ['i-nope', 'i-elsewhere']) {
      const error = await clients.api('us-east-1').getConsoleOutput(id).catch((err: unknown) => err);
      expect(error).to.include({ name: 'InvalidInstanceID.NotFound', $fault: 'client' });
    }
  });

  it('sends nothing for an empty id list', async () => {
    expect(await clients.api('us-east-1').describeImages([])).to.deep.equal([]);
    expect(fake.requests).to.deep.equal([]);
  });
});
