import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import { DEFAULT_NAME_KEYS, type NameKeys } from '../desired/name-fold.js';
import type { ChangeSet, GroupRef } from '../plan/change-set.js';
import { ensureAdminGroup } from './admin-group.js';
import { reconcileAdminGrants, type RevokedGrants } from './admin-grants.js';
import { createConnections, deleteConnections, updateConnections } from './apply-connections.js';
import { createGroups } from './create-groups.js';
import { deleteEmptyGroups, type KeptGroup } from './delete-empty-groups.js';
import { grantRead } from './grant-read.js';
import { forgetOwnership, forgetStale, recordOwnership, updateSecretDigests } from './ownership-records.js';
import { sharingProfilesOf, type SharingProfile } from './sharing-profiles.js';
import type { Database } from './tables.js';

export interface ApplyContext {
  readonly dialect: SqlDialect;
  readonly ownerId: string;
  readonly adminGroup: string;
  readonly adminEntityId: number | undefined;
  /** Which names the database counts as the same (default: the general_ci rule). */
  readonly nameKeys?: NameKeys;
  /**
   * An event run (it knows only some instances): the fleet-wide upkeep of READ grants (revoking what is no longer
   * needed, recording what an upgrade left unrecorded) is left to full runs; it would also read every grant.
   */
  readonly partialRun?: boolean;
}

/** Nothing revoked: what a run that leaves the grants' upkeep to full runs reports. */
const NOTHING_REVOKED: RevokedGrants = { connections: 0, groups: 0, entities: [], folders: [], forgotten: 0, adopted: 0 };

/** What the run found at write time that its plan did not foresee, for the caller to report. */
export interface ApplyResult {
  /** Owned folders left in place: something the daemon does not own was put inside since the run read them. */
  readonly keptGroups: readonly KeptGroup[];
  /** Sharing profiles people attached to deleted connections; they went with their connection. */
  readonly sharingProfilesDeleted: readonly SharingProfile[];
}

/**
 * Writes a change set. Call it inside one transaction: every statement here either lands together or not at all.
 * Order: admin group, new groups (parents first), deletes (freeing names), updates, creates, empty groups
 * (children first), then READ grants, then revokes of READ the daemon granted and no longer needs.
 */
export async function applyChangeSet(db: Kysely<Database>, changes: ChangeSet, ctx: ApplyContext): Promise<ApplyResult & { readonly revoked: RevokedGrants }> {
  const adminEntityId = await applyRunWideSteps(db, changes, ctx);
  const { newGroups: _, ...result } = await applyObjectChanges(db, changes, {
    dialect: ctx.dialect,
    ownerId: ctx.ownerId,
    adminEntityId,
    ...(ctx.nameKeys ? { nameKeys: ctx.nameKeys } : {}),
  });
  // Last: READ the daemon granted earlier and no longer needs (old admin group, emptied hand-made folders) goes.
  return { ...result, revoked: await reconcileRunGrants(db, ctx, adminEntityId) };
}

/**
 * The grants' upkeep at the end of a run's writes (also of a run with nothing else to write): READ the daemon granted
 * and no longer needs is revoked. A partial run (an event run) leaves it to full runs.
 */
export async function reconcileRunGrants(db: Kysely<Database>, ctx: ApplyContext, adminEntityId: number): Promise<RevokedGrants> {
  if (ctx.partialRun === true) return NOTHING_REVOKED;
  return reconcileAdminGrants(db, { dialect: ctx.dialect, ownerId: ctx.ownerId, adminEntityId });
}

/** The steps that belong to no instance: the admin group itself and bookkeeping rows of objects already gone. */
export async function applyRunWideSteps(db: Kysely<Database>, changes: ChangeSet, ctx: ApplyContext): Promise<number> {
  const adminEntityId = await ensureAdminGroup(db, ctx.dialect, ctx.adminGroup, changes.adminGroup, ctx.adminEntityId);
  await forgetStale(db, changes.forgetRecords);
  return adminEntityId;
}

export interface ObjectContext {
  readonly dialect: SqlDialect;
  readonly ownerId: string;
  readonly adminEntityId: number;
  readonly nameKeys?: NameKeys;
}

/**
 * The instance-level part of a change set (folders, connections, grants), in the order above. Also returns the ids
 * of the groups it created, by path key, so that a later part of the same change set can refer to them (see
 * plan/change-set-parts.ts).
 */
export async function applyObjectChanges(
  db: Kysely<Database>,
  changes: ChangeSet,
  ctx: ObjectContext,
): Promise<ApplyResult & { readonly newGroups: ReadonlyMap<string, number> }> {
  // One statement per level of new folders (and per 500 of them), not one per folder.
  const keys = ctx.nameKeys ?? DEFAULT_NAME_KEYS;
  const newGroups = await createGroups(db, ctx.dialect, changes.createGroups, keys.group);
  const groupId = (ref: GroupRef | null): number | null => (ref === null ? null : 'id' in ref ? ref.id : (newGroups.get(ref.path) ?? missing(ref.path)));
  await recordOwnership(db, ctx.ownerId, [...newGroups.values()].map((id) => ({ objectType: 'connection_group', guacamoleId: id })));

  const deleted = changes.deleteConnections.map((c) => c.id);
  const sharingProfilesDeleted = await sharingProfilesOf(db, deleted);
  await deleteConnections(db, deleted);
  await forgetOwnership(db, 'connection', deleted);

  const parentOf = (ref: GroupRef) => groupId(ref) as number;
  await updateConnections(db, changes.updateConnections, parentOf);
  await updateSecretDigests(db, changes.updateConnections.flatMap((u) => (u.secretDigest === undefined ? [] : [{ id: u.id, digest: u.secretDigest }])));
  const created = await createConnections(db, ctx.dialect, changes.createConnections, parentOf, keys.connection);
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

  // Checked again under lock: a folder that received something not ours since the run read it stays (and stays owned).
  const groups = await deleteEmptyGroups(db, changes.deleteGroups);
  await forgetOwnership(db, 'connection_group', [...groups.deleted, ...groups.vanished]);

  await grantRead(db, ctx.dialect, ctx.adminEntityId, {
    connections: changes.grantConnections.map((c) => ('id' in c ? c.id : (created.get(c.key) as number))),
    groups: changes.grantGroups.map((g) => groupId(g) as number),
  }, ctx.ownerId);
  return { newGroups, keptGroups: groups.kept, sharingProfilesDeleted };
}

function missing(path: string): never {
  throw new Error(`internal: group "${path}" is referenced before it is created`);
}
