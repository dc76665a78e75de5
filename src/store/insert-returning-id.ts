import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { Database } from './tables.js';

type IdTable = 'guacamole_entity' | 'guacamole_connection_group' | 'guacamole_connection';

/** Inserts one row and returns its generated id (see `SqlDialect.insertReturningId`). */
export async function insertReturningId<T extends IdTable>(
  db: Kysely<Database>,
  dialect: SqlDialect,
  table: T,
  idColumn: string,
  values: Record<string, unknown>,
): Promise<number> {
  return dialect.insertReturningId(db.insertInto(table).values(values as never), idColumn);
}
