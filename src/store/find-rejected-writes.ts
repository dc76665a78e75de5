import type { Kysely } from 'kysely';
import type { ChangeSet } from '../plan/change-set.js';
import { changedKeys, partForExistingGroupGrants, partForGroupDeletes, partForKeys } from '../plan/change-set-parts.js';
import type { SqlDialect } from './dialect/dialect.js';
import { applyObjectChanges, applyRunWideSteps, type ApplyContext, type ObjectContext } from './apply-change-set.js';
import { moveToTemporaryNames } from './apply-connections.js';
import { rejectionReason } from './rejected-write.js';
import { inSavepoint, thenRollBack } from './savepoint.js';
import type { Database } from './tables.js';

export interface RejectedWrites {
  /** Instance key → why the database refused its write. */
  readonly instances: ReadonlyMap<string, string>;
  /** Owned folder id → why the database refused to delete it. */
  readonly groupDeletes: ReadonlyMap<number, string>;
}

/**
 * The slow path, taken only after the database refused a statement of the run: writes the change set again in parts,
 * each in a savepoint, and halves every part the database refuses until each refusal is pinned on one instance (or
 * one folder deletion). Then everything written here is undone: the caller plans again without the culprits and
 * writes that plan the normal way. Bounded: at most about 2 × (instances + folders) savepoints.
 *
 * Order as in applyChangeSet: deletes, then every connection that holds a place another one moves into steps aside
 * (so each part's renames find their places free, whatever the parts), updates, creates, READ on connections that
 * only lacked it, folder deletes. The run-wide steps (admin group, READ on folders that existed before) belong to no
 * instance: a refusal there ends the run as before.
 */
export async function findRejectedWrites(trx: Kysely<Database>, changes: ChangeSet, ctx: ApplyContext): Promise<RejectedWrites> {
  const instances = new Map<string, string>();
  const groupDeletes = new Map<number, string>();
  await thenRollBack(trx, async () => {
    const objects: ObjectContext = {
      dialect: ctx.dialect,
      ownerId: ctx.ownerId,
      adminEntityId: await applyRunWideSteps(trx, changes, ctx),
      ...(ctx.nameKeys ? { nameKeys: ctx.nameKeys } : {}),
    };
    const written = new Map<string, number>();
    const writeKeys = async (keys: readonly string[]) => {
      for (const [path, id] of (await applyObjectChanges(trx, partForKeys(changes, new Set(keys), written), objects)).newGroups) written.set(path, id);
    };
    const refused = (map: Map<string, string>) => (key: string, err: unknown) => map.set(key, rejectionReason(err));

    const deleted = changes.deleteConnections.map((d) => d.key);
    await bisect(trx, ctx.dialect, deleted, writeKeys, refused(instances));
    const holders = changes.updateConnections.filter((u) => u.viaTemporaryName);
    await bisect(trx, ctx.dialect, holders, (part) => moveToTemporaryNames(trx, part.map((u) => u.id)), (u, err) => instances.set(u.key, rejectionReason(err)));
    const updated = changes.updateConnections.map((u) => u.key).filter((k) => !instances.has(k));
    await bisect(trx, ctx.dialect, updated, writeKeys, refused(instances));
    const created = changes.createConnections.map((c) => c.key);
    await bisect(trx, ctx.dialect, created, writeKeys, refused(instances));
    const done = new Set([...deleted, ...updated, ...created]);
    await bisect(trx, ctx.dialect, changedKeys(changes).filter((k) => !done.has(k) && !instances.has(k)), writeKeys, refused(instances));
    const folders = changes.deleteGroups.map((g) => g.id);
    const deleteFolders = async (part: readonly number[]) => void (await applyObjectChanges(trx, partForGroupDeletes(changes, new Set(part)), objects));
    await bisect(trx, ctx.dialect, folders, deleteFolders, (id, err) => groupDeletes.set(id, rejectionReason(err)));
    await applyObjectChanges(trx, partForExistingGroupGrants(changes), objects);
  });
  return { instances, groupDeletes };
}

/**
 * Writes `units` together; when the database refuses, splits them in halves and tries each, down to single units,
 * which are then reported. Everything that succeeded stays written (inside the caller's savepoint).
 */
async function bisect<T>(
  trx: Kysely<Database>,
  dialect: SqlDialect,
  units: readonly T[],
  write: (part: readonly T[]) => Promise<void>,
  refused: (unit: T, err: unknown) => void,
): Promise<void> {
  if (units.length === 0) return;
  try {
    await inSavepoint(trx, () => write(units));
  } catch (err) {
    if (!dialect.isRejectedWrite(err)) throw err;
    if (units.length === 1) {
      refused(units[0] as T, err);
      return;
    }
    const half = Math.ceil(units.length / 2);
    await bisect(trx, dialect, units.slice(0, half), write, refused);
    await bisect(trx, dialect, units.slice(half), write, refused);
  }
}
