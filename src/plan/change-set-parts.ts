import type { ChangeSet, GroupCreate, GroupRef } from './change-set.js';

/** Paths of the new groups an earlier part already wrote, with their ids. */
export type WrittenGroups = ReadonlyMap<string, number>;

export const NO_CHANGES: ChangeSet = {
  adminGroup: 'none',
  createGroups: [],
  createConnections: [],
  updateConnections: [],
  deleteConnections: [],
  deleteGroups: [],
  grantConnections: [],
  grantGroups: [],
  forgetRecords: [],
  unchanged: 0,
  kept: [],
  conflicts: [],
};

/**
 * Pure: the share of a change set that belongs to some instances (by key): their deletes, updates, creates and READ
 * grants, plus the new folders they need that no earlier part wrote (with READ on those). A folder an earlier part
 * wrote is referred to by its id. Updates never go through a temporary name here: the slow path moves every holder
 * aside before it writes any part (see store/find-rejected-writes.ts).
 */
export function partForKeys(changes: ChangeSet, keys: ReadonlySet<string>, written: WrittenGroups): ChangeSet {
  const byPath = new Map(changes.createGroups.map((g) => [g.path, g]));
  const ref = (r: GroupRef): GroupRef => ('path' in r && written.has(r.path) ? { id: written.get(r.path) as number } : r);
  const needed = new Set<string>();
  const need = (r: GroupRef | null) => {
    for (let at = r; at !== null && 'path' in at && !written.has(at.path) && !needed.has(at.path); at = byPath.get(at.path)?.parent ?? null)
      needed.add(at.path);
  };
  const creates = changes.createConnections.filter((c) => keys.has(c.key));
  const updates = changes.updateConnections.filter((u) => keys.has(u.key));
  for (const c of [...creates, ...updates]) need(c.parent);
  const groups: GroupCreate[] = changes.createGroups.filter((g) => needed.has(g.path)).map((g) => ({ ...g, parent: g.parent === null ? null : ref(g.parent) }));
  return {
    ...NO_CHANGES,
    createGroups: groups,
    createConnections: creates.map((c) => ({ ...c, parent: ref(c.parent) })),
    updateConnections: updates.map((u) => ({ ...u, parent: ref(u.parent), viaTemporaryName: false })),
    deleteConnections: changes.deleteConnections.filter((d) => keys.has(d.key)),
    grantConnections: changes.grantConnections.filter((g) => g.key !== undefined && keys.has(g.key)),
    grantGroups: changes.grantGroups.filter((g) => 'path' in g && needed.has(g.path)),
  };
}

/** Pure: the deletion of some owned folders (children first, as in the change set). */
export function partForGroupDeletes(changes: ChangeSet, ids: ReadonlySet<number>): ChangeSet {
  return { ...NO_CHANGES, deleteGroups: changes.deleteGroups.filter((g) => ids.has(g.id)) };
}

/** Pure: READ on folders that existed before the run (hand-made ones above ours): no single instance owns them. */
export function partForExistingGroupGrants(changes: ChangeSet): ChangeSet {
  return { ...NO_CHANGES, grantGroups: changes.grantGroups.filter((g) => 'id' in g) };
}

/** Every instance key the change set writes something for. */
export function changedKeys(changes: ChangeSet): string[] {
  const keys = new Set<string>();
  for (const d of changes.deleteConnections) keys.add(d.key);
  for (const u of changes.updateConnections) keys.add(u.key);
  for (const c of changes.createConnections) keys.add(c.key);
  for (const g of changes.grantConnections) if (g.key !== undefined) keys.add(g.key);
  return [...keys];
}
