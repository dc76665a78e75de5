/**
 * The limit beside our first run: how long the same database takes to insert the rows our first run produced, with
 * plain multi-row INSERTs through the same driver and pool settings (`openDatabase`), one transaction, no logic.
 *
 * The rows are read from the database of the first run (those a pristine Guacamole database does not already have:
 * the seed rows are left out) and inserted, ids included, into a fresh clone of the schema, parents first.
 * Status tables are left out: they are written after the run's transaction, and are not what the run is for.
 */
import type { Kysely } from 'kysely';
import type { DatabaseConfig } from '../src/config/config.js';
import { openDatabase } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../test/support/test-databases.js';
import { SqlCounter } from './sql-counter.js';
import { letDropEndPool, tableCounts } from './database-probe.js';

/** Foreign keys point backwards in this list. */
const COPY_ORDER = [
  'guacamole_entity',
  'guacamole_user_group',
  'guacamole_connection_group',
  'guacamole_connection',
  'guacamole_connection_parameter',
  'guacamole_connection_attribute',
  'guacamole_connection_group_attribute',
  'guacamole_connection_permission',
  'guacamole_connection_group_permission',
  'ec2_discovery_owned_object',
  'ec2_discovery_image',
  'ec2_discovery_granted_read',
] as const;
const NOT_COPIED = new Set(['ec2_discovery_run', 'ec2_discovery_problem', 'ec2_discovery_migration', 'ec2_discovery_migration_lock']);

/** PostgreSQL takes at most 65,535 bind parameters per statement; MariaDB's packet limit is 16 MB by default. */
const MAX_PARAMETERS = 65_000;
const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;

export interface LimitResult {
  /** BEGIN … multi-row INSERTs … COMMIT (ms). */
  readonly ms: number;
  readonly rows: Record<string, number>;
  readonly statements: number;
  readonly roundTrips: number;
}

type Row = Record<string, unknown>;

/**
 * `source`: a connection to the first run's database; `grown`: the tables whose row count the first run increased.
 * The fresh database is only reached through `openDatabase` (whose pool has an error listener), never through the
 * TestDatabase's own pool: see `benchSize` for why.
 */
export async function measurePlainInsertLimit(
  source: Kysely<any>,
  dialect: TestDialect,
  grown: readonly string[],
  connect: (target: TestDatabase) => { readonly database: DatabaseConfig; readonly password: string },
): Promise<LimitResult> {
  const unknown = grown.filter((t) => !NOT_COPIED.has(t) && !(COPY_ORDER as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new Error(`the first run wrote tables the limit does not copy yet: ${unknown.join(', ')} (add them to COPY_ORDER in bench/plain-insert-limit.ts)`);
  const target = await createTestDatabase(dialect);
  await letDropEndPool(target);
  const counter = new SqlCounter();
  const { database, password } = connect(target);
  const opened = openDatabase(database, password, () => undefined, counter.observe);
  const db = opened.db as Kysely<any>;
  try {
    await migrateToLatest(db);
    const tables: { table: string; rows: Row[] }[] = [];
    for (const table of COPY_ORDER.filter((t) => grown.includes(t))) {
      const seeded = new Set((await selectAll(db, table)).map((r) => JSON.stringify(r)));
      const rows = (await selectAll(source, table)).filter((r) => !seeded.has(JSON.stringify(r)));
      tables.push({ table, rows: table === 'guacamole_connection_group' ? parentsFirst(rows) : rows });
    }
    counter.take();
    const started = performance.now();
    await db.transaction().execute(async (trx) => {
      for (const { table, rows } of tables) {
        for (const chunk of statementChunks(rows)) await trx.insertInto(table).values(chunk).execute();
      }
    });
    const ms = performance.now() - started;
    const sql = counter.take();
    const expected = await tableCounts(source, dialect);
    const got = await tableCounts(db, dialect);
    const short = tables.filter(({ table }) => expected[table] !== got[table]).map(({ table }) => `${table} ${got[table]} ≠ ${expected[table]}`);
    if (short.length > 0) throw new Error(`plain-insert copy differs from the first run's rows: ${short.join(', ')}`);
    return {
      ms: Math.round(ms),
      rows: Object.fromEntries(tables.map(({ table, rows }) => [table, rows.length])),
      statements: sql.statements,
      roundTrips: sql.roundTrips,
    };
  } finally {
    await opened.db.destroy();
    await target.drop();
  }
}

async function selectAll(db: Kysely<any>, table: string): Promise<Row[]> {
  return (await db.selectFrom(table).selectAll().execute()) as Row[];
}

/** Groups ordered so that each parent comes before its children (MariaDB checks foreign keys row by row). */
function parentsFirst(groups: readonly Row[]): Row[] {
  const ids = new Set(groups.map((g) => String(g.connection_group_id)));
  const placed = new Set<string>();
  const ordered: Row[] = [];
  let remaining = [...groups];
  while (remaining.length > 0) {
    const ready = remaining.filter((g) => g.parent_id === null || !ids.has(String(g.parent_id)) || placed.has(String(g.parent_id)));
    if (ready.length === 0) throw new Error('connection groups form a cycle');
    for (const g of ready) placed.add(String(g.connection_group_id));
    ordered.push(...ready);
    remaining = remaining.filter((g) => !placed.has(String(g.connection_group_id)));
  }
  return ordered;
}

/** As many rows per INSERT as the parameter and packet limits allow. */
function statementChunks(rows: readonly Row[]): Row[][] {
  const chunks: Row[][] = [];
  let chunk: Row[] = [];
  let parameters = 0;
  let bytes = 0;
  for (const row of rows) {
    const values = Object.values(row);
    const size = values.reduce<number>((sum, v) => sum + (typeof v === 'string' ? Buffer.byteLength(v) * 2 : 16), 0);
    if (chunk.length > 0 && (parameters + values.length > MAX_PARAMETERS || bytes + size > MAX_STATEMENT_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      parameters = 0;
      bytes = 0;
    }
    chunk.push(row);
    parameters += values.length;
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
