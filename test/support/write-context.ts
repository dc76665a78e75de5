import { sql } from 'kysely';
import winston from 'winston';
import { Writable } from 'node:stream';
import { parseConfig, type Config } from '../../src/config/config.js';
import type { Wanted, WriteContext } from '../../src/run/write-step.js';
import { openDatabase, type GuacamoleDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { checkSchema } from '../../src/store/schema-check.js';
import type { DesiredConnection } from '../../src/desired/desired-connection.js';
import type { TestDatabase } from './test-databases.js';

/**
 * The database half of a run (plan-and-write.ts) against a real database, without EC2: tests hand it desired
 * connections directly. The run's pool is the daemon's own kind (openDatabase), separate from the test's.
 */
export interface WriteFixture {
  readonly context: WriteContext;
  readonly config: Config;
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function openWriteFixture(database: TestDatabase, settings: Record<string, string> = {}): Promise<WriteFixture> {
  const { config, secrets } = parseConfig({
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDWRITES',
    AWS_DISCOVERY_SECRET_KEY: 'write-secret-never-logged',
    AWS_DISCOVERY_REGIONS: 'us-east-1',
    ...settings,
  });
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  const runDatabase: GuacamoleDatabase = openDatabase(config.database, secrets.databasePassword, () => undefined);
  await migrateToLatest(runDatabase.db);
  const schema = await checkSchema(runDatabase.db, runDatabase.dialect);
  return {
    context: { config, database: runDatabase, schema, logger, selfAccountId: undefined, allowMassDelete: false },
    config,
    logs,
    async close() {
      await runDatabase.db.destroy().catch(() => undefined);
      await sql`SELECT 1`.execute(database.db).catch(() => undefined);
    },
  };
}

/** Every scope of `desired` listed and complete; nothing skipped or failed. */
export function wantedAll(desired: readonly DesiredConnection[], scopes: readonly string[] = ['us-east-1']): Wanted {
  return { desired, skipped: [], failedScopes: { has: () => false }, listedScopes: new Set([...scopes, ...desired.map((d) => d.scope)]) };
}
