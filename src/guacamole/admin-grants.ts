import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import type { ObjectType } from '../plan/current-state.js';
import { needsTree, planGrantRevokes, type GrantRevokePlan, type ManagedTree, type RecordedGrant } from '../plan/plan-grant-revokes.js';
import { chunks } from './chunks.js';
import { enumValue } from './enum-value.js';
import { byEntityAndType, forgetGrants, recordGrants, type GrantRecord } from './grant-records.js';
import { PERMISSION_TABLES } from './grant-read.js';
import { GRANTED_READ_TABLE, OWNED_OBJECT_TABLE, type Database } from './tables.js';

export interface AdminGrantOptions {
  readonly dialect: Dialect;
  readonly ownerId: string;
  /** The current admin group's `guacamole_entity` id. */
  readonly adminEntityId: number;
}

/** What a run took back, for the log. */
export interface RevokedGrants {
  /** READ grants revoked on connections and on groups. */
  readonly connections: number;
  readonly groups: number;
  /** Grantees (user groups) that lost a grant: names, `#<entity id>` when the entity is gone. */
  readonly entities: readonly string[];
  /** Folders the daemon does not own whose READ it took back from the admin group (nothing of its own below). */
  readonly folders: readonly string[];
  /** Records dropped because their object no longer exists. */
  readonly forgotten: number;
  /** READ grants of the admin group on the daemon's own objects found without a record (an upgrade): recorded now. */
  readonly adopted: number;
}

/**
 * Takes back the READ the daemon granted and no longer needs: every grant recorded for another entity than the current
 * admin group (the setting changed), and READ on folders it does not own once nothing managed is below them. Only
 * recorded grants are touched, so grants people made stay. Run it in the transaction that grants the new group.
 * Nothing to do costs one or two reads (the second only when the admin group holds recorded READ on a hand-made folder).
 */
export async function reconcileAdminGrants(trx: Kysely<Database>, options: AdminGrantOptions): Promise<RevokedGrants> {
  const { records, adopt } = await loadGrantRecords(trx, options);
  const plan = await planFrom(trx, records, options.adminEntityId);
  await recordGrants(trx, options.dialect, options.ownerId, adopt);
  await revokeRead(trx, options.dialect, plan.revoke);
  await forgetGrants(trx, options.ownerId, [...plan.revoke, ...plan.forget]);
  return summarize(plan, options.adminEntityId, adopt.length);
}

/**
 * Read only, for `--dry-run`: what `reconcileAdminGrants` would revoke now (before this run's own changes are
 * applied). `adminEntityId` undefined: the admin group does not exist yet, so every recorded grant is another group's.
 */
export async function listAdminGrantRevokes(
  db: Kysely<Database>,
  options: { readonly dialect: Dialect; readonly ownerId: string; readonly adminEntityId: number | undefined; readonly hasGrantRecords: boolean },
): Promise<GrantRevokePlan> {
  if (!options.hasGrantRecords) return { revoke: [], forget: [] }; // before the upgrade's migration: nothing recorded yet
  const { records } = await loadGrantRecords(db, { ...options, adminEntityId: options.adminEntityId ?? -1 });
  return planFrom(db, records, options.adminEntityId);
}

async function planFrom(db: Kysely<Database>, records: readonly RecordedGrant[], adminEntityId: number | undefined): Promise<GrantRevokePlan> {
  const tree = needsTree(records, adminEntityId) ? await loadManagedTree(db) : undefined;
  return planGrantRevokes({ adminEntityId, records, ...(tree === undefined ? {} : { tree }) });
}

interface RecordRow {
  kind: 'record' | 'adopt';
  entity_id: number | string;
  object_type: ObjectType;
  object_id: number | string;
  entity_name: string | null;
  found_id: number | string | null;
  group_name: string | null;
  owned: number | string;
}

/**
 * One statement: the records that may need a decision (another grantee, or an object not ours; the admin group's
 * grants on our own objects are kept without a look), and the admin group's READ on our objects that has no record.
 */
async function loadGrantRecords(db: Kysely<Database>, options: AdminGrantOptions): Promise<{ records: RecordedGrant[]; adopt: GrantRecord[] }> {
  const { ownerId, adminEntityId: admin } = options;
  const read = enumValue(options.dialect, 'guacamole_object_permission_type', 'READ');
  const granted = sql.table(GRANTED_READ_TABLE);
  const owned = sql.table(OWNED_OBJECT_TABLE);
  const unrecorded = (type: ObjectType) => {
    const { table, column } = PERMISSION_TABLES[type];
    return sql`
      SELECT 'adopt' AS kind, p.entity_id, o.object_type, o.guacamole_id AS object_id, NULL AS entity_name, NULL AS found_id, NULL AS group_name, 1 AS owned
      FROM ${owned} o
      JOIN ${sql.table(table)} p ON p.${sql.ref(column)} = o.guacamole_id AND p.entity_id = ${admin} AND p.permission = ${read}
      WHERE o.owner_id = ${ownerId} AND o.object_type = ${type}
        AND NOT EXISTS (SELECT 1 FROM ${granted} r
          WHERE r.owner_id = ${ownerId} AND r.entity_id = ${admin} AND r.object_type = ${type} AND r.object_id = o.guacamole_id)`;
  };
  const { rows } = await sql<RecordRow>`
    SELECT 'record' AS kind, r.entity_id, r.object_type, r.object_id, e.name AS entity_name,
      COALESCE(c.connection_id, g.connection_group_id) AS found_id, g.connection_group_name AS group_name,
      CASE WHEN o.guacamole_id IS NULL THEN 0 ELSE 1 END AS owned
    FROM ${granted} r
    LEFT JOIN ${owned} o ON o.owner_id = r.owner_id AND o.object_type = r.object_type AND o.guacamole_id = r.object_id
    LEFT JOIN guacamole_connection c ON r.object_type = 'connection' AND c.connection_id = r.object_id
    LEFT JOIN guacamole_connection_group g ON r.object_type = 'connection_group' AND g.connection_group_id = r.object_id
    LEFT JOIN guacamole_entity e ON e.entity_id = r.entity_id
    WHERE r.owner_id = ${ownerId} AND (r.entity_id <> ${admin} OR o.guacamole_id IS NULL)
    UNION ALL ${unrecorded('connection')}
    UNION ALL ${unrecorded('connection_group')}`.execute(db);
  const records: RecordedGrant[] = [];
  const adopt: GrantRecord[] = [];
  for (const row of rows) {
    const grant = { entityId: Number(row.entity_id), objectType: row.object_type, objectId: Number(row.object_id) };
    if (row.kind === 'adopt') {
      adopt.push(grant);
      continue;
    }
    records.push({
      ...grant,
      ...(row.entity_name === null ? {} : { entityName: row.entity_name }),
      ...(row.group_name === null ? {} : { objectName: row.group_name }),
      exists: row.found_id !== null,
      ownedByUs: Number(row.owned) === 1,
    });
  }
  return { records, adopt };
}

interface TreeRow {
  kind: 'group' | 'holder' | 'managed';
  id: number | string;
  parent_id: number | string | null;
}

/**
 * One statement: every group's parent, the groups holding a managed connection, and the managed groups (any owner).
 * (The third column of the last two parts is unused: a column, not NULL, so PostgreSQL types the union alike.)
 */
async function loadManagedTree(db: Kysely<Database>): Promise<ManagedTree> {
  const owned = sql.table(OWNED_OBJECT_TABLE);
  const { rows } = await sql<TreeRow>`
    SELECT 'group' AS kind, g.connection_group_id AS id, g.parent_id FROM guacamole_connection_group g
    UNION ALL
    SELECT DISTINCT 'holder', c.parent_id, c.parent_id FROM guacamole_connection c
      JOIN ${owned} o ON o.object_type = 'connection' AND o.guacamole_id = c.connection_id
      WHERE c.parent_id IS NOT NULL
    UNION ALL
    SELECT 'managed', o.guacamole_id, o.guacamole_id FROM ${owned} o WHERE o.object_type = 'connection_group'`.execute(db);
  const parents = new Map<number, number | null>();
  const holders: number[] = [];
  const managedGroups: number[] = [];
  for (const row of rows) {
    const id = Number(row.id);
    if (row.kind === 'group') parents.set(id, row.parent_id === null ? null : Number(row.parent_id));
    else (row.kind === 'holder' ? holders : managedGroups).push(id);
  }
  return { parents, holders, managedGroups };
}

/** Deletes the READ rows of the given grants (one statement per grantee, object type and 500 objects). */
async function revokeRead(db: Kysely<Database>, dialect: Dialect, grants: readonly GrantRecord[]): Promise<void> {
  const anyDb = db as unknown as Kysely<any>; // both permission tables, which differ in one column name
  for (const [entityId, objectType, ids] of byEntityAndType(grants)) {
    const { table, column } = PERMISSION_TABLES[objectType];
    for (const chunk of chunks(ids)) {
      await anyDb
        .deleteFrom(table)
        .where('entity_id', '=', entityId)
        .where('permission', '=', enumValue(dialect, 'guacamole_object_permission_type', 'READ'))
        .where(column, 'in', chunk)
        .execute();
    }
  }
}

function summarize(plan: GrantRevokePlan, adminEntityId: number, adopted: number): RevokedGrants {
  const distinct = (names: string[]) => [...new Set(names)].sort();
  return {
    connections: plan.revoke.filter((r) => r.objectType === 'connection').length,
    groups: plan.revoke.filter((r) => r.objectType === 'connection_group').length,
    entities: distinct(plan.revoke.map((r) => r.entityName ?? `#${r.entityId}`)),
    folders: distinct(plan.revoke.filter((r) => r.entityId === adminEntityId && r.objectType === 'connection_group').map((r) => r.objectName ?? `#${r.objectId}`)),
    forgotten: plan.forget.length,
    adopted,
  };
}
