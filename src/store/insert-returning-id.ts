import type { Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import type { Database } from './tables.js';

type IdTable = 'guacamole_entity' | 'guacamole_connection_group' | 'guacamole_connection';

/** Inserts one row and returns its generated id: `RETURNING` on PostgreSQL, `insertId` on MySQL. */
export async function insertReturningId<T extends IdTable>(
  db: Kysely<Database>,
  dialect: Dialect,
  table: T,
  idColumn: string,
  values: Record<string, unknown>,
): Promise<number> {
  const insert = db.insertInto(table).values(values as never);
  if (dialect === 'postgres') {
    const row = (await insert.returning(idColumn as never).executeTakeFirstOrThrow()) as Record<string, unknown>;
    return Number(row[idColumn]);
  }
  const result = await insert.executeTakeFirstOrThrow();
  return Number(result.insertId);
}
