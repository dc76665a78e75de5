import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { FakeEc2, type FakeInstance } from '../../support/fake-ec2.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../../support/test-databases.js';
import { DelayProxy } from '../../support/delay-proxy.js';

/** Every second: node-cron accepts a leading seconds field. */
export const EVERY_SECOND = '*/1 * * * * *';

/** `count` Linux instances over two regions, in two folders; no key pairs (connections without keys, no warnings). */
export function smallFleet(count: number, from = 0): FakeInstance[] {
  return Array.from({ length: count }, (_, n) => {
    const i = n + from;
    const region = i % 3 === 2 ? 'eu-west-1' : 'us-east-1';
    const id = `i-${i.toString(16).padStart(17, '0')}`;
    return {
      instanceId: id,
      region,
      imageId: 'ami-al2023',
      privateIp: `10.0.${Math.floor(i / 200)}.${i % 200}`,
      tags: { Name: `box-${i}`, 'kcm:organize': i % 2 === 0 ? 'Even' : 'Odd' },
    };
  });
}

/** The fake EC2 behind a delay proxy, a fresh database and the environment that points the daemon at both. */
export interface DaemonFixture {
  readonly fake: FakeEc2;
  readonly proxy: DelayProxy;
  readonly database: TestDatabase;
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startFixture(dialect: TestDialect, fleetSize: number): Promise<DaemonFixture> {
  const fake = await FakeEc2.start();
  fake.instances = smallFleet(fleetSize);
  fake.images = [{ imageId: 'ami-al2023', region: 'us-east-1', name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64', ownerId: '137112412989' }];
  const proxy = await DelayProxy.start(fake.endpoint);
  const database = await createTestDatabase(dialect);
  const keysDir = mkdtempSync(join(tmpdir(), 'ged-daemon-keys-'));
  const env = {
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_DISCOVERY_SECRET_KEY: 'daemon-secret-never-logged',
    AWS_DISCOVERY_REGIONS: 'us-east-1,eu-west-1',
    AWS_DISCOVERY_EC2_ENDPOINT: proxy.endpoint,
    AWS_DISCOVERY_KEYS_DIR: keysDir,
    AWS_DISCOVERY_SCHEDULE: EVERY_SECOND,
  };
  return {
    fake,
    proxy,
    database,
    env,
    async close() {
      await proxy.close();
      await fake.close();
      // Kysely only ends a pool it has used: without one query, the MySQL pool that loaded the schema stays open
      // and keeps mocha from exiting (test-databases.ts drops through db.destroy()).
      await sql`SELECT 1`.execute(database.db);
      await database.drop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

/** The `run finished` summary lines so far. */
export function runSummaries(logs: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return logs.filter((l) => l.message === 'run finished');
}

/** Connections per (folder, name) and bookkeeping rows per instance: both must be 1 everywhere. */
export async function duplicates(database: TestDatabase): Promise<{ names: number; instances: number }> {
  const names = await database.db
    .selectFrom('guacamole_connection')
    .select(['parent_id', 'connection_name'])
    .select((eb) => eb.fn.countAll().as('n'))
    .groupBy(['parent_id', 'connection_name'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  const instances = await database.db
    .selectFrom('ec2_discovery_owned_object')
    .select(['instance_key'])
    .select((eb) => eb.fn.countAll().as('n'))
    .where('object_type', '=', 'connection')
    .groupBy(['instance_key'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  return { names: names.length, instances: instances.length };
}
