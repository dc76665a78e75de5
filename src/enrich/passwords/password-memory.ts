import type { PasswordBackoff, PasswordOutcome } from './password-plan.js';

/**
 * A Windows instance whose GetPasswordData answered without a usable password is asked again after this long (EC2
 * generates it within minutes of launch).
 */
const PASSWORD_RETRY_MS = 5 * 60 * 1000;

/** What the password step remembers between runs (in memory only; `--once` starts empty). Times come from the caller's clock. */
export class PasswordMemory {
  /** Instance key → time before which GetPasswordData is not called again (no password at the last call). */
  readonly #retryAt = new Map<string, number>();

  /** The waits as planPasswordFetches reads them, as of `now`. */
  backoff(now: number): PasswordBackoff {
    return { retryAt: this.#retryAt, now };
  }

  /**
   * After a run's calls: instances that are gone or no longer need a password are forgotten; an obtained password ends
   * the wait, and so does a failed call (throttling, a missing permission: the operator may have just fixed it); any
   * other answer (none yet, not decryptable) waits PASSWORD_RETRY_MS from `now`. A run that knew only some instances
   * (`known`, an event run) forgets only among those.
   */
  remember(needed: ReadonlySet<string>, fetched: ReadonlyMap<string, PasswordOutcome>, now: number, known?: ReadonlySet<string>): void {
    for (const key of this.#retryAt.keys()) if (!needed.has(key) && (known === undefined || known.has(key))) this.#retryAt.delete(key);
    for (const [key, outcome] of fetched) {
      if (outcome.status === 'obtained' || outcome.callFailed === true) this.#retryAt.delete(key);
      else this.#retryAt.set(key, now + PASSWORD_RETRY_MS);
    }
  }

  /** Ends every wait, as if each were over. */
  clear(): void {
    this.#retryAt.clear();
  }
}
