/**
 * One benchmark scenario in a fresh process (forked by run-once.bench.ts), so that its peak RSS is its own.
 * Builds the runtime as `--once` does (src/cli/run-with-config.ts `buildRuntime`, from the settings the CLI would read)
 * with the benchmark's hooks on it (runtime-probe.ts), and makes one real run. Reports a `WorkerResult` over IPC.
 *
 * Input: the job as JSON in argv[2].
 */
import { parseConfig } from '../src/config/config.js';
import type { RunReport } from '../src/run/run-report.js';
import { buildRuntime } from '../src/cli/run-with-config.js';
import { createLogger } from '../src/shared/logger.js';
import { breakDown, type PhaseBreakdown } from './phases.js';
import { runClock, windowsMs } from './run-clock.js';
import { RuntimeProbe } from './runtime-probe.js';
import type { SqlCounts } from './sql-counter.js';
import { relativeSpans } from './timed-ec2.js';

export interface WorkerJob {
  /** Raw settings as the CLI would read them from the environment. */
  readonly settings: Readonly<Record<string, string>>;
}

export interface WorkerResult {
  readonly report: Omit<RunReport, 'plan'>;
  /** The run: `runtime.run()` less its setup (the run lock, `runOnce`), as the daemon does it each run (ms). */
  readonly runMs: number;
  /** The runtime's setup (schema check, write privileges, migrations, ms): once per process for the daemon, every run for `--once`. */
  readonly setupMs: number;
  readonly sql: SqlCounts;
  readonly setupSql: SqlCounts;
  /** RSS when the run proper started (modules loaded, pool open, setup done) and the process's peak RSS (getrusage maxrss), MB. */
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
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) });
  const probe = new RuntimeProbe();
  const { runtime, close } = buildRuntime(config, secrets, logger, probe.hooks);
  try {
    const rssAtStartMb = process.memoryUsage().rss / MB;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const attempt = await runtime.run({ dryRun: false });
    const ended = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    if (attempt.locked) throw new Error('the run lock was held by another session');
    const { plan: _plan, ...report } = attempt.report;
    // The run's clock leaves out the setup (schema check, write privileges, migrations), reported apart.
    const clock = runClock(started, probe.setupWindows);
    const runMs = clock(ended);
    const setupSql = probe.setupSql.take();
    delete setupSql.timeline;
    const sql = probe.runSql.take();
    const cpuMs = Math.round((cpu.user + cpu.system - probe.setupCpuMicros) / 1000);
    const phases = phasesOf(sql, relativeSpans(probe.spans, clock), clock, cpuMs, runMs);
    return {
      report,
      runMs: Math.round(runMs),
      setupMs: Math.round(windowsMs(probe.setupWindows)),
      sql,
      setupSql,
      rssBeforeMb: Math.round(probe.rssAfterSetupMb ?? rssAtStartMb),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      phases,
    };
  } finally {
    await close();
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
  }
}

/** The time breakdown; also puts the transactions on the run's clock. */
function phasesOf(sql: SqlCounts, ec2: RunPhases['ec2'], clock: (t: number) => number, cpuMs: number, runMs: number): RunPhases {
  const gpd = ec2.GetPasswordData;
  const timeline = (sql.timeline ?? []).map((s) => ({ startAt: clock(s.startAt), endAt: clock(s.endAt), kind: s.kind }));
  delete sql.timeline; // thousands of entries: the breakdown is what is kept
  // The run's own transaction (read state, plan, write) is the first; the status record has its own after it.
  const run = sql.transactions[0];
  sql.transactions = sql.transactions.map((t) => ({ beginAt: Math.round(clock(t.beginAt)), endAt: Math.round(clock(t.endAt)) }));
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
