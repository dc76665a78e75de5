import type { TestDialect } from '../support/test-databases.js';
import type { DbSession } from './db-session.js';

/**
 * Locks held by another session, as an administrator's open transaction or a maintenance job would hold them.
 * Release with `releaseLocks`.
 */

/**
 * Every insert into `table` waits, reads do not: PostgreSQL `LOCK TABLE … IN SHARE MODE`; MariaDB `SELECT … FOR
 * UPDATE` over the whole table (InnoDB next-key locks cover every row and every gap).
 */
export async function blockInserts(session: DbSession, dialect: TestDialect, table: string): Promise<void> {
  await session.query(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
  if (dialect === 'postgres') await session.query(`LOCK TABLE ${table} IN SHARE MODE`);
  else await session.query(`SELECT * FROM ${table} FOR UPDATE`);
}

/** Even reads of `table` wait: PostgreSQL `ACCESS EXCLUSIVE`; MariaDB `LOCK TABLES … WRITE` (a metadata lock). */
export async function lockWholeTable(session: DbSession, dialect: TestDialect, table: string): Promise<void> {
  if (dialect === 'postgres') {
    await session.query('BEGIN');
    await session.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  } else {
    await session.query(`LOCK TABLES ${table} WRITE`);
  }
}

/** Ends whatever the session holds (its transaction is rolled back; nothing it did stays). */
export async function releaseLocks(session: DbSession, dialect: TestDialect): Promise<void> {
  await session.query('ROLLBACK').catch(() => undefined);
  if (dialect === 'mysql') await session.query('UNLOCK TABLES').catch(() => undefined);
}
