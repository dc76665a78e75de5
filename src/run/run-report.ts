import type { SkippedInstance } from '../desired/desired-connection.js';
import type { MappingResult } from '../desired/to-desired-connections.js';
import type { ListedFleet } from '../discover/list-fleet.js';
import type { Enrichment } from './enrich-step.js';
import type { Written } from './write-step.js';

export interface RunReport {
  readonly ok: boolean;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly conflicts: number;
  /** Scopes whose listing failed: regions, `<account id>/<region>`, `<account id>/*` (a whole account) or `*`. */
  readonly failedRegions: readonly string[];
  /** Accounts that could not be read (AssumeRole refused, no region listed…): nothing of theirs was changed. */
  readonly failedAccounts: readonly string[];
  /** Why deletions were held back this run (deletion brake), if they were. */
  readonly deletionBrake?: string;
  /** Connections the deletion brake kept from deletion this run (0 when it held nothing). */
  readonly deletionsHeld: number;
  readonly instances: number;
  /** Instances listed per region; regions whose listing failed are absent. */
  readonly instancesByRegion: Readonly<Record<string, number>>;
  /** GetPasswordData calls made this run. */
  readonly passwordFetches: number;
  /** GetConsoleOutput calls made this run (host key pinning). */
  readonly consoleReads: number;
  /** Instances left out by `kcm:ignore`. */
  readonly ignored: number;
  /** Skipped instances by category (`no_address`, `too_long`, `charset`, `rejected`). */
  readonly skippedByReason: Readonly<Record<string, number>>;
  readonly durationMs: number;
  /** Peak resident memory of the process so far (MB). */
  readonly peakRssMb: number;
  readonly dryRun: boolean;
  /** The readable plan (dry run only). */
  readonly plan?: string;
  /** An event run: how many instances its batch asked about (absent for a full listing). */
  readonly asked?: number;
}

export interface RunOutcome {
  readonly fleet: ListedFleet;
  readonly enrichment: Enrichment;
  readonly mapping: MappingResult;
  readonly written: Written;
  /** Skipped while mapping, and refused by the database. */
  readonly skipped: readonly SkippedInstance[];
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** The readable plan, for a dry run. */
  readonly plan?: string;
}

/** The run's report: what `status`, the metrics and the last log line show. */
export function runReport(run: RunOutcome): RunReport {
  const { fleet, written, skipped } = run;
  const { changes, brake } = written;
  return {
    // A held deletion needs the operator's decision: the run reports failure until it is made.
    // A refused write leaves its instance behind: partial, like a failed listing.
    ok: fleet.failed.length === 0 && brake === undefined && written.rejected.length === 0,
    created: changes.createConnections.length,
    updated: changes.updateConnections.length,
    deleted: changes.deleteConnections.length,
    unchanged: changes.unchanged,
    skipped: skipped.length,
    conflicts: changes.conflicts.length,
    failedRegions: fleet.failed.map((f) => f.scope),
    failedAccounts: fleet.failedAccounts,
    ...(brake === undefined ? {} : { deletionBrake: brake }),
    deletionsHeld: written.deletionsHeld,
    instances: fleet.instances.length,
    instancesByRegion: Object.fromEntries(fleet.listings.flatMap((r) => (r.ok ? [[r.scope, r.instances.length]] : []))),
    passwordFetches: run.enrichment.passwords.fetches,
    consoleReads: run.enrichment.hostKeys.reads,
    ignored: run.mapping.ignored,
    skippedByReason: countBy(skipped.map((s) => s.code ?? 'other')),
    durationMs: run.durationMs,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    dryRun: run.dryRun,
    ...(run.plan === undefined ? {} : { plan: run.plan }),
    ...(fleet.onlyKeys === undefined ? {} : { asked: fleet.onlyKeys.size }),
  };
}

/** The report without the readable plan: the fields logged and recorded. */
export function reportSummary(report: RunReport): Omit<RunReport, 'plan'> {
  const { plan: _plan, ...summary } = report;
  return summary;
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
