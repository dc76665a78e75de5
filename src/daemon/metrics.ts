import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SKIP_CODES } from '../desired/desired-connection.js';
import type { RunResult } from './health.js';
import type { RunReport } from '../run/run-report.js';

const PREFIX = 'guacamole_ec2_discovery_';
const RESULTS: readonly RunResult[] = ['success', 'failure', 'partial', 'skipped_locked'];
const ACTIONS = ['created', 'updated', 'deleted'] as const;
export type SkippedTickCause = 'overlap' | 'locked';

/** The daemon's Prometheus metrics, in a registry of their own (plus Node's default process metrics). */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #runs = new Counter({ name: `${PREFIX}runs_total`, help: 'Scheduled runs by result.', labelNames: ['result'], registers: [this.registry] });
  readonly #duration = new Histogram({
    name: `${PREFIX}run_duration_seconds`,
    help: 'Duration of the runs that took place (not those skipped).',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly #lastSuccess = new Gauge({
    name: `${PREFIX}last_success_timestamp_seconds`,
    help: 'End of the last successful run (Unix time).',
    registers: [this.registry],
  });
  readonly #instances = new Gauge({
    name: `${PREFIX}instances`,
    help: 'EC2 instances listed per scope (the region, or <account id>/<region> with several accounts) by the last run that could list it.',
    labelNames: ['region'],
    registers: [this.registry],
  });
  readonly #changed = new Counter({
    name: `${PREFIX}connections_changed_total`,
    help: 'Connections written, by action.',
    labelNames: ['action'],
    registers: [this.registry],
  });
  readonly #skippedInstances = new Gauge({
    name: `${PREFIX}skipped_instances`,
    help: 'Instances left out of the last run: `any`, and by reason (no address yet, a value the database cannot hold, a write it refused).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly #skippedTicks = new Counter({
    name: `${PREFIX}skipped_ticks_total`,
    help: 'Scheduled ticks that did not run, by cause.',
    labelNames: ['cause'],
    registers: [this.registry],
  });
  readonly #failedRegions = new Gauge({
    name: `${PREFIX}failed_regions`,
    help: 'Scopes (regions, or whole accounts) whose listing failed in the last run.',
    registers: [this.registry],
  });
  readonly #failedAccounts = new Gauge({
    name: `${PREFIX}failed_accounts`,
    help: 'Accounts that could not be read in the last run (AssumeRole refused, no region listed).',
    registers: [this.registry],
  });
  readonly #deletionsHeld = new Gauge({
    name: `${PREFIX}deletions_held`,
    help: 'Connections the deletion brake kept from deletion in the last run (AWS_DISCOVERY_MAX_DELETE_PERCENT / _COUNT, or a region that listed none).',
    registers: [this.registry],
  });

  constructor(regions: readonly string[]) {
    collectDefaultMetrics({ register: this.registry });
    // Every series exists from the start, at zero, so rates and alerts work before the first event.
    for (const result of RESULTS) this.#runs.inc({ result }, 0);
    for (const action of ACTIONS) this.#changed.inc({ action }, 0);
    for (const cause of ['overlap', 'locked'] as const) this.#skippedTicks.inc({ cause }, 0);
    for (const region of regions) this.#instances.set({ region }, 0);
    for (const reason of ['any', ...SKIP_CODES]) this.#skippedInstances.set({ reason }, 0);
    this.#failedRegions.set(0);
    this.#failedAccounts.set(0);
    this.#deletionsHeld.set(0);
  }

  /** A run that took place (`report` when it got as far as a report). */
  recordRun(result: Exclude<RunResult, 'skipped_locked'>, durationSeconds: number, report?: RunReport): void {
    this.#runs.inc({ result });
    this.#duration.observe(durationSeconds);
    if (result === 'success') this.#lastSuccess.set(Date.now() / 1000);
    if (report === undefined) return;
    this.#changed.inc({ action: 'created' }, report.created);
    this.#changed.inc({ action: 'updated' }, report.updated);
    this.#changed.inc({ action: 'deleted' }, report.deleted);
    // A region that could not be listed keeps its last known count; failed_regions says it is stale.
    for (const [region, count] of Object.entries(report.instancesByRegion)) this.#instances.set({ region }, count);
    this.#skippedInstances.set({ reason: 'any' }, report.skipped);
    for (const reason of SKIP_CODES) this.#skippedInstances.set({ reason }, report.skippedByReason[reason] ?? 0);
    this.#failedRegions.set(report.failedRegions.length);
    this.#failedAccounts.set(report.failedAccounts.length);
    this.#deletionsHeld.set(report.deletionsHeld);
  }

  recordSkippedTick(cause: SkippedTickCause): void {
    this.#skippedTicks.inc({ cause });
    if (cause === 'locked') this.#runs.inc({ result: 'skipped_locked' });
  }
}
