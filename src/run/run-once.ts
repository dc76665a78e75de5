import { describeError } from '../shared/errors.js';
import { collectProblems, type Problem } from '../status/problems.js';
import { recordRun, type RunRecord, type RunResult } from '../status/record-run.js';
import { formatPlan } from '../plan/format-plan.js';
import { readFleet } from './fleet-step.js';
import { logWritten } from './log-changes.js';
import type { RunDependencies, RunOptions } from './run-dependencies.js';
import { reportSummary, runReport, type RunReport } from './run-report.js';
import { planAndWrite, planOnly, type WriteContext } from './write-step.js';

/** The problems found so far, recorded with the run's status even when a later step fails; an event run's keys. */
interface Found {
  problems: Problem[] | undefined;
  onlyKeys?: ReadonlySet<string>;
}

/**
 * One reconciliation: list EC2, compute the desired connections, read Guacamole's state, plan, and write the plan
 * in one transaction (or, in a dry run, only describe it). Used by `--once`, the schedule and the tests; an event run
 * (event-run.ts) is the same with `readFleet` describing only its batch.
 */
export async function runOnce(deps: RunDependencies, options: RunOptions): Promise<RunReport> {
  const startedAt = new Date();
  if (options.dryRun) return reconcile(deps, options, { problems: undefined });
  const found: Found = { problems: undefined };
  const record = (result: RunResult, durationMs: number, summary: RunRecord['summary']) =>
    recordStatus(deps, {
      ownerId: deps.config.ownerId,
      startedAt,
      durationMs,
      result,
      summary,
      ...(found.problems ? { problems: found.problems } : {}),
      ...(found.onlyKeys ? { problemSubjects: found.onlyKeys } : {}),
    });
  try {
    const report = await reconcile(deps, options, found);
    await record(report.ok ? 'success' : 'partial', report.durationMs, reportSummary(report));
    return report;
  } catch (err) {
    // The run's transaction rolled back; say so in the status (when the database still answers).
    await record('failure', Date.now() - startedAt.getTime(), { error: describeError(err), ...(found.onlyKeys ? { asked: found.onlyKeys.size } : {}) });
    throw err;
  }
}

/** discover → enrich (keys, passwords, host keys) → desired → plan and write in one transaction → report. */
async function reconcile(deps: RunDependencies, options: RunOptions, found: Found): Promise<RunReport> {
  const started = Date.now();
  const { config, logger, database } = deps;
  const { discovery, enrichment, mapping, wanted } = await readFleet(deps, options, database.dialect.nameCharset);
  const { fleet } = discovery;
  if (fleet.onlyKeys !== undefined) found.onlyKeys = fleet.onlyKeys;
  found.problems = collectProblems({ failedScopes: fleet.failed, skipped: mapping.skipped, warnings: mapping.warnings });

  // A dry run only reads; a real run reads, plans and writes in one transaction (all or nothing).
  const context: WriteContext = { config, database, schema: deps.schema, logger, selfAccountId: fleet.selfAccountId, allowMassDelete: config.allowMassDelete };
  options.signal?.throwIfAborted(); // last point to stop: once the transaction has begun, it runs to its end
  const written = options.dryRun ? await planOnly(context, wanted) : await planAndWrite(context, wanted);
  const skipped = [...mapping.skipped, ...written.rejected];
  found.problems = collectProblems({ failedScopes: fleet.failed, skipped, warnings: mapping.warnings, changes: written.changes });
  logWritten(logger, written, { dryRun: options.dryRun, adminGroup: config.adminGroup });

  const plan = options.dryRun ? `${dryRunHeader(deps)}\n${formatPlan(written.changes, written.revokes)}` : undefined;
  const report = runReport({ fleet, enrichment, mapping, written, skipped, durationMs: Date.now() - started, dryRun: options.dryRun, plan });
  logger.info(options.dryRun ? 'dry run finished; nothing was written' : fleet.onlyKeys ? 'event run finished' : 'run finished', reportSummary(report));
  return report;
}

/** Which Guacamole the dry run planned against (a first look, without a database, says so in its own header). */
function dryRunHeader({ config, database }: RunDependencies): string {
  const { database: name, host, port } = config.database;
  return `dry run against the ${database.dialect.serverName} database "${name}" at ${host}:${port}: what a run would change (nothing is written)`;
}

/** The run status is a convenience: failing to write it never fails the run. */
async function recordStatus(deps: RunDependencies, run: RunRecord): Promise<void> {
  try {
    await recordRun(deps.database.db, run);
  } catch (err) {
    deps.logger.warn('could not record the run for `status`', { error: describeError(err) });
  }
}
