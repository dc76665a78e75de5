import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import { SchemaMismatchError } from '../errors.js';
import { OWNED_OBJECT_TABLE } from './tables.js';

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
}

interface ColumnRow {
  table_name: string;
  column_name: string;
  max_length: number | string | null;
}

export async function checkSchema(db: Kysely<any>, dialect: Dialect): Promise<SchemaFacts> {
  const schema = dialect === 'postgres' ? sql`current_schema()` : sql`DATABASE()`;
  const { rows } = await sql<ColumnRow>`
    SELECT table_name AS table_name, column_name AS column_name, character_maximum_length AS max_length
    FROM information_schema.columns
    WHERE table_schema = ${schema}
      AND table_name IN (${sql.join([...Object.keys(REQUIRED), OWNED_OBJECT_TABLE])})`.execute(db);
  const present = new Set(rows.map((r) => `${r.table_name}.${r.column_name}`));
  const missing = Object.entries(REQUIRED).flatMap(([table, columns]) =>
    columns.filter((c) => !present.has(`${table}.${c}`)).map((c) => (rows.some((r) => r.table_name === table) ? `${table}.${c}` : table)),
  );
  if (missing.length > 0) throw new SchemaMismatchError([...new Set(missing)]);
  const limit = rows.find((r) => r.table_name === 'guacamole_connection_parameter' && r.column_name === 'parameter_value')?.max_length;
  return {
    parameterValueLimit: Number(limit ?? 4096) || 4096,
    hasBookkeeping: rows.some((r) => r.table_name === OWNED_OBJECT_TABLE),
    hasSecretDigest: rows.some((r) => r.table_name === OWNED_OBJECT_TABLE && r.column_name === 'secret_digest'),
  };
}
