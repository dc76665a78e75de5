import { expect } from 'chai';
import type { AccountAccess } from '../../../../src/discover/account-directory.js';
import { discoverRegion } from '../../../../src/discover/discover-region.js';
import { describeById, filterValueMatches, targetScope } from '../../../../src/discover/events/describe-by-id.js';
import type { DescribeTarget } from '../../../../src/discover/events/event-batch.js';
import type { ScopeListing } from '../../../../src/discover/instance.js';
import type { FleetSources } from '../../../../src/discover/list-fleet.js';
import { testClients } from '../../../support/ec2-test-client.js';
import { FakeEc2, type FakeInstance } from '../../../support/fake-ec2.js';

const OWN = '111111111111';
const OTHER = '222222222222';

function instance(n: number, region = 'us-east-1', over: Partial<FakeInstance> = {}): FakeInstance {
  const instanceId = `i-${n.toString(16).padStart(8, '0')}`;
  return { instanceId, region, imageId: `ami-${n % 2}`, privateIp: `10.0.0.${n % 250}`, tags: { Name: `box-${n}` }, ...over };
}

function target(ids: readonly string[], region = 'us-east-1', account = OWN): DescribeTarget {
  return { account, region, instanceIds: [...ids].sort() };
}

/** The DescribeInstances calls: the instance ids each asked for (instance-id filter values) and its other filters. */
function describeCalls(fake: FakeEc2): { ids: string[]; others: string[] }[] {
  return fake.requestsFor('DescribeInstances').map((r) => {
    const ids: string[] = [];
    const others: string[] = [];
    for (let n = 1; r.params.has(`Filter.${n}.Name`); n++) {
      const values = [...r.params].filter(([k]) => k.startsWith(`Filter.${n}.Value.`)).map(([, v]) => v);
      if (r.params.get(`Filter.${n}.Name`) === 'instance-id') ids.push(...values);
      else others.push(`${r.params.get(`Filter.${n}.Name`)}=${values.join(',')}`);
    }
    return { ids, others };
  });
}

describe('describeById through the real EC2Client', () => {
  let fake: FakeEc2;
  const clients = testClients(() => fake);
  const config = { regions: ['us-east-1', 'eu-west-1'], allRegions: false, listingTimeoutSeconds: 60 };
  const sources = (over: Partial<FleetSources> = {}): FleetSources => ({ config, ec2For: (scope) => clients.api(scope), regionLists: new Map(), ...over });

  beforeEach(async () => {
    fake = await FakeEc2.start();
    fake.instances = Array.from({ length: 30 }, (_, n) => instance(n));
    fake.images = [
      { imageId: 'ami-0', region: 'us-east-1', name: 'al2023-ami-2023' },
      { imageId: 'ami-1', region: 'us-east-1', name: 'ubuntu/images/hvm-ssd/ubuntu-noble' },
    ];
  });
  afterEach(async () => {
    clients.destroyAll();
    await fake.close();
  });

  it('asks only for the batch ids with the instance-id filter; an unknown id is simply absent', async () => {
    const ids = ['i-00000003', 'i-00000007', 'i-0000dead'];
    const fleet = await describeById(sources(), [target(ids)], { pageSize: 1000 });
    expect(fleet.instances.map((i) => i.instanceId)).to.deep.equal(['i-00000003', 'i-00000007']);
    expect([...fleet.onlyKeys].sort()).to.deep.equal(ids.map((id) => `us-east-1/${id}`));
    expect(fleet.failed).to.deep.equal([]);
    expect(describeCalls(fake)).to.deep.equal([{ ids, others: [] }]);
    expect(fake.requests.filter((r) => r.action === 'DescribeInstances' && r.params.has('InstanceId.1'))).to.deep.equal([]);
  });

  it('maps an instance exactly as the full listing does', async () => {
    const full = (await discoverRegion(clients.api('us-east-1'), 'us-east-1')) as Extract<ScopeListing, { ok: true }>;
    const fleet = await describeById(sources(), [target(['i-00000005'])], {});
    expect(fleet.instances).to.deep.equal(full.instances.filter((i) => i.instanceId === 'i-00000005'));
    expect([...fleet.images.keys()]).to.deep.equal(['ami-1']);
  });

  it('asks at most 200 ids a call, and describes each unknown AMI once per scope', async () => {
    fake.instances = Array.from({ length: 450 }, (_, n) => instance(n));
    const ids = fake.instances.map((i) => i.instanceId);
    const fleet = await describeById(sources(), [target(ids)], { knownImages: new Map([['us-east-1', new Set(['ami-0'])]]) });
    expect(fleet.instances).to.have.length(450);
    expect(describeCalls(fake).map((c) => c.ids.length)).to.deep.equal([200, 200, 50]);
    const askedImages = fake.requestsFor('DescribeImages').flatMap((r) => [...r.params].filter(([k]) => /^Filter\.1\.Value\./.test(k)).map(([, v]) => v));
    expect(askedImages).to.deep.equal(['ami-1']);
  });

  it('honours AWS_DISCOVERY_FILTERS: an instance they no longer match is absent, so gone', async () => {
    fake.instances = [instance(1, 'us-east-1', { tags: { Env: 'prod' } }), instance(2, 'us-east-1', { tags: { Env: 'dev' } })];
    const filters = [{ Name: 'tag:Env', Values: ['prod'] }];
    const fleet = await describeById(sources(), [target(['i-00000001', 'i-00000002'])], { filters });
    expect(fleet.instances.map((i) => i.instanceId)).to.deep.equal(['i-00000001']);
    expect(fleet.onlyKeys.has('us-east-1/i-00000002')).to.equal(true);
    expect(describeCalls(fake)).to.deep.equal([{ ids: ['i-00000001', 'i-00000002'], others: ['tag:Env=prod'] }]);
  });

  it("asks only for ids the filters' own instance-id allows (and makes no call when none is)", async () => {
    const filters = [{ Name: 'instance-id', Values: ['i-0000000?'] }];
    const fleet = await describeById(sources(), [target(['i-00000001', 'i-00000011'])], { filters });
    expect(fleet.instances.map((i) => i.instanceId)).to.deep.equal(['i-00000001']);
    expect([...fleet.onlyKeys]).to.deep.equal(['us-east-1/i-00000001', 'us-east-1/i-00000011']);
    expect(describeCalls(fake)).to.deep.equal([{ ids: ['i-00000001'], others: [] }]);

    fake.requests.length = 0;
    const none = await describeById(sources(), [target(['i-00000011'])], { filters });
    expect(none.instances).to.deep.equal([]);
    expect(none.onlyKeys.has('us-east-1/i-00000011')).to.equal(true);
    expect(none.failed).to.deep.equal([]);
    expect(fake.requestsFor('DescribeInstances')).to.deep.equal([]);
  });

  it('a failed describe fails its scope only', async () => {
    fake.instances.push(instance(100, 'eu-west-1'));
    fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'us-east-1' });
    const fleet = await describeById(sources(), [target(['i-00000001']), target(['i-00000064'], 'eu-west-1')], {});
    expect(fleet.failed.map((f) => [f.scope, f.code])).to.deep.equal([['us-east-1', 'UnauthorizedOperation']]);
    expect(fleet.instances.map((i) => i.scope)).to.deep.equal(['eu-west-1']);
    expect([...fleet.onlyKeys].sort()).to.deep.equal(['eu-west-1/i-00000064', 'us-east-1/i-00000001']);
  });

  it('leaves out (as `outside`) a region the settings do not read', async () => {
    const fleet = await describeById(sources(), [target(['i-00000001'], 'ap-south-1')], {});
    expect(fleet.outside.map((t) => t.region)).to.deep.equal(['ap-south-1']);
    expect(fleet.onlyKeys.size).to.equal(0);
    expect(fake.requestsFor('DescribeInstances')).to.deep.equal([]);
  });

  it('with AWS_DISCOVERY_ASSUME_ROLES: scopes per account, its folder, failed accounts, accounts not configured', async () => {
    const third = '333333333333';
    const accesses: AccountAccess[] = [
      { ok: true, account: { id: OWN, self: true, alias: 'own', ec2For: (region) => clients.api(region) } },
      { ok: false, accountId: OTHER, error: 'AssumeRole failed: AccessDenied', code: 'AccessDenied' },
    ];
    const withAccounts = sources({
      config: { ...config, accounts: [{ kind: 'self' }] },
      accounts: { resolve: async () => accesses },
      folderOf: (account) => [account.alias ?? account.id],
    });
    const targets = [
      target(['i-00000001']),
      target(['i-00000002'], 'us-east-1', OTHER),
      target(['i-00000003'], 'eu-west-1', OTHER),
      target(['i-00000004'], 'us-east-1', third),
    ];
    const fleet = await describeById(withAccounts, targets, {});
    expect(fleet.instances.map((i) => `${i.scope}/${i.instanceId}`)).to.deep.equal([`${OWN}/us-east-1/i-00000001`]);
    expect(fleet.scopeFolders).to.deep.equal(new Map([[`${OWN}/us-east-1`, ['own']]]));
    expect(fleet.selfAccountId).to.equal(OWN);
    expect(fleet.failed.map((f) => f.scope)).to.deep.equal([`${OTHER}/*`]);
    expect(fleet.failedAccounts).to.deep.equal([OTHER]);
    expect(fleet.outside.map((t) => t.account)).to.deep.equal([third]);
    expect([...fleet.onlyKeys].sort()).to.deep.equal([`${OWN}/us-east-1/i-00000001`, `${OTHER}/eu-west-1/i-00000003`, `${OTHER}/us-east-1/i-00000002`]);
    expect(targetScope(targets[1] as DescribeTarget, true)).to.equal(`${OTHER}/us-east-1`);
    expect(targetScope(targets[1] as DescribeTarget, false)).to.equal('us-east-1');
  });
});

describe('filterValueMatches', () => {
  const cases: [string, string, boolean][] = [
    ['i-0abc', 'i-0abc', true],
    ['i-0abc', 'i-0abcd', false],
    ['i-0*', 'i-0abc', true],
    ['i-0*', 'i-1abc', false],
    ['i-0ab?', 'i-0abc', true],
    ['i-0ab?', 'i-0ab', false],
    ['*', 'anything', true],
    ['i-\\*', 'i-*', true],
    ['i-\\*', 'i-0', false],
    ['i.0', 'ix0', false],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`"${pattern}" ${expected ? 'matches' : 'does not match'} "${value}"`, () => {
      expect(filterValueMatches(pattern, value)).to.equal(expected);
    });
  }
});
