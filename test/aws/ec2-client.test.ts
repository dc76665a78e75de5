import { expect } from 'chai';
import { createEc2Client, sdkEc2Api } from '../../src/aws/ec2-client.js';
import { FakeEc2 } from '../support/fake-ec2.js';
import { testClients } from './ec2-test-client.js';

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

  it('sends nothing for an empty id list', async () => {
    expect(await clients.api('us-east-1').describeImages([])).to.deep.equal([]);
    expect(fake.requests).to.deep.equal([]);
  });
});
