/**
 * One benchmark scenario in a fresh process (forked by run-once.bench.ts), so that its peak RSS is its own.
 * Does what `--once` does (see src/daemon/runtime.ts): open the pool, check the schema, migrate, then one `runOnce`
 * under the owner's run lock — with the SQL counter on the pool. Reports a `WorkerResult` over IPC.
 *
 * Input: the job as JSON in argv[2].
 */
import { parseConfig } from '../src/config/config.js';
import { runOnce, type RunReport } from '../src/run/run-once.js';
import { withRunLock } from '../src/store/run-lock.js';
import { openDatabase } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { checkSchema } from '../src/store/schema-check.js';
import { ec2Clients } from '../src/cli/run-with-config.js';
import { readKeyFiles } from '../src/enrich/keys/key-files.js';
import { createLogger } from '../src/shared/logger.js';
import { breakDown, type PhaseBreakdown } from './phases.js';
import { SqlCounter, type SqlCounts } from './sql-counter.js';
import { relativeSpans, timedEc2, type CallSpans } from './timed-ec2.js';

export interface WorkerJob {
  /** Raw settings as the CLI would read them from the environment. */
  readonly settings: Readonly<Record<string, string>>;
}

export interface WorkerResult {
  readonly report: Omit<RunReport, 'plan'>;
  /** `runOnce` under the run lock, as the daemon does it each run (ms). */
  readonly runMs: number;
  /** Schema check and migrations before the run (ms): once per process for the daemon, every run for `--once`. */
  readonly setupMs: number;
  readonly sql: SqlCounts;
  readonly setupSql: SqlCounts;
  /** RSS when the run started (modules loaded, pool open) and the process's peak RSS (getrusage maxrss), MB. */
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  /** Where the run's time went (ms from the run's start, or durations). */
  readonly phases: RunPhases;
}

export interface RunPhases {
  /** CPU time of this process during the run (user + system). */
  readonly cpuMs: number;
  /** Until the last DescribeInstances / DescribeImages answer: the listing. */
  readonly listingEndMs: number;
  /** First GetPasswordData sent to last answered (decryption runs in between). */
  readonly passwordsMs: number;
  /** The run's transaction (read Guacamole's state, plan, write), BEGIN to COMMIT. */
  readonly transactionMs: number;
  /** EC2 calls by action: count and when (ms from the run's start). */
  readonly ec2: Record<string, { calls: number; fromMs: number; toMs: number }>;
  /** The run cut into consecutive phases that add up to it (bench/phases.ts). */
  readonly breakdown: PhaseBreakdown;
}

const MB = 1024 * 1024;

async function main(job: WorkerJob): Promise<WorkerResult> {
  const { config, secrets } = parseConfig(job.settings);
  const logger = createLogger({ level: config.logLevel, format: 'json' });
  const counter = new SqlCounter();
  const opened = openDatabase(config.database, secrets.databasePassword, (err) => logger.warn('database connection lost', { error: err.message }), counter.observe);
  const database = { db: opened.db.withPlugin(counter.plugin), dialect: opened.dialect };
  const spans: CallSpans = {};
  const ec2 = ec2Clients(config, secrets, (api) => timedEc2(api, spans));
  try {
    const setupStarted = performance.now();
    let schema = await checkSchema(database.db, database.dialect);
    if ((await migrateToLatest(database.db)).length > 0) schema = await checkSchema(database.db, database.dialect);
    const setupMs = performance.now() - setupStarted;
    const setupSql = counter.take();
    delete setupSql.timeline;

    const rssBeforeMb = process.memoryUsage().rss / MB;
    const deps = { config, database, schema, ec2For: ec2.apiFor, readKeys: (names: readonly string[]) => readKeyFiles(config.keysDir, names), logger };
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const outcome = await withRunLock(database.db, database.dialect, config.ownerId, logger, () => runOnce(deps, { dryRun: false }));
    const runMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const sql = counter.take();
    if (!outcome.acquired) throw new Error('the run lock was held by another session');
    const { plan: _plan, ...report } = outcome.value;
    const phases = phasesOf(sql, relativeSpans(spans, started), started, Math.round((cpu.user + cpu.system) / 1000), runMs);
    return { report, runMs: Math.round(runMs), setupMs: Math.round(setupMs), sql, setupSql, rssBeforeMb: Math.round(rssBeforeMb), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), phases };
  } finally {
    ec2.close();
    await opened.db.destroy();
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
  }
}

/** The time breakdown; also makes the transaction times relative to the run's start. */
function phasesOf(sql: SqlCounts, ec2: RunPhases['ec2'], started: number, cpuMs: number, runMs: number): RunPhases {
  const gpd = ec2.GetPasswordData;
  const timeline = (sql.timeline ?? []).map((s) => ({ startAt: s.startAt - started, endAt: s.endAt - started, kind: s.kind }));
  delete sql.timeline; // thousands of entries: the breakdown is what is kept
  // The run's own transaction (read state, plan, write) is the first; the status record has its own after it.
  const run = sql.transactions[0];
  sql.transactions = sql.transactions.map((t) => ({ beginAt: Math.round(t.beginAt - started), endAt: Math.round(t.endAt - started) }));
  return {
    cpuMs,
    listingEndMs: Math.max(ec2.DescribeInstances?.toMs ?? 0, ec2.DescribeImages?.toMs ?? 0),
    passwordsMs: gpd === undefined ? 0 : gpd.toMs - gpd.fromMs,
    transactionMs: run === undefined ? 0 : Math.round(run.endAt - run.beginAt),
    ec2,
    breakdown: breakDown(ec2, timeline, runMs),
  };
}

const send = (message: unknown): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) throw new Error('scenario-worker.js is started by run-once.bench.js (it needs an IPC channel)');
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });

main(JSON.parse(process.argv[2] ?? '{}') as WorkerJob)
  .then((result) => send({ ok: true, result }))
  .catch(async (err: unknown) => {
    await send({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
  });
