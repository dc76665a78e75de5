import { expect } from 'chai';
import { FakeEc2, type FakeRequest } from '../support/fake-ec2.js';
import { snapshot } from '../support/guacamole-queries.js';
import { runCli, summaryOf } from '../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js';
import { fleetFixture } from './fleet-fixture.js';

/** The AMI ids asked for in DescribeImages requests (by ImageId or by the image-id filter). */
function amisAskedFor(requests: readonly FakeRequest[]): string[] {
  return requests
    .filter((r) => r.action === 'DescribeImages')
    .flatMap((r) => [...r.params].filter(([name]) => /^(ImageId\.\d+|Filter\.\d+\.Value\.\d+)$/.test(name)).map(([, value]) => value))
    .sort();
}

for (const dialect of DIALECTS) {
  describe(`DescribeImages cache across runs on ${dialect}`, function () {
    let fake: FakeEc2;
    let database: TestDatabase;
    let env: Record<string, string>;

    before(async function () {
      fake = await FakeEc2.start();
    });
    after(async function () {
      await fake.close();
    });
    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      const fleet = fleetFixture();
      fake.instances = fleet.instances;
      fake.images = fleet.images;
      fake.requests.length = 0;
      fake.clearFailures();
      env = {
        ...database.env,
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_DISCOVERY_SECRET_KEY: 'secret-not-used',
        AWS_DISCOVERY_REGIONS: 'us-east-1, eu-west-1',
        AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
      };
    });
    afterEach(async function () {
      await database.drop();
    });

    it('describes each AMI once: a later run asks only about AMIs it has not seen, with the same result', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      expect(amisAskedFor(fake.requests)).to.deep.equal(['ami-al2023', 'ami-debian', 'ami-gone', 'ami-ubuntu']);
      const before = await snapshot(database.db);

      fake.requests.length = 0;
      const second = await runCli(['--once'], env);
      expect(second.code).to.equal(0);
      expect(summaryOf(second)).to.include({ created: 0, updated: 0, deleted: 0 });
      expect(amisAskedFor(fake.requests)).to.deep.equal(['ami-gone']); // no answer for it last time: asked again
      expect(await snapshot(database.db)).to.equal(before); // usernames from cached images: nothing changes

      fake.images.push({ imageId: 'ami-new', region: 'eu-west-1', name: 'debian-13-amd64-20251001', ownerId: '136693071363' });
      fake.instances.push({ instanceId: 'i-0000000000000new1', region: 'eu-west-1', imageId: 'ami-new', privateIp: '10.1.0.9', tags: { Name: 'new-box' } });
      fake.requests.length = 0;
      const third = await runCli(['--once'], env);
      expect(third.code).to.equal(0);
      expect(summaryOf(third)).to.include({ created: 1 });
      expect(amisAskedFor(fake.requests)).to.deep.equal(['ami-gone', 'ami-new']);
    });

    it('a dry run does not store what it described', async function () {
      expect((await runCli(['--once', '--dry-run'], env)).code).to.equal(0);
      fake.requests.length = 0;
      expect((await runCli(['--once'], env)).code).to.equal(0);
      expect(amisAskedFor(fake.requests)).to.deep.equal(['ami-al2023', 'ami-debian', 'ami-gone', 'ami-ubuntu']);
    });
  });
}
