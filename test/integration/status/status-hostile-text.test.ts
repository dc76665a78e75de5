import { sql } from 'kysely';
import { expect } from 'chai';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { recordRun } from '../../../src/status/record-run.js';
import { FakeEc2 } from '../../support/fake-ec2.js';
import { runCli } from '../../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';

interface StatusJson {
  runs: { result: string; summary: Record<string, unknown> }[];
  problems: { subject: string; kind: string; message: string }[];
}

/** Text EC2 data can carry (a KeyName, a tag, an error message): NUL, controls, an ANSI escape, half a character, 4-byte characters. */
const HOSTILE = 'key\u0000name\nlevel=error\r\u001b[31mred\u001b[0m\t\ud800 😀𝄞 é\u202e';
/** The same as stored: controls as visible escapes, the half character and the 4-byte ones as U+FFFD. */
const STORED = 'key\\u0000name\\nlevel=error\\r\\u001b[31mred\\u001b[0m\\t\uFFFD \uFFFD\uFFFD é\\u202e';
/** Controls other than the newline that ends each line. */
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

for (const dialect of DIALECTS) {
  describe(`the run status holds any text EC2 can send, on ${dialect}`, function () {
    let database: TestDatabase;
    let fake: FakeEc2;
    let env: Record<string, string>;

    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      await migrateToLatest(database.db);
      // A database whose default charset is MySQL's 3-byte utf8, as many Guacamole installations have.
      if (dialect === 'mysql') {
        for (const table of ['ec2_discovery_run', 'ec2_discovery_problem'])
          await sql.raw(`ALTER TABLE ${table} CONVERT TO CHARACTER SET utf8mb3`).execute(database.db);
      }
      fake = await FakeEc2.start();
      env = {
        ...database.env,
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_DISCOVERY_SECRET_KEY: 'status-secret-never-shown',
        AWS_DISCOVERY_REGIONS: 'us-east-1',
        AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
      };
    });
    afterEach(async function () {
      await fake.close();
      await database.drop();
    });

    it('records problems and a summary with NUL, controls, lone surrogates, emoji and very long texts; status shows them', async function () {
      const longMessage = `${'m'.repeat(1500)}\u0000`;
      const longSubject = `eu-west-1/${'s'.repeat(400)}`;
      await recordRun(database.db, {
        ownerId: 'default',
        startedAt: new Date('2026-12-06T10:00:00Z'),
        durationMs: 1234,
        result: 'partial',
        summary: {
          created: 3,
          error: HOSTILE,
          failedRegions: Array.from({ length: 600 }, (_, i) => `${String(100000000000 + i)}/eu-west-1`),
        },
        problems: [
          { subject: `eu-west-1/i-0${HOSTILE}`, kind: 'warning', message: `no key file for ${HOSTILE}` },
          { subject: longSubject, kind: 'skipped', message: longMessage },
        ],
      });

      const json = await runCli(['status', '--json'], env);
      expect(json.code, json.stderr).to.equal(1); // the last run was partial
      const status = JSON.parse(json.stdout) as StatusJson;
      expect(status.runs).to.have.length(1);
      const summary = status.runs[0]!.summary;
      expect(summary).to.include({ created: 3, error: STORED });
      expect((summary.failedRegions as string[])[0]).to.equal('100000000000/eu-west-1');
      expect((summary.failedRegions as string[]).at(-1)).to.match(/^… \d+ more$/);

      const warning = status.problems.find((p) => p.kind === 'warning');
      expect(warning).to.deep.equal({ subject: `eu-west-1/i-0${STORED}`, kind: 'warning', message: `no key file for ${STORED}` });
      const skipped = status.problems.find((p) => p.kind === 'skipped');
      expect(skipped?.subject).to.have.length(255).and.satisfy((s: string) => s.startsWith('eu-west-1/sss') && s.endsWith('…'));
      expect(skipped?.message).to.have.length(1000).and.satisfy((s: string) => s.startsWith('mmm') && s.endsWith('…'));

      // The text view: one line per problem, no terminal escape reaches the screen.
      const text = await runCli(['status'], env);
      expect(text.stdout).to.not.match(CONTROLS);
      expect(text.stdout.split('\n').filter((l) => l.includes('no key file for'))).to.deep.equal([`  eu-west-1/i-0${STORED}: no key file for ${STORED}`]);

      // The same problems again are recognised as unchanged (compared as stored), not rewritten.
      await recordRun(database.db, {
        ownerId: 'default',
        startedAt: new Date('2026-12-06T10:01:00Z'),
        durationMs: 1,
        result: 'success',
        summary: { created: 0 },
        problems: [
          { subject: longSubject, kind: 'skipped', message: longMessage },
          { subject: `eu-west-1/i-0${HOSTILE}`, kind: 'warning', message: `no key file for ${HOSTILE}` },
        ],
      });
      const rows = await database.db.selectFrom('ec2_discovery_problem').select(['subject', 'message']).execute();
      expect(rows).to.have.length(2);
    });

    it('a run whose record cannot be written still ends with its own result, and says why', async function () {
      fake.instances = [{ instanceId: 'i-00000000000000001', region: 'us-east-1', imageId: 'ami-1', privateIp: '10.0.0.1', tags: { Name: 'web' } }];
      expect((await runCli(['--once'], env)).code).to.equal(0);
      await sql.raw('DROP TABLE ec2_discovery_problem').execute(database.db);
      fake.instances = [
        ...fake.instances,
        { instanceId: 'i-00000000000000002', region: 'us-east-1', imageId: 'ami-1', privateIp: '10.0.0.2', tags: { Name: 'db' } },
      ];
      const run = await runCli(['--once'], env);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.logs.find((l) => l.message === 'run finished')).to.include({ ok: true, created: 1 });
      expect(run.logs.find((l) => l.message === 'could not record the run for `status`')).to.include({ level: 'warn' });
    });
  });
}
