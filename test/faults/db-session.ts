import { createConnection, type Connection } from 'mysql2';
import pg from 'pg';
import type { TestDatabase } from '../support/test-databases.js';

/**
 * One dedicated connection to a test database, as another program (or an administrator's console) would hold it:
 * used to take locks the run needs, to find the run's session and to end it.
 */
export interface DbSession {
  query(text: string, values?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function openSession(database: TestDatabase): Promise<DbSession> {
  const e = database.env;
  if (database.dialect === 'postgres') {
    const client = new pg.Client({
      host: e.POSTGRESQL_HOSTNAME,
      port: Number(e.POSTGRESQL_PORT),
      database: e.POSTGRESQL_DATABASE,
      user: e.POSTGRESQL_USERNAME,
      password: e.POSTGRESQL_PASSWORD,
    });
    client.on('error', () => undefined); // the server may end this session (deadlock victim, shutdown)
    await client.connect();
    return {
      query: async (text, values) => (await client.query(text, values === undefined ? undefined : [...values])).rows as Record<string, unknown>[],
      close: () => client.end().catch(() => undefined),
    };
  }
  const connection: Connection = createConnection({
    host: e.MYSQL_HOSTNAME,
    port: Number(e.MYSQL_PORT),
    database: e.MYSQL_DATABASE,
    user: e.MYSQL_USERNAME,
    password: e.MYSQL_PASSWORD,
  });
  connection.on('error', () => undefined);
  return {
    query: (text, values) =>
      new Promise((resolve, reject) => {
        connection.query(text, values === undefined ? [] : [...values], (err, rows) =>
          err ? reject(err) : resolve(Array.isArray(rows) ? (rows as Record<string, unknown>[]) : []),
        );
      }),
    close: () => new Promise<void>((resolve) => connection.end(() => resolve())),
  };
}

/** Polls `probe` every 50 ms until it returns a value; fails after `timeoutMs` with `what`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The run's session, blocked on a lock inside its transaction, and whether it had written rows before. */
export interface BlockedRun {
  readonly id: number;
  readonly wroteRows: boolean;
}

/** Finds a session of the daemon waiting on a lock in this database (the run's transaction, blocked). */
export async function findBlockedRun(observer: DbSession, database: TestDatabase): Promise<BlockedRun | undefined> {
  if (database.dialect === 'postgres') {
    const rows = await observer.query(
      `SELECT pid, backend_xid IS NOT NULL AS wrote FROM pg_stat_activity
       WHERE datname = $1 AND application_name = 'guacamole-ec2-discovery' AND wait_event_type = 'Lock'`,
      [database.name],
    );
    const row = rows[0];
    return row === undefined ? undefined : { id: Number(row.pid), wroteRows: row.wrote === true };
  }
  // InnoDB's INNODB_TRX does not list a transaction waiting on a lock here (MariaDB 10.11): use the process list.
  const rows = await observer.query(
    `SELECT ID AS id FROM information_schema.PROCESSLIST
     WHERE DB = ? AND ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO IS NOT NULL AND (STATE = 'Update' OR STATE LIKE 'Waiting for table%')`,
    [database.name],
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  // Rows the run wrote and has not committed are visible to a dirty read only.
  const count = "SELECT (SELECT COUNT(*) FROM guacamole_connection) + (SELECT COUNT(*) FROM guacamole_connection_group) AS n";
  await observer.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
  const dirty = Number((await observer.query(count))[0]?.n);
  await observer.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  const committed = Number((await observer.query(count))[0]?.n);
  await observer.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  return { id: Number(row.id), wroteRows: dirty !== committed };
}

/** Ends another session from this one: `pg_terminate_backend` / `KILL`. */
export async function terminateSession(admin: DbSession, database: TestDatabase, id: number): Promise<void> {
  if (database.dialect === 'postgres') await admin.query('SELECT pg_terminate_backend($1)', [id]);
  else await admin.query(`KILL ${Number(id)}`);
}

/** Sessions of the daemon still connected to this database (the killed CLI's ones linger until the server notices). */
export async function daemonSessions(observer: DbSession, database: TestDatabase, blockerIds: readonly number[]): Promise<number> {
  if (database.dialect === 'postgres') {
    const rows = await observer.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'guacamole-ec2-discovery'`, [
      database.name,
    ]);
    return Number(rows[0]?.n);
  }
  const ignore = [...blockerIds, 0].map(Number).join(',');
  const rows = await observer.query(
    `SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID() AND ID NOT IN (${ignore})`,
    [database.name],
  );
  return Number(rows[0]?.n);
}

/** This session's server-side id (pid / connection id). */
export async function sessionId(session: DbSession, database: TestDatabase): Promise<number> {
  const rows = await session.query(database.dialect === 'postgres' ? 'SELECT pg_backend_pid() AS id' : 'SELECT CONNECTION_ID() AS id');
  return Number(rows[0]?.id);
}
