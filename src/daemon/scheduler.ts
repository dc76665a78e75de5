import type { Logger as CronLogger } from 'node-cron';
import { nodeCron } from '../config/node-cron.js';
import type { Logger } from '../shared/logger.js';

export interface RunGateHooks {
  /** A trigger arrived while a full run was in progress (or already queued): that tick is skipped (never queued). */
  readonly onOverlap: () => void;
  /** The run function threw (it should report its own failures; this is the safety net). */
  readonly onError: (err: unknown) => void;
}

/** runBatch() after close(): the batch did not run (its messages come back; the daemon is stopping). */
export class GateClosedError extends Error {
  override readonly name = 'GateClosedError';
  constructor() {
    super('the daemon is stopping: the event batch was not run');
  }
}

interface WaitingBatch {
  readonly start: () => void;
  readonly refuse: () => void;
}

/**
 * Never more than one run at a time, of either kind, and no work lost between them:
 *
 * | arrives                  | while idle | while a full run runs      | while an event batch runs          |
 * |--------------------------|------------|----------------------------|------------------------------------|
 * | `trigger()` (a tick)     | runs       | skipped, `onOverlap`       | queued once, runs after the batch  |
 * | `runBatch()` (events)    | runs       | waits, runs after the run  | waits, runs after it (one loop: rare) |
 *
 * A queued tick goes before a waiting batch. `close()` refuses further runs, drops a queued tick, refuses waiting batches
 * (GateClosedError) and waits for the run in progress. The start-up run and the scheduled ticks go through `trigger()`.
 */
export class RunGate {
  #running: 'full' | 'batch' | undefined;
  #current: Promise<void> | undefined;
  #fullQueued = false;
  readonly #batches: WaitingBatch[] = [];
  #closed = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly hooks: RunGateHooks,
  ) {}

  get busy(): boolean {
    return this.#running !== undefined;
  }

  /** Returns whether a full run started or was queued behind the event batch in progress. */
  trigger(): boolean {
    if (this.#closed) return false;
    if (this.#running === 'full' || this.#fullQueued) {
      this.hooks.onOverlap();
      return false;
    }
    if (this.#running === 'batch') this.#fullQueued = true;
    else this.#startFull();
    return true;
  }

  /** Runs `batch` once no run is in progress (after a full run, and after a tick queued before it); its result or error. */
  runBatch<T>(batch: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new GateClosedError());
    return new Promise<T>((resolve, reject) => {
      const waiting: WaitingBatch = {
        start: () => this.#start('batch', () => batch().then(resolve, reject)),
        refuse: () => reject(new GateClosedError()),
      };
      if (this.#running === undefined) waiting.start();
      else this.#batches.push(waiting);
    });
  }

  /** Resolves once the run in progress, if any, has ended; no run starts afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#fullQueued = false;
    for (const waiting of this.#batches.splice(0)) waiting.refuse();
    while (this.#current !== undefined) await this.#current;
  }

  #startFull(): void {
    this.#start('full', async () => {
      try {
        await this.run();
      } catch (err) {
        this.hooks.onError(err);
      }
    });
  }

  #start(kind: 'full' | 'batch', work: () => Promise<void>): void {
    this.#running = kind;
    const current = (async () => {
      try {
        await work();
      } finally {
        this.#running = undefined;
        this.#current = undefined;
        this.#next();
      }
    })();
    // `finally` above runs no earlier than the next microtask, so this assignment always comes first.
    this.#current = current;
  }

  #next(): void {
    if (this.#closed) return;
    if (this.#fullQueued) {
      this.#fullQueued = false;
      this.#startFull();
      return;
    }
    this.#batches.shift()?.start();
  }
}

export interface Schedule {
  /** The next tick, or undefined once stopped. */
  nextRun(): Date | undefined;
  /** Stops the ticks; a run in progress is not affected. */
  stop(): void;
}

/**
 * Calls `onTick` on the cron expression (node-cron, UTC, seconds field allowed). Overlap is handled by the caller's
 * RunGate, so the tick returns at once and node-cron never sees a busy task.
 */
export function startSchedule(expression: string, onTick: () => void, logger: Logger): Schedule {
  const task = nodeCron().schedule(expression, () => onTick(), { name: 'reconcile', timezone: 'UTC', logger: cronLogger(logger) });
  return {
    nextRun: () => task.getNextRun() ?? undefined,
    stop: () => void task.destroy(),
  };
}

/** node-cron's own messages (missed ticks when the event loop was blocked, internal errors) go to winston. */
function cronLogger(logger: Logger): CronLogger {
  const text = (message: string | Error) => (message instanceof Error ? message.message : message);
  return {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message, err) => logger.error(text(message), err === undefined ? {} : { error: err.message }),
    debug: (message) => logger.debug(text(message)),
  };
}
