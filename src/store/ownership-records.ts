import { sql, type Kysely } from 'kysely';
import type { ObjectType, StaleRecord } from '../plan/current-state.js';
import { chunks } from './chunks.js';
import { OWNED_OBJECT_TABLE, type Database } from './tables.js';

export interface NewRecord {
  readonly objectType: ObjectType;
  readonly guacamoleId: number;
  readonly instanceKey?: string;
  readonly scope?: string;
  readonly secretDigest?: string;
}

export async function recordOwnership(db: Kysely<Database>, ownerId: string, records: readonly NewRecord[]): Promise<void> {
  for (const chunk of chunks(records)) {
    await db
      .insertInto(OWNED_OBJECT_TABLE)
      .values(
        chunk.map((r) => ({
          owner_id: ownerId,
          object_type: r.objectType,
          guacamole_id: r.guacamoleId,
          instance_key: r.instanceKey ?? null,
          scope: r.scope ?? null,
          secret_digest: r.secretDigest ?? null,
        })),
      )
      .execute();
  }
}

/** New digests after passwords were fetched again: few per run (only where a password was missing or stale). */
export async function updateSecretDigests(db: Kysely<Database>, digests: readonly { readonly id: number; readonly digest: string }[]): Promise<void> {
  // One UPDATE per 500 connections: a CASE on the id picks each one's digest.
  for (const chunk of chunks(digests, 500)) {
    const cases = sql.join(chunk.map(({ id, digest }) => sql`when ${id} then ${digest}`), sql` `);
    await db
      .updateTable(OWNED_OBJECT_TABLE)
      .set({ secret_digest: sql<string>`case guacamole_id ${cases} end` })
      .where('object_type', '=', 'connection')
      .where('guacamole_id', 'in', chunk.map((d) => d.id))
      .execute();
  }
}

export async function forgetOwnership(db: Kysely<Database>, objectType: ObjectType, ids: readonly number[]): Promise<void> {
  for (const chunk of chunks(ids)) {
    await db.deleteFrom(OWNED_OBJECT_TABLE).where('object_type', '=', objectType).where('guacamole_id', 'in', chunk).execute();
  }
}

export async function forgetStale(db: Kysely<Database>, stale: readonly StaleRecord[]): Promise<void> {
  for (const type of ['connection', 'connection_group'] as const) {
    await forgetOwnership(db, type, stale.filter((s) => s.objectType === type).map((s) => s.guacamoleId));
  }
}
