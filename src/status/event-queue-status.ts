import type { Kysely } from 'kysely';
import type { Database } from '../store/tables.js';
import { storableText } from './storable-text.js';

/** Event mode's queue as `status` shows it. Times are ISO strings. */
export interface EventQueueView {
  readonly queue: string;
  readonly state: 'receiving' | 'failing';
  readonly since: string;
  readonly lastError?: string;
  readonly lastBatchAt?: string;
  /** When the daemon last wrote this (a daemon stopped long ago leaves an old row). */
  readonly updatedAt: string;
}

export interface EventQueueRecord {
  readonly ownerId: string;
  /** The queue's name, never its URL. */
  readonly queue: string;
  readonly state: 'receiving' | 'failing';
  readonly since: Date;
  readonly lastError?: string;
  readonly lastBatchAt?: Date;
  readonly updatedAt: Date;
}

const ERROR_LIMIT = 1000;

/**
 * Writes the owner's queue row: a short transaction of its own (delete, insert: the same on both databases), never
 * inside a run's. Every column is written (see the migration).
 */
export async function recordEventQueue(db: Kysely<Database>, record: EventQueueRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('ec2_discovery_event_queue').where('owner_id', '=', record.ownerId).execute();
    await trx
      .insertInto('ec2_discovery_event_queue')
      .values({
        owner_id: record.ownerId,
        queue_name: storableText(record.queue, 80),
        state: record.state,
        since: record.since,
        last_error: record.lastError === undefined ? null : storableText(record.lastError, ERROR_LIMIT),
        last_batch_at: record.lastBatchAt ?? null,
        updated_at: record.updatedAt,
      })
      .execute();
  });
}

/** The owner's queue row, or undefined (event mode never ran for this owner). */
export async function readEventQueue(db: Kysely<Database>, ownerId: string): Promise<EventQueueView | undefined> {
  const row = await db.selectFrom('ec2_discovery_event_queue').selectAll().where('owner_id', '=', ownerId).executeTakeFirst();
  if (row === undefined) return undefined;
  const iso = (d: Date | string) => new Date(d).toISOString();
  return {
    queue: row.queue_name,
    state: row.state === 'failing' ? 'failing' : 'receiving',
    since: iso(row.since),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.last_batch_at === null ? {} : { lastBatchAt: iso(row.last_batch_at) }),
    updatedAt: iso(row.updated_at),
  };
}
