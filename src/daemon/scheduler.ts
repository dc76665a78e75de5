import type { Logger as CronLogger } from 'node-cron';
import { nodeCron } from '../config/node-cron.js';
import type { Logger } from '../shared/logger.js';

export interface RunGateHooks {
  /** A trigger arrived while a run was in progress: that tick is skipped (never queued). */
  readonly onOverlap: () => void;
  /** The run function threw (it should report its own failures; this is the safety net). */
  readonly onError: (err: unknown) => void;
}

/**
 * Never more than one run at a time. `trigger()` starts a run, or skips when one is in progress; `close()` refuses
 * further runs and waits for the one in progress. The start-up run and the scheduled ticks go through the same gate.
 */
export class RunGate {
  #current: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly hooks: RunGateHooks,
  ) {}

  get busy(): boolean {
    return this.#current !== undefined;
  }

  /** Returns whether a run started. */
  trigger(): boolean {
    if (this.#closed) return false;
    if (this.#current !== undefined) {
      this.hooks.onOverlap();
      return false;
    }
    const current = (async () => {
      try {
        await this.run();
      } catch (err) {
        this.hooks.onError(err);
      } finally {
        this.#current = undefined;
      }
    })();
    // `finally` above runs no earlier than the next microtask, so this assignment always comes first.
    this.#current = current;
    return true;
  }

  /** Resolves once the run in progress, if any, has ended; no run starts afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#current;
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
