import { expect } from 'chai';
import type { ScopeListing } from '../../../src/discover/instance.js';
import { discoverRegion } from '../../../src/discover/discover-region.js';
import { FakeEc2 } from '../../support/fake-ec2.js';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { testClients } from '../../support/ec2-test-client.js';

const STATES = ['running', 'stopped', 'pending', 'terminated', 'stopping', 'shutting-down'];

function fleet(region: string, count: number, prefix = 'i-'): FakeInstance[] {
  return Array.from({ length: count }, (_, n) => ({
    instanceId: `${prefix}${String(n).padStart(4, '0')}`,
    region,
    state: STATES[n % STATES.length] ?? 'running',
    imageId: `ami-${n % 3}`,
  }));
}

function expectOk(result: ScopeListing): Extract<ScopeListing, { ok: true }> {
  if (!result.ok) expect.fail(`expected ok, got: ${result.error}`);
  return result;
}

describe('discoverRegion through the real EC2Client', () => {
  let fake: FakeEc2;
  const clients = testClients(() => fake);

  beforeEach(async () => {
    fake = await FakeEc2.start();
  });
  afterEach(async () => {
    clients.destroyAll();
    await fake.close();
  });

  it('walks every page: 23 instances with pageSize 5 arrive exactly once, in 5 calls, all states kept', async () => {
    fake.instances = fleet('us-east-1', 23);

    const result = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1', { pageSize: 5 }));

    const ids = result.instances.map((i) => i.instanceId);
    expect(ids).to.have.lengthOf(23);
    expect(new Set(ids)).to.deep.equal(new Set(fake.instances.map((i) => i.instanceId)));
    expect(new Set(result.instances.map((i) => i.state))).to.deep.equal(new Set(STATES));
    const calls = fake.requestsFor('DescribeInstances');
    expect(calls).to.have.lengthOf(5);
    expect(calls.map((c) => c.params.get('MaxResults'))).to.deep.equal(['5', '5', '5', '5', '5']);
    expect(calls[0]?.params.has('NextToken')).to.equal(false);
    expect(calls.slice(1).every((c) => c.params.has('NextToken'))).to.equal(true);
    expect(result.calls).to.deep.equal({ describeInstances: 5, describeImages: 1 });
  });

  it('asks for pages of 1000 by default', async () => {
    fake.instances = fleet('us-east-1', 3);

    expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    expect(fake.requestsFor('DescribeInstances').map((c) => c.params.get('MaxResults'))).to.deep.equal(['1000']);
  });

  it('keeps two regions apart', async () => {
    fake.instances = [...fleet('us-east-1', 3, 'i-use'), ...fleet('eu-west-1', 2, 'i-euw')];
    fake.images = [
      { imageId: 'ami-0', region: 'us-east-1', name: 'east' },
      { imageId: 'ami-0', region: 'eu-west-1', name: 'west' },
    ];

    const east = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));
    const west = expectOk(await discoverRegion(clients.api('eu-west-1'), 'eu-west-1'));

    expect(east.instances.map((i) => i.instanceId)).to.deep.equal(['i-use0000', 'i-use0001', 'i-use0002']);
    expect(west.instances.map((i) => i.instanceId)).to.deep.equal(['i-euw0000', 'i-euw0001']);
    expect(east.instances.every((i) => i.scope === 'us-east-1')).to.equal(true);
    expect(west.instances.every((i) => i.scope === 'eu-west-1')).to.equal(true);
    expect(east.images.get('ami-0')?.name).to.equal('east');
    expect(west.images.get('ami-0')?.name).to.equal('west');
    expect(fake.requests.map((r) => r.region)).to.include.members(['us-east-1', 'eu-west-1']);
  });

  it('maps every field from the wire; empty DNS names become undefined; Windows arrives as "windows"', async () => {
    const launchTime = new Date('2025-03-04T05:06:07.000Z');
    fake.instances = [
      {
        instanceId: 'i-win',
        region: 'us-east-1',
        state: 'stopped',
        imageId: 'ami-win',
        keyName: 'ops-key',
        platform: 'windows',
        platformDetails: 'Windows',
        privateIp: '10.0.0.5',
        publicIp: '203.0.113.5',
        privateDns: 'ip-10-0-0-5.ec2.internal',
        publicDns: '',
        ipv6: '2001:db8::5',
        launchTime,
        tags: { Name: 'win' },
      },
    ];

    const result = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    expect(result.instances).to.deep.equal([
      {
        scope: 'us-east-1',
        instanceId: 'i-win',
        state: 'stopped',
        imageId: 'ami-win',
        keyName: 'ops-key',
        platform: 'windows',
        platformDetails: 'Windows',
        privateIp: '10.0.0.5',
        publicIp: '203.0.113.5',
        privateDns: 'ip-10-0-0-5.ec2.internal',
        ipv6: '2001:db8::5',
        launchTime,
        tags: { Name: 'win' },
      },
    ]);
  });

  it('keeps tags with special characters intact', async () => {
    const tags = {
      Name: `web <prod> & "blue" 'green'`,
      'a&b<c>': 'x\r\ny\tz',
      unicode: 'Grüße 日本 🚀',
      padded: '  spaced  ',
      empty: '',
      'path/with:colons': 'https://example.com/?a=1&b=2',
    };
    fake.instances = [{ instanceId: 'i-tags', region: 'us-east-1', tags }];

    const result = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    expect(result.instances[0]?.tags).to.deep.equal(tags);
  });

  it('reads 451 distinct images in 3 DescribeImages calls of at most 200; a deregistered id is just absent', async () => {
    fake.instances = Array.from({ length: 460 }, (_, n) => ({
      instanceId: `i-${n}`,
      region: 'us-east-1',
      imageId: n === 459 ? 'ami-gone' : `ami-${n % 450}`,
    }));
    fake.images = Array.from({ length: 450 }, (_, n) => ({
      imageId: `ami-${n}`,
      region: 'us-east-1',
      name: `image ${n}`,
      deprecated: n % 7 === 0,
    }));

    const result = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    const calls = fake.requestsFor('DescribeImages');
    expect(calls.map((c) => [...c.params.keys()].filter((k) => k.startsWith('Filter.1.Value.')).length)).to.deep.equal([
      200, 200, 51,
    ]);
    for (const call of calls) {
      expect(call.params.get('Filter.1.Name')).to.equal('image-id');
      expect(call.params.get('IncludeDeprecated')).to.equal('true');
      expect(call.params.get('IncludeDisabled')).to.equal('true');
      expect([...call.params.keys()].some((k) => k.startsWith('ImageId.'))).to.equal(false);
    }
    expect(result.calls.describeImages).to.equal(3);
    expect(result.images.size).to.equal(450);
    expect(result.images.has('ami-gone')).to.equal(false);
    expect(result.images.get('ami-0')?.name).to.equal('image 0'); // deprecated, still found
    expect(result.instances).to.have.lengthOf(460);
  });

  it('makes no DescribeImages call when no instance has an image', async () => {
    fake.instances = [{ instanceId: 'i-1', region: 'us-east-1' }];

    const result = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    expect(result.calls).to.deep.equal({ describeInstances: 1, describeImages: 0 });
    expect(result.images.size).to.equal(0);
  });

  it('reports an empty region as ok with no instances', async () => {
    fake.instances = fleet('eu-west-1', 4);

    const result = expectOk(await discoverRegion(clients.api('us-east-1'), 'us-east-1'));

    expect(result.instances).to.deep.equal([]);
  });
});
