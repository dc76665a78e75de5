import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { ObjectType } from '../plan/current-state.js';
import { groupBy } from '../shared/group-by.js';
import { planGrantRevokes, type GrantRevoke, type GrantRevokePlan, type ManagedTree, type RecordedGrant } from '../plan/plan-grant-revokes.js';
import { chunks } from './chunks.js';
import { byEntityAndType, forgetGrants, recordGrants, type GrantRecord } from './grant-records.js';
import { PERMISSION_TABLES } from './grant-read.js';
import { GRANTED_READ_TABLE, OWNED_OBJECT_TABLE, type Database } from './tables.js';

export interface AdminGrantOptions {
  readonly dialect: SqlDialect;
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
 * Nothing to do costs one read and no write.
 */
export async function reconcileAdminGrants(trx: Kysely<Database>, options: AdminGrantOptions): Promise<RevokedGrants> {
  const state = await loadGrantState(trx, options);
  const plan = await withGranteeNames(trx, planGrantRevokes({ adminEntityId: options.adminEntityId, records: state.records, tree: state.tree }));
  await recordGrants(trx, options.dialect, options.ownerId, state.adopt);
  await revokeRead(trx, options.dialect, plan.revoke);
  await forgetGrants(trx, options.ownerId, [...plan.revoke, ...plan.forget]);
  return summarize(plan, options.adminEntityId, state.adopt.length);
}

/**
 * Read only, for `--dry-run`: what `reconcileAdminGrants` would revoke now (before this run's own changes are
 * applied). `adminEntityId` undefined: the admin group does not exist yet, so every recorded grant is another group's.
 */
export async function listAdminGrantRevokes(
  db: Kysely<Database>,
  options: { readonly dialect: SqlDialect; readonly ownerId: string; readonly adminEntityId: number | undefined; readonly hasGrantRecords: boolean },
): Promise<GrantRevokePlan> {
  if (!options.hasGrantRecords) return { revoke: [], forget: [] }; // before the upgrade's migration: nothing recorded yet
  const state = await loadGrantState(db, { ...options, adminEntityId: options.adminEntityId ?? -1 });
  return withGranteeNames(db, planGrantRevokes({ adminEntityId: options.adminEntityId, records: state.records, tree: state.tree }));
}

interface StateRow {
  /** g group, c connection, r our record, o owned by us, x owned by another owner id, pc/pg the admin group's READ. */
  kind: 'g' | 'c' | 'r' | 'o' | 'x' | 'pc' | 'pg';
  a: number | string;
  b: number | string | null;
  t: string | null;
}

/**
 * One statement of single-table scans glued by UNION ALL, joined here in memory: linear whatever the fleet, and no
 * join plan to go wrong on tables whose statistics are stale (a first run that has just inserted thousands of rows).
 */
async function loadGrantState(
  db: Kysely<Database>,
  options: AdminGrantOptions,
): Promise<{ records: RecordedGrant[]; adopt: GrantRecord[]; tree: ManagedTree }> {
  const { ownerId, adminEntityId: admin } = options;
  const read = () => options.dialect.enumValue('guacamole_object_permission_type', 'READ');
  const text = (column: string) => options.dialect.textForUnion(column); // one collation for the UNION's text columns
  const { rows } = await sql<StateRow>`
    SELECT 'g' AS kind, connection_group_id AS a, parent_id AS b, ${text('connection_group_name')} AS t FROM guacamole_connection_group
    UNION ALL SELECT 'c', connection_id, parent_id, NULL FROM guacamole_connection
    UNION ALL SELECT 'r', object_id, entity_id, ${text('object_type')} FROM ${sql.table(GRANTED_READ_TABLE)} WHERE owner_id = ${ownerId}
    UNION ALL SELECT CASE WHEN owner_id = ${ownerId} THEN 'o' ELSE 'x' END, guacamole_id, NULL, ${text('object_type')} FROM ${sql.table(OWNED_OBJECT_TABLE)}
    UNION ALL SELECT 'pc', connection_id, NULL, NULL FROM guacamole_connection_permission WHERE entity_id = ${admin} AND permission = ${read()}
    UNION ALL SELECT 'pg', connection_group_id, NULL, NULL FROM guacamole_connection_group_permission
      WHERE entity_id = ${admin} AND permission = ${read()}`.execute(
    db,
  );

  const byKind = groupBy(rows, (r) => r.kind);
  const of = (kind: StateRow['kind']) => byKind.get(kind) ?? [];
  const key = (type: string | null, id: number | string) => `${type}:${Number(id)}`;
  const groups = new Map(of('g').map((r) => [Number(r.a), { parent: r.b === null ? null : Number(r.b), name: r.t ?? '' }]));
  const connectionParents = new Map(of('c').map((r) => [Number(r.a), r.b === null ? null : Number(r.b)]));
  const ours = new Set(of('o').map((r) => key(r.t, r.a)));
  const managed = [...of('o'), ...of('x')];
  const recorded = new Set(of('r').filter((r) => Number(r.b) === admin).map((r) => key(r.t, r.a)));
  const exists = (type: string | null, id: number) => (type === 'connection' ? connectionParents.has(id) : groups.has(id));

  const records: RecordedGrant[] = of('r').map((r) => {
    const objectType = r.t as ObjectType;
    const objectId = Number(r.a);
    const name = objectType === 'connection_group' ? groups.get(objectId)?.name : undefined;
    return {
      entityId: Number(r.b),
      objectType,
      objectId,
      ...(name === undefined ? {} : { objectName: name }),
      exists: exists(objectType, objectId),
      ownedByUs: ours.has(key(objectType, objectId)),
    };
  });
  // The admin group's READ on our own objects is ours by construction: recorded when missing (an upgrade adopts it).
  const held = [...of('pc').map((r) => key('connection', r.a)), ...of('pg').map((r) => key('connection_group', r.a))];
  const adopt: GrantRecord[] = held
    .filter((k) => ours.has(k) && !recorded.has(k))
    .map((k) => {
      const [objectType, id] = k.split(':') as [ObjectType, string];
      return { entityId: admin, objectType, objectId: Number(id) };
    });
  const tree: ManagedTree = {
    parents: new Map([...groups].map(([id, g]) => [id, g.parent])),
    holders: new Set(managed.filter((r) => r.t === 'connection').flatMap((r) => {
      const parent = connectionParents.get(Number(r.a));
      return parent === undefined || parent === null ? [] : [parent];
    })),
    managedGroups: managed.filter((r) => r.t === 'connection_group').map((r) => Number(r.a)),
  };
  return { records, adopt, tree };
}

/** The plan with the names of the grantees that lose READ, for the log and the dry run (read only when something goes). */
async function withGranteeNames(db: Kysely<Database>, plan: GrantRevokePlan): Promise<GrantRevokePlan> {
  if (plan.revoke.length === 0) return plan;
  const ids = [...new Set(plan.revoke.map((r) => r.entityId))];
  const rows = await db.selectFrom('guacamole_entity').select(['entity_id', 'name']).where('entity_id', 'in', ids).execute();
  const names = new Map(rows.map((r) => [Number(r.entity_id), r.name]));
  const named = (r: GrantRevoke): GrantRevoke => {
    const name = names.get(r.entityId);
    return name === undefined ? r : { ...r, entityName: name };
  };
  return { ...plan, revoke: plan.revoke.map(named) };
}

/** Deletes the READ rows of the given grants (one statement per grantee, object type and 500 objects). */
async function revokeRead(db: Kysely<Database>, dialect: SqlDialect, grants: readonly GrantRecord[]): Promise<void> {
  const anyDb = db as unknown as Kysely<any>; // both permission tables, which differ in one column name
  for (const [entityId, objectType, ids] of byEntityAndType(grants)) {
    const { table, column } = PERMISSION_TABLES[objectType];
    for (const chunk of chunks(ids)) {
      await anyDb
        .deleteFrom(table)
        .where('entity_id', '=', entityId)
        .where('permission', '=', dialect.enumValue('guacamole_object_permission_type', 'READ'))
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
    folders: distinct(
      plan.revoke.filter((r) => r.entityId === adminEntityId && r.objectType === 'connection_group').map((r) => r.objectName ?? `#${r.objectId}`),
    ),
    forgotten: plan.forget.length,
    adopted,
  };
}
