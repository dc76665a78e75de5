import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { ObjectType } from '../plan/current-state.js';
import { chunks } from './chunks.js';
import { recordGrants } from './grant-records.js';
import type { Database } from './tables.js';

/** The permission table and object column of each kind of object. */
export const PERMISSION_TABLES = {
  connection: { table: 'guacamole_connection_permission', column: 'connection_id' },
  connection_group: { table: 'guacamole_connection_group_permission', column: 'connection_group_id' },
} as const;

/**
 * READ, and only READ, for the admin group: enough to see and open a connection, never to read its parameters
 * (that takes UPDATE). Groups need READ too, or Guacamole's home page does not show what is inside them.
 * Grants that already exist are kept (`ON CONFLICT DO NOTHING` / `INSERT IGNORE`) and not recorded: only the rows
 * inserted here are the daemon's (recorded under `ownerId`), so a grant a person made is never revoked by it.
 */
export async function grantRead(
  db: Kysely<Database>,
  dialect: SqlDialect,
  entityId: number,
  ids: { connections: readonly number[]; groups: readonly number[] },
  ownerId: string,
): Promise<void> {
  for (const [objectType, objectIds] of [['connection', ids.connections], ['connection_group', ids.groups]] as const) {
    for (const chunk of chunks([...new Set(objectIds)])) {
      const inserted = await insertRead(db, dialect, entityId, objectType, chunk);
      await recordGrants(db, dialect, ownerId, inserted.map((objectId) => ({ entityId, objectType, objectId })));
    }
  }
}

/** Inserts the missing READ rows; returns the ids it inserted (not those that were there already). */
async function insertRead(db: Kysely<Database>, dialect: SqlDialect, entityId: number, objectType: ObjectType, ids: readonly number[]): Promise<number[]> {
  const { table, column } = PERMISSION_TABLES[objectType];
  const anyDb = db as unknown as Kysely<any>; // one code path for both permission tables, which differ in one column name
  const read = () => dialect.enumValue('guacamole_object_permission_type', 'READ');
  const rows = ids.map((id) => ({ entity_id: entityId, [column]: id, permission: read() }));
  // Where the insert cannot say which rows it inserted, the READ rows already there are read first.
  const held = async () => {
    const there = anyDb.selectFrom(table).select(column).where('entity_id', '=', entityId).where('permission', '=', read());
    return (await there.where(column, 'in', ids).execute()).map((r) => Number(r[column]));
  };
  return dialect.insertNewReturningIds(anyDb.insertInto(table).values(rows), column, ids, held);
}
