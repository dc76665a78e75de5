import { PostgresDialect, sql } from 'kysely';
import type { SqlDialect } from './dialect.js';
import { classifyFault, errorCode, isConnectFailure, SOCKET_LOST_CODES, type FaultCodes } from './error-codes.js';
import { readPostgresCollation } from './postgres-collation.js';
import { postgresLockKey } from './run-lock-names.js';

/**
 * SQLSTATE classes of refused data: 09 triggered action, 22 data exception, 23 integrity, 27 triggered data change,
 * 38 routines, 39 external routine, 44 WITH CHECK OPTION, P0 PL/pgSQL RAISE.
 */
const REJECTED_WRITE_CLASSES = new Set(['09', '22', '23', '27', '38', '39', '44', 'P0']);

const FAULTS: FaultCodes = {
  lockTimeout: new Set(['55P03']),
  statementTimeout: new Set(['57014', '25P03']), // statement_timeout, idle_in_transaction_session_timeout
  deadlock: new Set(['40P01']),
  // 57P01 terminated by an administrator (pg_terminate_backend) or a fast shutdown; 57P02 crash; 57P03 cannot connect now.
  connectionLost: new Set(['57P01', '57P02', '57P03', ...SOCKET_LOST_CODES]),
  connectionLostMessage: /Connection terminated|Client has encountered a connection error/i,
};

/** Wrong password, a login pg_hba.conf refuses, no such database. */
const LOGIN_CODES = ['28P01', '28000', '3D000'];

/** PostgreSQL through node-postgres. */
export const postgresDialect: SqlDialect = {
  serverName: 'PostgreSQL',
  nameCharset: 'utf8mb4',

  connect(target, onError) {
    // Kysely makes the pool at the first query: node-postgres is loaded then, never for a MySQL database.
    const pool = async () => {
      const { default: pg } = await import('pg');
      const made = new pg.Pool({ ...target, max: 4, application_name: 'guacamole-ec2-discovery', connectionTimeoutMillis: 15_000 });
      made.on('error', onError); // an idle client lost its connection: report it instead of crashing
      // A client in use has no pool listener: a backend terminated mid-query (pg_terminate_backend, a server shutdown)
      // would otherwise emit an unhandled 'error' after its query failed, and end the process.
      made.on('connect', (client) => client.on('error', onError));
      return made;
    };
    return new PostgresDialect({ pool });
  },

  currentSchema: sql`current_schema()`,

  // PostgreSQL refuses a text-typed value in an enum column: cast explicitly, as Guacamole's own queries do.
  enumValue: (type, value) => sql<string>`CAST(${value} AS ${sql.raw(type)})`,

  textForUnion: (column) => sql.ref(column),

  ignoreDuplicates: (insert) => insert.onConflict((oc) => oc.doNothing()),

  async insertReturningId(insert, idColumn) {
    const row = (await insert.returning(idColumn).executeTakeFirstOrThrow()) as Record<string, unknown>;
    return Number(row[idColumn]);
  },

  async insertReturningRows(insert, columns) {
    return (await insert.returning(columns).execute()) as never;
  },

  async insertNewReturningIds(insert, idColumn) {
    const returned = await insert.onConflict((oc) => oc.doNothing()).returning(idColumn).execute();
    return returned.map((r) => Number(r[idColumn]));
  },

  async limitTransaction(trx, { lockSeconds, statementSeconds }) {
    await sql`SELECT set_config('lock_timeout', ${`${lockSeconds}s`}, true), set_config('statement_timeout', ${`${statementSeconds}s`}, true),
      set_config('idle_in_transaction_session_timeout', ${`${statementSeconds}s`}, true)`.execute(trx);
  },

  // Advisory locks belong to the current database already: the key needs the owner only.
  async runLock(_conn, ownerId) {
    const key = postgresLockKey(ownerId);
    return {
      tryLock: sql<{ locked: unknown }>`SELECT pg_try_advisory_lock(${key}::bigint) AS locked`,
      unlock: sql<{ released: unknown }>`SELECT pg_advisory_unlock(${key}::bigint) AS released`,
    };
  },

  // From the catalog (roles included), without touching or locking the table.
  async hasPrivilege(db, table, privilege) {
    const { rows } = await sql<{ allowed: boolean }>`SELECT has_table_privilege(current_user, ${table}, ${privilege}) AS allowed`.execute(db);
    return rows[0]?.allowed === true;
  },

  readNameCollation: readPostgresCollation,

  // to_regtype gives NULL rather than an error when the type does not exist.
  async readSystemPermissions(db) {
    const { rows } = await sql<{ value: string }>`SELECT enumlabel AS value FROM pg_enum
      WHERE enumtypid = to_regtype('guacamole_system_permission_type') ORDER BY enumsortorder`.execute(db);
    return rows.map((r) => r.value);
  },

  // node-postgres: `code` is the SQLSTATE.
  isRejectedWrite(err) {
    const code = err instanceof Error ? errorCode(err) : undefined;
    return code !== undefined && /^[0-9A-Z]{5}$/.test(code) && REJECTED_WRITE_CLASSES.has(code.slice(0, 2));
  },

  faultKind: (err) => classifyFault(err, FAULTS),

  isConnectFailure: (err) => isConnectFailure(err, LOGIN_CODES),

  isMissingTable: (err) => errorCode(err) === '42P01',
};
