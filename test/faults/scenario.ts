import { expect } from 'chai';
import type { Kysely } from 'kysely';
import type { FakeEc2 } from '../support/fake-ec2.js';
import { readConnections } from '../support/guacamole-queries.js';
import { snapshotRows, type RowSnapshot } from '../support/row-diff.js';

/**
 * The state every database fault starts from: the fixture fleet synced once, then a change that makes the next run
 * write on every level before its READ grants: a rename (UPDATE of a connection), a new instance in a new folder
 * (INSERT of a group, a connection, its parameters and ownership), then the grants for both new objects.
 */
export interface ChangedFleet {
  /** Every row before the faulty run. */
  readonly before: RowSnapshot;
  /** The Guacamole id of the connection the run renames. */
  readonly renamedId: number;
}

export const RENAMED = 'i-0000000000000jump';
export const ADDED = 'i-00000000000fresh1';

/** Call after the first, successful sync. */
export async function changeFleet(fake: FakeEc2, db: Kysely<any>): Promise<ChangedFleet> {
  const jump = fake.instances.find((i) => i.instanceId === RENAMED);
  if (jump === undefined) throw new Error('fixture changed: no jump host');
  jump.tags = { Name: 'bastion', 'kcm:username': 'ops' };
  fake.instances.push({
    instanceId: ADDED,
    region: 'us-east-1',
    imageId: 'ami-al2023',
    keyName: 'prod',
    privateIp: '10.0.7.7',
    tags: { Name: 'fresh', 'kcm:organize': 'Fresh' },
  });
  const connections = await readConnections(db);
  const renamed = connections.get('Amazon EC2/jump');
  if (renamed === undefined) throw new Error('the first sync did not create Amazon EC2/jump');
  return { before: await snapshotRows(db), renamedId: renamed.id };
}

/** The complete new state the changed fleet must reach (checked after the run that follows a fault). */
export async function expectChangedState(db: Kysely<any>, changed: ChangedFleet): Promise<void> {
  const connections = await readConnections(db);
  expect(connections.get('Amazon EC2/bastion')?.id, 'the rename is an update of the same connection').to.equal(changed.renamedId);
  expect(connections.has('Amazon EC2/jump')).to.equal(false);
  expect(connections.get('Amazon EC2/Fresh/fresh')?.parameters).to.include({ hostname: '10.0.7.7', username: 'ec2-user' });
  expect(connections.size).to.equal(17);
}

/** The summaries of the failed runs recorded for `status` (MySQL keeps whole seconds: no reliable "last"). */
export async function recordedFailures(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom('ec2_discovery_run').select(['summary']).where('result', '=', 'failure').execute();
  return rows.map((r) => String(r.summary));
}
