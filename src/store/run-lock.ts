import type { Kysely } from 'kysely';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SqlDialect } from './dialect/dialect.js';

export type LockedRun<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

/**
 * Runs `fn` while holding this owner's session lock, or returns `{ acquired: false }` at once when another session
 * (another daemon, here or on another machine) holds it. Lock, work and unlock share ONE connection taken from the pool
 * for the whole call, because session locks belong to a connection. `fn` itself may use other pooled connections.
 * Should that connection die, the server releases the lock with it. The lock's names: dialect/run-lock-names.ts.
 */
export async function withRunLock<DB, T>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  ownerId: string,
  logger: Logger,
  fn: () => Promise<T>,
): Promise<LockedRun<T>> {
  return db.connection().execute(async (conn) => {
    const lock = await dialect.runLock(conn, ownerId);
    const { rows } = await lock.tryLock.execute(conn);
    const locked = rows[0]?.locked;
    if (!(locked === true || Number(locked) === 1)) return { acquired: false };
    try {
      return { acquired: true, value: await fn() };
    } finally {
      try {
        const released = (await lock.unlock.execute(conn)).rows[0]?.released;
        if (!(released === true || Number(released) === 1)) logger.warn('the run lock was no longer held when the run ended');
      } catch (err) {
        // The connection is gone, and the server released the lock with it.
        logger.warn('could not release the run lock; the server releases it with the lost connection', { error: describeError(err) });
      }
    }
  });
}
