import { nameKey as defaultNameKey, withSuffix } from '../desired/names.js';
import type { NameKey } from '../desired/name-fold.js';

export interface NameRequest {
  readonly key: string;
  readonly scope: string;
  readonly instanceId: string;
  readonly name: string;
}

export interface NameResolution {
  /** Final name by connection key; absent when no unique name could be found. */
  readonly names: ReadonlyMap<string, string>;
  readonly conflicts: readonly { readonly key: string; readonly message: string }[];
}

/**
 * Unique names within one folder, independent of input order. A name wanted by several instances, or already
 * used by a connection we must not touch, becomes `name (i-…)` for each of them; should that still clash,
 * `name (region/i-…)`; failing that the instance gets no connection this run and a conflict says why. `nameKey` says
 * which names the database counts as the same (see desired/name-fold.ts).
 */
export function resolveNames(
  requests: readonly NameRequest[],
  reserved: ReadonlySet<string>,
  folder: string,
  nameKey: NameKey = defaultNameKey,
): NameResolution {
  const sorted = [...requests].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const wanted = new Map<string, number>();
  for (const r of sorted) wanted.set(nameKey(r.name), (wanted.get(nameKey(r.name)) ?? 0) + 1);

  const taken = new Set(reserved);
  const names = new Map<string, string>();
  const conflicts: { key: string; message: string }[] = [];
  // Plain names first, so a disambiguated name never takes a name another instance wants as it is.
  const plain = sorted.filter((r) => wanted.get(nameKey(r.name)) === 1 && !reserved.has(nameKey(r.name)));
  for (const r of plain) {
    names.set(r.key, r.name);
    taken.add(nameKey(r.name));
  }
  for (const r of sorted) {
    if (names.has(r.key)) continue;
    const why = reserved.has(nameKey(r.name))
      ? 'is used by a connection this daemon does not manage'
      : `is wanted by ${wanted.get(nameKey(r.name))} instances`;
    const candidate = [withSuffix(r.name, r.instanceId), withSuffix(r.name, `${r.scope}/${r.instanceId}`)].find(
      (c) => !taken.has(nameKey(c)),
    );
    if (candidate === undefined) {
      conflicts.push({ key: r.key, message: `name "${r.name}" ${why} in "${folder}" and no unique name is free` });
      continue;
    }
    names.set(r.key, candidate);
    taken.add(nameKey(candidate));
    conflicts.push({ key: r.key, message: `name "${r.name}" ${why} in "${folder}": named "${candidate}"` });
  }
  return { names, conflicts };
}
