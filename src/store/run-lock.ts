import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';

/** Prefix of every lock this program takes; the owner id follows, so daemons of different owners never wait on each other. */
const LOCK_PREFIX = 'guacamole-ec2-discovery:';
/** MySQL rejects longer `GET_LOCK` names. */
const MYSQL_LOCK_NAME_LIMIT = 64;

/**
 * PostgreSQL's advisory lock key: the first 8 bytes of SHA-256("guacamole-ec2-discovery:<owner id>") as a signed
 * 64-bit integer, in decimal (node-postgres sends it as text, cast to bigint in the query).
 */
export function postgresLockKey(ownerId: string): string {
  const digest = createHash('sha256').update(LOCK_PREFIX + ownerId, 'utf8').digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * MySQL/MariaDB's lock name: "guacamole-ec2-discovery:<database>/<owner id>", or, when that passes 64 characters, the
 * prefix and the start of SHA-256 of database and owner id. `GET_LOCK` names are server-wide, so the database is part
 * of the name: daemons of two Guacamole databases on one server never skip each other's runs. Lock names are
 * case-insensitive: names that differ only in case share one lock (their runs take turns; nothing else changes).
 */
export function mysqlLockName(database: string, ownerId: string): string {
  const plain = `${LOCK_PREFIX}${database}/${ownerId}`;
  if (plain.length <= MYSQL_LOCK_NAME_LIMIT) return plain;
  const digest = createHash('sha256').update(`${database}\0${ownerId}`, 'utf8').digest('hex');
  return `${LOCK_PREFIX}#${digest.slice(0, MYSQL_LOCK_NAME_LIMIT - LOCK_PREFIX.length - 1)}`;
}

/** The lock name for the connection's current database. */
async function mysqlLockNameFor(conn: Kysely<any>, ownerId: string): Promise<string> {
  const { rows } = await sql<{ name: string | null }>`SELECT DATABASE() AS name`.execute(conn);
  return mysqlLockName(rows[0]?.name ?? '', ownerId);
}

export type LockedRun<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

/**
 * Runs `fn` while holding this owner's session lock, or returns `{ acquired: false }` at once when another session
 * (another daemon, here or on another machine) holds it. Lock, work and unlock share ONE connection taken from the pool
 * for the whole call, because session locks belong to a connection. `fn` itself may use other pooled connections.
 * Should that connection die, the server releases the lock with it.
 */
export async function withRunLock<DB, T>(
  db: Kysely<DB>,
  dialect: Dialect,
  ownerId: string,
  logger: Logger,
  fn: () => Promise<T>,
): Promise<LockedRun<T>> {
  return db.connection().execute(async (conn) => {
    // PostgreSQL's advisory locks belong to the current database already.
    const name = dialect === 'postgres' ? '' : await mysqlLockNameFor(conn, ownerId);
    const acquire =
      dialect === 'postgres'
        ? sql<{ locked: unknown }>`SELECT pg_try_advisory_lock(${postgresLockKey(ownerId)}::bigint) AS locked`
        : sql<{ locked: unknown }>`SELECT GET_LOCK(${name}, 0) AS locked`;
    const { rows } = await acquire.execute(conn);
    const locked = rows[0]?.locked;
    if (!(locked === true || Number(locked) === 1)) return { acquired: false };
    try {
      return { acquired: true, value: await fn() };
    } finally {
      const release =
        dialect === 'postgres'
          ? sql<{ released: unknown }>`SELECT pg_advisory_unlock(${postgresLockKey(ownerId)}::bigint) AS released`
          : sql<{ released: unknown }>`SELECT RELEASE_LOCK(${name}) AS released`;
      try {
        const released = (await release.execute(conn)).rows[0]?.released;
        if (!(released === true || Number(released) === 1)) logger.warn('the run lock was no longer held when the run ended');
      } catch (err) {
        // The connection is gone, and the server released the lock with it.
        logger.warn('could not release the run lock; the server releases it with the lost connection', { error: describeError(err) });
      }
    }
  });
}
