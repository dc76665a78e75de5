import type { Dialect as KyselyDialect, InsertQueryBuilder, Kysely, RawBuilder } from 'kysely';
import type { CharacterSet } from '../../desired/names.js';
import type { NameCollation } from '../../desired/name-fold.js';

/** Guacamole's enum types (PostgreSQL types; inline column types on MySQL). */
export type GuacamoleEnum = 'guacamole_connection_group_type' | 'guacamole_entity_type' | 'guacamole_object_permission_type';

/** What a run does to a table, as the privilege check asks it. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** How the database failed a run's transaction, when it is the database's fault and not the data's. */
export type DatabaseFaultKind = 'lock-timeout' | 'statement-timeout' | 'deadlock' | 'connection-lost';

/** Where and as whom to connect (the password apart from the logged settings). */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** The two statements of the run lock, bound to one connection and one owner. */
export interface RunLockStatements {
  /** Takes the lock without waiting; `locked` is true or 1 when it was free. */
  readonly tryLock: RawBuilder<{ locked: unknown }>;
  /** Gives it back; `released` is true or 1 when it was still held. */
  readonly unlock: RawBuilder<{ released: unknown }>;
}

/** Any insert: the permission tables are written through one code path for both, so their builders are untyped. */
export type AnyInsert = InsertQueryBuilder<any, any, any>;

/**
 * Everything that differs between PostgreSQL and MySQL/MariaDB, in one object chosen once when the database is opened
 * (`dialectFor`, dialect-for.ts). The rest of the program asks it and never looks at which database it is.
 * Each implementation sends exactly the statements listed in its file; none of them branches.
 */
export interface SqlDialect {
  /** The server's name for messages: "PostgreSQL" or "MySQL/MariaDB". */
  readonly serverName: string;

  /**
   * The character set Guacamole's name columns hold: `utf8mb3` on MySQL/MariaDB (Guacamole's tables are `utf8`, which
   * rejects 4-byte characters), `utf8mb4` (anything) on PostgreSQL.
   */
  readonly nameCharset: CharacterSet;

  /** The driver pool behind Kysely; pool errors (a lost idle or busy connection) go to `onError` instead of crashing. */
  connect(target: ConnectionTarget, onError: (err: Error) => void): KyselyDialect;

  /** The schema `information_schema` queries look in: `current_schema()` or `DATABASE()`. */
  readonly currentSchema: RawBuilder<unknown>;

  /** A value for one of Guacamole's enum columns: cast to the enum type on PostgreSQL, the plain string on MySQL. */
  enumValue(type: GuacamoleEnum, value: string): RawBuilder<string>;

  /**
   * A text column as a UNION of several tables' text columns can take it. MySQL refuses a UNION of columns under
   * different collations (Guacamole's names may use any), so it is converted to one; PostgreSQL takes the column as it is.
   */
  textForUnion(column: string): RawBuilder<unknown>;

  /** The insert, keeping the rows a unique key already holds: `ON CONFLICT DO NOTHING` or `INSERT IGNORE`. */
  ignoreDuplicates<DB, TB extends keyof DB, O>(insert: InsertQueryBuilder<DB, TB, O>): InsertQueryBuilder<DB, TB, O>;

  /** Runs a one-row insert and returns its generated id: `RETURNING` on PostgreSQL, the driver's `insertId` on MySQL. */
  insertReturningId(insert: AnyInsert, idColumn: string): Promise<number>;

  /**
   * Runs a many-row insert and returns `columns` of the inserted rows. PostgreSQL returns them (`RETURNING`); MySQL
   * cannot, so after the insert `readBack` reads them again (the caller knows what identifies its rows).
   */
  insertReturningRows<R>(insert: AnyInsert, columns: readonly string[], readBack: () => Promise<R[]>): Promise<R[]>;

  /**
   * Runs a many-row insert that keeps rows already there (as `ignoreDuplicates`) and returns the `idColumn` values of
   * the rows it inserted, out of `ids`. PostgreSQL returns them; `INSERT IGNORE` cannot say which rows it inserted, so
   * on MySQL `held` first reads which of `ids` are there already, in the same transaction.
   */
  insertNewReturningIds(insert: AnyInsert, idColumn: string, ids: readonly number[], held: () => Promise<readonly number[]>): Promise<number[]>;

  /**
   * Bounds the run's transaction: the longest wait for one lock, and for one statement or a pause between two.
   * Transaction-local settings on PostgreSQL; session settings on MySQL/MariaDB (the connection is the daemon's own).
   */
  limitTransaction(trx: Kysely<any>, limits: { readonly lockSeconds: number; readonly statementSeconds: number }): Promise<void>;

  /**
   * The run lock's statements for `ownerId` on `conn` (session locks belong to one connection). May ask the
   * connection first (MySQL's lock names are server-wide, so they include the current database).
   */
  runLock(conn: Kysely<any>, ownerId: string): Promise<RunLockStatements>;

  /**
   * Whether the user may do `privilege` on `table`. PostgreSQL answers from its catalog; MySQL/MariaDB have no such
   * function, so `probe` (a statement of that privilege matching no row) is tried in a transaction rolled back.
   */
  hasPrivilege(db: Kysely<any>, table: string, privilege: TablePrivilege, probe: RawBuilder<unknown>): Promise<boolean>;

  /** The collation of `table.column` in the current schema: which names its unique keys count as equal. */
  readNameCollation(db: Kysely<any>, table: string, column: string): Promise<NameCollation>;

  /**
   * The values of Guacamole's system permission enum: the type `guacamole_system_permission_type` (as the search path
   * finds it) on PostgreSQL, the inline enum of `guacamole_system_permission.permission` on MySQL. Empty when it cannot
   * be seen (no such type or table, or on MySQL no privilege on the table). Guacamole 1.6.0 added `AUDIT`.
   */
  readSystemPermissions(db: Kysely<any>): Promise<readonly string[]>;

  /**
   * Whether the database refused a statement for the data it carried (a unique key, a length, a check, a trigger that
   * raised an error), as opposed to a fault of the database itself (connection, lock, timeout, privilege, table).
   */
  isRejectedWrite(err: unknown): boolean;

  /** Which fault of the database ended a run's transaction; undefined when it was none of these. */
  faultKind(err: Error): DatabaseFaultKind | undefined;

  /** Whether connecting failed: network failures, and the server refusing the user or the database name. */
  isConnectFailure(err: unknown): boolean;

  /** Whether a statement failed because a table does not exist. */
  isMissingTable(err: unknown): boolean;
}
