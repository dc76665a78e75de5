import { sql, type Kysely } from 'kysely';

export interface ConnectionView {
  id: number;
  name: string;
  path: string;
  protocol: string;
  parameters: Record<string, string>;
}

/** Every connection with its folder path and parameters, by name path ("Amazon EC2/Databases/db-01"). */
export async function readConnections(db: Kysely<any>): Promise<Map<string, ConnectionView>> {
  const groups = await db.selectFrom('guacamole_connection_group').select(['connection_group_id', 'parent_id', 'connection_group_name']).execute();
  const byId = new Map(groups.map((g) => [Number(g.connection_group_id), g]));
  const pathOf = (id: number | null): string => {
    if (id === null) return '';
    const g = byId.get(Number(id));
    if (g === undefined) return '?';
    const parent = pathOf(g.parent_id === null ? null : Number(g.parent_id));
    return parent === '' ? g.connection_group_name : `${parent}/${g.connection_group_name}`;
  };
  const rows = await db.selectFrom('guacamole_connection').select(['connection_id', 'connection_name', 'parent_id', 'protocol']).execute();
  const params = await db.selectFrom('guacamole_connection_parameter').selectAll().execute();
  const out = new Map<string, ConnectionView>();
  for (const r of rows) {
    const path = pathOf(r.parent_id === null ? null : Number(r.parent_id));
    const parameters: Record<string, string> = {};
    for (const p of params) if (Number(p.connection_id) === Number(r.connection_id)) parameters[p.parameter_name] = p.parameter_value;
    out.set(`${path}/${r.connection_name}`, { id: Number(r.connection_id), name: r.connection_name, path, protocol: r.protocol, parameters });
  }
  return out;
}

/** Every group's full path. */
export async function readGroupPaths(db: Kysely<any>): Promise<string[]> {
  const views = await db.selectFrom('guacamole_connection_group').select(['connection_group_id', 'parent_id', 'connection_group_name']).execute();
  const byId = new Map(views.map((g) => [Number(g.connection_group_id), g]));
  const pathOf = (id: number): string => {
    const g = byId.get(id)!;
    return g.parent_id === null ? g.connection_group_name : `${pathOf(Number(g.parent_id))}/${g.connection_group_name}`;
  };
  return views.map((g) => pathOf(Number(g.connection_group_id))).sort();
}

/**
 * Ids readable by a user, with the conditions Guacamole's mappers use: READ granted to the user's own entity or to
 * an enabled group it belongs to, directly or through nested enabled groups.
 */
export async function readableBy(db: Kysely<any>, username: string, table: 'connection' | 'connection_group'): Promise<Set<number>> {
  const column = table === 'connection' ? 'connection_id' : 'connection_group_id';
  const { rows } = await sql<{ id: number }>`
    WITH RECURSIVE related_entity(entity_id) AS (
        SELECT e.entity_id FROM guacamole_entity e WHERE e.name = ${username} AND e.type = 'USER'
      UNION
        SELECT g.entity_id
        FROM related_entity r
        JOIN guacamole_user_group_member m ON m.member_entity_id = r.entity_id
        JOIN guacamole_user_group g ON g.user_group_id = m.user_group_id
        WHERE g.disabled = ${false}
    )
    SELECT DISTINCT p.${sql.ref(column)} AS id
    FROM ${sql.table(`guacamole_${table}_permission`)} p
    WHERE p.entity_id IN (SELECT entity_id FROM related_entity) AND p.permission = 'READ'`.execute(db);
  return new Set(rows.map((r) => Number(r.id)));
}

/** Every row of the tables a run writes, as sorted JSON: equal snapshots mean nothing was written. */
export async function snapshot(db: Kysely<any>): Promise<string> {
  const tables = [
    'guacamole_connection_group',
    'guacamole_connection',
    'guacamole_connection_parameter',
    'guacamole_connection_permission',
    'guacamole_connection_group_permission',
    'guacamole_entity',
    'guacamole_user_group',
    'ec2_discovery_owned_object',
    'ec2_discovery_granted_read',
  ];
  const parts: string[] = [];
  for (const t of tables) {
    const rows = await db.selectFrom(t).selectAll().execute();
    parts.push(`${t}:${rows.map((r) => JSON.stringify(r)).sort().join('\n')}`);
  }
  return parts.join('\n\n');
}
