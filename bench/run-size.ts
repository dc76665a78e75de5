/**
 * One database and one fleet size: a throwaway database with Guacamole's schema, the synthetic fleet on the fake EC2,
 * then the scenarios (each in a fresh worker process): the first run, the plain-insert floor beside it, catch-up runs
 * while the first left Windows passwords for later, a run with no change, and a run after 1% churn. Beside the first
 * run and the run with no change, the real CLI's `--once` makes the same run as a whole process (cli-runs.ts): the
 * first into a second fresh database, the one with no change right after the measured one.
 */
import type { Kysely } from 'kysely';
import { parseConfig } from '../src/config/config.js';
import { openDatabase } from '../src/store/database.js';
import type { FakeEc2 } from '../test/support/fake-ec2.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../test/support/test-databases.js';
import type { BenchKeys } from './bench-keys.js';
import { type CliRunResult, timeCliRun } from './cli-runs.js';
import { countChanges, letDropEndPool, storedPasswordKeys, tableCounts } from './database-probe.js';
import { amisByRegion, checkEc2Calls } from './ec2-calls.js';
import { applyChurn, makeFleet, REGIONS, type Churn } from './fleet.js';
import { measurePlainInsertLimit, type LimitResult } from './plain-insert-limit.js';
import type { ScenarioName, ScenarioResult } from './results-model.js';
import { runWorker } from './run-worker.js';
import { shortTable } from './targets.js';

export interface SizeSetup {
  readonly dialect: TestDialect;
  readonly size: number;
  readonly fake: FakeEc2;
  readonly keys: BenchKeys;
  /** The daemon's log level in the workers (`info`, the default, writes one line per change). */
  readonly logLevel: string;
  readonly progress: (line: string) => void;
}

const PAGE_SIZE = 1000;
/** 50,000 instances (10,500 Windows with a key) need six after the first at 500 GetPasswordData per region per run. */
const MAX_CATCH_UP_RUNS = 20;

export interface SizeMeasured {
  readonly scenarios: ScenarioResult[];
  readonly limit: LimitResult;
  readonly cli: CliRunResult[];
}

export async function benchSize(setup: SizeSetup): Promise<SizeMeasured> {
  const { dialect, size, fake, keys } = setup;
  const database = await createTestDatabase(dialect);
  await letDropEndPool(database);
  const settings = workerSettings(database, fake.endpoint, keys.dir, setup.logLevel);
  // The benchmark reads the database through a pool of its own with an error listener, never through the
  // TestDatabase's pool: drop() ends that pool without waiting for its idle connections to close, then drops the
  // database WITH (FORCE), and a connection terminated that way made the pool emit an unhandled 'error'.
  const own = connection(settings);
  const probe = openDatabase(own.database, own.password, () => undefined).db as Kysely<any>;
  try {
    const fleet = makeFleet(size, keys.passwordData);
    fake.instances = fleet.instances;
    fake.images = fleet.images;
    const scenarios: ScenarioResult[] = [];
    let knownAmis = new Map<string, Set<string>>();
    const step = async (scenario: ScenarioName, churn?: Churn): Promise<ScenarioResult> => {
      const result = await runScenario(scenario, probe, dialect, settings, { fake, knownAmis, ...(churn ? { churn } : {}) });
      scenarios.push(result);
      knownAmis = amisByRegion(fake.instances);
      const took = `${result.runMs} ms (setup ${result.setupMs} ms)`;
      setup.progress(`${dialect} ${size} ${scenario}: ${took}, ${result.sql.statements} statements, peak ${result.peakRssMb} MB`);
      return result;
    };
    const cli: CliRunResult[] = [];
    const cliStep = (run: CliRunResult) => {
      cli.push(run);
      const { wallMs, cpuMs } = run.process;
      setup.progress(`${dialect} ${size} CLI --once, ${run.scenario}: process ${wallMs} ms (CPU ${cpuMs} ms), run ${run.recordedRunMs} ms`);
    };
    const first = await step('first run');
    cliStep(await cliFirstRun(setup));
    const grown = Object.entries(first.tableChanges).filter(([, delta]) => delta > 0).map(([table]) => table);
    const limit = await measurePlainInsertLimit(probe, dialect, grown, (target) => connection(workerSettings(target, fake.endpoint, keys.dir, 'warn')));
    const sizes = Object.entries(limit.batches)
      .filter(([table]) => (limit.rows[table] ?? 0) > 500)
      .map(([table, size]) => `${shortTable(table)} ${size}`);
    setup.progress(`${dialect} ${size} plain-insert floor: ${limit.ms} ms (${limit.fastest}: ${sizes.join(', ')}), ${limit.copies.length} copies`);
    let last = first;
    for (let n = 1; last.ec2.getPasswordData.deferred > 0; n++) {
      if (n > MAX_CATCH_UP_RUNS) throw new Error(`Windows passwords still deferred after ${MAX_CATCH_UP_RUNS} catch-up runs`);
      last = await step(`catch-up ${n}`);
    }
    await step('no change');
    cliStep(await timeCliRun('no change', settings, probe, false));
    await step('1% churn', applyChurn(fleet, size, keys.passwordData));
    return { scenarios, limit, cli };
  } finally {
    await probe.destroy();
    await database.drop();
  }
}

/** The CLI's `--once` into a second fresh database: the same first run as the measured one, as a whole process. */
async function cliFirstRun(setup: SizeSetup): Promise<CliRunResult> {
  const database = await createTestDatabase(setup.dialect);
  await letDropEndPool(database);
  const settings = workerSettings(database, setup.fake.endpoint, setup.keys.dir, setup.logLevel);
  const own = connection(settings);
  const probe = openDatabase(own.database, own.password, () => undefined).db as Kysely<any>;
  try {
    return await timeCliRun('first run', settings, probe, true);
  } finally {
    await probe.destroy();
    await database.drop();
  }
}

async function runScenario(
  scenario: ScenarioName,
  db: Kysely<any>,
  dialect: TestDialect,
  settings: Record<string, string>,
  ctx: { fake: FakeEc2; knownAmis: ReadonlyMap<string, ReadonlySet<string>>; churn?: Churn },
): Promise<ScenarioResult> {
  const before = await tableCounts(db, dialect);
  const storedPasswords = await storedPasswordKeys(db, dialect);
  ctx.fake.requests.length = 0;
  const cpuBefore = process.cpuUsage();
  const { result, processMs } = await runWorker({ settings });
  const cpu = process.cpuUsage(cpuBefore);
  const after = await tableCounts(db, dialect);
  const ec2 = checkEc2Calls(ctx.fake.requests, { instances: ctx.fake.instances, pageSize: PAGE_SIZE, knownAmis: ctx.knownAmis, storedPasswords });
  ctx.fake.requests.length = 0;
  const r = result.report;
  return {
    scenario,
    runMs: result.runMs,
    processMs,
    setupMs: result.setupMs,
    report: {
      ok: r.ok,
      instances: r.instances,
      created: r.created,
      updated: r.updated,
      deleted: r.deleted,
      unchanged: r.unchanged,
      skipped: r.skipped,
      conflicts: r.conflicts,
      passwordFetches: r.passwordFetches,
      ...(r.deletionBrake === undefined ? {} : { deletionBrake: r.deletionBrake }),
    },
    sql: result.sql,
    tableChanges: countChanges(before, after),
    ec2,
    rssBeforeMb: result.rssBeforeMb,
    peakRssMb: result.peakRssMb,
    phases: result.phases,
    benchCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    ...(ctx.churn ? { churn: ctx.churn } : {}),
  };
}

/** The settings the CLI would read from its environment for this database and the fake EC2. */
function workerSettings(database: TestDatabase, endpoint: string, keysDir: string, logLevel: string): Record<string, string> {
  return {
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_DISCOVERY_SECRET_KEY: 'bench',
    AWS_DISCOVERY_REGIONS: REGIONS.join(','),
    AWS_DISCOVERY_EC2_ENDPOINT: endpoint,
    AWS_DISCOVERY_KEYS_DIR: keysDir,
    AWS_DISCOVERY_PAGE_SIZE: String(PAGE_SIZE),
    AWS_DISCOVERY_LOG_LEVEL: logLevel,
  };
}

function connection(settings: Record<string, string>) {
  const { config, secrets } = parseConfig(settings);
  return { database: config.database, password: secrets.databasePassword };
}
