import { join } from 'node:path';
import { expect } from 'chai';
import type { Kysely } from 'kysely';
import type { Database } from '../../../src/store/tables.js';
import type { FakeEc2 } from '../../support/fake-ec2.js';
import { runCli } from '../../support/run-cli.js';
import { DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { statusFixture } from './status-fixture.js';

/**
 * `status` is an operator's tool: it needs only the database settings (and the owner id), ignores AWS settings it does
 * not use, shows the configuration warnings the daemon shows, and exits 0 / 1 / 2 (healthy / last run not a success /
 * usage or configuration).
 */
for (const dialect of DIALECTS) {
  describe(`status with only the database settings on ${dialect}`, function () {
    let fake: FakeEc2;
    let database: TestDatabase;
    let keysDir: string;
    /** The settings a run needs, the database's included. */
    let runEnv: Record<string, string>;

    statusFixture(dialect, (context) => {
      ({ fake, database, env: runEnv, keysDir } = context);
    });

    it('no AWS settings at all: exits 1 before any run, 0 after a successful one, with no warning', async function () {
      const before = await runCli(['status'], database.env);
      expect(before.code, before.stderr).to.equal(1);
      expect(before.stdout).to.include('No run recorded yet.');
      expect(before.stderr).to.equal('');

      expect((await runCli(['--once'], runEnv)).code).to.equal(0);
      const after = await runCli(['status', '--json'], database.env);
      expect(after.code, after.stderr).to.equal(0);
      expect(after.stderr).to.equal('');
      expect((JSON.parse(after.stdout) as { runs: { result: string }[] }).runs.map((r) => r.result)).to.deep.equal(['success']);
    });

    it('event mode: a queue failing longer than AWS_DISCOVERY_HEALTH_MAX_AGE makes it exit 1, a shorter failure only shows', async function () {
      expect((await runCli(['--once'], runEnv)).code).to.equal(0);
      const db = database.db as unknown as Kysely<Database>;
      const since = new Date(Date.now() - 20 * 60_000); // failing for 20 minutes, as the daemon records it
      await db
        .insertInto('ec2_discovery_event_queue')
        .values({
          owner_id: 'default',
          queue_name: 'events',
          state: 'failing',
          since,
          last_error: 'access denied',
          last_batch_at: null,
          updated_at: new Date(),
        })
        .execute();
      const past = await runCli(['status'], database.env); // the max age defaults to 600 s
      expect(past.code, past.stderr).to.equal(1);
      expect(past.stdout).to.match(/Event queue events: FAILING since/);
      const within = await runCli(['status', '--json'], { ...database.env, AWS_DISCOVERY_HEALTH_MAX_AGE: '3600' });
      expect(within.code, within.stderr).to.equal(0);
      expect(JSON.parse(within.stdout)).to.have.nested.property('eventQueue.state', 'failing');
    });

    it('a failed last run: exits 1 with only the database settings', async function () {
      fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'eu-west-1', message: 'not authorized' });
      expect((await runCli(['--once'], runEnv)).code).to.equal(1);
      const result = await runCli(['status'], database.env);
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stdout).to.include('partial');
    });

    it('AWS settings status does not use are not checked: wrong ones neither stop it nor change the exit code', async function () {
      expect((await runCli(['--once'], runEnv)).code).to.equal(0);
      const result = await runCli(['status'], {
        ...database.env,
        AWS_DISCOVERY_REGIONS: 'not a region!',
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKID-WITHOUT-ITS-SECRET',
        AWS_DISCOVERY_SCHEDULE: 'every minute',
        AWS_DISCOVERY_KEYS_DIR: 'relative/path',
      });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.equal('');
    });

    it('an unreadable _FILE of a setting status does not use: a warning, and status still works', async function () {
      const missing = join(keysDir, 'no-such-secret');
      const result = await runCli(['status'], { ...database.env, AWS_DISCOVERY_SECRET_KEY_FILE: missing });
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stdout).to.include('No run recorded yet.');
      expect(result.stderr).to.include(`guacamole-ec2-discovery: warning: AWS_DISCOVERY_SECRET_KEY_FILE: cannot read ${missing} (ENOENT)`);
    });

    it('a typo in an AWS_DISCOVERY_ setting: the typo warning on stderr, as the daemon words it, and status still works', async function () {
      expect((await runCli(['--once'], runEnv)).code).to.equal(0);
      const result = await runCli(['status'], { ...database.env, AWS_DISCOVERY_OWNER_IDD: 'other' });
      expect(result.code, result.stderr).to.equal(0);
      const warning = 'AWS_DISCOVERY_OWNER_IDD is not a setting and is ignored; probably a typo of "AWS_DISCOVERY_OWNER_ID"';
      expect(result.stderr).to.include(`guacamole-ec2-discovery: warning: ${warning}`);
      // The daemon logs the very same text at startup.
      const run = await runCli(['--once'], { ...runEnv, AWS_DISCOVERY_OWNER_IDD: 'other' });
      expect(run.logs.some((l) => l.level === 'warn' && l.message === warning), run.stdout).to.equal(true);
    });

    it('a deprecated database name: the deprecation warning, and status still works', async function () {
      const prefix = dialect === 'postgres' ? 'POSTGRESQL' : 'MYSQL';
      const { [`${prefix}_USERNAME`]: user, ...rest } = database.env;
      const result = await runCli(['status'], { ...rest, [`${prefix}_USER`]: user ?? '' });
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stderr).to.include(`guacamole-ec2-discovery: warning: ${prefix}_USER is deprecated: use ${prefix}_USERNAME`);
    });

    it('bad database settings: exit 2 naming the setting', async function () {
      const prefix = dialect === 'postgres' ? 'POSTGRESQL' : 'MYSQL';
      const badPort = await runCli(['status'], { ...database.env, [`${prefix}_PORT`]: 'abc' });
      expect(badPort.code).to.equal(2);
      expect(badPort.stderr).to.include(`${prefix}_PORT`);
      expect(badPort.stdout).to.equal('');

      const { [`${prefix}_DATABASE`]: _omitted, ...withoutName } = database.env;
      const noName = await runCli(['status'], withoutName);
      expect(noName.code).to.equal(2);
      expect(noName.stderr).to.include(`${prefix}_DATABASE: required`);

      const none = await runCli(['status'], { AWS_DISCOVERY_REGIONS: 'us-east-1' });
      expect(none.code).to.equal(2);
      expect(none.stderr).to.include('no database configured');

      const owner = await runCli(['status'], { ...database.env, AWS_DISCOVERY_OWNER_ID: 'not valid!' });
      expect(owner.code).to.equal(2);
      expect(owner.stderr).to.include('AWS_DISCOVERY_OWNER_ID');
    });

    it('a typo next to a bad database setting: the warning comes with the error, which still exits 2', async function () {
      const prefix = dialect === 'postgres' ? 'POSTGRESQL' : 'MYSQL';
      const result = await runCli(['status'], { ...database.env, [`${prefix}_PORT`]: 'abc', AWS_DISCOVERY_OWNER_IDD: 'x' });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('probably a typo of "AWS_DISCOVERY_OWNER_ID"').and.include(`${prefix}_PORT`);
    });
  });
}
