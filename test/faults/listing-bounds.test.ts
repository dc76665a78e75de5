import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FakeEc2 } from '../support/fake-ec2.js';
import { useCliSuite } from '../support/cli-suite.js';
import { readConnections } from '../support/guacamole-queries.js';
import { diffRows } from '../support/row-diff.js';
import { runCli, summaryOf, type CliResult } from '../support/run-cli.js';
import { DIALECTS, type TestDatabase } from '../support/test-databases.js';
import { fleetFixture } from '../integration/once/fleet-fixture.js';
import { KEY_TEXT } from './fault-keys.js';
import { changeBothRegions, connectionRows, FAILING, HEALTHY, regionIds } from './region-rows.js';

const LISTING_FAILED = 'region listing failed; its connections are left unchanged';
const MERGED = 'instance listed more than once by DescribeInstances; merged into one (the last listing kept)';

function output(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** The real CLI with `--once`, as an operator or a cron job runs it. */
for (const dialect of DIALECTS) {
  describe(`bounded listings through --once on ${dialect}`, function () {
    const suite = useCliSuite(dialect);
    let keysDir: string;
    let env: Record<string, string>;
    let fake: FakeEc2;
    let database: TestDatabase;

    before(function () {
      keysDir = mkdtempSync(join(tmpdir(), 'ged-listing-keys-'));
      writeFileSync(join(keysDir, 'prod.pem'), KEY_TEXT, { mode: 0o600 });
    });
    after(function () {
      rmSync(keysDir, { recursive: true, force: true });
    });
    beforeEach(function () {
      ({ fake, database } = suite);
      const fleet = fleetFixture();
      fake.instances = fleet.instances;
      fake.images = fleet.images;
      env = suite.env({
        AWS_DISCOVERY_SECRET_KEY: 'listing-secret-never-logged',
        AWS_DISCOVERY_REGIONS: `${HEALTHY},${FAILING}`,
        AWS_DISCOVERY_KEYS_DIR: keysDir,
        AWS_DISCOVERY_PAGE_SIZE: '5',
      });
    });

    it('a region whose paginator repeats a NextToken: --once ends with 1 (partial), the region unchanged row for row, the other synced', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, output(first)).to.equal(0);
      changeBothRegions(fake);
      const before = await connectionRows(database.db, regionIds(fake, FAILING));
      expect(before.get('guacamole_connection'), 'the failing region has connections to keep').to.have.length(1);
      fake.pagingFaults[FAILING] = 'same-token';
      fake.requests.length = 0;

      const run = await runCli(['--once'], env);

      expect(run.code, output(run)).to.equal(1);
      expect(summaryOf(run)).to.deep.include({ failedRegions: [FAILING], created: 1, updated: 0, deleted: 0 });
      const failed = run.logs.filter((l) => l.message === LISTING_FAILED);
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({
        level: 'error',
        region: FAILING,
        code: 'RepeatedNextToken',
        error:
          'DescribeInstances in eu-west-1 returned the NextToken of an earlier page (RepeatedNextToken: page 2 repeats the token of page 1): the listing is ' +
          'abandoned and nothing in eu-west-1 changes this run',
      });
      expect(fake.requestsFor('DescribeInstances', FAILING), 'the listing stopped at the repeat').to.have.length(2);
      expect(diffRows(before, await connectionRows(database.db, regionIds(fake, FAILING))), `${FAILING}'s rows changed`).to.deep.equal([]);
      const connections = await readConnections(database.db);
      expect(connections.get('Amazon EC2/east-new')?.parameters.hostname, 'the healthy region synced').to.equal('10.0.8.1');
      expect(connections.has('Amazon EC2/west-new')).to.equal(false);
      expect(output(run)).to.not.include('listing-secret-never-logged');

      fake.clearFailures();
      const next = await runCli(['--once'], env);
      expect(next.code, output(next)).to.equal(0);
      expect(summaryOf(next)).to.deep.include({ failedRegions: [], created: 1, updated: 1, deleted: 0 });
      expect((await readConnections(database.db)).get('Amazon EC2/Apps/EU/api')?.parameters.hostname).to.equal('10.1.0.99');
    });

    it('an instance listed twice on two pages and one listed twice on one page: exactly one connection each, one warning each', async function () {
      const dup = {
        instanceId: 'i-0000000000000dup1',
        region: HEALTHY,
        imageId: 'ami-al2023',
        keyName: 'prod',
        privateIp: '10.0.5.1',
        tags: { Name: 'dup-stale' },
      };
      const twin = { instanceId: 'i-000000000000twin1', region: FAILING, privateIp: '10.1.5.5', tags: { Name: 'twin' } };
      // Pages of 5: the stale record of `dup` on the first page of us-east-1, the fresh one on its last; `twin` twice on one page.
      fake.instances = [dup, ...fake.instances, twin, twin, { ...dup, privateIp: '10.0.5.2', tags: { Name: 'dup' } }];

      const run = await runCli(['--once'], env);

      expect(run.code, output(run)).to.equal(0);
      expect(summaryOf(run)).to.deep.include({ failedRegions: [], created: 18, deleted: 0 });
      const owned = await database.db.selectFrom('ec2_discovery_owned_object').select(['instance_key']).where('object_type', '=', 'connection').execute();
      for (const id of [dup.instanceId, twin.instanceId]) {
        expect(owned.filter((o) => String(o.instance_key).endsWith(`/${id}`)), id).to.have.length(1);
      }
      const connections = await readConnections(database.db);
      expect(connections.get('Amazon EC2/dup')?.parameters.hostname, 'the last listing is kept').to.equal('10.0.5.2');
      expect(connections.has('Amazon EC2/dup-stale')).to.equal(false);
      expect(connections.get('Amazon EC2/twin')?.parameters.hostname).to.equal('10.1.5.5');
      const warnings = run.logs.filter((l) => l.message === MERGED);
      expect(warnings.map((w) => `${String(w.region)}/${String(w.instance)}`).sort()).to.deep.equal([
        `${FAILING}/${twin.instanceId}`,
        `${HEALTHY}/${dup.instanceId}`,
      ]);
      expect(warnings.every((w) => w.level === 'warn')).to.equal(true);

      const again = await runCli(['--once'], env);
      expect(again.code, output(again)).to.equal(0);
      expect(summaryOf(again)).to.deep.include({ created: 0, updated: 0, deleted: 0 });
    });
  });
}
