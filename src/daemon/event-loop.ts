import type { AcceptedScopes } from '../discover/events/instance-event.js';
import type { EventQueue, QueueMessage } from '../discover/events/event-queue.js';
import { EventQueueError } from '../discover/events/queue-errors.js';
import { parseEventMessage } from '../discover/events/parse-event.js';
import { planEventBatch, type EventBatchPlan } from '../discover/events/event-batch.js';
import type { Runtime } from '../run/runtime.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { backoffDelay, QUEUE_BACKOFF } from './backoff.js';
import { messagesToDelete } from './event-acknowledge.js';
import type { HealthRecord } from './health.js';
import type { DaemonMetrics } from './metrics.js';
import { nextQueueState, type QueueOutcome, type QueueState } from './queue-state.js';
import { GateClosedError, type RunGate } from './scheduler.js';

/** What event mode reads, built by the composition root (the SDKs load at their first call). */
export interface EventSource {
  readonly queue: Pick<EventQueue, 'receiveBatch' | 'acknowledge' | 'depth'>;
  /** The queue's name (never its URL) for logs and `status`. */
  readonly queueName: string;
  /** The accounts events are accepted for, with their regions; throws while they cannot be known (STS failing). */
  readonly acceptedScopes: () => Promise<AcceptedScopes>;
  close(): void;
}

export interface EventLoopOptions {
  readonly source: EventSource;
  readonly runtime: Pick<Runtime, 'runEvents' | 'recordEventQueue'>;
  /** The daemon's gate: a batch never runs beside a full run. */
  readonly gate: Pick<RunGate, 'runBatch'>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly metrics: DaemonMetrics | undefined;
  readonly health: HealthRecord;
  readonly ownerId: string;
  /** Abortable pause (tests pass their own); resolves early on abort. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  /** Pause after a batch that could not run (lock held, run failed) before the next receive (ms); default 5000. */
  readonly retryPauseMs?: number;
}

/**
 * Event mode: until `signal` aborts, receive a batch, apply the instances it names (one run, through the gate), then
 * delete what the commit made current. A message is deleted only after the commit that applied it (or when it can
 * never apply: malformed, foreign, …); a batch that did not run deletes nothing and its messages come back after the
 * queue's visibility timeout. A failing queue is retried with backoff and reported (log, health, metrics, `status`);
 * it never stops the scheduled full listings. Never throws.
 */
export async function runEventLoop(options: EventLoopOptions): Promise<void> {
  const loop = new EventLoop(options);
  await loop.run();
}

class EventLoop {
  readonly #o: EventLoopOptions;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  #state: QueueState = { state: 'starting' };
  #loggedAt: number | undefined;
  #lastBatchAt: number | undefined;
  /** The state for `status` changed since it was last written. */
  #dirty = false;
  #recording: Promise<void> | undefined;
  #recordWarned = false;

  constructor(options: EventLoopOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
  }

  async run(): Promise<void> {
    const { source, signal } = this.#o;
    let scopes: AcceptedScopes | undefined;
    while (!signal.aborted) {
      let messages: QueueMessage[];
      let accepted: AcceptedScopes;
      try {
        accepted = scopes ?? (await source.acceptedScopes().catch((err: unknown) => Promise.reject(new ScopesError(err))));
        scopes = accepted;
        if (this.#state.state !== 'receiving') await source.queue.depth(signal); // a prompt answer: receiving, or why not
        if (signal.aborted) break;
        this.#observe({ ok: true });
        messages = await source.queue.receiveBatch(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.#observe(failureOf(err));
        await this.#sleep(backoffDelay(this.#state.state === 'failing' ? this.#state.failures : 1, QUEUE_BACKOFF), signal);
        continue;
      }
      const pause = messages.length > 0 ? await this.#handle(messages, accepted) : false;
      this.#flushStatus();
      if (pause) await this.#sleep(this.#o.retryPauseMs ?? 5000, signal);
    }
    await this.#recording;
  }

  /** One batch; returns whether to pause before the next receive (the batch did not run). */
  async #handle(messages: readonly QueueMessage[], scopes: AcceptedScopes): Promise<boolean> {
    const { gate, runtime, logger, metrics, signal } = this.#o;
    metrics?.recordEventsReceived(messages.length);
    const parsed = messages.map((m) => parseEventMessage(m.body, scopes));
    const plan = planEventBatch(parsed);
    const counts = batchCounts(messages.length, plan);
    if (plan.targets.length === 0) {
      metrics?.recordEventBatch(undefined, plan);
      await this.#acknowledge(messages);
      logger.info('event batch: nothing to apply; its messages are deleted', counts);
      return false;
    }
    let result;
    try {
      result = await gate.runBatch(() => runtime.runEvents(plan.targets, { signal }));
    } catch (err) {
      if (signal.aborted || err instanceof GateClosedError) {
        logger.info('event batch stopped by the shutdown before writing; its messages come back', counts);
        return false;
      }
      metrics?.recordEventBatch('failed', plan);
      logger.error('event batch failed; nothing was changed; its messages come back after the visibility timeout', { ...counts, error: describeError(err) });
      return true;
    }
    if (result.locked) {
      metrics?.recordEventBatch('locked', plan);
      logger.info('another runner holds the lock; the event batch comes back after the visibility timeout', { ...counts, ownerId: this.#o.ownerId });
      return true;
    }
    const committedAt = this.#now();
    const lagMs = plan.oldestEventTime === undefined ? undefined : Math.max(0, committedAt - plan.oldestEventTime);
    const { report, unapplied } = result;
    metrics?.recordEventBatch('applied', { ...plan, report, ...(lagMs === undefined ? {} : { lagSeconds: lagMs / 1000 }) });
    this.#lastBatchAt = committedAt;
    this.#dirty = true;
    const toDelete = messagesToDelete(messages, parsed, unapplied);
    await this.#acknowledge(toDelete);
    logger.info('event batch applied', {
      ...counts,
      created: report.created,
      updated: report.updated,
      deleted: report.deleted,
      ...(unapplied.length > 0
        ? { notDescribed: unapplied.reduce((n, t) => n + t.instanceIds.length, 0), keptInQueue: messages.length - toDelete.length }
        : {}),
      ...(lagMs === undefined ? {} : { lagMs }),
    });
    return false;
  }

  /** Deleting is best effort: a message not deleted comes back and is applied again, which changes nothing. */
  async #acknowledge(messages: readonly QueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const result = await this.#o.source.queue.acknowledge(messages); // no signal: a committed batch's messages go even at shutdown
    const [first] = result.failed;
    if (first === undefined) return;
    this.#o.logger.warn('some event messages were not deleted; they come back and are applied again (harmless)', {
      notDeleted: result.failed.length,
      error: first.message,
    });
  }

  #observe(outcome: QueueOutcome): void {
    const { logger, metrics, health, source } = this.#o;
    const before = this.#state;
    const step = nextQueueState(before, outcome, this.#now(), this.#loggedAt);
    this.#state = step.state;
    this.#loggedAt = step.loggedAt;
    if (step.changed) this.#dirty = true;
    metrics?.recordQueue(outcome.ok, outcome.ok ? undefined : outcome.kind);
    const state = step.state;
    health.recordQueue(state.state === 'failing' ? { since: state.since, reason: state.reason } : undefined);
    const queue = source.queueName;
    if (step.log === 'now-receiving') logger.info('receiving events from the queue', { queue });
    else if (step.log === 'receiving-again' && before.state === 'failing') {
      logger.info('the events queue works again', { queue, failedForSeconds: Math.round((this.#now() - before.since) / 1000) });
    } else if (state.state === 'failing') {
      const fields = { queue, kind: state.kind, error: state.reason, failures: state.failures, retryInMs: backoffDelay(state.failures, QUEUE_BACKOFF) };
      if (step.log === 'now-failing') logger.error('the events queue fails; trying again with backoff; full listings carry on', fields);
      else if (step.log === 'still-failing') {
        logger.warn('the events queue still fails; full listings carry on', { ...fields, since: new Date(state.since).toISOString() });
      }
      else logger.debug('the events queue still fails', fields);
    }
    this.#flushStatus(); // now, not after the next receive: a long poll may wait 20 s
  }

  /** Writes the state for `status` in the background when it changed; a failed write is tried again later. */
  #flushStatus(): void {
    if (!this.#dirty || this.#recording !== undefined || this.#state.state === 'starting') return;
    const state = this.#state;
    this.#dirty = false;
    const record = {
      ownerId: this.#o.ownerId,
      queue: this.#o.source.queueName,
      state: state.state,
      since: new Date(state.since),
      ...(state.state === 'failing' ? { lastError: state.reason } : {}),
      ...(this.#lastBatchAt === undefined ? {} : { lastBatchAt: new Date(this.#lastBatchAt) }),
      updatedAt: new Date(this.#now()),
    };
    this.#recording = this.#o.runtime
      .recordEventQueue(record)
      .then(
        () => {
          this.#recordWarned = false;
        },
        (err: unknown) => {
          this.#dirty = true;
          if (this.#recordWarned) return;
          this.#recordWarned = true;
          this.#o.logger.warn("cannot record the events queue's state for `status`; trying again later", { error: describeError(err) });
        },
      )
      .finally(() => {
        this.#recording = undefined;
      });
  }
}

/** The accounts events are accepted for could not be read (GetCallerIdentity failed). */
class ScopesError extends Error {
  override readonly name = 'ScopesError';
  constructor(cause: unknown) {
    super(`cannot tell which accounts events are accepted for (STS GetCallerIdentity): ${describeError(cause)}`, { cause });
  }
}

function failureOf(err: unknown): Extract<QueueOutcome, { ok: false }> {
  if (err instanceof EventQueueError) return { ok: false, kind: err.kind, reason: err.message };
  return { ok: false, kind: 'other', reason: err instanceof Error ? err.message : String(err) };
}

/** The counts of a batch for its log line: never a message body (tags can say anything). */
function batchCounts(received: number, plan: EventBatchPlan): Record<string, unknown> {
  const ignored = Object.values(plan.ignored).reduce((n, c) => n + (c ?? 0), 0);
  return {
    received,
    accepted: plan.accepted,
    duplicates: plan.duplicates,
    ignored,
    ...(ignored > 0 ? { ignoredByReason: plan.ignored } : {}),
    instances: plan.targets.reduce((n, t) => n + t.instanceIds.length, 0),
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
