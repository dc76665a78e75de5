import type { CurrentState } from './current-state.js';

/**
 * Pure: connections recorded before AWS_DISCOVERY_ASSUME_ROLES was set (key `<region>/<id>`, scope `<region>`) came
 * from the daemon's own credentials, so they belong to the `self` account: seen as `<account>/<region>/<id>`, they are
 * updated in place instead of being deleted and created again (new ids, lost hand-made grants and history links).
 */
export function adoptRegionKeys(current: CurrentState, selfAccountId: string): { current: CurrentState; adopted: number } {
  let adopted = 0;
  const connections = current.connections.map((c) => {
    if (c.owner === undefined || !isRegionScope(c.owner.scope)) return c;
    adopted += 1;
    return { ...c, owner: { ...c.owner, key: `${selfAccountId}/${c.owner.key}`, scope: `${selfAccountId}/${c.owner.scope}` } };
  });
  return { current: adopted === 0 ? current : { ...current, connections }, adopted };
}

/** A scope of the single-account days: a region name, no account part. */
function isRegionScope(scope: string): boolean {
  return scope !== '' && !scope.includes('/');
}

/** The same adoption for maps keyed by instance key (stored passwords and host keys): `<region>/<id>` → `<account>/<region>/<id>`. */
export function adoptKeyedMap<V>(map: ReadonlyMap<string, V>, selfAccountId: string | undefined): ReadonlyMap<string, V> {
  if (selfAccountId === undefined) return map;
  return new Map([...map].map(([key, value]) => [key.indexOf('/') === key.lastIndexOf('/') ? `${selfAccountId}/${key}` : key, value]));
}

/**
 * The forms an instance key may have in the bookkeeping: the key itself and, with AWS_DISCOVERY_ASSUME_ROLES, the
 * single-account form (`<region>/<id>`) of the own account's keys, which a run adopts (see `adoptRegionKeys`).
 */
export function storedKeyForms(keys: ReadonlySet<string>, selfAccountId: string | undefined): Set<string> {
  const forms = new Set(keys);
  if (selfAccountId === undefined) return forms;
  const prefix = `${selfAccountId}/`;
  for (const key of keys) if (key.startsWith(prefix) && key.indexOf('/') !== key.lastIndexOf('/')) forms.add(key.slice(prefix.length));
  return forms;
}
