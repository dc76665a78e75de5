import type { CurrentState } from './current-state.js';

export interface GroupDeleteInput {
  /** Existing groups on the path of a desired connection. */
  readonly desiredGroupIds: ReadonlySet<number>;
  readonly deletedConnectionIds: ReadonlySet<number>;
  /** Owned connections leaving their current group in this run. */
  readonly movedConnectionIds: ReadonlySet<number>;
  /** Owned groups that stay whatever they hold. */
  readonly keptGroupIds?: ReadonlySet<number>;
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
  return current.groups
    .filter((g) => g.owned && !pinned.has(g.id))
    .map((g) => ({ id: g.id, depth: depth(g.id) }))
    .sort((a, b) => b.depth - a.depth || a.id - b.id)
    .map((g) => g.id);
}
