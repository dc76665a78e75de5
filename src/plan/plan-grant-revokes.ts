import type { ObjectType } from './current-state.js';

/** A READ grant the daemon recorded (see migrations/2026-12-06-07-admin-grants.ts), with what a decision needs. */
export interface RecordedGrant {
  /** The grantee's `guacamole_entity` id. */
  readonly entityId: number;
  /** The grantee's name, for the log; absent when the entity is gone. */
  readonly entityName?: string;
  readonly objectType: ObjectType;
  readonly objectId: number;
  /** The folder's name, for the log (groups only). */
  readonly objectName?: string;
  /** The object still exists in Guacamole. */
  readonly exists: boolean;
  /** The object is one this daemon (this owner id) created. */
  readonly ownedByUs: boolean;
}

/** Where managed objects sit in the folder tree; needed only for grants on folders the daemon does not own. */
export interface ManagedTree {
  /** Every group's parent (`null`: ROOT). */
  readonly parents: ReadonlyMap<number, number | null>;
  /** Groups directly holding a managed connection (of any owner id sharing the database). */
  readonly holders: Iterable<number>;
  /** Managed groups (of any owner id). */
  readonly managedGroups: Iterable<number>;
}

export interface GrantRevokeInput {
  /** The current admin group's entity id; undefined when it does not exist yet (every recorded grant is another's). */
  readonly adminEntityId: number | undefined;
  readonly records: readonly RecordedGrant[];
  /** Required when a live grant of the admin group on a folder not its own is among the records. */
  readonly tree?: ManagedTree;
}

/** Why a grant goes: its grantee is no longer the admin group, or the object no longer needs it. */
export type RevokeReason = 'old admin group' | 'nothing managed below' | 'not managed';

export interface GrantRevoke extends RecordedGrant {
  readonly reason: RevokeReason;
}

export interface GrantRevokePlan {
  /** Grants to take back: the permission row is deleted and the record dropped. */
  readonly revoke: readonly GrantRevoke[];
  /** Records of objects that no longer exist (Guacamole's cascade already removed their permissions): dropped. */
  readonly forget: readonly RecordedGrant[];
}

/**
 * Pure: which of the daemon's recorded READ grants go. Grants people made are never recorded, so never listed.
 *
 * | object exists | grantee          | object                                   | action  |
 * |---------------|------------------|------------------------------------------|---------|
 * | no            | any              | any                                      | forget  |
 * | yes           | not admin group  | any                                      | revoke  |
 * | yes           | admin group      | owned by this daemon                     | keep    |
 * | yes           | admin group      | another's connection                     | revoke  |
 * | yes           | admin group      | another's folder, something managed below | keep    |
 * | yes           | admin group      | another's folder, nothing managed below   | revoke  |
 */
export function planGrantRevokes(input: GrantRevokeInput): GrantRevokePlan {
  const revoke: GrantRevoke[] = [];
  const forget: RecordedGrant[] = [];
  const above = input.tree === undefined ? undefined : foldersAboveManaged(input.tree);
  for (const r of [...input.records].sort(byGrant)) {
    if (!r.exists) forget.push(r);
    else if (r.entityId !== input.adminEntityId) revoke.push({ ...r, reason: 'old admin group' });
    else if (r.ownedByUs) continue;
    else if (r.objectType === 'connection') revoke.push({ ...r, reason: 'not managed' });
    else if (above === undefined) throw new Error('internal: the folder tree is needed to decide on a folder grant');
    else if (!above.has(r.objectId)) revoke.push({ ...r, reason: 'nothing managed below' });
  }
  return { revoke, forget };
}

/** Folders with a managed connection or group anywhere below them (a holder counts itself). Linear; safe on cycles. */
export function foldersAboveManaged(tree: ManagedTree): Set<number> {
  const marked = new Set<number>();
  const climb = (start: number | null) => {
    // A marked folder has all its ancestors marked already: stop there.
    for (let id = start; id !== null && !marked.has(id); id = tree.parents.get(id) ?? null) marked.add(id);
  };
  for (const holder of tree.holders) climb(holder);
  for (const group of tree.managedGroups) climb(tree.parents.get(group) ?? null);
  return marked;
}

function byGrant(a: RecordedGrant, b: RecordedGrant): number {
  return a.entityId - b.entityId || a.objectType.localeCompare(b.objectType) || a.objectId - b.objectId;
}
