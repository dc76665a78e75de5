import { expect } from 'chai';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { readConnections, snapshot } from '../../support/guacamole-queries.js';
import { runCli, summaryOf } from '../../support/run-cli.js';
import { useCliSuite } from '../../support/cli-suite.js';
import { DIALECTS } from '../../support/test-databases.js';

function box(id: string, region: string, name: string): FakeInstance {
  return { instanceId: id, region, privateIp: '10.0.0.1', tags: { Name: name } };
}

for (const dialect of DIALECTS) {
  describe(`AWS_DISCOVERY_REGIONS=* on ${dialect}`, function () {
    const s = useCliSuite(dialect);
    let env: Record<string, string>;
    beforeEach(async function () {
      s.fake.instances = [
        box('i-00000000000000a01', 'us-east-1', 'east'),
        box('i-00000000000000b01', 'eu-west-1', 'west'),
        box('i-00000000000000c01', 'ap-south-1', 'south'),
      ];
      s.fake.regions = ['eu-west-1', 'us-east-1'];
      env = s.env({ AWS_DISCOVERY_REGIONS: '*' });
    });

    it('discovers every region DescribeRegions reports as enabled, and only those', async function () {
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(s.fake.requestsFor('DescribeRegions').length).to.equal(1);
      expect(new Set(s.fake.requestsFor('DescribeInstances').map((r) => r.region))).to.deep.equal(new Set(['eu-west-1', 'us-east-1']));
      expect([...(await readConnections(s.database.db)).keys()].sort()).to.deep.equal(['Amazon EC2/east', 'Amazon EC2/west']);
    });

    it('accepts `all` as well', async function () {
      const result = await runCli(['--once'], { ...env, AWS_DISCOVERY_REGIONS: 'ALL' });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(summaryOf(result)).to.include({ created: 2 });
    });

    it('a failing region list fails the run and changes nothing, even with an empty listing elsewhere', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const before = await snapshot(s.database.db);
      s.fake.instances = []; // were the region list ignored, everything would look terminated
      s.fake.failNext('DescribeRegions', { code: 'UnauthorizedOperation', status: 403 });
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(1);
      expect(result.stdout).to.include('UnauthorizedOperation');
      expect(s.fake.requestsFor('DescribeInstances').length).to.equal(2); // only those of the first run
      expect(await snapshot(s.database.db)).to.equal(before);
    });

    it('a region no longer enabled is removed like a region removed from the settings', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      s.fake.regions = ['us-east-1'];
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(summaryOf(result)).to.include({ deleted: 1 });
      expect([...(await readConnections(s.database.db)).keys()]).to.deep.equal(['Amazon EC2/east']);
    });
  });
}
