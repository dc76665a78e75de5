import { describeById, targetScope } from '../discover/events/describe-by-id.js';
import type { DescribeTarget } from '../discover/events/event-batch.js';
import { failedScopeMatcher } from '../plan/failed-scopes.js';
import { withRunLock } from '../store/run-lock.js';
import type { FleetReader, RunDependencies } from './run-dependencies.js';
import { runOnce } from './run-once.js';
import type { RunReport } from './run-report.js';

/** An event batch applied, or not run because another run (a full listing, another daemon) holds the owner's lock. */
export type EventRunResult =
  | { readonly locked: true }
  | {
      readonly locked: false;
      readonly report: RunReport;
      /** Every target was described and what it changed is committed: all of the batch's messages may be deleted. */
      readonly committed: boolean;
      /**
       * Targets whose describe failed (or whose account could not be read): nothing of theirs changed. Leave their
       * messages in the queue to come back; the messages of the other targets may be deleted.
       */
      readonly unapplied: readonly DescribeTarget[];
    };

export interface EventRunOptions {
  /** Shutdown: the run stops before its transaction begins (and throws). */
  readonly signal?: AbortSignal;
}

/**
 * Applies one batch of events: describes only the batch's instances, then maps, plans and writes them exactly as a
 * full run does (runOnce with another fleet reader: same enrichment, mapping, safety rules, one transaction, refused
 * writes contained, the run recorded for `status`), under the same run lock, so it never overlaps a full run.
 * Connections of instances the batch did not name are outside the run and stay as they are.
 *
 * Returns `{ locked: true }` without doing anything when the lock is held: try the batch again later and delete none
 * of its messages. Throws when the run fails (database unreachable, shutdown): nothing was committed.
 */
export async function runEventBatch(deps: RunDependencies, targets: readonly DescribeTarget[], options: EventRunOptions = {}): Promise<EventRunResult> {
  const { config, database, logger } = deps;
  const readFleet: FleetReader = async (sources, listing) => {
    const fleet = await describeById(sources, targets, listing);
    for (const t of fleet.outside) {
      const fields = { account: t.account, region: t.region, instances: t.instanceIds.length };
      logger.warn('events of an account or region the daemon does not read; ignored', fields);
    }
    return fleet;
  };
  const run = () => runOnce(deps, { dryRun: false, readFleet, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const outcome = await withRunLock(database.db, database.dialect, config.ownerId, logger, run);
  if (!outcome.acquired) return { locked: true };
  const report = outcome.value;
  const failed = failedScopeMatcher(report.failedRegions);
  const withAccounts = config.accounts !== undefined && deps.accounts !== undefined;
  const unapplied = targets.filter((t) => failed.has(targetScope(t, withAccounts)));
  return { locked: false, report, committed: unapplied.length === 0, unapplied };
}
