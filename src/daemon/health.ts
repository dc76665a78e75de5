/** How a scheduled run ended, as the health rule and the metrics see it. */
export type RunResult = 'success' | 'partial' | 'failure' | 'skipped_locked';

export interface HealthFacts {
  /** When the daemon started (ms since the epoch). */
  readonly startedAt: number;
  /** The latest run that ended, if any. */
  readonly last?: { readonly result: RunResult; readonly at: number; readonly reason?: string };
  /** The latest run that ended healthy (success, or skipped because another runner holds the lock). */
  readonly lastHealthyAt?: number;
  /** Event mode only: the queue is failing since `since` (ms since the epoch) for `reason`; unset: receiving, or off. */
  readonly queueFailing?: { readonly since: number; readonly reason: string };
}

export interface Health {
  readonly healthy: boolean;
  /** One short line for the /healthz body. */
  readonly text: string;
}

const REASON_LIMIT = 200;

/**
 * Pure. Healthy when the latest run succeeded (or was skipped because another daemon holds the lock: the standby is
 * fine), or when the latest healthy run — or, before there was one, the start — is at most `maxAgeSeconds` old.
 *
 * | latest run              | healthy run or start within max age | → status            |
 * |-------------------------|-------------------------------------|---------------------|
 * | none yet                | yes (start)                         | 200 "starting"      |
 * | success / skipped_locked| —                                   | 200 "ok"            |
 * | failure / partial       | yes                                 | 200 "ok: …" / "starting: …" |
 * | none, failure, partial  | no                                  | 503 with the reason |
 */
export function healthOf(facts: HealthFacts, now: number, maxAgeSeconds: number): Health {
  const runs = runHealthOf(facts, now, maxAgeSeconds);
  return facts.queueFailing === undefined ? runs : withQueue(runs, facts.queueFailing, now, maxAgeSeconds);
}

/**
 * Pure. Event mode's queue on top of the runs' health: while it fails the text says so, and once it has failed longer
 * than `maxAgeSeconds` the daemon is unhealthy, whatever the runs say (events no longer arrive in seconds).
 *
 * | runs      | queue failing for   | → status                                                        |
 * |-----------|---------------------|-----------------------------------------------------------------|
 * | healthy   | ≤ max age           | 200 "<runs>; events queue failing since <n>s: <reason>"         |
 * | healthy   | > max age           | 503 "unhealthy: events queue failing since <n>s (limit …): …; runs: <runs>" |
 * | unhealthy | any                 | 503 "<runs>; events queue failing since <n>s: <reason>"         |
 */
function withQueue(runs: Health, failing: { since: number; reason: string }, now: number, maxAgeSeconds: number): Health {
  const age = Math.max(0, Math.round((now - failing.since) / 1000));
  const tooLong = now - failing.since > maxAgeSeconds * 1000;
  if (runs.healthy && tooLong) {
    return { healthy: false, text: `unhealthy: events queue failing since ${age}s (limit ${maxAgeSeconds}s): ${short(failing.reason)}; runs: ${runs.text}` };
  }
  return { healthy: runs.healthy, text: `${runs.text}; events queue failing since ${age}s: ${short(failing.reason)}` };
}

function runHealthOf(facts: HealthFacts, now: number, maxAgeSeconds: number): Health {
  const { last, lastHealthyAt } = facts;
  if (last !== undefined && (last.result === 'success' || last.result === 'skipped_locked')) return { healthy: true, text: 'ok' };
  const anchor = lastHealthyAt ?? facts.startedAt;
  const age = Math.max(0, Math.round((now - anchor) / 1000));
  const lastRun = last === undefined ? 'no run has finished yet' : `last run: ${last.result}${last.reason === undefined ? '' : `: ${short(last.reason)}`}`;
  if (now - anchor <= maxAgeSeconds * 1000) {
    if (lastHealthyAt === undefined) return { healthy: true, text: last === undefined ? 'starting' : `starting: ${lastRun}` };
    return { healthy: true, text: `ok: last success ${age}s ago; ${lastRun}` };
  }
  const since = lastHealthyAt === undefined ? `no successful run since the start ${age}s ago` : `last successful run ${age}s ago`;
  return { healthy: false, text: `unhealthy: ${since} (limit ${maxAgeSeconds}s); ${lastRun}` };
}

/** The mutable record the daemon keeps; `facts()` feeds `healthOf`. */
export class HealthRecord {
  #facts: HealthFacts;

  constructor(startedAt: number) {
    this.#facts = { startedAt };
  }

  record(result: RunResult, at: number, reason?: string): void {
    const healthy = result === 'success' || result === 'skipped_locked';
    this.#facts = {
      ...this.#facts,
      last: { result, at, ...(reason === undefined ? {} : { reason }) },
      ...(healthy ? { lastHealthyAt: at } : {}),
    };
  }

  /** Event mode: the queue fails since `since` for `reason`; undefined: it receives again. */
  recordQueue(failing: { since: number; reason: string } | undefined): void {
    const { queueFailing: _, ...rest } = this.#facts;
    this.#facts = failing === undefined ? rest : { ...rest, queueFailing: failing };
  }

  facts(): HealthFacts {
    return this.#facts;
  }
}

function short(reason: string): string {
  const line = reason.replace(/\s+/g, ' ').trim();
  return line.length <= REASON_LIMIT ? line : `${line.slice(0, REASON_LIMIT - 1)}…`;
}
