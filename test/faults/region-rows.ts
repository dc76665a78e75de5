import type { Kysely } from 'kysely';
import type { FakeEc2 } from '../support/fake-ec2.js';
import { filterRows, snapshotRows, type RowSnapshot } from '../support/row-diff.js';

/** The region whose listing the AWS fault tests break, and the one that must keep syncing meanwhile. */
export const FAILING = 'eu-west-1';
export const HEALTHY = 'us-east-1';

/** Every row of the connections of `instanceIds` (connection, parameters, grants, ownership record). */
export async function connectionRows(db: Kysely<any>, instanceIds: readonly string[]): Promise<RowSnapshot> {
  const owned = await db.selectFrom('ec2_discovery_owned_object').select(['instance_key', 'guacamole_id']).where('object_type', '=', 'connection').execute();
  const ids = new Set(owned.filter((o) => instanceIds.some((id) => String(o.instance_key).endsWith(`/${id}`))).map((o) => Number(o.guacamole_id)));
  return filterRows(await snapshotRows(db), (table, row) => {
    if (table === 'ec2_discovery_owned_object') return row.object_type === 'connection' && ids.has(Number(row.guacamole_id));
    if (['guacamole_connection', 'guacamole_connection_parameter', 'guacamole_connection_permission'].includes(table))
      return ids.has(Number(row.connection_id));
    return false;
  });
}

/**
 * After the first sync of the fleet fixture, both regions change: the failing one must not, the healthy one must.
 * The healthy region gains `east-new` (10.0.8.1); the failing one gains `west-new` and `api` moves to 10.1.0.99.
 */
export function changeBothRegions(fake: FakeEc2): void {
  fake.instances.push({ instanceId: 'i-0000000000east01', region: HEALTHY, imageId: 'ami-al2023', privateIp: '10.0.8.1', tags: { Name: 'east-new' } });
  // An AMI the first run has not seen (so not in the image cache): the DescribeImages fault must be met.
  fake.images.push({ imageId: 'ami-rocky', region: FAILING, name: 'Rocky-9-EC2-Base-9.4-20240523.0.x86_64', ownerId: '792107900819' });
  fake.instances.push({ instanceId: 'i-0000000000west01', region: FAILING, imageId: 'ami-rocky', privateIp: '10.1.8.1', tags: { Name: 'west-new' } });
  const api = fake.instances.find((i) => i.instanceId === 'i-000000000000deb01');
  if (api === undefined) throw new Error('fixture changed');
  api.privateIp = '10.1.0.99';
}

/** The instance ids of one region of the fake's fleet. */
export function regionIds(fake: FakeEc2, region: string): string[] {
  return fake.instances.filter((i) => i.region === region).map((i) => i.instanceId);
}
