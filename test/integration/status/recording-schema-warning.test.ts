import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { parseConfig } from '../../../src/config/config.js';
import { ec2Clients } from '../../../src/cli/run-with-config.js';
import { createRuntime } from '../../../src/run/runtime.js';
import { RECORDING_SCHEMA_WARNING } from '../../../src/store/recording-schema.js';
import type { FakeEc2 } from '../../support/fake-ec2.js';
import { readConnections } from '../../support/guacamole-queries.js';
import { runCli, summaryOf, type CliResult } from '../../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { statusFixture } from './status-fixture.js';

/**
 * Recordings go to ${HISTORY_PATH}, which only Guacamole 1.5.0+ with the recording-storage extension resolves; the
 * database shows 1.6.0 but not 1.5.0. Recording requested on an older schema: a warning in the startup log (once per
 * process) and in `status` (stderr and --json), never an error, never a change to what a run writes or exits with.
 */

const STDERR_LINE = `guacamole-ec2-discovery: warning: ${RECORDING_SCHEMA_WARNING}\n`;

function warningsIn(result: CliResult): Record<string, unknown>[] {
  return result.logs.filter((l) => l.level === 'warn' && l.message === RECORDING_SCHEMA_WARNING);
}

interface StatusJson {
  runs: { result: string }[];
  warnings: string[];
}

async function statusJson(env: Record<string, string>): Promise<{ code: number | null; stderr: string; status: StatusJson }> {
  const result = await runCli(['status', '--json'], env);
  return { code: result.code, stderr: result.stderr, status: JSON.parse(result.stdout) as StatusJson };
}

/** The fixture fleet without its one kcm:record tag (db-01): no instance asks for recording. */
function dropRecordTags(fake: FakeEc2): void {
  fake.instances = fake.instances.map((i) => {
    const { 'kcm:record': _dropped, ...tags } = i.tags ?? {};
    return { ...i, tags };
  });
}

function pick(record: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, record[k]]));
}

/** Connections by path, without their ids (two databases number them on their own). */
async function connectionsOf(database: TestDatabase): Promise<Record<string, unknown>> {
  const views = await readConnections(database.db);
  return Object.fromEntries([...views].map(([path, { id: _id, ...rest }]) => [path, rest]));
}

for (const dialect of DIALECTS) {
  describe(`the recording warning on a schema older than 1.6.0, on ${dialect}`, function () {
    let fake: FakeEc2;
    let database: TestDatabase;
    let env: Record<string, string>;
    statusFixture(
      dialect,
      (context) => {
        ({ fake, database, env } = context);
      },
      { guacamole: '1.5' },
    );

    it('recording on by default: one warning at startup naming the setting; status warns (stderr, --json), exit codes unchanged', async function () {
      const recording = { ...env, AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: 'true' };
      const run = await runCli(['--once'], recording);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      const warned = warningsIn(run);
      expect(warned, run.stdout).to.have.length(1); // the schema check's, not again from the run
      expect(warned[0]).to.include({ setting: 'AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT' });

      // status needs only the database: it finds the recording connections there.
      const text = await runCli(['status'], database.env);
      expect(text.code, text.stderr).to.equal(0);
      expect(text.stderr).to.equal(STDERR_LINE);
      const json = await statusJson(database.env);
      expect(json.code).to.equal(0);
      expect(json.stderr).to.equal(STDERR_LINE);
      expect(json.status.warnings).to.deep.equal([RECORDING_SCHEMA_WARNING]);

      // A last run that did not succeed: exit 1 as without the warning, which stays.
      fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'eu-west-1', message: 'not authorized' });
      expect((await runCli(['--once'], recording)).code).to.equal(1);
      const failed = await statusJson(database.env);
      expect(failed.code).to.equal(1);
      expect(failed.status.runs[0]!.result).to.equal('partial');
      expect(failed.status.warnings).to.deep.equal([RECORDING_SCHEMA_WARNING]);
    });

    it('recording asked by one tag (kcm:record): a warning from the run; once no instance records, no warning anywhere', async function () {
      const run = await runCli(['--once'], env);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      const warned = warningsIn(run);
      expect(warned, run.stdout).to.have.length(1);
      expect(warned[0]).to.include({ recordingConnections: 1 });
      expect((await statusJson(database.env)).status.warnings).to.deep.equal([RECORDING_SCHEMA_WARNING]);
      // Another owner's status counts only its own connections: none record.
      expect((await statusJson({ ...database.env, AWS_DISCOVERY_OWNER_ID: 'other' })).status.warnings).to.deep.equal([]);

      dropRecordTags(fake);
      const quiet = await runCli(['--once'], env);
      expect(quiet.code, quiet.stdout + quiet.stderr).to.equal(0);
      expect(summaryOf(quiet)).to.include({ updated: 1 }); // db-01 loses its recording parameters
      expect(warningsIn(quiet), quiet.stdout).to.have.length(0);
      const text = await runCli(['status'], database.env);
      expect(text.code, text.stderr).to.equal(0);
      expect(text.stderr).to.equal('');
      expect((await statusJson(database.env)).status.warnings).to.deep.equal([]);
    });

    it('a warning only: the run writes what it writes on a 1.6.0 schema, where neither the log nor status warns', async function () {
      const settings = { AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT: 'true' };
      const current = await createTestDatabase(dialect);
      try {
        const older = await runCli(['--once'], { ...env, ...settings });
        const newer = await runCli(['--once'], { ...env, ...current.env, ...settings });
        expect(older.code).to.equal(0);
        expect(newer.code).to.equal(0);
        expect(warningsIn(older)).to.have.length(1);
        expect(warningsIn(newer), newer.stdout).to.have.length(0);
        const counts = (result: CliResult) => pick(summaryOf(result), ['created', 'updated', 'deleted', 'unchanged', 'skipped', 'conflicts']);
        expect(counts(older)).to.deep.equal(counts(newer)).and.include({ created: 16 });
        const written = await connectionsOf(database);
        expect(written).to.deep.equal(await connectionsOf(current));
        expect(Object.values(written).filter((c) => (c as { parameters: Record<string, string> }).parameters['recording-path'])).to.have.length(16);

        const text = await runCli(['status'], current.env);
        expect(text.code, text.stderr).to.equal(0);
        expect(text.stderr).to.equal('');
        expect((await statusJson(current.env)).status.warnings).to.deep.equal([]);
      } finally {
        await current.drop();
      }
    });

    it("a daemon's lifetime: two runs in one process warn once", async function () {
      const { config, secrets } = parseConfig(env);
      const output = new PassThrough();
      let logged = '';
      output.on('data', (d: Buffer) => (logged += d.toString()));
      const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: output })] });
      const ec2 = ec2Clients(config, secrets);
      const runtime = createRuntime({ config, secrets, logger, ec2For: ec2.apiFor, readKeys: async () => new Map() });
      try {
        for (let run = 0; run < 2; run += 1) {
          const attempt = await runtime.run({ dryRun: false });
          expect(attempt.locked).to.equal(false);
        }
      } finally {
        await runtime.close();
        ec2.close();
      }
      const lines = logged.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l.message === 'run finished'), logged).to.have.length(2);
      expect(lines.filter((l) => l.message === RECORDING_SCHEMA_WARNING), logged).to.have.length(1);
    });
  });
}
