import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { NameKey } from '../desired/name-fold.js';
import type { GroupCreate, GroupRef } from '../plan/change-set.js';
import { chunks } from './chunks.js';
import type { Database } from './tables.js';

/**
 * Creates new groups one level of the tree at a time, many rows per statement, and returns their ids by path key.
 * A level's parents all exist once the level above is written. PostgreSQL returns the rows; MySQL cannot, so they
 * are read back by (parent, name), which the planner made unique in each folder (as for connections).
 *
 * `existingId` resolves a parent that already exists (`{ id }`); `creates` is parents first, as the planner gives it.
 */
export async function createGroups(db: Kysely<Database>, dialect: SqlDialect, creates: readonly GroupCreate[], nameKey: NameKey): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const parentId = (ref: GroupRef | null): number | null => (ref === null ? null : 'id' in ref ? ref.id : (ids.get(ref.path) ?? missing(ref.path)));
  for (const level of byLevel(creates)) {
    for (const chunk of chunks(level)) {
      const rows = chunk.map((g) => ({
        connection_group_name: g.name,
        parent_id: parentId(g.parent),
        type: dialect.enumValue('guacamole_connection_group_type', 'ORGANIZATIONAL'),
      }));
      const byPlace = new Map(chunk.map((g, i) => [place(rows[i]?.parent_id ?? null, g.name, nameKey), g.path]));
      const insert = db.insertInto('guacamole_connection_group').values(rows);
      const inserted = await dialect.insertReturningRows(insert, ['connection_group_id', 'connection_group_name', 'parent_id'], () => readBack(db, rows));
      for (const row of inserted) {
        const path = byPlace.get(place(row.parent_id === null ? null : Number(row.parent_id), row.connection_group_name, nameKey));
        if (path !== undefined) ids.set(path, Number(row.connection_group_id));
      }
      const lost = chunk.filter((g) => !ids.has(g.path));
      if (lost.length > 0) throw new Error(`could not read back the ids of ${lost.length} new folder(s), e.g. "${lost[0]?.displayPath}"`);
    }
  }
  return ids;
}

/** New groups by depth below the nearest existing group (or ROOT): level 0 first. Order within a level is kept. */
export function byLevel(creates: readonly GroupCreate[]): GroupCreate[][] {
  const depth = new Map<string, number>();
  const levels: GroupCreate[][] = [];
  for (const g of creates) {
    const parent = g.parent !== null && 'path' in g.parent ? depth.get(g.parent.path) : -1;
    if (parent === undefined) missing((g.parent as { path: string }).path);
    const d = parent + 1;
    depth.set(g.path, d);
    (levels[d] ??= []).push(g);
  }
  return levels;
}

function place(parentId: number | null, name: string, nameKey: NameKey): string {
  return `${parentId ?? 'root'}/${nameKey(name)}`;
}

async function readBack(db: Kysely<Database>, rows: readonly { connection_group_name: string; parent_id: number | null }[]) {
  const parents = [...new Set(rows.flatMap((r) => (r.parent_id === null ? [] : [r.parent_id])))];
  const atRoot = rows.some((r) => r.parent_id === null);
  return db
    .selectFrom('guacamole_connection_group')
    .select(['connection_group_id', 'connection_group_name', 'parent_id'])
    .where((eb) => {
      const under = [...(parents.length > 0 ? [eb('parent_id', 'in', parents)] : []), ...(atRoot ? [eb('parent_id', 'is', null)] : [])];
      return eb.or(under);
    })
    .where('connection_group_name', 'in', [...new Set(rows.map((r) => r.connection_group_name))])
    .execute();
}

function missing(path: string): never {
  throw new Error(`internal: group "${path}" is referenced before it is created`);
}
