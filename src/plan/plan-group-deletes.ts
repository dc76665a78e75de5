import type { CurrentState } from './current-state.js';

export interface GroupDeleteInput {
  /** Existing groups on the path of a desired connection. */
  readonly desiredGroupIds: ReadonlySet<number>;
  readonly deletedConnectionIds: ReadonlySet<number>;
  /** Owned connections leaving their current group in this run. */
  readonly movedConnectionIds: ReadonlySet<number>;
  /** Owned groups that stay whatever they hold. */
  readonly keptGroupIds?: ReadonlySet<number>;
  /**
   * Set for a run that knows only some instances (an event run): the folders its connections leave (deleted or moved
   * away). Only these and the folders above them may go; an empty folder elsewhere is left to a full run.
   */
  readonly leftGroupIds?: ReadonlySet<number>;
}

/**
 * Owned groups that are no longer needed, children first. Deleting a group cascades to everything under it, so a
 * group is deleted only when nothing remains in its subtree: no connection that stays (ours or anyone's) and no
 * group that is not ours or is still needed.
 */
export function planGroupDeletes(current: CurrentState, input: GroupDeleteInput): number[] {
  const byId = new Map(current.groups.map((g) => [g.id, g]));
  const pinned = new Set<number>(); // groups that must stay, with all their ancestors
  const pin = (id: number | null) => {
    for (let at = id, depth = 0; at !== null && !pinned.has(at) && depth < 256; depth++) {
      pinned.add(at);
      at = byId.get(at)?.parentId ?? null;
    }
  };
  for (const g of current.groups) if (!g.owned || input.desiredGroupIds.has(g.id) || input.keptGroupIds?.has(g.id) === true) pin(g.id);
  for (const c of current.connections) {
    const leaves = input.deletedConnectionIds.has(c.id) || input.movedConnectionIds.has(c.id);
    if (!leaves) pin(c.parentId);
  }
  const depth = (id: number): number => {
    let d = 0;
    for (let at = byId.get(id)?.parentId ?? null; at !== null && d < 256; at = byId.get(at)?.parentId ?? null) d++;
    return d;
  };
  const inReach = input.leftGroupIds === undefined ? undefined : withAncestors(input.leftGroupIds, byId);
  return current.groups
    .filter((g) => g.owned && !pinned.has(g.id) && (inReach === undefined || inReach.has(g.id)))
    .map((g) => ({ id: g.id, depth: depth(g.id) }))
    .sort((a, b) => b.depth - a.depth || a.id - b.id)
    .map((g) => g.id);
}

/** The groups and every group above them (bounded: a parent cycle cannot loop). */
function withAncestors(ids: ReadonlySet<number>, byId: ReadonlyMap<number, { readonly parentId: number | null }>): Set<number> {
  const reach = new Set<number>();
  for (const id of ids) {
    for (let at: number | null = id, depth = 0; at !== null && !reach.has(at) && depth < 256; depth++) {
      reach.add(at);
      at = byId.get(at)?.parentId ?? null;
    }
  }
  return reach;
}

/** What a candidate folder holds at the moment of the delete, read under lock (see store/delete-empty-groups.ts). */
export interface GroupContents {
  /** The candidates still present, with their parent. A candidate missing here was deleted by someone else. */
  readonly candidates: readonly { readonly id: number; readonly parentId: number | null }[];
  /** Every folder whose parent is a candidate (candidates among them). */
  readonly subGroups: readonly { readonly id: number; readonly parentId: number }[];
  /** The parent of every connection in a candidate. */
  readonly connectionParents: readonly number[];
}

export type KeepReason = 'connection' | 'folder';

export interface GroupRecheck {
  /** Deletable candidates by level, deepest first: each statement deletes children before their parents. */
  readonly deleteLevels: number[][];
  /** Candidates that hold something and stay, with what they hold: a connection, or a folder that stays. */
  readonly kept: ReadonlyMap<number, KeepReason>;
}

/**
 * Decides again, from contents read under lock, which candidate folders are really empty. The run has already
 * deleted or moved its own connections, so any connection still inside keeps a folder; so does a sub-folder that is
 * not deleted in the same batch. A kept folder keeps every candidate above it.
 *
 * | inside the candidate                         | outcome             |
 * |----------------------------------------------|---------------------|
 * | nothing                                      | deleted             |
 * | a connection (anyone's)                      | kept (`connection`) |
 * | a folder that is not a candidate             | kept (`folder`)     |
 * | a candidate folder that is kept              | kept (`folder`)     |
 * | only candidate folders that are deleted      | deleted after them  |
 */
export function recheckGroupDeletes(contents: GroupContents): GroupRecheck {
  const parentOf = new Map(contents.candidates.map((g) => [g.id, g.parentId]));
  const kept = new Map<number, KeepReason>();
  const keep = (id: number, reason: KeepReason) => {
    if (!kept.has(id)) kept.set(id, reason);
    // Every candidate above a kept one holds it, so it stays too (bounded: a parent cycle cannot loop).
    for (let at = parentOf.get(id) ?? null, depth = 0; at !== null && parentOf.has(at) && !kept.has(at) && depth < 256; depth++) {
      kept.set(at, 'folder');
      at = parentOf.get(at) ?? null;
    }
  };
  for (const parent of contents.connectionParents) if (parentOf.has(parent)) keep(parent, 'connection');
  for (const sub of contents.subGroups) if (parentOf.has(sub.parentId) && !parentOf.has(sub.id)) keep(sub.parentId, 'folder');

  const deletable = contents.candidates.filter((g) => !kept.has(g.id));
  const deletableIds = new Set(deletable.map((g) => g.id));
  const levelOf = (id: number): number => {
    let level = 0;
    for (let at = parentOf.get(id) ?? null; at !== null && deletableIds.has(at) && level < 256; at = parentOf.get(at) ?? null) level++;
    return level;
  };
  const levels: number[][] = [];
  for (const g of deletable) (levels[levelOf(g.id)] ??= []).push(g.id);
  return { deleteLevels: levels.filter((l) => l !== undefined).map((l) => l.sort((a, b) => a - b)).reverse(), kept };
}
