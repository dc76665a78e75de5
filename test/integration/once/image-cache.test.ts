import { expect } from 'chai';
import type { FakeRequest } from '../../support/fake-ec2.js';
import { snapshot } from '../../support/guacamole-queries.js';
import { runCli, summaryOf } from '../../support/run-cli.js';
import { useCliSuite } from '../../support/cli-suite.js';
import { DIALECTS } from '../../support/test-databases.js';
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
    const s = useCliSuite(dialect);
    let env: Record<string, string>;
    beforeEach(async function () {
      const fleet = fleetFixture();
      s.fake.instances = fleet.instances;
      s.fake.images = fleet.images;
      env = s.env({ AWS_DISCOVERY_REGIONS: 'us-east-1, eu-west-1' });
    });

    it('describes each AMI once: a later run asks only about AMIs it has not seen, with the same result', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      expect(amisAskedFor(s.fake.requests)).to.deep.equal(['ami-al2023', 'ami-debian', 'ami-gone', 'ami-ubuntu']);
      const before = await snapshot(s.database.db);

      s.fake.requests.length = 0;
      const second = await runCli(['--once'], env);
      expect(second.code).to.equal(0);
      expect(summaryOf(second)).to.include({ created: 0, updated: 0, deleted: 0 });
      expect(amisAskedFor(s.fake.requests)).to.deep.equal([]); // ami-gone had no answer: remembered as missing for a day
      expect(await snapshot(s.database.db)).to.equal(before); // usernames from cached images: nothing changes

      s.fake.images.push({ imageId: 'ami-new', region: 'eu-west-1', name: 'debian-13-amd64-20251001', ownerId: '136693071363' });
      s.fake.instances.push({ instanceId: 'i-0000000000000new1', region: 'eu-west-1', imageId: 'ami-new', privateIp: '10.1.0.9', tags: { Name: 'new-box' } });
      s.fake.requests.length = 0;
      const third = await runCli(['--once'], env);
      expect(third.code).to.equal(0);
      expect(summaryOf(third)).to.include({ created: 1 });
      expect(amisAskedFor(s.fake.requests)).to.deep.equal(['ami-new']);
    });

    it('asks again about an AMI AWS did not return once that answer is a day old, and keeps it when it is back', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const gone = await s.database.db.selectFrom('ec2_discovery_image').select(['info']).where('image_id', '=', 'ami-gone').executeTakeFirstOrThrow();
      expect(JSON.parse(gone.info)).to.deep.equal({ imageId: 'ami-gone', missing: true });

      // The AMI is shared again, and the "missing" answer is older than a day.
      s.fake.images.push({
        imageId: 'ami-gone',
        region: 'us-east-1',
        name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101',
        ownerId: '099720109477',
      });
      await s.database.db
        .updateTable('ec2_discovery_image')
        .set({ seen_at: new Date(Date.now() - 25 * 60 * 60 * 1000) })
        .where('image_id', '=', 'ami-gone')
        .execute();
      s.fake.requests.length = 0;
      expect((await runCli(['--once'], env)).code).to.equal(0);
      expect(amisAskedFor(s.fake.requests)).to.deep.equal(['ami-gone']);
      const back = await s.database.db.selectFrom('ec2_discovery_image').select(['info']).where('image_id', '=', 'ami-gone').execute();
      expect(back.map((r) => JSON.parse(r.info).name)).to.deep.equal(['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20240101']);

      s.fake.requests.length = 0;
      expect((await runCli(['--once'], env)).code).to.equal(0);
      expect(amisAskedFor(s.fake.requests)).to.deep.equal([]);
    });

    it('a dry run does not store what it described', async function () {
      expect((await runCli(['--once', '--dry-run'], env)).code).to.equal(0);
      s.fake.requests.length = 0;
      expect((await runCli(['--once'], env)).code).to.equal(0);
      expect(amisAskedFor(s.fake.requests)).to.deep.equal(['ami-al2023', 'ami-debian', 'ami-gone', 'ami-ubuntu']);
    });
  });
}
