import type { DesiredConnection, SkippedInstance } from '../desired/desired-connection.js';
import { DEFAULT_NAME_KEYS, type NameKey, type NameKeys } from '../desired/name-fold.js';
import type { AdminGroupAction, ChangeSet, Conflict, ConnectionCreate, ConnectionUpdate, GroupRef } from './change-set.js';
import type { CurrentConnection, CurrentState } from './current-state.js';
import { diffConnection } from './diff-connection.js';
import { planGroupDeletes } from './plan-group-deletes.js';
import { folderKey, resolveFolders, type ResolvedFolder } from './resolve-folders.js';
import { resolveNames } from './resolve-names.js';
import { groupBy } from '../shared/group-by.js';

/** Which scopes a condition holds for; a `Set` of scopes is one, `{ has: () => true }` matches every scope. */
export interface ScopeMatcher {
  has(scope: string): boolean;
}

export interface PlanInput {
  readonly desired: readonly DesiredConnection[];
  /** Instances left out this run: their connections stay as they are. */
  readonly skipped: readonly SkippedInstance[];
  /** Listings that failed (regions, or everything when the region list itself failed): their connections stay as they are. */
  readonly failedScopes: ScopeMatcher;
  readonly current: CurrentState;
  /** Listings whose connections stay as they are for another reason than failure (scope → why). */
  readonly heldScopes?: ReadonlyMap<string, string>;
  /** Listings that succeeded this run (regions); a scope not listed at all (removed from the settings) is not "emptied". */
  readonly listedScopes?: ReadonlySet<string>;
  /** When set, no managed connection is deleted this run (policy or deletion brake); the reason is reported. */
  readonly holdDeletes?: string;
  /** Owned folders that stay this run even when empty (the database refused to delete them). */
  readonly keepGroups?: ReadonlySet<number>;
  /** Which names the database counts as the same, per name column (its collations); default the general_ci rule. */
  readonly nameKeys?: NameKeys;
  /**
   * Set when the run read only some instances (an event run): the keys of the instances it asked EC2 about. Every
   * other owned connection is outside the run: it stays exactly as it is (its name is taken, its folder holds it) and
   * is not reported. A key in the set that has no desired connection (EC2 no longer knows the instance, the filters no
   * longer match it, it is terminated) is deleted as in a full listing. Unset: the run knows the whole fleet.
   */
  readonly onlyKeys?: ReadonlySet<string>;
}

/**
 * Pure: (desired, current) → the changes that make Guacamole match, touching only what this daemon owns.
 *
 * | owned connection for the key | desired        | action                               |
 * |------------------------------|----------------|--------------------------------------|
 * | none                         | yes            | create (+ READ for the admin group)   |
 * | yes                          | yes, differs   | update only what differs             |
 * | yes                          | yes, same      | nothing                              |
 * | yes                          | no             | delete, unless its listing failed or the instance was skipped |
 * | yes, key not in `onlyKeys`   | (not asked)    | never touched nor reported; its name is avoided, its folder stays |
 * | not owned (made by a human)  | any            | never touched; its name is avoided    |
 *
 * A desired connection whose key is not in `onlyKeys` (when set) is left out: the run did not ask about it. With
 * `onlyKeys`, the only owned folders deleted are those the run's connections leave, once empty.
 */
export function planChanges(input: PlanInput): ChangeSet {
  const { current, onlyKeys } = input;
  const inRun = (key: string) => onlyKeys === undefined || onlyKeys.has(key);
  const desired = input.desired.filter((d) => inRun(d.key)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  /** The owned connections this run decides about (all of them, unless the run knows only some instances). */
  const owned = new Map<string, CurrentConnection>();
  for (const c of current.connections) if (c.owner !== undefined && inRun(c.owner.key)) owned.set(c.owner.key, c);

  const kept = keptConnections(input, owned);
  const keys = input.nameKeys ?? DEFAULT_NAME_KEYS;
  const folders = resolveFolders(current.groups, desired.map((d) => d.folder), keys.group);
  const conflicts: Conflict[] = [];
  const placed: { d: DesiredConnection; folder: ResolvedFolder; name: string }[] = [];
  // Each folder looks only at its own connections (linear, not folders × connections).
  const byParent = groupBy(current.connections, (c) => c.parentId);

  for (const [key, group] of groupBy(desired, (d) => folderKey(d.folder, keys.group))) {
    const folder = folders.folders.get(key) as ResolvedFolder;
    if (folder.blocked !== undefined) {
      for (const d of group) {
        conflicts.push({ key: d.key, message: `not placed: ${folder.blocked}` });
        if (owned.has(d.key)) kept.set(d.key, folder.blocked);
      }
      continue;
    }
    const reserved = reservedNames(folder.existingId === undefined ? [] : (byParent.get(folder.existingId) ?? []), owned, kept, keys.connection);
    const resolution = resolveNames(group, reserved, folder.displayPath, keys.connection);
    for (const c of resolution.conflicts) conflicts.push(c); // not push(...): tens of thousands of arguments overflow the stack
    for (const d of group) {
      const name = resolution.names.get(d.key);
      if (name !== undefined) placed.push({ d, folder, name });
      else if (owned.has(d.key)) kept.set(d.key, 'no unique name is free');
    }
  }

  const creates: ConnectionCreate[] = [];
  const updates: ConnectionUpdate[] = [];
  const grantConnections: ({ id: number; key: string } | { key: string })[] = [];
  const grantGroups = new Map<string, GroupRef>();
  let unchanged = 0;
  /** Place (existing folder + name key) → the updated connection that moves there; and each updated one's place now. */
  const targets = new Map<string, number>();
  const placeNow = new Map<number, string>();
  const placedKeys = new Set(placed.map((p) => p.d.key));
  const deletes = [...owned.values()]
    .filter((c) => c.owner !== undefined && !placedKeys.has(c.owner.key) && !kept.has(c.owner.key))
    .sort((a, b) => a.id - b.id);
  const deletedIds = new Set(deletes.map((c) => c.id));

  for (const { d, folder, name } of placed) {
    for (const ref of folder.chain) {
      const readable = 'id' in ref && current.readableGroups.has(ref.id);
      if (!readable) grantGroups.set('id' in ref ? `#${ref.id}` : ref.path, ref);
    }
    const existing = owned.get(d.key);
    if (existing === undefined) {
      creates.push({
        key: d.key,
        scope: d.scope,
        name,
        parent: folder.ref,
        protocol: d.protocol,
        parameters: d.parameters,
        ...(d.secretDigest === undefined ? {} : { secretDigest: d.secretDigest }),
        displayPath: folder.displayPath,
      });
      grantConnections.push({ key: d.key });
      continue;
    }
    if (!current.readableConnections.has(existing.id)) grantConnections.push({ id: existing.id, key: d.key });
    const diff = diffConnection(existing, { ...d, name }, folder.existingId);
    if (diff === undefined) {
      unchanged++;
      continue;
    }
    updates.push({
      id: existing.id,
      key: d.key,
      scope: d.scope,
      name,
      parent: folder.ref,
      protocol: d.protocol,
      ...diff,
      viaTemporaryName: false,
      displayPath: folder.displayPath,
    });
    if (folder.existingId !== undefined) targets.set(placeKey(folder.existingId, name, keys.connection), existing.id);
    placeNow.set(existing.id, placeKey(existing.parentId, existing.name, keys.connection));
  }

  const moved = updates.filter((u) => u.changed.includes('folder')).map((u) => u.id);
  // A run that knows only some instances deletes only folders its own connections leave (nothing fleet-wide).
  const byId = new Map([...owned.values()].map((c) => [c.id, c]));
  const left = [...deletes, ...moved.map((id) => byId.get(id) as CurrentConnection)].flatMap((c) => (c.parentId === null ? [] : [c.parentId]));
  const groupDeletes = planGroupDeletes(current, {
    desiredGroupIds: new Set([...folders.folders.values()].flatMap((f) => (f.existingId === undefined ? [] : [f.existingId]))),
    deletedConnectionIds: deletedIds,
    movedConnectionIds: new Set(moved),
    ...(input.keepGroups === undefined ? {} : { keptGroupIds: input.keepGroups }),
    ...(onlyKeys === undefined ? {} : { leftGroupIds: new Set(left) }),
  });
  const groupPaths = groupPathsById(current);
  const usedPaths = newGroupPaths(placed);

  return {
    adminGroup: adminGroupAction(current),
    createGroups: folders.creates.filter((g) => usedPaths.has(g.path)),
    createConnections: creates,
    updateConnections: vacateFirst(updates, targets, placeNow),
    deleteConnections: deletes.map((c) => ({ id: c.id, key: c.owner?.key ?? '', name: c.name, displayPath: groupPaths.get(c.parentId) ?? '' })),
    deleteGroups: groupDeletes.map((id) => ({ id, displayPath: groupPaths.get(id) ?? `#${id}` })),
    grantConnections,
    grantGroups: [...grantGroups.values()],
    forgetRecords: current.staleRecords,
    unchanged,
    kept: [...kept].map(([key, reason]) => ({ key, reason })),
    conflicts,
  };
}

/** Owned connections that must stay exactly as they are this run, with the reason. */
function keptConnections(input: PlanInput, owned: ReadonlyMap<string, CurrentConnection>): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [key, c] of owned) {
    if (c.owner !== undefined && input.failedScopes.has(c.owner.scope)) kept.set(key, `listing of ${c.owner.scope} failed`);
  }
  for (const [key, c] of owned) {
    const held = c.owner === undefined ? undefined : input.heldScopes?.get(c.owner.scope);
    if (held !== undefined) kept.set(key, held);
  }
  for (const s of input.skipped) if (owned.has(s.key)) kept.set(s.key, s.reason);
  if (input.holdDeletes !== undefined) {
    const desired = new Set(input.desired.map((d) => d.key)); // `owned` holds only the run's keys: nothing outside is reported
    for (const key of owned.keys()) if (!desired.has(key) && !kept.has(key)) kept.set(key, input.holdDeletes);
  }
  return kept;
}

/** Paths of the groups to create that some placed connection sits in or under (one pass, not creates × placed). */
function newGroupPaths(placed: readonly { readonly folder: ResolvedFolder }[]): Set<string> {
  const paths = new Set<string>();
  const seen = new Set<ResolvedFolder>();
  for (const { folder } of placed) {
    if (seen.has(folder)) continue;
    seen.add(folder);
    for (const r of folder.chain) if ('path' in r) paths.add(r.path);
  }
  return paths;
}

/**
 * Names in an existing group (its connections given) that ours must avoid: everyone else's, ours that stay put, and
 * ours outside the run (not in `owned`).
 */
function reservedNames(
  inGroup: readonly CurrentConnection[],
  owned: ReadonlyMap<string, CurrentConnection>,
  kept: ReadonlyMap<string, string>,
  nameKey: NameKey,
): Set<string> {
  const reserved = new Set<string>();
  for (const c of inGroup) if (c.owner === undefined || !owned.has(c.owner.key) || kept.has(c.owner.key)) reserved.add(nameKey(c.name));
  return reserved;
}


function placeKey(parentId: number | null, name: string, nameKey: NameKey): string {
  return `${parentId}/${nameKey(name)}`;
}

/**
 * Renames and moves among managed connections (chains `app`→`db`→`db2`, swaps, rotations, hand-offs between folders)
 * must never meet the unique key on (name, folder) half-way. A connection whose current place another update moves
 * into first goes to a temporary name; then every update lands on a place that is free whatever the order: names
 * are unique among what stays, deletions run before, and every other holder has already stepped aside.
 */
function vacateFirst(updates: readonly ConnectionUpdate[], targets: ReadonlyMap<string, number>, placeOf: ReadonlyMap<number, string>): ConnectionUpdate[] {
  return updates.map((u) => {
    const mover = targets.get(placeOf.get(u.id) ?? '');
    return mover !== undefined && mover !== u.id ? { ...u, viaTemporaryName: true } : u;
  });
}

function adminGroupAction(current: CurrentState): AdminGroupAction {
  if (current.adminGroup === undefined) return 'create';
  return current.adminGroup.hasUserGroup ? 'none' : 'add-user-group';
}

function groupPathsById(current: CurrentState): Map<number | null, string> {
  const byId = new Map(current.groups.map((g) => [g.id, g]));
  const paths = new Map<number | null, string>([[null, '']]);
  const pathOf = (id: number, depth = 0): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const g = byId.get(id);
    // Depth guard: the database does not stop a group from becoming its own ancestor.
    const path = g === undefined || depth > 64 ? `#${id}` : g.parentId === null ? g.name : `${pathOf(g.parentId, depth + 1)}/${g.name}`;
    paths.set(id, path);
    return path;
  };
  for (const g of current.groups) pathOf(g.id);
  return paths;
}
