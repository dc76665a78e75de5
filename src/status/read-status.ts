import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import type { Problem } from './problems.js';
import type { RunResult } from './record-run.js';
import type { EventQueueView } from './event-queue-status.js';

export interface RunView {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly result: RunResult;
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface StatusView {
  readonly ownerId: string;
  /** Most recent first. */
  readonly runs: readonly RunView[];
  readonly problems: readonly Problem[];
  /** Connections this owner manages now. */
  readonly managedConnections: number;
  /** Event mode's queue as the daemon last saw it; absent when event mode never ran for this owner. */
  readonly eventQueue?: EventQueueView;
  /** What the database itself shows that needs attention (see status-warnings.ts); configuration warnings apart. */
  readonly warnings: readonly string[];
}

/** Reads what `status` prints: the last runs, the problems of the last run, the number of managed connections. */
export async function readStatus(db: Kysely<Database>, ownerId: string, runs = 10): Promise<Omit<StatusView, 'warnings'>> {
  const runRows = await db
    .selectFrom('ec2_discovery_run')
    .select(['started_at', 'duration_ms', 'result', 'summary'])
    .where('owner_id', '=', ownerId)
    .orderBy('started_at', 'desc')
    .limit(runs)
    .execute();
  const problemRows = await db
    .selectFrom('ec2_discovery_problem')
    .select(['subject', 'kind', 'message'])
    .where('owner_id', '=', ownerId)
    .orderBy('subject')
    .execute();
  const managed = await db
    .selectFrom('ec2_discovery_owned_object')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('owner_id', '=', ownerId)
    .where('object_type', '=', 'connection')
    .executeTakeFirst();
  return {
    ownerId,
    runs: runRows.map((r) => ({
      startedAt: new Date(r.started_at).toISOString(),
      durationMs: Number(r.duration_ms),
      result: r.result as RunResult,
      summary: parseSummary(r.summary),
    })),
    problems: problemRows.map((p) => ({ subject: p.subject, kind: p.kind as Problem['kind'], message: p.message })),
    managedConnections: Number(managed?.n ?? 0),
  };
}

function parseSummary(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { unreadable: true };
  }
}
