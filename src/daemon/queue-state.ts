import type { QueueFailureKind } from '../discover/events/queue-errors.js';

/** The events queue as the daemon sees it: not yet reached, receiving, or failing since a time and why. */
export type QueueState =
  | { readonly state: 'starting' }
  | { readonly state: 'receiving'; readonly since: number }
  | { readonly state: 'failing'; readonly since: number; readonly kind: QueueFailureKind; readonly reason: string; readonly failures: number };

/** What one receive (or the account check before it) came to. */
export type QueueOutcome = { readonly ok: true } | { readonly ok: false; readonly kind: QueueFailureKind; readonly reason: string };

/** How loudly to report a step: a change of state is logged once, a lasting failure reminded of now and then. */
export type QueueLog = 'now-receiving' | 'receiving-again' | 'now-failing' | 'still-failing' | undefined;

/** A reminder while the queue keeps failing, at most this often. */
export const QUEUE_REMINDER_MS = 10 * 60_000;

export interface QueueStep {
  readonly state: QueueState;
  /** The state changed (another kind of failure counts): record it for `status`. */
  readonly changed: boolean;
  readonly log: QueueLog;
  /** When the last log line about the queue was written (for the reminders). */
  readonly loggedAt: number | undefined;
}

/**
 * Pure: the next state of the queue after an outcome at `now`, and what to log.
 *
 * | before              | outcome          | → state (since)            | log             |
 * |---------------------|------------------|----------------------------|-----------------|
 * | starting            | ok               | receiving (now)            | now-receiving   |
 * | failing             | ok               | receiving (now)            | receiving-again |
 * | receiving           | ok               | unchanged                  | —               |
 * | starting, receiving | failure          | failing (now)              | now-failing     |
 * | failing             | failure, same kind | failing (kept), count + 1 | still-failing every QUEUE_REMINDER_MS |
 * | failing             | failure, other kind| failing (kept since), new reason | now-failing |
 */
export function nextQueueState(before: QueueState, outcome: QueueOutcome, now: number, loggedAt: number | undefined): QueueStep {
  if (outcome.ok) {
    if (before.state === 'receiving') return { state: before, changed: false, log: undefined, loggedAt };
    return { state: { state: 'receiving', since: now }, changed: true, log: before.state === 'failing' ? 'receiving-again' : 'now-receiving', loggedAt: now };
  }
  const { kind, reason } = outcome;
  if (before.state !== 'failing') {
    return { state: { state: 'failing', since: now, kind, reason, failures: 1 }, changed: true, log: 'now-failing', loggedAt: now };
  }
  const state: QueueState = { ...before, kind, reason, failures: before.failures + 1 };
  if (kind !== before.kind) return { state, changed: true, log: 'now-failing', loggedAt: now };
  const remind = loggedAt === undefined || now - loggedAt >= QUEUE_REMINDER_MS;
  return { state, changed: false, log: remind ? 'still-failing' : undefined, loggedAt: remind ? now : loggedAt };
}
