import type { DesiredConnection } from '../../../src/desired/desired-connection.js';
import type { ChangeSet, GroupRef } from '../../../src/plan/change-set.js';
import type { CurrentConnection, CurrentGroup, CurrentState } from '../../../src/plan/current-state.js';
import type { SafetyRules } from '../../../src/plan/plan-safely.js';

export const BASE = ['Amazon EC2'];

/** A desired SSH connection for instance `id` in us-east-1. */
export function desired(
  id: string,
  name: string,
  folder: readonly string[] = BASE,
  parameters: Record<string, string> = {},
  scope = 'us-east-1',
): DesiredConnection {
  return {
    key: `${scope}/${id}`,
    scope,
    instanceId: id,
    name,
    folder,
    protocol: 'ssh',
    parameters: { hostname: '10.0.0.1', port: '22', username: 'ec2-user', ...parameters },
  };
}

export function group(id: number, name: string, parentId: number | null = null, owned = false, type = 'ORGANIZATIONAL'): CurrentGroup {
  return { id, parentId, name, type, owned };
}

/** An unowned (hand-made) connection. */
export function manual(id: number, name: string, parentId: number | null): CurrentConnection {
  return { id, parentId, name, protocol: 'ssh' };
}

/** An owned connection matching `d` placed in `parentId` (override fields with `over`). */
export function ownedFor(d: DesiredConnection, id: number, parentId: number, over: Partial<CurrentConnection> = {}): CurrentConnection {
  return { id, parentId, name: d.name, protocol: d.protocol, owner: { key: d.key, scope: d.scope }, parameters: { ...d.parameters }, ...over };
}

export function state(over: Partial<CurrentState> = {}): CurrentState {
  return {
    groups: [],
    connections: [],
    adminGroup: { entityId: 1, hasUserGroup: true, disabled: false },
    readableConnections: new Set(),
    readableGroups: new Set(),
    staleRecords: [],
    ...over,
  };
}

export const EMPTY: CurrentState = state({ adminGroup: undefined });

/** What the database would hold after applying `changes` to `current` (a tiny model of apply-change-set). */
export function apply(current: CurrentState, changes: ChangeSet): CurrentState {
  let nextId = Math.max(100, ...current.groups.map((g) => g.id), ...current.connections.map((c) => c.id)) + 1;
  const newGroups = new Map<string, number>();
  const newConnections = new Map<string, number>();
  const resolve = (ref: GroupRef | null): number | null => {
    if (ref === null) return null;
    if ('id' in ref) return ref.id;
    const id = newGroups.get(ref.path);
    if (id === undefined) throw new Error(`group ${ref.path} is used before it is created`);
    return id;
  };
  const deletedGroups = new Set(changes.deleteGroups.map((g) => g.id));
  const deletedConnections = new Set(changes.deleteConnections.map((c) => c.id));
  const groups = current.groups.filter((g) => !deletedGroups.has(g.id));
  for (const g of changes.createGroups) {
    const id = nextId++;
    groups.push({ id, parentId: resolve(g.parent), name: g.name, type: 'ORGANIZATIONAL', owned: true });
    newGroups.set(g.path, id);
  }
  const updates = new Map(changes.updateConnections.map((u) => [u.id, u]));
  const connections: CurrentConnection[] = current.connections
    .filter((c) => !deletedConnections.has(c.id))
    .map((c) => {
      const u = updates.get(c.id);
      if (u === undefined) return c;
      const parameters: Record<string, string> = { ...c.parameters, ...u.setParameters };
      for (const name of u.removeParameters) delete parameters[name];
      return { ...c, parentId: resolve(u.parent), name: u.name, protocol: u.protocol, parameters };
    });
  for (const c of changes.createConnections) {
    const id = nextId++;
    connections.push({
      id,
      parentId: resolve(c.parent),
      name: c.name,
      protocol: c.protocol,
      owner: { key: c.key, scope: c.scope },
      parameters: { ...c.parameters },
    });
    newConnections.set(c.key, id);
  }
  const readableConnections = new Set(current.readableConnections);
  for (const g of changes.grantConnections) readableConnections.add('id' in g ? g.id : (newConnections.get(g.key) as number));
  const readableGroups = new Set(current.readableGroups);
  for (const g of changes.grantGroups) readableGroups.add(resolve(g) as number);
  return {
    groups,
    connections,
    adminGroup: changes.adminGroup === 'none' ? current.adminGroup : { entityId: 1, hasUserGroup: true, disabled: false },
    readableConnections,
    readableGroups,
    staleRecords: [],
  };
}

/** The default policy with a 50 % deletion brake. */
export const SYNC: SafetyRules = { policy: 'sync', maxDeletePercent: 50, allowMassDelete: false };

/** Ten managed connections in folder 1 (owned): six in us-east-1 (ids 11–16), four in eu-west-1 (ids 21–24). */
export function tenManagedConnections(): { want: DesiredConnection[]; current: CurrentState } {
  const want = [
    ...Array.from({ length: 6 }, (_, i) => desired(`i-e${i}`, `east-${i}`)),
    ...Array.from({ length: 4 }, (_, i) => desired(`i-w${i}`, `west-${i}`, undefined, {}, 'eu-west-1')),
  ];
  const connections = want.map((d, i) => ownedFor(d, d.scope === 'us-east-1' ? 11 + i : 21 + (i - 6), 1));
  return {
    want,
    current: state({
      groups: [group(1, 'Amazon EC2', null, true)],
      connections,
      readableConnections: new Set(connections.map((c) => c.id)),
      readableGroups: new Set([1]),
    }),
  };
}
