import { expect } from 'chai';
import { FakeEc2, type FakeInstance } from '../support/fake-ec2.js';
import { readConnections, snapshot } from '../support/guacamole-queries.js';
import { runCli, summaryOf } from '../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js';

function box(id: string, region: string, name: string): FakeInstance {
  return { instanceId: id, region, privateIp: '10.0.0.1', tags: { Name: name } };
}

let runs = 0;

for (const dialect of DIALECTS) {
  describe(`AWS_DISCOVERY_REGIONS=* on ${dialect}`, function () {
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
      fake.instances = [
        box('i-00000000000000a01', 'us-east-1', 'east'),
        box('i-00000000000000b01', 'eu-west-1', 'west'),
        box('i-00000000000000c01', 'ap-south-1', 'south'),
      ];
      fake.regions = ['eu-west-1', 'us-east-1'];
      fake.requests.length = 0;
      fake.clearFailures();
      env = {
        ...database.env,
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_DISCOVERY_SECRET_KEY: 'unused',
        AWS_DISCOVERY_REGIONS: '*',
        // MySQL's run lock is server-wide per owner id: a unique one keeps concurrent suites apart.
        AWS_DISCOVERY_OWNER_ID: `accounts-${process.pid}-${++runs}`,
        AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
        AWS_DISCOVERY_KEYS_DIR: '/nonexistent',
      };
    });
    afterEach(async function () {
      await database.drop();
    });

    it('discovers every region DescribeRegions reports as enabled, and only those', async function () {
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(fake.requestsFor('DescribeRegions').length).to.equal(1);
      expect(new Set(fake.requestsFor('DescribeInstances').map((r) => r.region))).to.deep.equal(new Set(['eu-west-1', 'us-east-1']));
      expect([...(await readConnections(database.db)).keys()].sort()).to.deep.equal(['Amazon EC2/east', 'Amazon EC2/west']);
    });

    it('accepts `all` as well', async function () {
      const result = await runCli(['--once'], { ...env, AWS_DISCOVERY_REGIONS: 'ALL' });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(summaryOf(result)).to.include({ created: 2 });
    });

    it('a failing region list fails the run and changes nothing, even with an empty listing elsewhere', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const before = await snapshot(database.db);
      fake.instances = []; // were the region list ignored, everything would look terminated
      fake.failNext('DescribeRegions', { code: 'UnauthorizedOperation', status: 403 });
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      expect(result.stdout).to.include('UnauthorizedOperation');
      expect(fake.requestsFor('DescribeInstances').length).to.equal(2); // only those of the first run
      expect(await snapshot(database.db)).to.equal(before);
    });

    it('a region no longer enabled is removed like a region removed from the settings', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      fake.regions = ['us-east-1'];
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(summaryOf(result)).to.include({ deleted: 1 });
      expect([...(await readConnections(database.db)).keys()]).to.deep.equal(['Amazon EC2/east']);
    });
  });
}
