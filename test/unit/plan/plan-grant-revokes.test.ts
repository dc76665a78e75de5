import { expect } from 'chai';
import { foldersAboveManaged, planGrantRevokes, type ManagedTree, type RecordedGrant } from '../../../src/plan/plan-grant-revokes.js';
import { formatPlan } from '../../../src/plan/format-plan.js';
import type { ChangeSet } from '../../../src/plan/change-set.js';

const ADMIN = 10;
const OLD = 7;

function grant(objectType: RecordedGrant['objectType'], objectId: number, extra: Partial<RecordedGrant> = {}): RecordedGrant {
  return { entityId: ADMIN, objectType, objectId, exists: true, ownedByUs: false, ...extra };
}

/**
 * ROOT ─ 1 Hand (hand-made) ─ 2 Shared (hand-made) ─ 3 Ours (managed) ─ connection in 3
 *      └ 4 Empty (hand-made) ─ 5 Deeper (hand-made)
 *      └ 6 Holder (hand-made, a managed connection directly in it)
 */
const TREE: ManagedTree = {
  parents: new Map<number, number | null>([[1, null], [2, 1], [3, 2], [4, null], [5, 4], [6, null]]),
  holders: [3, 6],
  managedGroups: [3],
};

describe('planGrantRevokes (pure)', function () {
  const rows: { name: string; record: RecordedGrant; expected: 'revoke' | 'forget' | 'keep' }[] = [
    { name: 'object gone: the record is dropped', record: grant('connection', 99, { exists: false }), expected: 'forget' },
    { name: 'object gone, old grantee: dropped, nothing to revoke', record: grant('connection', 98, { exists: false, entityId: OLD }), expected: 'forget' },
    { name: 'old admin group on our connection', record: grant('connection', 50, { entityId: OLD, ownedByUs: true }), expected: 'revoke' },
    { name: 'old admin group on our folder', record: grant('connection_group', 3, { entityId: OLD, ownedByUs: true }), expected: 'revoke' },
    { name: 'old admin group on a hand-made folder still holding ours', record: grant('connection_group', 1, { entityId: OLD }), expected: 'revoke' },
    { name: 'admin group on our connection', record: grant('connection', 50, { ownedByUs: true }), expected: 'keep' },
    { name: 'admin group on our folder', record: grant('connection_group', 3, { ownedByUs: true }), expected: 'keep' },
    { name: 'admin group on a connection no longer ours', record: grant('connection', 51), expected: 'revoke' },
    { name: 'hand-made folder with ours two levels down', record: grant('connection_group', 1), expected: 'keep' },
    { name: 'hand-made folder right above ours', record: grant('connection_group', 2), expected: 'keep' },
    { name: 'hand-made folder holding ours directly', record: grant('connection_group', 6), expected: 'keep' },
    { name: 'hand-made folder with nothing of ours below', record: grant('connection_group', 4), expected: 'revoke' },
    { name: 'hand-made subfolder with nothing of ours below', record: grant('connection_group', 5), expected: 'revoke' },
  ];
  for (const row of rows) {
    it(`${row.name} → ${row.expected}`, function () {
      const plan = planGrantRevokes({ adminEntityId: ADMIN, records: [row.record], tree: TREE });
      const outcome = plan.revoke.length > 0 ? 'revoke' : plan.forget.length > 0 ? 'forget' : 'keep';
      expect(outcome).to.equal(row.expected);
      expect(plan.revoke.length + plan.forget.length).to.be.at.most(1);
    });
  }

  it('without an admin group (not created yet) every live record is another group\'s', function () {
    const plan = planGrantRevokes({ adminEntityId: undefined, records: [grant('connection', 1, { ownedByUs: true }), grant('connection_group', 4)] });
    expect(plan.revoke.map((r) => r.reason)).to.deep.equal(['old admin group', 'old admin group']);
  });

  it('gives the same plan for shuffled input, and says why', function () {
    const records = rows.map((r) => r.record);
    const a = planGrantRevokes({ adminEntityId: ADMIN, records, tree: TREE });
    const b = planGrantRevokes({ adminEntityId: ADMIN, records: [...records].reverse(), tree: TREE });
    expect(b).to.deep.equal(a);
    expect(a.revoke.map((r) => `${r.entityId}:${r.objectType}:${r.objectId}:${r.reason}`)).to.deep.equal([
      '7:connection:50:old admin group',
      '7:connection_group:1:old admin group',
      '7:connection_group:3:old admin group',
      '10:connection:51:not managed',
      '10:connection_group:4:nothing managed below',
      '10:connection_group:5:nothing managed below',
    ]);
  });

  it("needs the folder tree only to decide on the admin group's live grants on folders not its own", function () {
    const records = [
      grant('connection_group', 3, { ownedByUs: true }),
      grant('connection', 51),
      grant('connection_group', 4, { entityId: OLD }),
      grant('connection_group', 5, { exists: false }),
    ];
    expect(planGrantRevokes({ adminEntityId: ADMIN, records }).revoke).to.have.length(2);
    expect(() => planGrantRevokes({ adminEntityId: ADMIN, records: [grant('connection_group', 4)] })).to.throw(/folder tree/);
  });

  it('marks the folders above managed objects, and ends on a parent cycle', function () {
    expect([...foldersAboveManaged(TREE)].sort()).to.deep.equal([1, 2, 3, 6]);
    const cycle: ManagedTree = { parents: new Map([[1, 2], [2, 1], [3, null]]), holders: [1], managedGroups: [] };
    expect([...foldersAboveManaged(cycle)].sort()).to.deep.equal([1, 2]);
    // A managed group alone marks the folders above it, not itself.
    expect([...foldersAboveManaged({ parents: TREE.parents, holders: [], managedGroups: [3] })].sort()).to.deep.equal([1, 2]);
  });

  it('shows revokes in the dry-run plan, per grantee and reason, names only', function () {
    const changes: ChangeSet = {
      adminGroup: 'none', createGroups: [], createConnections: [], updateConnections: [], deleteConnections: [], deleteGroups: [],
      grantConnections: [], grantGroups: [], forgetRecords: [], unchanged: 2, kept: [], conflicts: [],
    };
    const plan = planGrantRevokes({
      adminEntityId: ADMIN,
      records: [
        grant('connection', 50, { entityId: OLD, entityName: 'Old Admins', ownedByUs: true }),
        grant('connection', 52, { entityId: OLD, entityName: 'Old Admins', ownedByUs: true }),
        grant('connection_group', 3, { entityId: OLD, entityName: 'Old Admins', objectName: 'Ours', ownedByUs: true }),
        grant('connection_group', 4, { entityName: 'Admins', objectName: 'Empty' }),
      ],
      tree: TREE,
    });
    expect(formatPlan(changes, plan).split('\n')).to.deep.equal([
      '- READ of "Old Admins" on 2 connection(s) and folder(s) Ours (old admin group)',
      '- READ of "Admins" on folder(s) Empty (nothing managed below)',
      '0 to create, 0 to update, 0 to delete, 2 unchanged',
    ]);
  });
});
