import { expect } from 'chai';
import type { DesiredConnection } from '../../../src/desired/desired-connection.js';
import type { ChangeSet } from '../../../src/plan/change-set.js';
import type { CurrentState } from '../../../src/plan/current-state.js';
import { failedScopeMatcher } from '../../../src/plan/failed-scopes.js';
import type { PlanInput } from '../../../src/plan/plan-changes.js';
import { planSafely, type SafetyRules } from '../../../src/plan/plan-safely.js';
import { apply, BASE, desired, group, manual, ownedFor, state, SYNC, tenManagedConnections } from './plan-fixtures.js';

/**
 * An event run knows only the instances of its batch (`onlyKeys`): everything else the daemon owns is outside the
 * run, left exactly as it is and never reported; what the batch asked about is planned as a full listing would.
 */



/** An event run: `asked` are the instance keys of the batch, `want` what EC2 returned of them (mapped). */
function eventRun(
  want: readonly DesiredConnection[],
  asked: readonly string[],
  current: CurrentState,
  over: Partial<PlanInput> = {},
  rules: Partial<SafetyRules> = {},
) {
  return planSafely({ desired: want, current, skipped: [], failedScopes: new Set(), onlyKeys: new Set(asked), ...over }, { ...SYNC, ...rules });
}

/** The ids of the connections a change set touches in any way (update, delete, READ grant). */
function touchedIds(changes: ChangeSet): number[] {
  return [
    ...changes.updateConnections.map((u) => u.id),
    ...changes.deleteConnections.map((d) => d.id),
    ...changes.grantConnections.flatMap((g) => ('id' in g ? [g.id] : [])),
  ].sort();
}

describe('planSafely for a run that knows only some instances (onlyKeys)', () => {
  it('creates the new instance and leaves every other connection untouched and unreported', () => {
    const { current } = tenManagedConnections();
    const fresh = desired('i-new', 'new-box');
    const { changes, brake, deletionsHeld } = eventRun([fresh], [fresh.key], current);
    expect(changes.createConnections.map((c) => [c.key, c.name])).to.deep.equal([[fresh.key, 'new-box']]);
    expect(touchedIds(changes)).to.deep.equal([]);
    expect(changes.deleteGroups).to.deep.equal([]);
    expect(changes.kept).to.deep.equal([]);
    expect(changes.conflicts).to.deep.equal([]);
    expect(changes.unchanged).to.equal(0);
    expect([brake, deletionsHeld]).to.deep.equal([undefined, 0]);
  });

  it('deletes an asked instance EC2 no longer returns (terminated and gone, or filtered out), and nothing else', () => {
    const { current } = tenManagedConnections();
    const { changes, brake } = eventRun([], ['us-east-1/i-e2'], current);
    expect(changes.deleteConnections.map((d) => d.id)).to.deep.equal([13]);
    expect(changes.updateConnections).to.deep.equal([]);
    expect(changes.createConnections).to.deep.equal([]);
    expect(changes.deleteGroups).to.deep.equal([]); // folder 1 still holds the nine others
    expect(changes.kept).to.deep.equal([]);
    expect(brake).to.equal(undefined);
    const after = apply(current, changes);
    expect(after.connections.map((c) => c.id)).to.deep.equal([11, 12, 14, 15, 16, 21, 22, 23, 24]);
  });

  it('an unknown asked key without a connection changes nothing', () => {
    const { current } = tenManagedConnections();
    const { changes } = eventRun([], ['us-east-1/i-never-seen'], current);
    expect(touchedIds(changes)).to.deep.equal([]);
    expect(changes.createConnections).to.deep.equal([]);
    expect(changes.kept).to.deep.equal([]);
  });

  it('names a new instance around the names of connections outside the run, as any clash is resolved', () => {
    const { current } = tenManagedConnections();
    const clash = desired('i-new', 'east-1'); // east-1 belongs to i-e1, which the batch did not ask about
    const { changes } = eventRun([clash], [clash.key], current);
    expect(changes.createConnections.map((c) => c.name)).to.deep.equal(['east-1 (i-new)']);
    expect(changes.conflicts.map((c) => c.key)).to.deep.equal([clash.key]);
    expect(changes.conflicts[0]?.message).to.match(/"east-1" .*named "east-1 \(i-new\)"/);
    expect(touchedIds(changes)).to.deep.equal([]); // i-e1 keeps its name
  });

  it('never deletes the folder of a connection outside the run; deletes a folder the run emptied', () => {
    const mixed = desired('i-m1', 'mixed-1', [...BASE, 'Mixed']);
    const stays = desired('i-m2', 'mixed-2', [...BASE, 'Mixed']);
    const alone = desired('i-a1', 'alone', [...BASE, 'Alone']);
    const current = state({
      groups: [group(1, 'Amazon EC2', null, true), group(2, 'Mixed', 1, true), group(3, 'Alone', 1, true)],
      connections: [ownedFor(mixed, 31, 2), ownedFor(stays, 32, 2), ownedFor(alone, 33, 3)],
      readableConnections: new Set([31, 32, 33]),
      readableGroups: new Set([1, 2, 3]),
    });
    // Both asked instances are gone; i-m2 was not asked about.
    const { changes } = eventRun([], [mixed.key, alone.key], current, {}, { maxDeletePercent: 100 });
    expect(changes.deleteConnections.map((d) => d.id)).to.deep.equal([31, 33]);
    expect(changes.deleteGroups.map((g) => g.id)).to.deep.equal([3]);
    expect(apply(current, changes).groups.map((g) => g.id)).to.deep.equal([1, 2]);
  });

  it('leaves an empty owned folder the run did not empty to a full run', () => {
    const { want, current } = tenManagedConnections();
    const withEmpty = state({ ...current, groups: [...current.groups, group(9, 'Old team', 1, true)] });
    const fresh = desired('i-new', 'new-box');
    expect(eventRun([fresh], [fresh.key], withEmpty).changes.deleteGroups).to.deep.equal([]);
    // A full listing deletes it.
    const full = planSafely({ desired: [...want, fresh], current: withEmpty, skipped: [], failedScopes: new Set() }, SYNC);
    expect(full.changes.deleteGroups.map((g) => g.id)).to.deep.equal([9]);
  });

  it('plans the same on the state an event run reads: owners of the batch only, and the number of managed connections', () => {
    const { want, current } = tenManagedConnections();
    const asked = ['us-east-1/i-e1', 'us-east-1/i-e2'];
    const narrowed = (keys: readonly string[]) =>
      state({
        ...current,
        connections: current.connections.map((c) => (c.owner !== undefined && keys.includes(c.owner.key) ? c : manual(c.id, c.name, c.parentId))),
        managedConnections: 10,
      });
    const batch = [{ ...(want[1] as DesiredConnection), name: 'east-2' }, desired('i-new', 'east-3')];
    const full = eventRun(batch, [...asked, 'us-east-1/i-new'], current);
    const narrow = eventRun(batch, [...asked, 'us-east-1/i-new'], narrowed(asked));
    expect(narrow).to.deep.equal(full);
    expect(full.changes.deleteConnections.map((d) => d.id)).to.deep.equal([13]);
    // The brake counts every managed connection, not the batch's: 6 of 10.
    const gone = ['i-e0', 'i-e1', 'i-e2', 'i-e3', 'i-e4', 'i-e5'].map((id) => `us-east-1/${id}`);
    expect(eventRun([], gone, narrowed(gone)).brake).to.match(/deletion brake: 6 of 10 managed connections/);
    expect(eventRun([], gone.slice(0, 5), narrowed(gone)).changes.deleteConnections).to.have.length(5);
  });

  it('moves an asked instance whose kcm:organize changed, creating its new folder', () => {
    const { want, current } = tenManagedConnections();
    const moved = { ...(want[1] as DesiredConnection), folder: [...BASE, 'Prod'] };
    const { changes } = eventRun([moved], [moved.key], current);
    expect(changes.createGroups.map((g) => g.displayPath)).to.deep.equal(['Amazon EC2/Prod']);
    expect(changes.updateConnections.map((u) => [u.id, u.changed])).to.deep.equal([[12, ['folder']]]);
    expect(changes.deleteConnections).to.deep.equal([]);
    expect(changes.unchanged).to.equal(0);
  });

  it('counts an asked instance that did not change as unchanged, and only it', () => {
    const { want, current } = tenManagedConnections();
    const { changes } = eventRun([want[0] as DesiredConnection], [(want[0] as DesiredConnection).key], current);
    expect(changes.unchanged).to.equal(1);
    expect(touchedIds(changes)).to.deep.equal([]);
  });

  it('upsert-only deletes nothing and reports only the asked connection as kept', () => {
    const { current } = tenManagedConnections();
    const { changes, deletionsHeld } = eventRun([], ['us-east-1/i-e2'], current, {}, { policy: 'upsert-only' });
    expect(changes.deleteConnections).to.deep.equal([]);
    expect(changes.kept).to.deep.equal([{ key: 'us-east-1/i-e2', reason: 'policy upsert-only: connections are never deleted' }]);
    expect(deletionsHeld).to.equal(0);
  });

  it('create-only writes only a new asked instance', () => {
    const { want, current } = tenManagedConnections();
    const renamed = { ...(want[0] as DesiredConnection), name: 'renamed' };
    const fresh = desired('i-new', 'new-box');
    const { changes } = eventRun([renamed, fresh], [renamed.key, fresh.key, 'us-east-1/i-e3'], current, {}, { policy: 'create-only' });
    expect(changes.createConnections.map((c) => c.key)).to.deep.equal([fresh.key]);
    expect(touchedIds(changes)).to.deep.equal([]);
    // As in a full listing under create-only, every asked connection is reported kept; the others are not reported.
    expect(changes.kept.map((k) => k.key)).to.deep.equal(['us-east-1/i-e0', 'us-east-1/i-e3']);
  });

  it('keeps the deletion brake on the share of every managed connection', () => {
    const { current } = tenManagedConnections();
    const gone = ['i-e0', 'i-e1', 'i-e2', 'i-e3', 'i-e4', 'i-e5'].map((id) => `us-east-1/${id}`);
    const mass = eventRun([], gone, current); // 6 of 10 > 50%
    expect(mass.brake).to.match(/deletion brake: 6 of 10 managed connections would be deleted \(limit 5\)/);
    expect(mass.deletionsHeld).to.equal(6);
    expect(mass.changes.deleteConnections).to.deep.equal([]);
    expect(mass.changes.kept.map((k) => k.key).sort()).to.deep.equal(gone);
    expect(eventRun([], gone, current, {}, { allowMassDelete: true }).changes.deleteConnections).to.have.length(6);
    expect(eventRun([], gone.slice(0, 5), current).changes.deleteConnections).to.have.length(5);
  });

  it('never takes a batch that empties a region for a region listing nothing', () => {
    const { current } = tenManagedConnections();
    const west = ['i-w0', 'i-w1', 'i-w2', 'i-w3'].map((id) => `eu-west-1/${id}`);
    // A full listing returning nothing for eu-west-1 holds these (see plan-safely.test.ts); four termination events do not.
    const { changes, brake } = eventRun([], west, current, { listedScopes: new Set(['eu-west-1']) });
    expect(brake).to.equal(undefined);
    expect(changes.deleteConnections.map((d) => d.id)).to.deep.equal([21, 22, 23, 24]);
  });

  it('a failed describe keeps, and reports, only the asked connections of that scope', () => {
    const { want, current } = tenManagedConnections();
    const asked = ['us-east-1/i-e1', 'eu-west-1/i-w1'];
    const west1 = want.find((d) => d.key === 'eu-west-1/i-w1') as DesiredConnection;
    const { changes } = eventRun([{ ...west1, name: 'west-renamed' }], asked, current, { failedScopes: failedScopeMatcher(['us-east-1']) });
    expect(changes.kept).to.deep.equal([{ key: 'us-east-1/i-e1', reason: 'listing of us-east-1 failed' }]);
    expect(changes.deleteConnections).to.deep.equal([]);
    expect(changes.updateConnections.map((u) => [u.id, u.name])).to.deep.equal([[22, 'west-renamed']]);
  });

  it('keeps a skipped asked instance as it is', () => {
    const { current } = tenManagedConnections();
    const skipped = [{ key: 'us-east-1/i-e4', scope: 'us-east-1', instanceId: 'i-e4', reason: 'no address' }];
    const { changes } = eventRun([], ['us-east-1/i-e4'], current, { skipped });
    expect(changes.deleteConnections).to.deep.equal([]);
    expect(changes.kept).to.deep.equal([{ key: 'us-east-1/i-e4', reason: 'no address' }]);
  });

  it('leaves out a desired connection the run did not ask about', () => {
    const { current } = tenManagedConnections();
    const { changes } = eventRun([desired('i-other', 'other')], ['us-east-1/i-new'], current);
    expect(changes.createConnections).to.deep.equal([]);
  });

  it('a hand-made connection outside the run still reserves its name', () => {
    const { current } = tenManagedConnections();
    const withManual = state({ ...current, connections: [...current.connections, manual(40, 'bastion', 1)] });
    const fresh = desired('i-new', 'bastion');
    const { changes } = eventRun([fresh], [fresh.key], withManual);
    expect(changes.createConnections.map((c) => c.name)).to.deep.equal(['bastion (i-new)']);
  });
});
