/**
 * Counts what a run asks of the database, from two Kysely hooks:
 *
 * - the `log` callback given to `openDatabase` sees every `executeQuery` on a pooled connection — each one is one
 *   round trip (node-postgres sends parse/bind/execute/sync in one write; mysql2 sends one COM_QUERY), BEGIN, COMMIT
 *   and the run lock's statements included;
 * - a plugin (`db.withPlugin(counter.plugin)`) sees each result, so the rows an INSERT, UPDATE or DELETE affected are
 *   added to its table. The log callback runs first for the same query id and records the verb and table.
 *
 * MySQL's UPDATE counts rows matched, not rows changed (mysql2 sets CLIENT_FOUND_ROWS).
 */
import type { KyselyPlugin, LogEvent, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

export type WriteVerb = 'insert' | 'update' | 'delete';

export interface SqlCounts {
  /** Every round trip: statements plus transaction control. */
  roundTrips: number;
  /** SQL statements other than BEGIN / COMMIT / ROLLBACK / SAVEPOINT. */
  statements: number;
  reads: number;
  writes: number;
  transactionControl: number;
  errors: number;
  /** Time spent waiting for the database (sum over statements, ms). */
  databaseMs: number;
  /** Rows affected by writes, by table and verb. */
  rows: Record<string, Partial<Record<WriteVerb, number>>>;
  /** Write statements by table and verb. */
  writeStatements: Record<string, Partial<Record<WriteVerb, number>>>;
  /** The slowest statements (start of their SQL text, ms), slowest first. */
  slowest: { sql: string; ms: number }[];
  /** Each transaction: when its BEGIN and its COMMIT or ROLLBACK returned (ms on the performance clock). */
  transactions: { beginAt: number; endAt: number }[];
  /**
   * Every statement's start and end (ms on the performance clock) and whether it wrote, for the time breakdown
   * (scenario-worker.ts); the worker drops it before reporting.
   */
  timeline?: StatementSpan[];
}

export interface StatementSpan {
  readonly startAt: number;
  readonly endAt: number;
  readonly kind: 'read' | 'write' | 'control';
}

const TRANSACTION_CONTROL = /^\s*(begin|start\s+transaction|commit|rollback|savepoint|release)\b/i;
const WRITE = /^\s*(insert|update|delete)\b(?:\s+ignore)?(?:\s+into|\s+from)?\s+[`"]?([A-Za-z0-9_]+)/i;

const SLOWEST_KEPT = 3;
const SQL_TEXT_KEPT = 120;

export function emptyCounts(): SqlCounts {
  return {
    roundTrips: 0,
    statements: 0,
    reads: 0,
    writes: 0,
    transactionControl: 0,
    errors: 0,
    databaseMs: 0,
    rows: {},
    writeStatements: {},
    transactions: [],
    slowest: [],
    timeline: [],
  };
}

export class SqlCounter {
  #counts = emptyCounts();
  readonly #pending = new WeakMap<QueryId, { verb: WriteVerb; table: string }>();

  /** For `openDatabase(…, observe)`. */
  readonly observe = (event: LogEvent): void => {
    const c = this.#counts;
    c.roundTrips += 1;
    c.databaseMs += event.queryDurationMillis;
    if (event.level === 'error') c.errors += 1;
    const text = event.query.sql;
    this.#noteSlow(text, event.queryDurationMillis);
    const endAt = performance.now();
    const span = (kind: StatementSpan['kind']) => c.timeline?.push({ startAt: endAt - event.queryDurationMillis, endAt, kind });
    const control = TRANSACTION_CONTROL.exec(text)?.[1]?.toLowerCase();
    if (control !== undefined) {
      c.transactionControl += 1;
      span('control');
      if (control === 'begin' || control.startsWith('start')) c.transactions.push({ beginAt: performance.now(), endAt: Number.NaN });
      const open = c.transactions.at(-1);
      if ((control === 'commit' || control === 'rollback') && open !== undefined) open.endAt = performance.now();
      return;
    }
    c.statements += 1;
    const write = WRITE.exec(text);
    span(write === null ? 'read' : 'write');
    if (write === null) {
      c.reads += 1;
      return;
    }
    c.writes += 1;
    const verb = (write[1] as string).toLowerCase() as WriteVerb;
    const table = write[2] as string;
    const perTable = (c.writeStatements[table] ??= {});
    perTable[verb] = (perTable[verb] ?? 0) + 1;
    this.#pending.set(event.query.queryId, { verb, table });
  };

  readonly plugin: KyselyPlugin = {
    transformQuery: (args: { node: RootOperationNode }) => args.node,
    transformResult: async (args: { queryId: QueryId; result: QueryResult<UnknownRow> }) => {
      const write = this.#pending.get(args.queryId);
      if (write !== undefined) {
        this.#pending.delete(args.queryId);
        const perTable = (this.#counts.rows[write.table] ??= {});
        perTable[write.verb] = (perTable[write.verb] ?? 0) + Number(args.result.numAffectedRows ?? 0n);
      }
      return args.result;
    },
  };

  #noteSlow(text: string, ms: number): void {
    const slowest = this.#counts.slowest;
    if (slowest.length >= SLOWEST_KEPT && ms <= (slowest.at(-1)?.ms ?? 0)) return;
    slowest.push({ sql: text.slice(0, SQL_TEXT_KEPT * 4).replace(/\s+/g, ' ').slice(0, SQL_TEXT_KEPT), ms: Math.round(ms) });
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.length = Math.min(slowest.length, SLOWEST_KEPT);
  }

  /** The counts since the last reset, and a fresh start. */
  take(): SqlCounts {
    const counts = this.#counts;
    this.#counts = emptyCounts();
    counts.databaseMs = Math.round(counts.databaseMs);
    return counts;
  }
}

/** Sum of rows affected by verb over all tables. */
export function rowTotals(rows: SqlCounts['rows']): Record<WriteVerb, number> {
  const total = { insert: 0, update: 0, delete: 0 };
  for (const perTable of Object.values(rows)) {
    for (const verb of ['insert', 'update', 'delete'] as const) total[verb] += perTable[verb] ?? 0;
  }
  return total;
}
