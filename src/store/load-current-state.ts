import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { CurrentConnection, CurrentState, ObjectType, StaleRecord } from '../plan/current-state.js';
import { queryInChunks } from './chunks.js';
import { OWNED_OBJECT_TABLE, type Database } from './tables.js';

export interface LoadOptions {
  readonly dialect: SqlDialect;
  readonly ownerId: string;
  readonly adminGroup: string;
  /** False before the bookkeeping table exists (dry run on a new database): nothing is owned yet. */
  readonly hasBookkeeping: boolean;
  readonly hasSecretDigest: boolean;
  /**
   * An event run: the instance keys (as stored) of the instances it asked about. Only their connections are read in
   * full (bookkeeping, parameters, READ of the admin group); every other connection is read as names and places only,
   * as if it were not ours, which is how the planner treats connections outside the run anyway. Unset: everything.
   */
  readonly instanceKeys?: ReadonlySet<string>;
}

type OwnedRecord = {
  object_type: string;
  guacamole_id: number;
  instance_key: string | null;
  scope: string | null;
  secret_digest?: string | null;
};

/**
 * Reads what the planner needs in a fixed number of queries, whatever the fleet size: every group, every
 * connection's name and place, our bookkeeping, the parameters of our connections and the admin group's grants.
 * With `instanceKeys` (an event run) the per-connection rows (bookkeeping, parameters, READ grants) are those of the
 * batch's connections only: the statements and the rows they return depend on the batch, not on the fleet.
 */
export async function loadCurrentState(db: Kysely<Database>, options: LoadOptions): Promise<CurrentState> {
  const { records, managedConnections } = await loadRecords(db, options);
  const ownedGroups = new Set(records.filter((r) => r.object_type === 'connection_group').map((r) => Number(r.guacamole_id)));
  const ownedConnections = new Map(records.filter((r) => r.object_type === 'connection').map((r) => [Number(r.guacamole_id), r]));
  const batchIds = options.instanceKeys === undefined ? undefined : [...ownedConnections.keys()];

  const groupRows = await db.selectFrom('guacamole_connection_group').select(['connection_group_id', 'parent_id', 'connection_group_name', 'type']).execute();
  const connectionRows = await db.selectFrom('guacamole_connection').select(['connection_id', 'parent_id', 'connection_name', 'protocol']).execute();
  const parameters = options.hasBookkeeping ? await loadOwnedParameters(db, options.ownerId, batchIds) : new Map<number, Record<string, string>>();
  const admin = await loadAdminGroup(db, options, batchIds);

  const connections: CurrentConnection[] = connectionRows.map((row) => {
    const id = Number(row.connection_id);
    const record = ownedConnections.get(id);
    const base = { id, parentId: toId(row.parent_id), name: row.connection_name, protocol: row.protocol };
    return record === undefined || record.instance_key === null
      ? base
      : { ...base, owner: ownerOf(record), parameters: parameters.get(id) ?? {} };
  });
  const groupIds = new Set(groupRows.map((g) => Number(g.connection_group_id)));
  const connectionIds = new Set(connections.map((c) => c.id));
  // A narrowed read leaves the bookkeeping of folders to full runs: an event run forgets only its own connections' rows.
  const staleRecords: StaleRecord[] = records
    .filter((r) => batchIds === undefined || r.object_type === 'connection')
    .filter((r) => !(r.object_type === 'connection' ? connectionIds : groupIds).has(Number(r.guacamole_id)))
    .map((r) => ({ objectType: r.object_type as ObjectType, guacamoleId: Number(r.guacamole_id) }));

  return {
    groups: groupRows.map((g) => ({
      id: Number(g.connection_group_id),
      parentId: toId(g.parent_id),
      name: g.connection_group_name,
      type: g.type,
      owned: ownedGroups.has(Number(g.connection_group_id)),
    })),
    connections,
    ...(admin === undefined ? {} : { adminGroup: admin.state }),
    readableConnections: admin?.readableConnections ?? new Set(),
    readableGroups: admin?.readableGroups ?? new Set(),
    staleRecords,
    ...(managedConnections === undefined ? {} : { managedConnections }),
  };
}

/**
 * This owner's bookkeeping rows: all of them, or (narrowed) every folder's, the batch's connections' and the number
 * of connections it manages (for the deletion brake, which counts against every managed connection).
 */
async function loadRecords(db: Kysely<Database>, options: LoadOptions): Promise<{ records: OwnedRecord[]; managedConnections?: number }> {
  if (!options.hasBookkeeping) return { records: [], ...(options.instanceKeys === undefined ? {} : { managedConnections: 0 }) };
  const owned = () =>
    db
      .selectFrom(OWNED_OBJECT_TABLE)
      .select(['object_type', 'guacamole_id', 'instance_key', 'scope'])
      .$if(options.hasSecretDigest, (q) => q.select('secret_digest'))
      .where('owner_id', '=', options.ownerId);
  if (options.instanceKeys === undefined) return { records: await owned().execute() };
  const folders: OwnedRecord[] = await owned().where('object_type', '=', 'connection_group').execute();
  const batch = await queryInChunks([...options.instanceKeys], (chunk) =>
    owned().where('object_type', '=', 'connection').where('instance_key', 'in', chunk).execute(),
  );
  const records = [...folders, ...batch];
  const count = await db
    .selectFrom(OWNED_OBJECT_TABLE)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner_id', '=', options.ownerId)
    .where('object_type', '=', 'connection')
    .executeTakeFirst();
  return { records, managedConnections: Number(count?.n ?? 0) };
}

function ownerOf(record: { instance_key: string | null; scope: string | null; secret_digest?: string | null }) {
  const owner = { key: record.instance_key ?? '', scope: record.scope ?? '' };
  return record.secret_digest === undefined || record.secret_digest === null ? owner : { ...owner, secretDigest: record.secret_digest };
}

function toId(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** The parameters of every owned connection, or of the given ones (owned, read from the bookkeeping just before). */
async function loadOwnedParameters(db: Kysely<Database>, ownerId: string, ids: readonly number[] | undefined): Promise<Map<number, Record<string, string>>> {
  const rows =
    ids === undefined
      ? await db
          .selectFrom('guacamole_connection_parameter as p')
          .innerJoin(`${OWNED_OBJECT_TABLE} as o`, (join) =>
            join.onRef('o.guacamole_id', '=', 'p.connection_id').on('o.object_type', '=', 'connection').on('o.owner_id', '=', ownerId),
          )
          .select(['p.connection_id', 'p.parameter_name', 'p.parameter_value'])
          .execute()
      : await queryInChunks(ids, (chunk) =>
          db
            .selectFrom('guacamole_connection_parameter')
            .select(['connection_id', 'parameter_name', 'parameter_value'])
            .where('connection_id', 'in', chunk)
            .execute(),
        );
  const byConnection = new Map<number, Record<string, string>>();
  for (const row of rows) {
    const id = Number(row.connection_id);
    const params = byConnection.get(id) ?? {};
    params[row.parameter_name] = row.parameter_value;
    byConnection.set(id, params);
  }
  return byConnection;
}

/** The admin group, and what it can READ: every connection's READ, or (`ids` given) only that of those connections. */
async function loadAdminGroup(db: Kysely<Database>, options: LoadOptions, ids: readonly number[] | undefined) {
  const row = await db
    .selectFrom('guacamole_entity as e')
    .leftJoin('guacamole_user_group as g', 'g.entity_id', 'e.entity_id')
    .select(['e.entity_id', 'e.name', 'g.user_group_id', 'g.disabled'])
    .where('e.type', '=', options.dialect.enumValue('guacamole_entity_type', 'USER_GROUP'))
    .where('e.name', '=', options.adminGroup)
    .execute();
  // MySQL compares names without case: prefer the exact spelling.
  const entity = row.find((r) => r.name === options.adminGroup) ?? row[0];
  if (entity === undefined) return undefined;
  const entityId = Number(entity.entity_id);
  const read = options.dialect.enumValue('guacamole_object_permission_type', 'READ');
  const readable = () =>
    db.selectFrom('guacamole_connection_permission').select('connection_id').where('entity_id', '=', entityId).where('permission', '=', read);
  const connections =
    ids === undefined ? await readable().execute() : await queryInChunks(ids, (chunk) => readable().where('connection_id', 'in', chunk).execute());
  const groups = await db
    .selectFrom('guacamole_connection_group_permission')
    .select('connection_group_id')
    .where('entity_id', '=', entityId)
    .where('permission', '=', read)
    .execute();
  return {
    state: { entityId, hasUserGroup: entity.user_group_id !== null, disabled: Boolean(Number(entity.disabled ?? 0)) },
    readableConnections: new Set(connections.map((r) => Number(r.connection_id))),
    readableGroups: new Set(groups.map((r) => Number(r.connection_group_id))),
  };
}
