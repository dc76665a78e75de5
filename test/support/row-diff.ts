import { expect } from 'chai';
import { sql, type Kysely } from 'kysely';

/** Table name → its rows as canonical JSON, sorted. */
export type RowSnapshot = ReadonlyMap<string, readonly string[]>;

/** Our bookkeeping of owned objects; the run history tables (`ec2_discovery_run`, `_problem`) record failures on purpose. */
const BOOKKEEPING = ['ec2_discovery_owned_object'];

/**
 * Every row of every Guacamole table (`guacamole_*`) and of the daemon's ownership records, row by row. Two equal
 * snapshots mean the run wrote nothing that Guacamole or the next run could see.
 */
export async function snapshotRows(db: Kysely<any>): Promise<RowSnapshot> {
  const tables = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((name) => name.startsWith('guacamole_') || BOOKKEEPING.includes(name))
    .sort();
  const out = new Map<string, string[]>();
  for (const table of tables) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(db);
    out.set(table, rows.map(canonicalRow).sort());
  }
  return out;
}

function canonicalRow(row: Record<string, unknown>): string {
  const entries = Object.keys(row)
    .sort()
    .map((key) => [key, canonicalValue(row[key])]);
  return JSON.stringify(Object.fromEntries(entries));
}

function canonicalValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `0x${value.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Rows only in `before` (-) or only in `after` (+), per table; empty when equal. */
export function diffRows(before: RowSnapshot, after: RowSnapshot): string[] {
  const lines: string[] = [];
  for (const table of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const left = countRows(before.get(table) ?? []);
    const right = countRows(after.get(table) ?? []);
    for (const [row, n] of left) for (let i = n - (right.get(row) ?? 0); i > 0; i--) lines.push(`${table}: - ${row}`);
    for (const [row, n] of right) for (let i = n - (left.get(row) ?? 0); i > 0; i--) lines.push(`${table}: + ${row}`);
    if (!before.has(table)) lines.push(`${table}: table appeared`);
    if (!after.has(table)) lines.push(`${table}: table disappeared`);
  }
  return lines;
}

function countRows(rows: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row, (counts.get(row) ?? 0) + 1);
  return counts;
}

/** Fails with the differing rows (first 40) when the database no longer equals `expected`. */
export async function expectRows(db: Kysely<any>, expected: RowSnapshot, what = 'the database'): Promise<void> {
  const differences = diffRows(expected, await snapshotRows(db));
  const shown = differences.slice(0, 40).join('\n');
  const more = differences.length > 40 ? `\n… and ${differences.length - 40} more` : '';
  expect(differences, `${what} differs row by row (- expected, + found):\n${shown}${more}`).to.deep.equal([]);
}

/** Total rows of one table in a snapshot (for sanity checks that a snapshot is not empty). */
export function rowCount(snapshot: RowSnapshot, table: string): number {
  return snapshot.get(table)?.length ?? 0;
}

/** Only the rows `keep` accepts (row given parsed), per table; tables with none left are dropped. */
export function filterRows(snapshot: RowSnapshot, keep: (table: string, row: Record<string, unknown>) => boolean): RowSnapshot {
  const out = new Map<string, readonly string[]>();
  for (const [table, rows] of snapshot) {
    const kept = rows.filter((row) => keep(table, JSON.parse(row) as Record<string, unknown>));
    if (kept.length > 0) out.set(table, kept);
  }
  return out;
}
