import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { NameKey } from '../desired/name-fold.js';
import type { ConnectionCreate, ConnectionUpdate } from '../plan/change-set.js';
import { chunks } from './chunks.js';
import type { Database } from './tables.js';
import { groupBy } from '../shared/group-by.js';

export type ParentOf = (ref: ConnectionCreate['parent']) => number;

/**
 * Inserts connections many rows per statement and returns their ids by key. PostgreSQL returns the rows; MySQL
 * cannot, so the rows are read back by (parent, name), which the planner made unique in each folder.
 */
export async function createConnections(
  db: Kysely<Database>,
  dialect: SqlDialect,
  creates: readonly ConnectionCreate[],
  parentOf: ParentOf,
  nameKey: NameKey,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const chunk of chunks(creates)) {
    const rows = chunk.map((c) => ({ connection_name: c.name, parent_id: parentOf(c.parent), protocol: c.protocol }));
    const byPlace = new Map(chunk.map((c, i) => [`${rows[i]?.parent_id}/${nameKey(c.name)}`, c.key]));
    const insert = db.insertInto('guacamole_connection').values(rows);
    const inserted = await dialect.insertReturningRows(insert, ['connection_id', 'connection_name', 'parent_id'], () =>
      db
        .selectFrom('guacamole_connection')
        .select(['connection_id', 'connection_name', 'parent_id'])
        .where('parent_id', 'in', [...new Set(rows.map((r) => r.parent_id))])
        .where('connection_name', 'in', rows.map((r) => r.connection_name))
        .execute(),
    );
    for (const row of inserted) {
      const key = byPlace.get(`${row.parent_id}/${nameKey(row.connection_name)}`);
      if (key !== undefined) ids.set(key, Number(row.connection_id));
    }
    const lost = chunk.filter((c) => !ids.has(c.key));
    if (lost.length > 0) throw new Error(`could not read back the ids of ${lost.length} new connection(s), e.g. "${lost[0]?.name}"`);
  }
  await insertParameters(db, creates.flatMap((c) => parameterRows(ids.get(c.key) as number, c.parameters)));
  return ids;
}

/**
 * Updates rows and parameters of managed connections. A connection whose current place (folder and name) another
 * update moves into first steps aside to a temporary name (the planner marks it), so chains, swaps and rotations of
 * names never violate the unique key, whatever the order.
 */
export async function updateConnections(db: Kysely<Database>, updates: readonly ConnectionUpdate[], parentOf: ParentOf): Promise<void> {
  await moveToTemporaryNames(db, updates.filter((u) => u.viaTemporaryName).map((u) => u.id));
  for (const u of updates) {
    const rowChanged = u.viaTemporaryName || u.changed.some((c) => c === 'name' || c === 'folder' || c === 'protocol');
    if (rowChanged) {
      await db
        .updateTable('guacamole_connection')
        .set({ connection_name: u.name, parent_id: parentOf(u.parent), protocol: u.protocol })
        .where('connection_id', '=', u.id)
        .execute();
    }
  }
  // Parameters being replaced or removed: one DELETE per set of names (churn mostly changes the same ones), not per connection.
  const replacing = updates.flatMap((u) => {
    const names = [...new Set([...Object.keys(u.setParameters), ...u.removeParameters])].sort();
    return names.length === 0 ? [] : [{ id: u.id, names }];
  });
  for (const group of groupBy(replacing, (r) => r.names.join('\n')).values()) {
    const names = (group[0] as { names: string[] }).names;
    for (const chunk of chunks(group.map((r) => r.id))) {
      await db.deleteFrom('guacamole_connection_parameter').where('connection_id', 'in', chunk).where('parameter_name', 'in', names).execute();
    }
  }
  await insertParameters(db, updates.flatMap((u) => parameterRows(u.id, u.setParameters)));
}

/** A name no instance can want (the `~` prefix and the id make it unique in any folder); held only inside the run's transaction. */
export async function moveToTemporaryNames(db: Kysely<Database>, ids: readonly number[]): Promise<void> {
  for (const id of ids)
    await db
      .updateTable('guacamole_connection')
      .set({ connection_name: `~ec2-discovery rename ${id}` })
      .where('connection_id', '=', id)
      .execute();
}

/** Deleting a connection cascades to its parameters, attributes, permissions and sharing profiles. */
export async function deleteConnections(db: Kysely<Database>, ids: readonly number[]): Promise<void> {
  for (const chunk of chunks(ids)) await db.deleteFrom('guacamole_connection').where('connection_id', 'in', chunk).execute();
}

function parameterRows(connectionId: number, parameters: Readonly<Record<string, string>>) {
  return Object.entries(parameters).map(([name, value]) => ({ connection_id: connectionId, parameter_name: name, parameter_value: value }));
}

async function insertParameters(
  db: Kysely<Database>,
  rows: readonly { connection_id: number; parameter_name: string; parameter_value: string }[],
): Promise<void> {
  for (const chunk of chunks(rows, 1000)) await db.insertInto('guacamole_connection_parameter').values(chunk).execute();
}
