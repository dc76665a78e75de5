/** The shape of the benchmark's results (also the JSON written to bench/results/). */
import type { RunReport } from '../src/run/run-report.js';
import type { ProcessTime } from './cli-process.js';
import type { CliRunResult } from './cli-runs.js';
import type { Ec2Check } from './ec2-calls.js';
import type { Churn } from './fleet.js';
import type { LimitResult } from './plain-insert-limit.js';
import type { RunPhases } from './scenario-worker.js';
import type { SqlCounts } from './sql-counter.js';

/**
 * `catch-up n`: runs right after the first one while it left Windows passwords for later (the daemon fetches at most
 * 500 per region per run), so that `no change` and `1% churn` measure the settled fleet.
 */
export type ScenarioName = 'first run' | `catch-up ${number}` | 'no change' | '1% churn';

/** The fields of the run's own report that the results keep. */
export type ScenarioReport = Pick<
  RunReport,
  'ok' | 'instances' | 'created' | 'updated' | 'deleted' | 'unchanged' | 'skipped' | 'conflicts' | 'passwordFetches' | 'deletionBrake'
>;

export interface ScenarioResult {
  readonly scenario: ScenarioName;
  /** The run (run lock and `runOnce`, setup left out), measured inside the worker (ms). */
  readonly runMs: number;
  /** Fork to exit of the worker: Node start, module loading, the setup, the run, pool shutdown (ms). */
  readonly processMs: number;
  /** The runtime's setup before the run: schema check, write privileges, migrations (ms). */
  readonly setupMs: number;
  readonly report: ScenarioReport;
  readonly sql: SqlCounts;
  /** Net change of each table's row count (count(*) before and after the scenario). */
  readonly tableChanges: Record<string, number>;
  readonly ec2: Ec2Check;
  readonly rssBeforeMb: number;
  readonly peakRssMb: number;
  readonly phases: RunPhases;
  /** CPU time of the benchmark's own process while the worker ran: mostly the fake EC2 answering (same 2 cores). */
  readonly benchCpuMs: number;
  /** The 1% churn scenario: what changed in EC2 before it. */
  readonly churn?: Churn;
}

export interface TargetResult {
  readonly id: 'T1' | 'T2' | 'T3' | 'T4' | 'T5';
  readonly pass: boolean;
  /** Short measured value for the table cell. */
  readonly measured: string;
  /** What fails, when it does. */
  readonly detail?: string;
}

export interface SizeResult {
  readonly dialect: string;
  readonly instances: number;
  readonly scenarios: readonly ScenarioResult[];
  /** The plain-insert floor: the fastest of several copies of the first run's rows (bench/plain-insert-limit.ts). */
  readonly limit: LimitResult;
  /** The real CLI's `--once` as a whole process, beside the first run and the run with no change. */
  readonly cli: readonly CliRunResult[];
  readonly targets: readonly TargetResult[];
  /** The first run against the plain-insert floor (which covers only writing the rows). */
  readonly limitRatios: LimitRatios;
}

/** The first run's times divided by the plain-insert floor's. */
export interface LimitRatios {
  /** The whole run (listing, passwords, mapping, transaction, logging): what T1 checks. */
  readonly run: number;
  /** The run's transaction, BEGIN to COMMIT: reading the current state, planning and writing. */
  readonly transaction: number;
  /** The writes alone: first write statement to COMMIT (the part the limit measures). */
  readonly writes: number;
}

export interface BenchResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly commit?: string;
  readonly node: string;
  readonly cpus: number;
  readonly memoryMb: number;
  readonly sizes: readonly number[];
  readonly dialects: readonly string[];
  /** One RSA-2048 Windows password decryption with the product's decryptWindowsPassword (ms, mean of 200). */
  readonly decryptMs: number;
  /** `guacamole-ec2-discovery --version`, the whole process, a few times (run-once.bench.ts): start-up alone. */
  readonly versionProcess: readonly ProcessTime[];
  readonly results: readonly SizeResult[];
}
