import { expect } from 'chai';
import type { DesiredConnection } from '../../../src/desired/desired-connection.js';
import type { CurrentState } from '../../../src/plan/current-state.js';
import { deleteLimit, planSafely, type SafetyRules } from '../../../src/plan/plan-safely.js';
import { apply, desired, group, manual, state, SYNC, tenManagedConnections } from './plan-fixtures.js';



function run(want: readonly DesiredConnection[], current: CurrentState, rules: Partial<SafetyRules> = {}) {
  return planSafely({ desired: want, current, skipped: [], failedScopes: new Set() }, { ...SYNC, ...rules });
}

describe('planSafely', () => {
  it('deletes normally under the limit', () => {
    const { want, current } = tenManagedConnections();
    const result = run(want.slice(0, 7).concat(want.slice(8)), current); // one eu-west-1 instance gone
    expect(result.brake).to.equal(undefined);
    expect(result.deletionsHeld).to.equal(0);
    expect(result.changes.deleteConnections.map((c) => c.id)).to.deep.equal([22]);
  });

  it('holds every delete, and says why, when a run would delete more than the share', () => {
    const { want, current } = tenManagedConnections();
    const result = run(want.slice(4), current); // 4 of 6 us-east-1 gone + nothing else = 4 of 10: under 50%
    expect(result.brake).to.equal(undefined);
    const mass = run([want[0]!, want[6]!], current); // 8 of 10 gone
    expect(mass.brake).to.match(/deletion brake: 8 of 10 managed connections would be deleted \(limit 5\)/);
    expect(mass.changes.deleteConnections).to.deep.equal([]);
    expect(mass.changes.deleteGroups).to.deep.equal([]);
    expect(mass.changes.kept).to.have.length(8);
    expect(mass.deletionsHeld).to.equal(8);
    // Nothing else moves: applying the held plan changes no connection.
    expect(apply(current, mass.changes).connections).to.deep.equal(current.connections);
  });

  it('applies the lower of the share and the count', () => {
    const { want, current } = tenManagedConnections();
    const counted = run(want.slice(3), current, { maxDeleteCount: 2 });
    expect(counted.brake).to.match(/3 of 10 .*\(limit 2\)/);
    expect(counted.deletionsHeld).to.equal(3);
    expect(deleteLimit(10, { maxDeletePercent: 50, maxDeleteCount: 2 })).to.equal(2);
    expect(deleteLimit(10, { maxDeletePercent: 0 })).to.equal(1);
    expect(deleteLimit(1, { maxDeletePercent: 50 })).to.equal(1);
    expect(deleteLimit(1000, { maxDeletePercent: 100 })).to.equal(1000);
  });

  it('lets the operator allow a mass delete', () => {
    const { want, current } = tenManagedConnections();
    const result = run([want[0]!, want[6]!], current, { allowMassDelete: true });
    expect(result.brake).to.equal(undefined);
    expect(result.deletionsHeld).to.equal(0);
    expect(result.changes.deleteConnections).to.have.length(8);
  });

  it('treats a region that lists nothing where it had connections like a failed listing', () => {
    const { want, current } = tenManagedConnections();
    const result = run(want.slice(0, 6), current); // eu-west-1 returns no instance at all: 4 of 10 is under the share
    expect(result.brake).to.match(/eu-west-1 listed no instance where 4 connections exist/);
    expect(result.deletionsHeld).to.equal(4);
    expect(result.changes.deleteConnections).to.deep.equal([]);
    expect(run(want.slice(0, 6), current, { allowMassDelete: true }).changes.deleteConnections).to.have.length(4);
  });

  it('does not suspect a region that was not listed at all (removed from the settings)', () => {
    const { want, current } = tenManagedConnections();
    const input = { desired: want.slice(0, 6), current, skipped: [], failedScopes: new Set<string>(), listedScopes: new Set(['us-east-1']) };
    const result = planSafely(input, SYNC);
    expect(result.brake).to.equal(undefined);
    expect(result.changes.deleteConnections).to.have.length(4);
  });

  it('upsert-only never deletes; create-only never updates or deletes', () => {
    const { want, current } = tenManagedConnections();
    const renamed = want.map((d, i) => (i === 0 ? { ...d, name: 'renamed' } : d)).slice(0, 9);
    const fresh = desired('i-new', 'new-one');
    const upsert = run([...renamed, fresh], current, { policy: 'upsert-only' });
    expect(upsert.changes.deleteConnections).to.deep.equal([]);
    expect(upsert.changes.updateConnections.map((u) => u.name)).to.deep.equal(['renamed']);
    expect(upsert.changes.createConnections.map((c) => c.name)).to.deep.equal(['new-one']);
    const create = run([...renamed, fresh], current, { policy: 'create-only' });
    expect(create.changes.deleteConnections).to.deep.equal([]);
    expect(create.changes.updateConnections).to.deep.equal([]);
    expect(create.changes.createConnections.map((c) => c.name)).to.deep.equal(['new-one']);
    expect(create.brake).to.equal(undefined);
    // What a policy keeps is no brake: nothing counts as held.
    const gone = want.slice(0, 2);
    expect(run(gone, current, { policy: 'upsert-only' }).deletionsHeld).to.equal(0);
    expect(run(gone, current, { policy: 'create-only' }).deletionsHeld).to.equal(0);
  });

  it('counts as held the deletions of both brakes together, and never what a failed listing keeps', () => {
    const { want, current } = tenManagedConnections();
    // eu-west-1 lists nothing (4 held for it); us-east-1 lost 4 of 6, over the count limit of 2 (4 held for that).
    const both = run(want.slice(0, 2), current, { maxDeleteCount: 2 });
    expect(both.brake).to.match(/4 of 10 .*\(limit 2\).*eu-west-1 listed no instance/);
    expect(both.deletionsHeld).to.equal(8);
    // eu-west-1's listing failed: its 4 connections are kept, but by the failure, not by the brake.
    const input = { desired: want.slice(0, 2), current, skipped: [], failedScopes: new Set(['eu-west-1']) };
    const failed = planSafely(input, { ...SYNC, maxDeleteCount: 2 });
    expect(failed.changes.kept).to.have.length(8);
    expect(failed.deletionsHeld).to.equal(4);
  });

  it('under create-only a new instance avoids the names of connections it may not touch', () => {
    const { want, current } = tenManagedConnections();
    const clash = desired('i-new', 'east-0');
    const create = run([...want, clash], current, { policy: 'create-only' });
    expect(create.changes.createConnections.map((c) => c.name)).to.deep.equal(['east-0 (i-new)']);
    expect(run([clash], state({ groups: [group(1, 'Amazon EC2')], connections: [manual(5, 'east-0', 1)] })).changes.createConnections[0]?.name).to.equal(
      'east-0 (i-new)',
    );
  });
});
