import type { HostKeyOutcome } from './host-key-plan.js';

/** An instance whose console showed no host keys is not read again for this long. */
const CONSOLE_RETRY_MS = 15 * 60 * 1000;

/** What host key pinning remembers between runs (in memory only; `--once` starts empty). Times come from the caller's clock. */
export class ConsoleMemory {
  /** Instance key → time before which its console is not read again. */
  readonly #retryAt = new Map<string, number>();

  get retryAt(): ReadonlyMap<string, number> {
    return this.#retryAt;
  }

  /** After a run's reads: a console without a usable key is read again CONSOLE_RETRY_MS after `now`; a pinned key ends the wait. */
  remember(read: ReadonlyMap<string, HostKeyOutcome>, now: number): void {
    for (const [key, outcome] of read) {
      if (outcome.status === 'unpinned') this.#retryAt.set(key, now + CONSOLE_RETRY_MS);
      else this.#retryAt.delete(key);
    }
  }
}
