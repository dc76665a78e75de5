/** What the benchmark reads from a database between scenarios (never while a run is measured). */
import { sql, type Kysely } from 'kysely';
import { loadStoredPasswords } from '../src/store/load-stored-parameters.js';
import { dialectFor } from '../src/store/dialect/dialect-for.js';
import { checkSchema } from '../src/store/schema-check.js';
import type { TestDatabase, TestDialect } from '../test/support/test-databases.js';

/** The daemon's status tables: written once per run by design, reported apart from Guacamole's and the ownership rows. */
export const STATUS_TABLES: ReadonlySet<string> = new Set(['ec2_discovery_run', 'ec2_discovery_problem']);

export type TableCounts = Record<string, number>;

/** Rows in every base table of the database (Guacamole's, the bookkeeping and the migration tables). */
export async function tableCounts(db: Kysely<any>, dialect: TestDialect): Promise<TableCounts> {
  const schema = dialect === 'postgres' ? sql`current_schema()` : sql`DATABASE()`;
  const { rows } = await sql<{ table_name: string }>`
    SELECT table_name AS table_name FROM information_schema.tables
    WHERE table_schema = ${schema} AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const counts: TableCounts = {};
  for (const { table_name: table } of rows) {
    const { rows: count } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
    counts[table] = Number(count[0]?.n ?? 0);
  }
  return counts;
}

/** after − before, tables whose count changed only. */
export function countChanges(before: TableCounts, after: TableCounts): Record<string, number> {
  const changes: Record<string, number> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[table] ?? 0) - (before[table] ?? 0);
    if (delta !== 0) changes[table] = delta;
  }
  return changes;
}

/** Instance keys (`region/instance id`) whose connection holds a password, as the daemon itself reads them. */
export async function storedPasswordKeys(db: Kysely<any>, dialect: TestDialect): Promise<Set<string>> {
  const schema = await checkSchema(db, dialectFor(dialect));
  if (!schema.hasBookkeeping) return new Set();
  return new Set((await loadStoredPasswords(db, { ownerId: 'default', ...schema })).keys());
}

/**
 * Workaround for test/support/test-databases.ts: drop() ends the TestDatabase's pool with Kysely's destroy(), which does
 * nothing unless Kysely has used the pool. On MySQL the pool already holds the connection that loaded the schema, so
 * an otherwise unused TestDatabase keeps the process alive after drop(); one query through Kysely lets drop() end it.
 * (On PostgreSQL that pool stays empty, as it must: see benchSize.)
 */
export async function letDropEndPool(database: TestDatabase): Promise<void> {
  if (database.dialect === 'mysql') await sql`SELECT 1`.execute(database.db);
}
