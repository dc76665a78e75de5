import { MysqlDialect, sql, type Kysely, type RawBuilder } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { classifyFault, errorCode, isConnectFailure, SOCKET_LOST_CODES, type FaultCodes } from './error-codes.js';
import { readMysqlCollation } from './mysql-collation.js';
import { readMysqlSystemPermissions } from './mysql-enum.js';
import { mysqlLockName } from './run-lock-names.js';

/** SQLSTATE classes of refused data on MySQL/MariaDB: 22 data, 23 integrity, 44 WITH CHECK OPTION, 45 SIGNAL in a trigger. */
const REJECTED_WRITE_CLASSES = new Set(['22', '23', '44', '45']);

const FAULTS: FaultCodes = {
  lockTimeout: new Set(['ER_LOCK_WAIT_TIMEOUT']),
  statementTimeout: new Set(['ER_STATEMENT_TIMEOUT']),
  statementTimeoutMessage: /max_statement_time|idle_transaction_timeout/i, // MariaDB's own limits
  deadlock: new Set(['ER_LOCK_DEADLOCK']),
  connectionLost: new Set(['ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN', 'PROTOCOL_CONNECTION_LOST', ...SOCKET_LOST_CODES]),
  connectionLostMessage: /connection is closed|Can't add new command when connection is in closed state/i,
};

/** Wrong user or password, no such database, no access to it. */
const LOGIN_CODES = ['ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_DBACCESS_DENIED_ERROR'];

/** The server refusing a statement for want of a privilege (table, column or database). */
const ACCESS_DENIED_CODES = ['ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'];

/** MySQL and MariaDB through mysql2. */
export const mysqlDialect: SqlDialect = {
  serverName: 'MySQL/MariaDB',
  nameCharset: 'utf8mb3',

  connect(target, onError) {
    // Kysely makes the pool at the first query: mysql2 is loaded then, never for a PostgreSQL database.
    const pool = async () => {
      const { createPool } = await import('mysql2');
      const made = createPool({ ...target, connectionLimit: 4, charset: 'utf8mb4', connectTimeout: 15_000, supportBigNumbers: true });
      made.on('connection', (conn) => conn.on('error', onError));
      return made;
    };
    return new MysqlDialect({ pool });
  },

  currentSchema: sql`DATABASE()`,

  // MySQL's enums are inline column types: they take the plain string.
  enumValue: (_type, value) => sql<string>`${value}`,

  textForUnion: (column) => sql`CONVERT(${sql.ref(column)} USING utf8mb4) COLLATE utf8mb4_bin`,

  ignoreDuplicates: (insert) => insert.ignore(),

  async insertReturningId(insert) {
    const result = await insert.executeTakeFirstOrThrow();
    return Number(result.insertId);
  },

  async insertReturningRows(insert, _columns, readBack) {
    await insert.execute();
    return readBack();
  },

  // FOUND_ROWS would blur the count: what was there is read first, in the same transaction.
  async insertNewReturningIds(insert, _idColumn, ids, held) {
    const existing = new Set(await held());
    await insert.ignore().execute();
    return ids.filter((id) => !existing.has(id));
  },

  // `max_statement_time` and `idle_transaction_timeout` exist on MariaDB only and are sent in a MariaDB-only comment;
  // MySQL keeps the two lock waits. Integers validated by the caller: safe to inline (the comment cannot carry parameters).
  async limitTransaction(trx, { lockSeconds, statementSeconds }) {
    await sql
      .raw(
        `SET SESSION innodb_lock_wait_timeout = ${lockSeconds}, lock_wait_timeout = ${lockSeconds} ` +
          `/*M!100300 , max_statement_time = ${statementSeconds}, idle_transaction_timeout = ${statementSeconds} */`,
      )
      .execute(trx);
  },

  // GET_LOCK names are server-wide: the name includes the connection's current database.
  async runLock(conn, ownerId) {
    const { rows } = await sql<{ name: string | null }>`SELECT DATABASE() AS name`.execute(conn);
    const name = mysqlLockName(rows[0]?.name ?? '', ownerId);
    return {
      tryLock: sql<{ locked: unknown }>`SELECT GET_LOCK(${name}, 0) AS locked`,
      unlock: sql<{ released: unknown }>`SELECT RELEASE_LOCK(${name}) AS released`,
    };
  },

  // No has_table_privilege here: the probe is tried, so grants at every level count as the server applies them.
  hasPrivilege: async (db, _table, _privilege, probe) => !(await refusesProbe(db, probe)),

  readNameCollation: readMysqlCollation,

  readSystemPermissions: readMysqlSystemPermissions,

  // mysql2: `errno` and the SQLSTATE.
  isRejectedWrite(err) {
    if (!(err instanceof Error)) return false;
    const { sqlState, errno } = err as { sqlState?: unknown; errno?: unknown };
    return typeof errno === 'number' && typeof sqlState === 'string' && REJECTED_WRITE_CLASSES.has(sqlState.slice(0, 2));
  },

  faultKind: (err) => classifyFault(err, FAULTS),

  isConnectFailure: (err) => isConnectFailure(err, LOGIN_CODES),

  isMissingTable: (err) => errorCode(err) === 'ER_NO_SUCH_TABLE',
};

/** Rolled back on purpose after each probe. */
class ProbeDone extends Error {}

/** Whether the server refuses the probe for a privilege; it runs matching no row, in a transaction always rolled back. */
async function refusesProbe(db: Kysely<any>, probe: RawBuilder<unknown>): Promise<boolean> {
  try {
    await db.transaction().execute(async (trx) => {
      await probe.execute(trx);
      throw new ProbeDone();
    });
    return false;
  } catch (err) {
    // Anything else (ProbeDone included) is not this check's business: the run itself reports real failures.
    return ACCESS_DENIED_CODES.includes(String((err as { code?: unknown }).code));
  }
}
