import type { Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import type { ChangeSet, GroupRef } from '../plan/change-set.js';
import { ensureAdminGroup } from './admin-group.js';
import { reconcileAdminGrants, type RevokedGrants } from './admin-grants.js';
import { createConnections, deleteConnections, updateConnections } from './apply-connections.js';
import { chunks } from './chunks.js';
import { createGroups } from './create-groups.js';
import { grantRead } from './grant-read.js';
import { forgetOwnership, forgetStale, recordOwnership, updateSecretDigests } from './ownership-records.js';
import type { Database } from './tables.js';

export interface ApplyContext {
  readonly dialect: Dialect;
  readonly ownerId: string;
  readonly adminGroup: string;
  readonly adminEntityId: number | undefined;
}

/**
 * Writes a change set. Call it inside one transaction: every statement here either lands together or not at all.
 * Order: admin group, new groups (parents first), deletes (freeing names), updates, creates, empty groups
 * (children first), then READ grants, then revokes of READ the daemon granted and no longer needs.
 */
export async function applyChangeSet(db: Kysely<Database>, changes: ChangeSet, ctx: ApplyContext): Promise<RevokedGrants> {
  const adminEntityId = await ensureAdminGroup(db, ctx.dialect, ctx.adminGroup, changes.adminGroup, ctx.adminEntityId);
  await forgetStale(db, changes.forgetRecords);

  // One statement per level of new folders (and per 500 of them), not one per folder.
  const newGroups = await createGroups(db, ctx.dialect, changes.createGroups);
  const groupId = (ref: GroupRef | null): number | null => (ref === null ? null : 'id' in ref ? ref.id : (newGroups.get(ref.path) ?? missing(ref.path)));
  await recordOwnership(db, ctx.ownerId, [...newGroups.values()].map((id) => ({ objectType: 'connection_group', guacamoleId: id })));

  const deleted = changes.deleteConnections.map((c) => c.id);
  await deleteConnections(db, deleted);
  await forgetOwnership(db, 'connection', deleted);

  const parentOf = (ref: GroupRef) => groupId(ref) as number;
  await updateConnections(db, changes.updateConnections, parentOf);
  await updateSecretDigests(db, changes.updateConnections.flatMap((u) => (u.secretDigest === undefined ? [] : [{ id: u.id, digest: u.secretDigest }])));
  const created = await createConnections(db, ctx.dialect, changes.createConnections, parentOf);
  await recordOwnership(
    db,
    ctx.ownerId,
    changes.createConnections.map((c) => ({
      objectType: 'connection',
      guacamoleId: created.get(c.key) as number,
      instanceKey: c.key,
      scope: c.scope,
      ...(c.secretDigest === undefined ? {} : { secretDigest: c.secretDigest }),
    })),
  );

  const groupsGone = changes.deleteGroups.map((g) => g.id);
  for (const chunk of chunks(groupsGone)) await db.deleteFrom('guacamole_connection_group').where('connection_group_id', 'in', chunk).execute();
  await forgetOwnership(db, 'connection_group', groupsGone);

  await grantRead(db, ctx.dialect, adminEntityId, {
    connections: changes.grantConnections.map((c) => ('id' in c ? c.id : (created.get(c.key) as number))),
    groups: changes.grantGroups.map((g) => groupId(g) as number),
  }, ctx.ownerId);
  // Last: READ the daemon granted earlier and no longer needs (old admin group, emptied hand-made folders) goes.
  return reconcileAdminGrants(db, { dialect: ctx.dialect, ownerId: ctx.ownerId, adminEntityId });
}

function missing(path: string): never {
  throw new Error(`internal: group "${path}" is referenced before it is created`);
}
