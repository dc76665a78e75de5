/**
 * A `--once` of the real CLI beside a measured scenario (cli-process.ts): its whole process time, and the run's time
 * as the daemon recorded it in `ec2_discovery_run` (the same run, seen from inside the process).
 */
import { sql, type Kysely } from 'kysely';
import { type ProcessTime, timeCli } from './cli-process.js';

export interface CliRunResult {
  /** The scenario the run repeats: a first run (into a fresh database) or a run with no change. */
  readonly scenario: 'first run' | 'no change';
  readonly process: ProcessTime;
  /** `ec2_discovery_run.duration_ms`: listing to the run's report (lock, setup and the status record left out). */
  readonly recordedRunMs: number;
}

/** `db` reads the database the CLI writes to; `fresh`: it has no bookkeeping tables yet (the CLI creates them). */
export async function timeCliRun(
  scenario: CliRunResult['scenario'],
  settings: Readonly<Record<string, string>>,
  db: Kysely<any>,
  fresh: boolean,
): Promise<CliRunResult> {
  const known = fresh ? new Map<string, number>() : await recordedRuns(db);
  const time = await timeCli(['--once'], settings);
  const added = [...(await recordedRuns(db))].filter(([id]) => !known.has(id));
  if (added.length !== 1) throw new Error(`the CLI's --once recorded ${added.length} runs, expected 1`);
  return { scenario, process: time, recordedRunMs: (added[0] as [string, number])[1] };
}

/** Run id → duration (ms) of every run recorded. */
async function recordedRuns(db: Kysely<any>): Promise<Map<string, number>> {
  const { rows } = await sql<{ run_id: string; duration_ms: number | string }>`SELECT run_id, duration_ms FROM ec2_discovery_run`.execute(db);
  return new Map(rows.map((r) => [r.run_id, Number(r.duration_ms)]));
}
