import type { Kysely } from 'kysely';
import type { NameCollation } from '../desired/name-fold.js';
import type { SqlDialect } from './dialect/dialect.js';

/** The collations that decide which names the unique keys (name, parent_id) count as equal. */
export interface NameCollations {
  /** guacamole_connection.connection_name */
  readonly connection: NameCollation;
  /** guacamole_connection_group.connection_group_name */
  readonly group: NameCollation;
}

const COLUMNS = {
  connection: ['guacamole_connection', 'connection_name'],
  group: ['guacamole_connection_group', 'connection_group_name'],
} as const;

/** Reads the real collation of both name columns (in the current schema, as checkSchema does). */
export async function readNameCollation(db: Kysely<any>, dialect: SqlDialect): Promise<NameCollations> {
  const read = (table: string, column: string) => dialect.readNameCollation(db, table, column);
  const [connection, group] = await Promise.all([read(...COLUMNS.connection), read(...COLUMNS.group)]);
  return { connection, group };
}
