import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { chunks } from '../store/chunks.js';
import type { Problem } from './problems.js';
import { storableSummary, storableText } from './storable-text.js';

export type RunResult = 'success' | 'partial' | 'failure';

export interface RunRecord {
  readonly ownerId: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly result: RunResult;
  /** Counts and reasons; serialised as JSON (secret-free by construction: it holds RunReport fields). */
  readonly summary: Readonly<Record<string, unknown>>;
  /** Undefined when the run ended before it knew (the previous list stays). */
  readonly problems?: readonly Problem[];
  /**
   * A run that knew only some instances (an event run): their keys. Only the problems of these subjects are replaced;
   * the rest of the list (as the last full listing left it) stays, and the run's other problems (a scope whose
   * describe failed) are added to it. Undefined: the run's problems replace the whole list.
   */
  readonly problemSubjects?: ReadonlySet<string>;
}

/** Runs kept per owner: enough for "what happened lately", bounded whatever the schedule. */
const KEPT_RUNS = 100;
/** Column sizes (migrations/2026-11-28-03-run-status.ts), in characters. */
const SUMMARY_LIMIT = 4000;
const SUBJECT_LIMIT = 255;
const MESSAGE_LIMIT = 1000;

/**
 * Records a run and replaces the owner's problem list, in a short transaction of its own (after the run's own
 * transaction, so a failed run is recorded too). Every text goes through storableText: EC2 can send any text (NUL,
 * controls, 4-byte characters, lone surrogates) in tags, key names and error messages.
 */
export async function recordRun(db: Kysely<Database>, run: RunRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ec2_discovery_run')
      .values({
        run_id: randomUUID(),
        owner_id: run.ownerId,
        started_at: run.startedAt,
        duration_ms: Math.round(run.durationMs),
        result: run.result,
        summary: storableSummary(run.summary, SUMMARY_LIMIT),
      })
      .execute();
    const old = await trx
      .selectFrom('ec2_discovery_run')
      .select('run_id')
      .where('owner_id', '=', run.ownerId)
      .orderBy('started_at', 'desc')
      .offset(KEPT_RUNS)
      .limit(1000)
      .execute();
    for (const chunk of chunks(old.map((r) => r.run_id))) await trx.deleteFrom('ec2_discovery_run').where('run_id', 'in', chunk).execute();
    if (run.problems === undefined) return;
    const rows = run.problems.map((p) => ({
      owner_id: run.ownerId,
      subject: storableText(p.subject, SUBJECT_LIMIT),
      kind: p.kind,
      message: storableText(p.message, MESSAGE_LIMIT),
    }));
    if (run.problemSubjects !== undefined) {
      await mergeProblems(trx, run.ownerId, rows, new Set([...run.problemSubjects].map((s) => storableText(s, SUBJECT_LIMIT))));
      return;
    }
    // Usually the list is the one already stored: then nothing is written.
    const stored = await trx.selectFrom('ec2_discovery_problem').select(['subject', 'kind', 'message']).where('owner_id', '=', run.ownerId).execute();
    if (sameProblems(stored, rows)) return;
    await trx.deleteFrom('ec2_discovery_problem').where('owner_id', '=', run.ownerId).execute();
    for (const chunk of chunks(rows, 1000)) await trx.insertInto('ec2_discovery_problem').values(chunk).execute();
  });
}

type ProblemRow = { readonly subject: string; readonly kind: string; readonly message: string };

/**
 * Replaces the problems of `subjects` with the run's and adds the run's others, reading and writing only the rows of
 * the subjects involved: the statements depend on the batch, never on the length of the list.
 */
async function mergeProblems(
  trx: Kysely<Database>,
  ownerId: string,
  rows: readonly (ProblemRow & { readonly owner_id: string })[],
  subjects: ReadonlySet<string>,
): Promise<void> {
  const involved = [...new Set([...subjects, ...rows.map((r) => r.subject)])];
  if (involved.length === 0) return;
  const stored: ProblemRow[] = [];
  for (const chunk of chunks(involved, 1000)) {
    const found = await trx
      .selectFrom('ec2_discovery_problem')
      .select(['subject', 'kind', 'message'])
      .where('owner_id', '=', ownerId)
      .where('subject', 'in', chunk)
      .execute();
    stored.push(...found);
  }
  const line = (r: ProblemRow) => JSON.stringify([r.subject, r.kind, r.message]);
  const kept = stored.filter((r) => !subjects.has(r.subject)).map((r) => ({ owner_id: ownerId, subject: r.subject, kind: r.kind, message: r.message }));
  const wanted = [...new Map([...kept, ...rows].map((r) => [line(r), r])).values()];
  if (sameProblems(stored, wanted)) return;
  for (const chunk of chunks(involved, 1000)) {
    await trx.deleteFrom('ec2_discovery_problem').where('owner_id', '=', ownerId).where('subject', 'in', chunk).execute();
  }
  for (const chunk of chunks(wanted, 1000)) await trx.insertInto('ec2_discovery_problem').values(chunk).execute();
}

/** The same rows in any order (compared as sorted lines). */
function sameProblems(a: readonly ProblemRow[], b: readonly ProblemRow[]): boolean {
  if (a.length !== b.length) return false;
  const lines = (rows: readonly ProblemRow[]) => rows.map((r) => JSON.stringify([r.subject, r.kind, r.message])).sort();
  const [x, y] = [lines(a), lines(b)];
  return x.every((line, i) => line === y[i]);
}
