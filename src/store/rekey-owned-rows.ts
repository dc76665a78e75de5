import { sql, type Kysely } from 'kysely';
import { OWNED_OBJECT_TABLE, type Database } from './tables.js';

/**
 * Rewrites this owner's single-account bookkeeping (`<region>/<id>`, scope `<region>`) to the own account's
 * `<account>/<region>/<id>`, in the run's transaction (see plan/adopt-account-scopes.ts). `concat` exists on both databases.
 */
export async function rekeyRegionRows(db: Kysely<Database>, ownerId: string, selfAccountId: string): Promise<void> {
  // A literal, not a parameter: PostgreSQL cannot type a parameter inside concat(). Only an account id is ever inlined.
  if (!/^\d{12}$/.test(selfAccountId)) throw new Error(`not an AWS account id: ${selfAccountId}`);
  const prefix = sql.lit(`${selfAccountId}/`);
  await db
    .updateTable(OWNED_OBJECT_TABLE)
    .set({ instance_key: sql<string>`concat(${prefix}, instance_key)`, scope: sql<string>`concat(${prefix}, scope)` })
    .where('owner_id', '=', ownerId)
    .where('object_type', '=', 'connection')
    .where('scope', 'is not', null)
    .where('scope', '<>', '')
    .where('scope', 'not like', '%/%')
    .execute();
}
