import type { Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import { chunks } from './chunks.js';
import { enumValue } from './enum-value.js';
import type { Database } from './tables.js';

/**
 * READ, and only READ, for the admin group: enough to see and open a connection, never to read its parameters
 * (that takes UPDATE). Groups need READ too, or Guacamole's home page does not show what is inside them.
 * Grants that already exist are kept (`ON CONFLICT DO NOTHING` / `INSERT IGNORE`).
 */
export async function grantRead(db: Kysely<Database>, dialect: Dialect, entityId: number, ids: { connections: readonly number[]; groups: readonly number[] }): Promise<void> {
  const read = () => enumValue(dialect, 'guacamole_object_permission_type', 'READ');
  for (const chunk of chunks([...new Set(ids.connections)])) {
    const insert = db.insertInto('guacamole_connection_permission').values(chunk.map((id) => ({ entity_id: entityId, connection_id: id, permission: read() })));
    await (dialect === 'postgres' ? insert.onConflict((oc) => oc.doNothing()) : insert.ignore()).execute();
  }
  for (const chunk of chunks([...new Set(ids.groups)])) {
    const insert = db.insertInto('guacamole_connection_group_permission').values(chunk.map((id) => ({ entity_id: entityId, connection_group_id: id, permission: read() })));
    await (dialect === 'postgres' ? insert.onConflict((oc) => oc.doNothing()) : insert.ignore()).execute();
  }
}
