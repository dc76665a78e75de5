/**
 * How the plain-insert floor cuts a table's rows into multi-row INSERTs, and which cut it keeps (pure).
 *
 * The floor is no single batch size: no size is the fastest for every table and database (issue 15 measured 1,763 ms
 * for PostgreSQL's 50,256 parameter rows at 65,000 bind parameters per statement, 490 ms in 500-row INSERTs). So the
 * rows are copied with every size of `BATCH_SIZES`, and the floor is the fastest copy, each table's fastest size among
 * the candidates.
 */

/** Rows per INSERT; `max`: as many as `STATEMENT_LIMITS` allow. */
export type BatchSize = number | 'max';

export const BATCH_SIZES: readonly BatchSize[] = [500, 1000, 5000, 'max'];

/** What one statement may hold whatever the batch size: 65,000 bind parameters (PostgreSQL takes at most 65,535) and
 * about 4 MB of SQL (MariaDB's packets are 16 MB by default; mysql2 sends the values inside the SQL text). */
export interface StatementLimits {
  readonly maxParameters: number;
  readonly maxBytes: number;
}

export const STATEMENT_LIMITS: StatementLimits = { maxParameters: 65_000, maxBytes: 4 * 1024 * 1024 };

/** A row's weight in a statement: its bind parameters and an estimate of its bytes in the SQL. */
export interface RowWeight {
  readonly parameters: number;
  readonly bytes: number;
}

export function rowWeight(row: Readonly<Record<string, unknown>>): RowWeight {
  const values = Object.values(row);
  return { parameters: values.length, bytes: values.reduce<number>((sum, v) => sum + (typeof v === 'string' ? Buffer.byteLength(v) * 2 : 16), 0) };
}

/** Consecutive statements of at most `size` rows each, none beyond `limits`; rows keep their order. */
export function statementChunks<T>(rows: readonly T[], weigh: (row: T) => RowWeight, size: BatchSize, limits = STATEMENT_LIMITS): T[][] {
  const maxRows = size === 'max' ? Number.POSITIVE_INFINITY : size;
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let parameters = 0;
  let bytes = 0;
  for (const row of rows) {
    const w = weigh(row);
    if (chunk.length > 0 && (chunk.length >= maxRows || parameters + w.parameters > limits.maxParameters || bytes + w.bytes > limits.maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      parameters = 0;
      bytes = 0;
    }
    chunk.push(row);
    parameters += w.parameters;
    bytes += w.bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The smallest size of `BATCH_SIZES` that cuts `rows` into the same statements as `size` (a 300-row table is one
 * statement at every size: 500). A copy records these, so that the same work carries the same name.
 */
export function canonicalSize<T>(rows: readonly T[], weigh: (row: T) => RowWeight, size: BatchSize, limits = STATEMENT_LIMITS): BatchSize {
  const cut = (s: BatchSize) => statementChunks(rows, weigh, s, limits).map((c) => c.length).join(',');
  const wanted = cut(size);
  return BATCH_SIZES.find((s) => cut(s) === wanted) ?? size;
}

/** One measured copy of all the rows in one transaction. */
export interface CopyTrial {
  /** `500`, `1000`, `5000`, `max` (one size for every table) or `per table` (each table's fastest size). */
  readonly label: string;
  /** Rows per INSERT of each table (canonical: see `canonicalSize`). */
  readonly batches: Readonly<Record<string, BatchSize>>;
  /** BEGIN … COMMIT (ms). */
  readonly ms: number;
  /** Each table's INSERTs (ms). */
  readonly tableMs: Readonly<Record<string, number>>;
  readonly statements: number;
  readonly roundTrips: number;
}

/** For each table, the size whose INSERTs took least in any copy; a tie goes to the size listed first in `BATCH_SIZES`. */
export function fastestBatchPerTable(trials: readonly CopyTrial[]): Record<string, BatchSize> {
  const best: Record<string, { size: BatchSize; ms: number }> = {};
  const order = (s: BatchSize) => BATCH_SIZES.indexOf(s);
  for (const trial of trials) {
    for (const [table, size] of Object.entries(trial.batches)) {
      const ms = trial.tableMs[table];
      if (ms === undefined) continue;
      const seen = best[table];
      if (seen === undefined || ms < seen.ms || (ms === seen.ms && order(size) < order(seen.size))) best[table] = { size, ms };
    }
  }
  return Object.fromEntries(Object.entries(best).map(([table, { size }]) => [table, size]));
}

/** The fastest copy (the first of equals): the floor. */
export function fastestCopy(trials: readonly CopyTrial[]): CopyTrial {
  const first = trials[0];
  if (first === undefined) throw new Error('no copy was measured');
  return trials.reduce((best, t) => (t.ms < best.ms ? t : best), first);
}

/** Each label's fastest copy (ms), in the order the labels were first measured. */
export function fastestByLabel(trials: readonly CopyTrial[]): Record<string, number> {
  const byLabel: Record<string, number> = {};
  for (const t of trials) byLabel[t.label] = Math.min(byLabel[t.label] ?? Number.POSITIVE_INFINITY, t.ms);
  return byLabel;
}

export function sameBatches(a: Readonly<Record<string, BatchSize>>, b: Readonly<Record<string, BatchSize>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
