import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { ObjectType } from '../plan/current-state.js';
import { chunks } from './chunks.js';
import { GRANTED_READ_TABLE, type Database } from './tables.js';

/** The record of READ the daemon granted (see migrations/2026-12-06-07-admin-grants.ts). */
export interface GrantRecord {
  readonly entityId: number;
  readonly objectType: ObjectType;
  readonly objectId: number;
}

/** Remembers grants; a record already there (the grant was taken back by a person and made again) is kept as it is. */
export async function recordGrants(db: Kysely<Database>, dialect: SqlDialect, ownerId: string, grants: readonly GrantRecord[]): Promise<void> {
  for (const chunk of chunks(grants)) {
    const insert = db
      .insertInto(GRANTED_READ_TABLE)
      .values(chunk.map((g) => ({ owner_id: ownerId, entity_id: g.entityId, object_type: g.objectType, object_id: g.objectId })));
    await dialect.ignoreDuplicates(insert).execute();
  }
}

/** Drops records (the grant was revoked, or its object is gone). */
export async function forgetGrants(db: Kysely<Database>, ownerId: string, grants: readonly GrantRecord[]): Promise<void> {
  for (const [entityId, objectType, ids] of byEntityAndType(grants)) {
    for (const chunk of chunks(ids)) {
      await db
        .deleteFrom(GRANTED_READ_TABLE)
        .where('owner_id', '=', ownerId)
        .where('entity_id', '=', entityId)
        .where('object_type', '=', objectType)
        .where('object_id', 'in', chunk)
        .execute();
    }
  }
}

/** Grants split by grantee and object type, for one statement per (grantee, type, 500 objects). */
export function byEntityAndType(grants: readonly GrantRecord[]): [number, ObjectType, number[]][] {
  const groups = new Map<string, [number, ObjectType, number[]]>();
  for (const g of grants) {
    const key = `${g.entityId}/${g.objectType}`;
    const group = groups.get(key) ?? [g.entityId, g.objectType, []];
    group[2].push(g.objectId);
    groups.set(key, group);
  }
  return [...groups.values()];
}
