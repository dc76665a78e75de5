import { expect } from 'chai';
import type { DesiredConnection, SkippedInstance } from '../../../src/desired/desired-connection.js';
import { isEmptyChangeSet, type ChangeSet } from '../../../src/plan/change-set.js';
import type { CurrentState } from '../../../src/plan/current-state.js';
import { planChanges } from '../../../src/plan/plan-changes.js';
import { apply, BASE, desired, EMPTY, group, manual, ownedFor, state } from './plan-fixtures.js';

function plan(want: readonly DesiredConnection[], current: CurrentState, extra: { skipped?: SkippedInstance[]; failedScopes?: string[] } = {}): ChangeSet {
  return planChanges({ desired: want, current, skipped: extra.skipped ?? [], failedScopes: new Set(extra.failedScopes ?? []) });
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const web1 = desired('i-1', 'web');
const web2 = desired('i-2', 'web', BASE, { hostname: '10.0.0.2' });
const db = desired('i-3', 'db', [...BASE, 'Databases', 'MySQL']);
const api = desired('i-4', 'api', [...BASE, 'Databases']);

describe('planChanges', () => {
  it('creates everything on a first run: groups parents first, READ grants for every connection and group', () => {
    const changes = plan([web1, db, api], EMPTY);
    expect(changes.adminGroup).to.equal('create');
    const paths = changes.createGroups.map((g) => g.displayPath);
    expect(paths).to.have.members(['Amazon EC2', 'Amazon EC2/Databases', 'Amazon EC2/Databases/MySQL']);
    for (const g of changes.createGroups) {
      if (g.parent === null) continue;
      const parent = g.parent;
      expect('path' in parent, g.displayPath).to.equal(true);
      const parentIndex = changes.createGroups.findIndex((p) => 'path' in parent && p.path === parent.path);
      expect(parentIndex).to.be.within(0, changes.createGroups.indexOf(g) - 1);
    }
    expect(changes.createGroups.find((g) => g.displayPath === 'Amazon EC2')?.parent).to.equal(null);
    expect(changes.createConnections.map((c) => [c.key, c.name, c.displayPath])).to.have.deep.members([
      ['us-east-1/i-1', 'web', 'Amazon EC2'],
      ['us-east-1/i-3', 'db', 'Amazon EC2/Databases/MySQL'],
      ['us-east-1/i-4', 'api', 'Amazon EC2/Databases'],
    ]);
    expect(changes.grantConnections).to.have.deep.members([{ key: 'us-east-1/i-1' }, { key: 'us-east-1/i-3' }, { key: 'us-east-1/i-4' }]);
    expect(changes.grantGroups).to.have.deep.members(changes.createGroups.map((g) => ({ path: g.path })));
    expect(changes.updateConnections).to.deep.equal([]);
    expect(changes.deleteConnections).to.deep.equal([]);
    expect(changes.conflicts).to.deep.equal([]);
  });

  const adminCases: { adminGroup: CurrentState['adminGroup']; expected: string }[] = [
    { adminGroup: undefined, expected: 'create' },
    { adminGroup: { entityId: 5, hasUserGroup: false, disabled: false }, expected: 'add-user-group' },
    { adminGroup: { entityId: 5, hasUserGroup: true, disabled: false }, expected: 'none' },
  ];
  for (const { adminGroup, expected } of adminCases) {
    it(`plans admin group action ${expected}`, () => {
      expect(plan([], state({ adminGroup })).adminGroup).to.equal(expected);
    });
  }

  const unownedBase = [group(1, 'Amazon EC2'), group(2, 'Databases', 1), group(3, 'Other', 1)];
  const idempotencyCases: { title: string; want: DesiredConnection[]; start: CurrentState }[] = [
    { title: 'an empty database', want: [web1, db, api], start: EMPTY },
    { title: 'duplicate names', want: [web1, web2, desired('i-5', 'web', [...BASE, 'X'])], start: EMPTY },
    { title: 'nothing desired', want: [], start: EMPTY },
    {
      title: 'unowned groups and a hand-made connection of the same name',
      want: [web1, web2, db, api, desired('i-6', 'mine', [...BASE, 'Other'])],
      start: state({ groups: unownedBase, connections: [manual(50, 'web', 1), manual(51, 'mine', 3)], readableGroups: new Set([1]) }),
    },
    {
      title: 'a stale owned connection and an owned group to delete',
      want: [web1],
      start: state({ groups: [group(1, 'Amazon EC2', null, true), group(2, 'Old', 1, true)], connections: [ownedFor(desired('i-9', 'gone'), 60, 2)] }),
    },
    {
      title: 'an owned connection moving out of an owned group, renamed and re-addressed',
      want: [web1, desired('i-9', 'moved', [...BASE, 'New'])],
      start: state({
        groups: [group(1, 'Amazon EC2', null, true), group(2, 'Old', 1, true)],
        connections: [ownedFor(desired('i-9', 'was', [...BASE, 'Old'], { hostname: '1.2.3.4', extra: 'x' }), 60, 2)],
      }),
    },
  ];
  for (const { title, want, start } of idempotencyCases) {
    it(`is idempotent from ${title}`, () => {
      const first = plan(want, start);
      const next = apply(start, first);
      const second = plan(want, next);
      expect(isEmptyChangeSet(second), JSON.stringify(second)).to.equal(true);
      expect(second.unchanged).to.equal(want.length);
      // and the reverse order gives the same result
      expect(plan([...want].reverse(), next)).to.deep.equal(second);
    });
  }

  it('suffixes two instances with the same name in one folder, whatever the input order', () => {
    const other = desired('i-0', 'app');
    const results = permutations([web2, other, web1]).map((order) => plan(order, EMPTY));
    const names = results[0]!.createConnections.map((c) => c.name);
    expect(names).to.have.members(['web (i-1)', 'web (i-2)', 'app']);
    expect(results[0]!.conflicts.map((c) => c.key)).to.have.members(['us-east-1/i-1', 'us-east-1/i-2']);
    for (const r of results) expect(r).to.deep.equal(results[0]);
  });

  it('keeps the same name in different folders without a suffix', () => {
    const changes = plan([web1, desired('i-2', 'web', [...BASE, 'Other'])], EMPTY);
    expect(changes.createConnections.map((c) => c.name)).to.deep.equal(['web', 'web']);
    expect(changes.conflicts).to.deep.equal([]);
  });

  const unownedCases: { title: string; current: CurrentState; expectCreate: boolean }[] = [
    { title: 'a new connection', current: state({ groups: [group(1, 'Amazon EC2')], connections: [manual(7, 'web', 1)] }), expectCreate: true },
    { title: 'a case-different hand-made name', current: state({ groups: [group(1, 'Amazon EC2')], connections: [manual(7, 'WEB', 1)] }), expectCreate: true },
    {
      title: 'an owned connection already called web',
      current: state({ groups: [group(1, 'Amazon EC2')], connections: [manual(7, 'web', 1), ownedFor(web1, 8, 1)] }),
      expectCreate: false,
    },
  ];
  for (const { title, current, expectCreate } of unownedCases) {
    it(`suffixes ours next to a hand-made connection of the same name (${title}) and never touches it`, () => {
      const changes = plan([web1], current);
      const ours = expectCreate ? changes.createConnections : changes.updateConnections;
      expect(ours.map((c) => c.name)).to.deep.equal(['web (i-1)']);
      expect(changes.conflicts).to.have.length(1);
      expect(changes.conflicts[0]!.message).to.include('does not manage');
      expect(changes.updateConnections.map((u) => u.id)).not.to.include(7);
      expect(changes.deleteConnections.map((d) => d.id)).not.to.include(7);
      expect(changes.grantConnections.map((g) => ('id' in g ? g.id : undefined))).not.to.include(7);
    });
  }

  const baseGroupCases: { title: string; groups: ReturnType<typeof group>[]; readable: number[]; grants: unknown[] }[] = [
    { title: 'not readable', groups: [group(1, 'Amazon EC2')], readable: [], grants: [{ id: 1 }] },
    { title: 'readable', groups: [group(1, 'Amazon EC2')], readable: [1], grants: [] },
    { title: 'spelled in another case', groups: [group(1, 'amazon ec2')], readable: [], grants: [{ id: 1 }] },
  ];
  for (const { title, groups, readable, grants } of baseGroupCases) {
    it(`reuses an existing unowned base group (${title})`, () => {
      const changes = plan([web1], state({ groups, readableGroups: new Set(readable) }));
      expect(changes.createGroups).to.deep.equal([]);
      expect(changes.createConnections[0]!.parent).to.deep.equal({ id: 1 });
      expect(changes.grantGroups).to.deep.equal(grants);
      expect(changes.deleteGroups).to.deep.equal([]);
    });
  }

  const absentCases: { title: string; extra: { skipped?: SkippedInstance[]; failedScopes?: string[] }; deleted: boolean; reason?: RegExp }[] = [
    { title: 'absent from desired', extra: {}, deleted: true },
    { title: 'in a failed scope', extra: { failedScopes: ['eu-west-1'] }, deleted: false, reason: /listing of eu-west-1 failed/ },
    { title: 'in another failed scope', extra: { failedScopes: ['us-west-2'] }, deleted: true },
    {
      title: 'skipped',
      extra: { skipped: [{ key: 'eu-west-1/i-2', scope: 'eu-west-1', instanceId: 'i-2', reason: 'no IP address yet' }] },
      deleted: false,
      reason: /no IP address yet/,
    },
  ];
  for (const { title, extra, deleted, reason } of absentCases) {
    it(`${deleted ? 'deletes' : 'keeps'} an owned connection ${title}`, () => {
      const current = state({
        groups: [group(1, 'Amazon EC2', null, true)],
        connections: [ownedFor(web1, 10, 1), ownedFor(desired('i-2', 'other', BASE, {}, 'eu-west-1'), 11, 1, { parameters: { hostname: 'old' } })],
        readableConnections: new Set([10, 11]),
        readableGroups: new Set([1]),
      });
      const changes = plan([web1], current, extra);
      expect(changes.updateConnections).to.deep.equal([]);
      expect(changes.unchanged).to.equal(1);
      if (deleted) {
        expect(changes.deleteConnections).to.deep.equal([{ id: 11, key: 'eu-west-1/i-2', name: 'other', displayPath: 'Amazon EC2' }]);
        expect(changes.kept).to.deep.equal([]);
      } else {
        expect(changes.deleteConnections).to.deep.equal([]);
        expect(changes.kept).to.have.length(1);
        expect(changes.kept[0]!.key).to.equal('eu-west-1/i-2');
        expect(changes.kept[0]!.reason).to.match(reason!);
      }
      expect(changes.deleteGroups).to.deep.equal([]);
    });
  }

  const updateCases: { title: string; now: Partial<ReturnType<typeof ownedFor>>; changed: string[] }[] = [
    { title: 'a changed IP', now: { parameters: { ...web1.parameters, hostname: '10.9.9.9' } }, changed: ['parameter hostname'] },
    { title: 'a renamed instance', now: { name: 'old-web' }, changed: ['name'] },
    { title: 'a parameter added by hand', now: { parameters: { ...web1.parameters, color: 'red' } }, changed: ['parameter color'] },
    { title: 'a moved folder', now: { parentId: 2 }, changed: ['folder'] },
  ];
  for (const { title, now, changed } of updateCases) {
    it(`updates only what differs for ${title}`, () => {
      const current = state({
        groups: [group(1, 'Amazon EC2'), group(2, 'Other', 1)],
        connections: [ownedFor(web1, 10, 1, now)],
        readableConnections: new Set([10]),
        readableGroups: new Set([1]),
      });
      const changes = plan([web1], current);
      expect(changes.updateConnections).to.have.length(1);
      const u = changes.updateConnections[0]!;
      expect(u.changed).to.deep.equal(changed);
      expect(u).to.include({ id: 10, key: web1.key, name: 'web', viaTemporaryName: false });
      expect(u.parent).to.deep.equal({ id: 1 });
      if (title === 'a changed IP') expect(u.setParameters).to.deep.equal({ hostname: '10.0.0.1' });
      if (title === 'a parameter added by hand') expect(u.removeParameters).to.deep.equal(['color']);
      expect(changes.createConnections).to.deep.equal([]);
      expect(changes.deleteConnections).to.deep.equal([]);
      expect(changes.grantConnections).to.deep.equal([]);
    });
  }

  const groupDeleteCases: { title: string; extraConnections: ReturnType<typeof manual>[]; extraGroups: ReturnType<typeof group>[]; expected: number[] }[] = [
    { title: 'an emptied owned group', extraConnections: [], extraGroups: [], expected: [2] },
    { title: 'an owned group holding a hand-made connection', extraConnections: [manual(30, 'hand', 2)], extraGroups: [], expected: [] },
    { title: 'nested emptied owned groups, children first', extraConnections: [], extraGroups: [group(3, 'Deeper', 2, true)], expected: [3, 2] },
    { title: 'an owned group holding an unowned group', extraConnections: [], extraGroups: [group(3, 'Hand', 2, false)], expected: [] },
  ];
  for (const { title, extraConnections, extraGroups, expected } of groupDeleteCases) {
    it(`plans group deletes for ${title}`, () => {
      const old = desired('i-9', 'old', [...BASE, 'Old']);
      const current = state({
        groups: [group(1, 'Amazon EC2', null, true), group(2, 'Old', 1, true), ...extraGroups],
        connections: [ownedFor(old, 20, 2), ...extraConnections],
      });
      const changes = plan([web1], current);
      expect(changes.deleteConnections.map((d) => d.id)).to.deep.equal([20]);
      expect(changes.deleteGroups.map((g) => g.id)).to.deep.equal(expected);
      expect(changes.deleteConnections.map((d) => d.id)).not.to.include(30);
    });
  }

  const balancingCases: { title: string; folder: string[] }[] = [
    { title: 'at the folder', folder: [...BASE, 'Pool'] },
    { title: 'above the folder', folder: [...BASE, 'Pool', 'Sub'] },
  ];
  for (const { title, folder } of balancingCases) {
    it(`does not place a connection with a BALANCING group ${title}`, () => {
      const d = desired('i-1', 'web', folder);
      const current = state({ groups: [group(1, 'Amazon EC2'), group(2, 'Pool', 1, false, 'BALANCING')] });
      const changes = plan([d], current);
      expect(changes.createConnections).to.deep.equal([]);
      expect(changes.createGroups).to.deep.equal([]);
      expect(changes.grantGroups).to.deep.equal([]);
      expect(changes.conflicts).to.have.length(1);
      expect(changes.conflicts[0]!.key).to.equal(d.key);
      expect(changes.conflicts[0]!.message).to.match(/BALANCING/);
    });
  }

  it('keeps an owned connection whose folder became a BALANCING group', () => {
    const d = desired('i-1', 'web', [...BASE, 'Pool']);
    const current = state({ groups: [group(1, 'Amazon EC2'), group(2, 'Pool', 1, false, 'BALANCING')], connections: [ownedFor(d, 10, 2)] });
    const changes = plan([d], current);
    expect(changes.deleteConnections).to.deep.equal([]);
    expect(changes.kept.map((k) => k.key)).to.deep.equal([d.key]);
  });

  const swapCases: { title: string; extra: ReturnType<typeof manual>[]; via: boolean }[] = [
    { title: 'two owned connections swapping names', extra: [], via: true },
  ];
  for (const { title, via } of swapCases) {
    it(`renames ${title} via a temporary name`, () => {
      const a = desired('i-1', 'beta');
      const b = desired('i-2', 'alpha', BASE, { hostname: '10.0.0.2' });
      const current = state({
        groups: [group(1, 'Amazon EC2', null, true)],
        connections: [ownedFor(a, 10, 1, { name: 'alpha' }), ownedFor(b, 11, 1, { name: 'beta' })],
        readableConnections: new Set([10, 11]),
        readableGroups: new Set([1]),
      });
      const changes = plan([b, a], current);
      expect(changes.updateConnections.map((u) => [u.id, u.name, u.changed, u.viaTemporaryName])).to.have.deep.members([
        [10, 'beta', ['name'], via],
        [11, 'alpha', ['name'], via],
      ]);
      expect(changes.conflicts).to.deep.equal([]);
      expect(isEmptyChangeSet(plan([a, b], apply(current, changes)))).to.equal(true);
    });
  }

  it('renames into a name freed by a deleted connection without a temporary name', () => {
    const a = desired('i-1', 'beta');
    const gone = desired('i-2', 'beta');
    const current = state({
      groups: [group(1, 'Amazon EC2', null, true)],
      connections: [ownedFor(a, 10, 1, { name: 'alpha' }), ownedFor(gone, 11, 1)],
      readableConnections: new Set([10]),
      readableGroups: new Set([1]),
    });
    const changes = plan([a], current);
    expect(changes.updateConnections.map((u) => [u.id, u.viaTemporaryName])).to.deep.equal([[10, false]]);
    expect(changes.deleteConnections.map((d) => d.id)).to.deep.equal([11]);
  });

  it('forgets stale records', () => {
    const stale = [{ objectType: 'connection' as const, guacamoleId: 99 }];
    const changes = plan([], state({ staleRecords: stale }));
    expect(changes.forgetRecords).to.deep.equal(stale);
    expect(isEmptyChangeSet(changes)).to.equal(false);
  });
});
