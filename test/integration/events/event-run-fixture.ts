import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Kysely, KyselyPlugin, QueryId } from 'kysely';
import winston from 'winston';
import { buildRuntime } from '../../../src/cli/run-with-config.js';
import { parseConfig } from '../../../src/config/config.js';
import type { Config } from '../../../src/config/config.js';
import type { DescribeTarget } from '../../../src/discover/events/event-batch.js';
import type { EventRunResult } from '../../../src/run/event-run.js';
import type { Runtime } from '../../../src/run/runtime.js';
import { OWN_ACCOUNT, type FakeEc2, type FakeRequest } from '../../support/fake-ec2.js';
import type { TestDatabase } from '../../support/test-databases.js';

/** A daemon's runtime in this process, built as the command line builds it, counting the SQL statements it sends. */
export interface InProcessDaemon {
  readonly config: Config;
  readonly runtime: Runtime;
  /** Statements sent since the last reset (Kysely's log: BEGIN, COMMIT and the run lock's included). */
  statements(): number;
  /** Rows the SELECTs naming `table` returned since the last reset (a join or UNION counts all its rows). */
  rowsReadFrom(table: string): number;
  resetStatements(): void;
  logged(): string;
  close(): Promise<void>;
}

export function startInProcess(env: Record<string, string>): InProcessDaemon {
  const { config, secrets } = parseConfig(env);
  const output = new PassThrough();
  let logged = '';
  output.on('data', (d: Buffer) => (logged += d.toString()));
  const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: output })] });
  let statements = 0;
  let reads: { sql: string; rows: number }[] = [];
  // Kysely logs a query before the plugins see its result: the log names the statement, the plugin counts its rows.
  const pending = new WeakMap<QueryId, string>();
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      const sql = pending.get(args.queryId);
      if (sql !== undefined && /^\s*select\b/i.test(sql)) reads.push({ sql, rows: args.result.rows.length });
      return args.result;
    },
  };
  const observe = (event: { query: { sql: string; queryId: QueryId } }) => {
    statements++;
    pending.set(event.query.queryId, event.query.sql);
  };
  const { runtime, close } = buildRuntime(config, secrets, logger, { sql: { observe, plugin } });
  return {
    config,
    runtime,
    statements: () => statements,
    rowsReadFrom: (table) => reads.filter((r) => new RegExp(`\\b${table}\\b`).test(r.sql)).reduce((sum, r) => sum + r.rows, 0),
    resetStatements: () => {
      statements = 0;
      reads = [];
    },
    logged: () => logged,
    close,
  };
}

/** A keys folder with the key pair `prod`; `remove` deletes it. */
export function keysFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ged-event-keys-'));
  const key = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  writeFileSync(join(dir, 'prod.pem'), key, { mode: 0o600 });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function eventEnv(database: TestDatabase, fake: FakeEc2, keysDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_DISCOVERY_SECRET_KEY: 'secret-not-used',
    AWS_DISCOVERY_REGIONS: 'us-east-1, eu-west-1',
    AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
    AWS_DISCOVERY_KEYS_DIR: keysDir,
    AWS_DISCOVERY_PAGE_SIZE: '5',
    ...extra,
  };
}

/** The own account's instances of one region, as an event batch names them. */
export function target(ids: readonly string[], region = 'us-east-1'): DescribeTarget {
  return { account: OWN_ACCOUNT, region, instanceIds: [...ids].sort() };
}

export function applied(result: EventRunResult): Extract<EventRunResult, { locked: false }> {
  if (result.locked) throw new Error('the event run found the lock held');
  return result;
}

/** The instance ids a DescribeInstances request asked for with the instance-id filter, and its other filters' names. */
export function describedIds(request: FakeRequest): { ids: string[]; otherFilters: string[]; byInstanceIdParameter: boolean } {
  const ids: string[] = [];
  const otherFilters: string[] = [];
  for (let n = 1; request.params.has(`Filter.${n}.Name`); n++) {
    const name = request.params.get(`Filter.${n}.Name`) ?? '';
    if (name !== 'instance-id') otherFilters.push(name);
    else ids.push(...[...request.params].filter(([k]) => k.startsWith(`Filter.${n}.Value.`)).map(([, v]) => v));
  }
  return { ids, otherFilters, byInstanceIdParameter: request.params.has('InstanceId.1') };
}

/** The tables a run writes, with the column that names the connection a row belongs to (none: not a connection's row). */
const TABLES: Readonly<Record<string, string | undefined>> = {
  guacamole_connection_group: undefined,
  guacamole_connection: 'connection_id',
  guacamole_connection_parameter: 'connection_id',
  guacamole_connection_permission: 'connection_id',
  guacamole_connection_group_permission: undefined,
  guacamole_entity: undefined,
  guacamole_user_group: undefined,
  ec2_discovery_owned_object: 'guacamole_id',
  ec2_discovery_granted_read: 'object_id',
};

export type Rows = ReadonlyMap<string, ReadonlyMap<string, Record<string, unknown>>>;

/** Every row of the tables a run writes, by table, keyed by its JSON (byte-for-byte comparable). */
export async function rowsOf(db: Kysely<any>): Promise<Rows> {
  const rows = new Map<string, Map<string, Record<string, unknown>>>();
  for (const table of Object.keys(TABLES)) {
    const found = await db.selectFrom(table).selectAll().execute();
    rows.set(table, new Map(found.map((r: Record<string, unknown>) => [JSON.stringify(r), r])));
  }
  return rows;
}

/**
 * What changed between two readings: per table the rows that went and the rows that came, and the connection ids
 * those rows belong to (a group, entity or user group row counts as `other`).
 */
export function changedRows(before: Rows, after: Rows): { removed: string[]; added: string[]; connections: Set<number | 'other'> } {
  const removed: string[] = [];
  const added: string[] = [];
  const connections = new Set<number | 'other'>();
  for (const [table, column] of Object.entries(TABLES)) {
    const was = before.get(table) ?? new Map();
    const now = after.get(table) ?? new Map();
    const note = (row: Record<string, unknown>) => {
      const isConnection = column !== undefined && (row.object_type === undefined || row.object_type === 'connection');
      connections.add(isConnection ? Number(row[column as string]) : 'other');
    };
    for (const [json, row] of was) {
      if (now.has(json)) continue;
      removed.push(`${table} ${json}`);
      note(row);
    }
    for (const [json, row] of now) {
      if (was.has(json)) continue;
      added.push(`${table} ${json}`);
      note(row);
    }
  }
  return { removed, added, connections };
}
