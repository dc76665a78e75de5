import { nameKey as defaultNameKey } from '../desired/names.js';
import type { NameKey } from '../desired/name-fold.js';
import type { GroupCreate, GroupRef } from './change-set.js';
import type { CurrentGroup } from './current-state.js';

/** Where a desired folder lives: an existing group, or one to create. */
export interface ResolvedFolder {
  readonly ref: GroupRef;
  /** Existing group id, when it exists. */
  readonly existingId?: number;
  /** Every group from the top level down to this folder (for READ grants and the keep set). */
  readonly chain: readonly GroupRef[];
  readonly displayPath: string;
  /** Set when the folder cannot be used (e.g. an existing BALANCING group of that name). */
  readonly blocked?: string;
}

export interface FolderResolution {
  /** By folder key (see `folderKey`). */
  readonly folders: ReadonlyMap<string, ResolvedFolder>;
  /** New groups, parents first. */
  readonly creates: readonly GroupCreate[];
}

export function folderKey(folder: readonly string[], nameKey: NameKey = defaultNameKey): string {
  return folder.map((name) => nameKey(name)).join('/');
}

/**
 * Finds each desired folder in the group tree, level by level, comparing names the way the database does (`nameKey`:
 * case, accents, trailing spaces… per the column's collation), so a group that already exists at that place is used rather than duplicated. Among several
 * matches (possible at ROOT, or by case on PostgreSQL) the one we own wins, then the exact spelling, then the oldest.
 * Folders are visited in the given order, so the first spelling seen names a new group: pass them sorted.
 */
export function resolveFolders(groups: readonly CurrentGroup[], folders: readonly (readonly string[])[], nameKey: NameKey = defaultNameKey): FolderResolution {
  const children = new Map<number | null, CurrentGroup[]>();
  for (const group of groups) {
    const list = children.get(group.parentId) ?? [];
    list.push(group);
    children.set(group.parentId, list);
  }
  const resolved = new Map<string, ResolvedFolder>();
  const creates: GroupCreate[] = [];

  for (const folder of folders) {
    let parent: ResolvedFolder | undefined;
    for (let depth = 1; depth <= folder.length; depth++) {
      const prefix = folder.slice(0, depth);
      const key = folderKey(prefix, nameKey);
      const known = resolved.get(key);
      if (known !== undefined) {
        parent = known;
        continue;
      }
      const name = prefix[depth - 1] as string;
      const displayPath = prefix.join('/');
      const chain = parent?.chain ?? [];
      const blocked = parent?.blocked;
      const match =
        parent === undefined || parent.existingId !== undefined ? bestMatch(children.get(parent?.existingId ?? null) ?? [], name, nameKey) : undefined;
      let next: ResolvedFolder;
      if (match !== undefined) {
        const ref = { id: match.id };
        const why = match.type === 'ORGANIZATIONAL' ? blocked : `"${displayPath}" is a ${match.type} group, which would expose every connection in it`;
        next = { ref, existingId: match.id, chain: [...chain, ref], displayPath, ...(why === undefined ? {} : { blocked: why }) };
      } else {
        const ref = { path: key };
        creates.push({ path: key, name, parent: parent?.ref ?? null, displayPath });
        next = { ref, chain: [...chain, ref], displayPath, ...(blocked === undefined ? {} : { blocked }) };
      }
      resolved.set(key, next);
      parent = next;
    }
  }
  // A new group under a blocked folder is never created.
  return { folders: resolved, creates: creates.filter((c) => resolved.get(c.path)?.blocked === undefined) };
}

function bestMatch(candidates: readonly CurrentGroup[], name: string, nameKey: NameKey): CurrentGroup | undefined {
  const key = nameKey(name);
  return candidates
    .filter((g) => nameKey(g.name) === key)
    .sort((a, b) => Number(b.owned) - Number(a.owned) || Number(b.name === name) - Number(a.name === name) || a.id - b.id)[0];
}
