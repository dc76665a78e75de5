import { sql, type Kysely } from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import { describeError, SchemaMismatchError } from '../shared/errors.js';
import type { SqlDialect, TablePrivilege } from './dialect/dialect.js';
import { readNameCollation, type NameCollations } from './name-collation.js';
import { GRANTED_READ_TABLE, OWNED_OBJECT_TABLE } from './tables.js';

/** Tables and columns this program uses; checked at start so a wrong database fails with a clear message. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  guacamole_connection_group: ['connection_group_id', 'parent_id', 'connection_group_name', 'type'],
  guacamole_connection: ['connection_id', 'connection_name', 'parent_id', 'protocol'],
  guacamole_connection_parameter: ['connection_id', 'parameter_name', 'parameter_value'],
  guacamole_entity: ['entity_id', 'name', 'type'],
  guacamole_user_group: ['user_group_id', 'entity_id', 'disabled'],
  guacamole_connection_permission: ['entity_id', 'connection_id', 'permission'],
  guacamole_connection_group_permission: ['entity_id', 'connection_group_id', 'permission'],
};

export interface SchemaFacts {
  /** `parameter_value`'s length: 4096 up to Guacamole 1.6.0, 8192 from 1.6.1. */
  readonly parameterValueLimit: number;
  /** Whether our bookkeeping table exists yet (a dry run against a new database has none). */
  readonly hasBookkeeping: boolean;
  /** Whether the bookkeeping has the password digest column yet (added by the second migration). */
  readonly hasSecretDigest: boolean;
  /** Whether the record of the daemon's READ grants exists yet (added by the 2026-12-06 migration). */
  readonly hasGrantRecords: boolean;
  /** The collations of the two name columns (which names the unique keys count as equal); unset: not read. */
  readonly nameCollations?: NameCollations;
  /**
   * Whether the schema is Guacamole 1.6.0's or later (its system permission type has AUDIT); undefined when that type
   * cannot be read. Guacamole keeps no schema version, and 1.0.0 to 1.5.5 share one schema: false is "1.5.x or earlier".
   */
  readonly auditPermission: boolean | undefined;
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  max_length: number | string | null;
}

/** `target` (the settings used) only makes a connection failure name the server, database and user. */
export async function checkSchema(db: Kysely<any>, dialect: SqlDialect, target?: DatabaseConfig): Promise<SchemaFacts> {
  const rows = await readColumns(db, dialect).catch((err: unknown) => {
    throw target !== undefined && dialect.isConnectFailure(err) ? new DatabaseConnectError(target, dialect.serverName, err) : err;
  });
  const present = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
  const missing = Object.entries(REQUIRED).flatMap(([table, columns]) =>
    columns.filter((c) => !present.has(`${table}.${c}`)).map((c) => (rows.some((r) => r.table_name === table) ? `${table}.${c}` : table)),
  );
  if (missing.length > 0) throw schemaProblem([...new Set(missing)], new Set(rows.map((r) => r.table_name)), whereIs(dialect.serverName, target));
  const limit = rows.find((r) => r.table_name === 'guacamole_connection_parameter' && r.column_name === 'parameter_value')?.max_length;
  return {
    parameterValueLimit: Number(limit ?? 4096) || 4096,
    hasBookkeeping: rows.some((r) => r.table_name === OWNED_OBJECT_TABLE),
    hasSecretDigest: rows.some((r) => r.table_name === OWNED_OBJECT_TABLE && r.column_name === 'secret_digest'),
    hasGrantRecords: rows.some((r) => r.table_name === GRANTED_READ_TABLE),
    nameCollations: await readNameCollation(db, dialect),
    auditPermission: await readAuditPermission(db, dialect),
  };
}

async function readColumns(db: Kysely<any>, dialect: SqlDialect): Promise<ColumnRow[]> {
  const { rows } = await sql<ColumnRow>`
    SELECT table_name AS table_name, column_name AS column_name, character_maximum_length AS max_length
    FROM information_schema.columns
    WHERE table_schema = ${dialect.currentSchema}
      AND table_name IN (${sql.join([...Object.keys(REQUIRED), OWNED_OBJECT_TABLE, GRANTED_READ_TABLE])})`.execute(db);
  return rows;
}

async function readAuditPermission(db: Kysely<any>, dialect: SqlDialect): Promise<boolean | undefined> {
  const values = await dialect.readSystemPermissions(db);
  return values.length === 0 ? undefined : values.includes('AUDIT');
}

/** The database cannot be reached or refuses the login: says where, as whom, and why (never the password). */
class DatabaseConnectError extends Error {
  override readonly name = 'DatabaseConnectError';
  constructor(target: DatabaseConfig, server: string, cause: unknown) {
    super(`cannot connect to the ${server} database "${target.database}" at ${target.host}:${target.port} as user "${target.user}": ${describeError(cause)}`, {
      cause,
    });
  }
}

/**
 * A clearer error for the two usual mistakes: a database with no Guacamole table at all (the wrong database), and a
 * Guacamole schema from before 1.0.0, which had no `guacamole_entity` table (users and groups became entities then).
 */
function schemaProblem(missing: string[], tables: ReadonlySet<string>, where: string): SchemaMismatchError {
  const error = new SchemaMismatchError(missing);
  const guacamoleTables = Object.keys(REQUIRED).filter((t) => tables.has(t));
  if (guacamoleTables.length === 0) {
    error.message = `${where} has no Guacamole tables (missing ${missing.join(', ')}): point the database settings at the database Guacamole uses, ` +
      `initialised with its schema scripts`;
  } else if (!tables.has('guacamole_entity')) {
    error.message =
      `the Guacamole schema of ${where} is older than 1.0.0 (no guacamole_entity table; missing ${missing.join(', ')}): ` +
      "upgrade it with Guacamole's upgrade scripts (upgrade-pre-1.0.0.sql) before running this daemon";
  } else {
    error.message = error.message.replace('the database', where);
  }
  return error;
}

/** `the PostgreSQL database "guacamole_db" at db.example:5432` (never the user or password), or `the database` when not known. */
function whereIs(server: string, target: DatabaseConfig | undefined): string {
  return target === undefined ? 'the database' : `the ${server} database "${target.database}" at ${target.host}:${target.port}`;
}

/** The database user cannot do what a run needs; names each table and privilege. */
class MissingPrivilegeError extends Error {
  override readonly name = 'MissingPrivilegeError';
  constructor(readonly missing: readonly string[]) {
    super(
      `the database user lacks privileges a run needs: ${missing.join('; ')}. ` +
        'Grant them to the user (a dry run needs SELECT only), as Guacamole itself needs them too',
    );
  }
}

/**
 * What a run does to each Guacamole table (the admin group may be created; parameters are replaced, not updated;
 * READ the daemon granted is revoked when the admin group changes or a hand-made folder no longer holds its objects).
 */
const WRITES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  guacamole_connection_group: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  guacamole_connection: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  guacamole_connection_parameter: ['SELECT', 'INSERT', 'DELETE'],
  guacamole_connection_permission: ['SELECT', 'INSERT', 'DELETE'],
  guacamole_connection_group_permission: ['SELECT', 'INSERT', 'DELETE'],
  guacamole_entity: ['SELECT', 'INSERT'],
  guacamole_user_group: ['SELECT', 'INSERT'],
};

/**
 * Checks, before a run writes anything, that the user may write what a run writes (`SqlDialect.hasPrivilege`: the
 * server's catalog, or each privilege tried with a statement matching no row, `WHERE 1 = 0`, always rolled back).
 * Either way roles and grants at every level count exactly as the server applies them, and nothing is written.
 */
export async function checkWritePrivileges(db: Kysely<any>, dialect: SqlDialect): Promise<void> {
  const missing: string[] = [];
  for (const [table, privileges] of Object.entries(WRITES)) {
    const columns = (REQUIRED[table] as readonly string[]).map((c) => sql.ref(c));
    const column = columns[0] as ReturnType<typeof sql.ref>;
    const t = sql.table(table);
    // INSERT names every column we use: MySQL's strict mode rejects an INSERT leaving out a NOT NULL column, even of no row.
    const probes: Record<TablePrivilege, ReturnType<typeof sql>> = {
      SELECT: sql`SELECT ${column} FROM ${t} WHERE 1 = 0`,
      INSERT: sql`INSERT INTO ${t} (${sql.join(columns)}) SELECT ${sql.join(columns)} FROM ${t} WHERE 1 = 0`,
      UPDATE: sql`UPDATE ${t} SET ${column} = ${column} WHERE 1 = 0`,
      DELETE: sql`DELETE FROM ${t} WHERE 1 = 0`,
    };
    const denied = [];
    for (const privilege of privileges) {
      if (!(await dialect.hasPrivilege(db, table, privilege, probes[privilege]))) denied.push(privilege);
    }
    if (denied.length > 0) missing.push(`${denied.join(', ')} on ${table}`);
  }
  if (missing.length > 0) throw new MissingPrivilegeError(missing);
}
