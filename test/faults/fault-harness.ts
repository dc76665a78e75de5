import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import winston from 'winston';
import { createEc2Client, sdkEc2Api, type Ec2Api, type Ec2ClientOptions } from '../../src/discover/ec2-client.js';
import { parseConfig, type Config, type Secrets } from '../../src/config/config.js';
import { runOnce } from '../../src/run/run-once.js';
import type { RunReport } from '../../src/run/run-report.js';
import { RunMemory } from '../../src/run/run-memory.js';
import { withRunLock } from '../../src/store/run-lock.js';
import { openDatabase, type GuacamoleDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { checkSchema, type SchemaFacts } from '../../src/store/schema-check.js';
import { createKeySource } from '../../src/enrich/keys/key-source.js';
import { FakeEc2 } from '../support/fake-ec2.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../support/test-databases.js';
import { fleetFixture } from '../integration/once/fleet-fixture.js';
import { KEY_TEXT } from './fault-keys.js';

/**
 * The daemon's own pieces wired in-process the way the composition root wires them (one long-lived pool, the run
 * lock, `runOnce`), against the fake EC2 and a real database, with the logs captured. Several runs share the pool,
 * as in the daemon, so "the next run completes" is checked on the same pool that lived through the fault.
 */
export interface FaultHarness {
  readonly fake: FakeEc2;
  /** The test's own view of the database (a separate pool). */
  readonly database: TestDatabase;
  /** Settings for the real CLI pointed at the same database and fake. */
  readonly env: Record<string, string>;
  readonly config: Config;
  /** The run's pool (the one a daemon would keep). */
  readonly runDatabase: GuacamoleDatabase;
  /** What the runs remember between them (as the daemon's). */
  readonly memory: RunMemory;
  /** Every log line so far, parsed. */
  readonly logs: Record<string, unknown>[];
  /** One run holding the run lock, as the daemon does it; rejects when the run fails. `settings` change this run only. */
  run(settings?: Partial<Config>): Promise<RunReport>;
  /** Instance `region/id` → Guacamole connection id (owned connections). */
  ownedIds(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra or overriding settings (e.g. AWS_DISCOVERY_DB_LOCK_TIMEOUT). */
  readonly settings?: Record<string, string>;
  /** Client options for every region's EC2 client (timeouts, attempts). */
  readonly client?: Partial<Ec2ClientOptions>;
  /** Client options for one region only, over `client` (a short timeout where the fake hangs, defaults elsewhere). */
  readonly regionClient?: Readonly<Record<string, Partial<Ec2ClientOptions>>>;
  /** Per-region endpoint overrides (e.g. an address that does not resolve). */
  readonly endpoints?: Record<string, string>;
  /** A database made elsewhere (a throwaway server); default a fresh one on the shared server. */
  readonly database?: TestDatabase;
}

export async function startHarness(dialect: TestDialect, options: HarnessOptions = {}): Promise<FaultHarness> {
  const fake = await FakeEc2.start();
  const fleet = fleetFixture();
  fake.instances = fleet.instances;
  fake.images = fleet.images;
  const database = options.database ?? (await createTestDatabase(dialect));
  const keysDir = mkdtempSync(join(tmpdir(), 'ged-fault-keys-'));
  writeFileSync(join(keysDir, 'prod.pem'), KEY_TEXT, { mode: 0o600 });
  const env: Record<string, string> = {
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDFAULTS',
    AWS_DISCOVERY_SECRET_KEY: 'fault-secret-never-logged',
    AWS_DISCOVERY_REGIONS: 'us-east-1,eu-west-1',
    AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
    AWS_DISCOVERY_KEYS_DIR: keysDir,
    AWS_DISCOVERY_PAGE_SIZE: '5',
    ...options.settings,
  };
  const { config, secrets } = parseConfig(env);
  const logs: Record<string, unknown>[] = [];
  const logger = captureLogger(logs);
  const runDatabase = openDatabase(config.database, secrets.databasePassword, (err) => logger.warn('database connection lost', { error: err.message }));
  const schema = await prepareSchema(runDatabase);
  const clients = ec2Apis(config, secrets, options);
  const memory = new RunMemory();
  const deps = { config, database: runDatabase, schema, ec2For: clients.apiFor, readKeys: createKeySource(config, secrets, logger), logger, memory };

  return {
    fake,
    database,
    env,
    config,
    runDatabase,
    memory,
    logs,
    async run(settings = {}) {
      const run = () => runOnce({ ...deps, config: { ...config, ...settings } }, { dryRun: false });
      const outcome = await withRunLock(runDatabase.db, runDatabase.dialect, config.ownerId, logger, run);
      if (!outcome.acquired) throw new Error('the run lock was held by someone else');
      return outcome.value;
    },
    async ownedIds() {
      const rows = await database.db
        .selectFrom('ec2_discovery_owned_object')
        .select(['instance_key', 'guacamole_id'])
        .where('object_type', '=', 'connection')
        .execute();
      return new Map(rows.map((r) => [String(r.instance_key), Number(r.guacamole_id)]));
    },
    async close() {
      clients.close();
      await runDatabase.db.destroy().catch(() => undefined);
      await fake.close();
      // Kysely only ends a pool it has used (see daemon-fixture.ts).
      await sql`SELECT 1`.execute(database.db).catch(() => undefined);
      await database.drop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

async function prepareSchema(database: GuacamoleDatabase): Promise<SchemaFacts> {
  await checkSchema(database.db, database.dialect);
  await migrateToLatest(database.db);
  return checkSchema(database.db, database.dialect);
}

function ec2Apis(config: Config, secrets: Secrets, options: HarnessOptions): { apiFor: (region: string) => Ec2Api; close: () => void } {
  const clients = new Map<string, ReturnType<typeof createEc2Client>>();
  const credentials = { accessKeyId: secrets.awsAccessKeyId, secretAccessKey: secrets.awsSecretKey };
  return {
    apiFor(region) {
      let client = clients.get(region);
      if (client === undefined) {
        const endpoint = options.endpoints?.[region] ?? config.ec2Endpoint;
        client = createEc2Client({
          region,
          credentials,
          ...(endpoint === undefined ? {} : { endpoint }),
          ...options.client,
          ...options.regionClient?.[region],
        });
        clients.set(region, client);
      }
      return sdkEc2Api(client);
    },
    close() {
      for (const client of clients.values()) client.destroy();
    },
  };
}

/** A winston logger like the daemon's (JSON lines), writing into `logs`. */
function captureLogger(logs: Record<string, unknown>[]): winston.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
}

/** Log lines at `level` whose text (message and fields) matches. */
export function logLinesMatching(logs: readonly Record<string, unknown>[], level: string, pattern: RegExp): Record<string, unknown>[] {
  return logs.filter((l) => l.level === level && pattern.test(JSON.stringify(l)));
}
