import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SKIP_CODES } from '../desired/desired-connection.js';
import type { RunResult } from './health.js';
import type { RunReport } from '../run/run-report.js';
import { IGNORE_REASONS, type IgnoreReason } from '../discover/events/instance-event.js';
import { QUEUE_FAILURE_KINDS, type QueueFailureKind } from '../discover/events/queue-errors.js';

const PREFIX = 'guacamole_ec2_discovery_';
const RESULTS: readonly RunResult[] = ['success', 'failure', 'partial', 'skipped_locked'];
const ACTIONS = ['created', 'updated', 'deleted'] as const;
export type SkippedTickCause = 'overlap' | 'locked';
/** How an event batch that named instances ended: committed, not run (another runner holds the lock), or failed. */
export type EventBatchResult = 'applied' | 'locked' | 'failed';
const BATCH_RESULTS: readonly EventBatchResult[] = ['applied', 'locked', 'failed'];

/** The daemon's Prometheus metrics, in a registry of their own (plus Node's default process metrics). */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #runs = new Counter({
    name: `${PREFIX}runs_total`,
    help: 'Scheduled runs (full listings) by result; event batches are counted apart, in event_batches_total.',
    labelNames: ['result'],
    registers: [this.registry],
  });
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
    help: 'Connections written, by action, by full runs and event batches alike.',
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

  readonly #events: EventMetrics | undefined;

  /** `events`: event mode is on; its series exist, at zero, only then. */
  constructor(regions: readonly string[], options: { readonly events?: boolean } = {}) {
    this.#events = options.events === true ? new EventMetrics(this.registry) : undefined;
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
    this.#countChanges(report);
    // A region that could not be listed keeps its last known count; failed_regions says it is stale.
    for (const [region, count] of Object.entries(report.instancesByRegion)) this.#instances.set({ region }, count);
    this.#skippedInstances.set({ reason: 'any' }, report.skipped);
    for (const reason of SKIP_CODES) this.#skippedInstances.set({ reason }, report.skippedByReason[reason] ?? 0);
    this.#failedRegions.set(report.failedRegions.length);
    this.#failedAccounts.set(report.failedAccounts.length);
    this.#deletionsHeld.set(report.deletionsHeld);
  }

  /** Messages received from the events queue. */
  recordEventsReceived(count: number): void {
    this.#events?.received.inc(count);
  }

  /**
   * One batch's outcome (`undefined`: it named no instance, every message was ignored). `applied`: its accepted
   * messages count as applied, the lag (oldest event → commit) is observed, and the ignored messages are counted, as
   * they are deleted; a locked or failed batch deletes nothing and counts only itself (its messages come back).
   */
  recordEventBatch(
    result: EventBatchResult | undefined,
    batch: { accepted: number; duplicates: number; ignored: Readonly<Partial<Record<IgnoreReason, number>>>; lagSeconds?: number; report?: RunReport },
  ): void {
    const events = this.#events;
    if (events === undefined) return;
    if (result !== undefined) events.batches.inc({ result });
    if (result === 'locked' || result === 'failed') return; // nothing deleted: the messages come back and are counted then
    for (const [reason, count] of Object.entries(batch.ignored)) events.ignored.inc({ reason }, count);
    if (result === undefined) return; // nothing to apply: every message was ignored
    events.applied.inc(batch.accepted);
    events.ignored.inc({ reason: 'duplicate' }, batch.duplicates);
    if (batch.lagSeconds !== undefined) events.lag.observe(batch.lagSeconds);
    if (batch.report === undefined) return;
    this.#countChanges(batch.report);
  }

  /** The queue receives (`up`), or a call failed with `kind`. */
  recordQueue(up: boolean, kind?: QueueFailureKind): void {
    const events = this.#events;
    if (events === undefined) return;
    events.up.set(up ? 1 : 0);
    if (kind !== undefined) events.failures.inc({ kind });
  }

  /** The connections a run or an event batch wrote. */
  #countChanges(report: Pick<RunReport, 'created' | 'updated' | 'deleted'>): void {
    for (const action of ACTIONS) this.#changed.inc({ action }, report[action]);
  }

  recordSkippedTick(cause: SkippedTickCause): void {
    this.#skippedTicks.inc({ cause });
    if (cause === 'locked') this.#runs.inc({ result: 'skipped_locked' });
  }
}

/** Event mode's series (prefixed as the others). */
class EventMetrics {
  readonly received: Counter;
  readonly applied: Counter;
  readonly ignored: Counter;
  readonly lag: Histogram;
  readonly batches: Counter;
  readonly up: Gauge;
  readonly failures: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.received = new Counter({ name: `${PREFIX}events_received_total`, help: 'Messages received from the events queue.', registers });
    this.applied = new Counter({
      name: `${PREFIX}events_applied_total`,
      help: 'Accepted event messages whose batch committed (duplicates included).',
      registers,
    });
    this.ignored = new Counter({
      name: `${PREFIX}events_ignored_total`,
      help: 'Event messages deleted unapplied, by reason (malformed, foreign account, …; `duplicate`: one event twice in a committed batch).',
      labelNames: ['reason'],
      registers,
    });
    this.lag = new Histogram({
      name: `${PREFIX}event_lag_seconds`,
      help: "From the oldest event of a committed batch (the event's time) to the commit.",
      buckets: [0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 900],
      registers,
    });
    this.batches = new Counter({
      name: `${PREFIX}event_batches_total`,
      help: 'Event batches that named instances, by result: applied (committed), locked (another runner holds the lock), failed.',
      labelNames: ['result'],
      registers,
    });
    this.up = new Gauge({ name: `${PREFIX}events_queue_up`, help: 'The events queue receives (1) or fails (0).', registers });
    this.failures = new Counter({
      name: `${PREFIX}events_queue_failures_total`,
      help: 'Failed receives from the events queue (and failed checks of the accounts events are accepted for), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.received.inc(0);
    this.applied.inc(0);
    for (const reason of [...IGNORE_REASONS, 'duplicate']) this.ignored.inc({ reason }, 0);
    for (const result of BATCH_RESULTS) this.batches.inc({ result }, 0);
    for (const kind of QUEUE_FAILURE_KINDS) this.failures.inc({ kind }, 0);
    this.up.set(0);
  }
}
