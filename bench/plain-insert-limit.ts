/**
 * The floor beside our first run: how long the same database takes to insert the rows our first run produced, with
 * plain multi-row INSERTs through the same driver and pool settings (`openDatabase`), one transaction, no logic.
 *
 * The rows are read from the database of the first run (those a pristine Guacamole database does not already have:
 * the seed rows are left out) and inserted, ids included, into a fresh clone of the schema, parents first.
 * Status tables are left out: they are written after the run's transaction, and are not what the run is for.
 *
 * The same rows are copied several times, each into its own fresh database (bench/insert-batches.ts): with each batch
 * size of `BATCH_SIZES` for every table, `BENCH_FLOOR_REPEATS` times (default 2, sizes interleaved), then with each
 * table's fastest size as many times. The floor is the fastest copy measured.
 */
import type { Kysely } from 'kysely';
import type { DatabaseConfig } from '../src/config/config.js';
import { openDatabase } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../test/support/test-databases.js';
import { letDropEndPool, tableCounts } from './database-probe.js';
import {
  BATCH_SIZES,
  type BatchSize,
  canonicalSize,
  type CopyTrial,
  fastestBatchPerTable,
  fastestCopy,
  rowWeight,
  type RowWeight,
  sameBatches,
  statementChunks,
} from './insert-batches.js';
import { SqlCounter } from './sql-counter.js';

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

export interface LimitResult {
  /** The floor: the fastest copy, BEGIN … multi-row INSERTs … COMMIT (ms). */
  readonly ms: number;
  readonly rows: Record<string, number>;
  /** Of the fastest copy. */
  readonly statements: number;
  readonly roundTrips: number;
  /** Rows per INSERT of each table in the fastest copy. */
  readonly batches: Readonly<Record<string, BatchSize>>;
  /** Which copy was fastest: a batch size for every table, or `per table`. */
  readonly fastest: string;
  /** Copies per batch size (BENCH_FLOOR_REPEATS). */
  readonly repeats: number;
  /** Every copy measured, in order. */
  readonly copies: readonly CopyTrial[];
}

type Row = Record<string, unknown>;
type Connect = (target: TestDatabase) => { readonly database: DatabaseConfig; readonly password: string };
interface TableRows {
  readonly table: string;
  readonly rows: readonly Row[];
}

const DEFAULT_REPEATS = 2;

/**
 * `source`: a connection to the first run's database; `grown`: the tables whose row count the first run increased.
 * The fresh databases are only reached through `openDatabase` (whose pool has an error listener), never through the
 * TestDatabase's own pool: see `benchSize` for why.
 */
export async function measurePlainInsertLimit(source: Kysely<any>, dialect: TestDialect, grown: readonly string[], connect: Connect): Promise<LimitResult> {
  const unknown = grown.filter((t) => !NOT_COPIED.has(t) && !(COPY_ORDER as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new Error(`the first run wrote tables the limit does not copy yet: ${unknown.join(', ')} (add them to COPY_ORDER in bench/plain-insert-limit.ts)`);
  const repeats = floorRepeats(process.env.BENCH_FLOOR_REPEATS);
  const tables = await rowsToCopy(source, dialect, grown, connect);
  const expected = await tableCounts(source, dialect);
  const copy = (label: string, batches: Record<string, BatchSize>) => copyOnce(tables, dialect, connect, expected, { label, batches });
  const uniform = BATCH_SIZES.map((size) => ({ label: String(size), batches: batchesFor(tables, size) }));
  const copies: CopyTrial[] = [];
  for (let r = 0; r < repeats; r++) for (const plan of uniform) copies.push(await copy(plan.label, plan.batches));
  const perTable = fastestBatchPerTable(copies);
  if (!uniform.some((plan) => sameBatches(plan.batches, perTable))) for (let r = 0; r < repeats; r++) copies.push(await copy('per table', perTable));
  const floor = fastestCopy(copies);
  return {
    ms: floor.ms,
    rows: Object.fromEntries(tables.map(({ table, rows }) => [table, rows.length])),
    statements: floor.statements,
    roundTrips: floor.roundTrips,
    batches: floor.batches,
    fastest: floor.label,
    repeats,
    copies,
  };
}

function floorRepeats(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_REPEATS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_FLOOR_REPEATS: a whole number of at least 1, got "${value}"`);
  return n;
}

function batchesFor(tables: readonly TableRows[], size: BatchSize): Record<string, BatchSize> {
  return Object.fromEntries(tables.map(({ table, rows }) => [table, canonicalSize(rows, weigh, size)]));
}

/** Each row is weighed once: the rows are cut many times over. */
const weights = new WeakMap<Row, RowWeight>();
function weigh(row: Row): RowWeight {
  let w = weights.get(row);
  if (w === undefined) weights.set(row, (w = rowWeight(row)));
  return w;
}

/** The first run's rows a fresh database lacks, per table in COPY_ORDER (groups parents first). */
async function rowsToCopy(source: Kysely<any>, dialect: TestDialect, grown: readonly string[], connect: Connect): Promise<TableRows[]> {
  return withFreshDatabase(dialect, connect, undefined, async (db) => {
    const tables: TableRows[] = [];
    for (const table of COPY_ORDER.filter((t) => grown.includes(t))) {
      const seeded = new Set((await selectAll(db, table)).map((r) => JSON.stringify(r)));
      const rows = (await selectAll(source, table)).filter((r) => !seeded.has(JSON.stringify(r)));
      tables.push({ table, rows: table === 'guacamole_connection_group' ? parentsFirst(rows) : rows });
    }
    return tables;
  });
}

/** One copy of every table into a fresh database, in one transaction; checks that the copy has the source's counts. */
async function copyOnce(
  tables: readonly TableRows[],
  dialect: TestDialect,
  connect: Connect,
  expected: Readonly<Record<string, number>>,
  plan: { label: string; batches: Readonly<Record<string, BatchSize>> },
): Promise<CopyTrial> {
  const counter = new SqlCounter();
  return withFreshDatabase(dialect, connect, counter, async (db) => {
    const tableMs: Record<string, number> = {};
    const statements = tables.map(({ table, rows }) => ({ table, chunks: statementChunks(rows, weigh, plan.batches[table] ?? 'max') }));
    counter.take();
    const started = performance.now();
    await db.transaction().execute(async (trx) => {
      for (const { table, chunks } of statements) {
        const tableStarted = performance.now();
        for (const chunk of chunks) await trx.insertInto(table).values(chunk).execute();
        tableMs[table] = Math.round((performance.now() - tableStarted) * 10) / 10;
      }
    });
    const ms = Math.round(performance.now() - started);
    const sql = counter.take();
    const got = await tableCounts(db, dialect);
    const short = tables.filter(({ table }) => expected[table] !== got[table]).map(({ table }) => `${table} ${got[table]} ≠ ${expected[table]}`);
    if (short.length > 0) throw new Error(`plain-insert copy differs from the first run's rows: ${short.join(', ')}`);
    return { label: plan.label, batches: plan.batches, ms, tableMs, statements: sql.statements, roundTrips: sql.roundTrips };
  });
}

/** A fresh Guacamole database with the bookkeeping tables, reached through `openDatabase`; dropped afterwards. */
async function withFreshDatabase<T>(dialect: TestDialect, connect: Connect, counter: SqlCounter | undefined, fn: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const target = await createTestDatabase(dialect);
  await letDropEndPool(target);
  const { database, password } = connect(target);
  const opened = openDatabase(database, password, () => undefined, counter?.observe);
  try {
    await migrateToLatest(opened.db);
    return await fn(opened.db as Kysely<any>);
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
