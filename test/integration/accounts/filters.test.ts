import { expect } from 'chai';
import { readConnections } from '../../support/guacamole-queries.js';
import { runCli, summaryOf } from '../../support/run-cli.js';
import { useCliSuite } from '../../support/cli-suite.js';
import { DIALECTS } from '../../support/test-databases.js';

for (const dialect of DIALECTS) {
  describe(`AWS_DISCOVERY_FILTERS through the fake EC2 on ${dialect}`, function () {
    const s = useCliSuite(dialect);
    beforeEach(async function () {
      s.fake.instances = [
        { instanceId: 'i-00000000000000f01', region: 'us-east-1', privateIp: '10.0.0.1', tags: { Name: 'prod-a', Environment: 'prod', Team: 'web' } },
        { instanceId: 'i-00000000000000f02', region: 'us-east-1', privateIp: '10.0.0.2', tags: { Name: 'staging-a', Environment: 'staging' } },
        { instanceId: 'i-00000000000000f03', region: 'us-east-1', privateIp: '10.0.0.3', tags: { Name: 'untagged' } },
        { instanceId: 'i-00000000000000f04', region: 'us-east-1', privateIp: '10.0.0.4', tags: { Name: 'prod-b', Environment: 'prod' } },
      ];
    });

    it('sends tag:<key> and tag-key filters to DescribeInstances, and only matching instances become connections', async function () {
      const env = s.env({ AWS_DISCOVERY_FILTERS: 'tag:Environment=prod,staging;tag-key=Team' });
      const result = await runCli(['--once'], env);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      const params = s.fake.requestsFor('DescribeInstances')[0]!.params;
      expect([params.get('Filter.1.Name'), params.get('Filter.1.Value.1'), params.get('Filter.1.Value.2')]).to.deep.equal([
        'tag:Environment',
        'prod',
        'staging',
      ]);
      expect([params.get('Filter.2.Name'), params.get('Filter.2.Value.1')]).to.deep.equal(['tag-key', 'Team']);
      expect(summaryOf(result)).to.include({ created: 1 });
      expect([...(await readConnections(s.database.db)).keys()]).to.deep.equal(['Amazon EC2/prod-a']);

      const wider = await runCli(['--once'], { ...env, AWS_DISCOVERY_FILTERS: 'tag:Environment=prod' });
      expect(wider.code, wider.stdout + wider.stderr).to.equal(0);
      expect([...(await readConnections(s.database.db)).keys()].sort()).to.deep.equal(['Amazon EC2/prod-a', 'Amazon EC2/prod-b']);
    });
  });
}
