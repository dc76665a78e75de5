import { expect } from 'chai';
import { formatPlan } from '../../../src/plan/format-plan.js';
import { planChanges } from '../../../src/plan/plan-changes.js';
import { BASE, desired, EMPTY, group, ownedFor, state } from './plan-fixtures.js';

const SECRET = 'SECRET-KEY-TEXT';
const NEW_SECRET = 'NEW-SECRET-KEY-TEXT';

describe('formatPlan', () => {
  const created = desired('i-1', 'web', [...BASE, 'Apps'], { 'private-key': SECRET });
  const updated = desired('i-2', 'db', BASE, { 'private-key': NEW_SECRET, hostname: '10.0.0.2' });
  const gone = desired('i-3', 'old', [...BASE, 'Old'], { 'private-key': SECRET });
  const current = state({
    groups: [group(1, 'Amazon EC2', null, true), group(2, 'Old', 1, true)],
    connections: [ownedFor(updated, 10, 1, { parameters: { ...updated.parameters, 'private-key': SECRET, password: 'HAND-PASSWORD' } }), ownedFor(gone, 11, 2)],
    readableConnections: new Set([10, 11]),
    readableGroups: new Set([1, 2]),
  });
  const changes = planChanges({ desired: [created, updated], current, skipped: [], failedScopes: new Set() });
  const text = formatPlan(changes);

  const lineCases: { title: string; pattern: RegExp }[] = [
    { title: 'a new folder', pattern: /^ {2}\+ Apps\/ {2}\(new folder\)$/m },
    { title: 'a new connection', pattern: /^ {2}\+ web {2}\[ssh ec2-user@10\.0\.0\.1\] us-east-1\/i-1$/m },
    { title: 'an update naming what changed', pattern: /^ {2}~ db {2}\(parameter private-key, parameter password\) us-east-1\/i-2$/m },
    { title: 'a deleted connection', pattern: /^ {2}- old {2}\(instance gone\) us-east-1\/i-3$/m },
    { title: 'a deleted folder', pattern: /^ {2}- Old\/ {2}\(empty folder\)$/m },
    { title: 'folder headings', pattern: /^Amazon EC2\/$/m },
    { title: 'the grant count', pattern: /^\+ 2 READ grant\(s\) for the admin group$/m },
    { title: 'the summary', pattern: /^1 to create, 1 to update, 1 to delete, 0 unchanged$/m },
  ];
  for (const { title, pattern } of lineCases) {
    it(`shows ${title}`, () => expect(text).to.match(pattern));
  }

  it('never shows a secret parameter value', () => {
    for (const secret of [SECRET, NEW_SECRET, 'HAND-PASSWORD']) expect(text).not.to.include(secret);
  });

  it('shows the admin group action, conflicts and kept connections', () => {
    const dup = [desired('i-1', 'web'), desired('i-2', 'web')];
    const kept = ownedFor(desired('i-9', 'x', BASE, {}, 'eu-west-1'), 5, 1);
    const out = formatPlan(
      planChanges({
        desired: dup,
        current: { ...EMPTY, groups: [group(1, 'Amazon EC2')], connections: [kept] },
        skipped: [],
        failedScopes: new Set(['eu-west-1']),
      }),
    );
    expect(out).to.match(/^\+ user group for READ grants \(create\)$/m);
    expect(out).to.match(/^! us-east-1\/i-1: name "web" is wanted by 2 instances in "Amazon EC2": named "web \(i-1\)"$/m);
    expect(out).to.match(/^= eu-west-1\/i-9: kept as it is \(listing of eu-west-1 failed\)$/m);
  });

  it('prints only the summary for an empty change set', () => {
    const none = planChanges({ desired: [], current: state(), skipped: [], failedScopes: new Set() });
    expect(formatPlan(none)).to.equal('0 to create, 0 to update, 0 to delete, 0 unchanged');
  });
});
