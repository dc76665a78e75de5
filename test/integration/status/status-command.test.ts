import { expect } from 'chai';
import type { FakeEc2 } from '../../support/fake-ec2.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, DIALECTS } from '../../support/test-databases.js';
import { statusFixture } from './status-fixture.js';

interface StatusJson {
  ownerId: string;
  managedConnections: number;
  runs: { startedAt: string; result: string; durationMs: number; summary: Record<string, unknown> }[];
  problems: { subject: string; kind: string; message: string }[];
}

for (const dialect of DIALECTS) {
  describe(`status command on ${dialect}`, function () {
    let fake: FakeEc2;
    let env: Record<string, string>;

    statusFixture(dialect, (context) => {
      ({ fake, env } = context);
    });

    it('before any run: says so and exits 1', async function () {
      const text = await runCli(['status'], env);
      expect(text.code, text.stderr).to.equal(1);
      expect(text.stdout).to.include('No run recorded yet.');
      const json = await runCli(['status', '--json'], env);
      expect(JSON.parse(json.stdout)).to.deep.equal({ ownerId: 'default', runs: [], problems: [], managedConnections: 0, warnings: [] });
    });

    it('after runs: the last runs with counts and every instance with a problem, as text and JSON', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      fake.failNext('DescribeInstances', {
        code: 'UnauthorizedOperation',
        status: 403,
        region: 'eu-west-1',
        message: 'You are not authorized to perform this operation.',
      });
      expect((await runCli(['--once'], env)).code).to.equal(1);

      const json = await runCli(['status', '--json'], env);
      expect(json.code, json.stderr).to.equal(1); // the last run was partial
      const status = JSON.parse(json.stdout) as StatusJson;
      expect(status.runs.map((r) => r.result)).to.deep.equal(['partial', 'success']);
      expect(status.runs[1]!.summary).to.include({ created: 16, deleted: 0 });
      expect(status.runs[0]!.summary).to.include({ created: 0, deleted: 0 });
      expect(status.runs[0]!.summary.failedRegions).to.deep.equal(['eu-west-1']);
      expect(status.managedConnections).to.equal(16);
      const region = status.problems.find((p) => p.kind === 'region');
      expect(region?.subject).to.equal('eu-west-1');
      expect(region?.message).to.include('UnauthorizedOperation');
      // Every key file is missing: each keyed instance is listed with why.
      const keyed = fake.instances.filter((i) => i.region === 'us-east-1' && i.keyName !== undefined && (i.state ?? 'running') !== 'terminated');
      for (const instance of keyed) {
        const problem = status.problems.find((p) => p.subject.endsWith(instance.instanceId) && p.kind === 'warning');
        expect(problem, instance.instanceId).to.not.equal(undefined);
        expect(problem!.message).to.include(instance.keyName!);
      }

      const text = await runCli(['status', '--runs', '1'], env);
      expect(text.code).to.equal(1);
      expect(text.stdout).to.match(/owner: default\s+managed connections: 16/);
      expect(text.stdout).to.include('partial').and.not.include('success');
      expect(text.stdout).to.include('failed regions: eu-west-1');
      expect(text.stdout).to.include('Regions whose listing failed (1):');
      expect(text.stdout).to.include('i-0000000000000jump');
      expect(text.stdout + text.stderr).to.not.include('status-secret-never-shown');

      fake.clearFailures();
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const recovered = JSON.parse((await runCli(['status', '--json'], env)).stdout) as StatusJson;
      expect(recovered.runs[0]!.result).to.equal('success');
      expect(recovered.problems.some((p) => p.kind === 'region')).to.equal(false);
      expect((await runCli(['status'], env)).code).to.equal(0);
    });

    it('owners are separate: another owner id sees none of these runs', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const other = JSON.parse((await runCli(['status', '--json'], { ...env, AWS_DISCOVERY_OWNER_ID: 'other' })).stdout) as StatusJson;
      expect(other).to.deep.include({ ownerId: 'other', runs: [], managedConnections: 0 });
    });

    it('a database without the Guacamole schema: a clear message and exit 2', async function () {
      const empty = await createTestDatabase(dialect, { schema: false });
      try {
        const result = await runCli(['status'], { ...env, ...empty.env });
        expect(result.code).to.equal(2);
        expect(result.stderr).to.include('cannot read the status').and.include('guacamole_connection');
      } finally {
        await empty.drop();
      }
    });
  });
}
