import type { Kysely } from 'kysely';
import type { StoredPassword } from '../enrich/passwords/password-plan.js';
import { queryInChunks } from './chunks.js';
import { OWNED_OBJECT_TABLE, type Database } from './tables.js';

export interface StoredParameterOptions {
  readonly ownerId: string;
  readonly hasBookkeeping: boolean;
  readonly hasSecretDigest: boolean;
  /** An event run: only the connections of these instance keys (as stored); unset, every connection of the owner. */
  readonly instanceKeys?: ReadonlySet<string>;
}

/**
 * One parameter of this owner's connections, by instance key (with the bookkeeping digest): one query (one per 500
 * keys of an event run), read before the run's transaction so the EC2 calls it saves are not made while it is open.
 */
async function loadStoredParameter(db: Kysely<Database>, options: StoredParameterOptions, name: string) {
  if (!options.hasBookkeeping) return [];
  const query = () =>
    db
      .selectFrom(`${OWNED_OBJECT_TABLE} as o`)
      .innerJoin('guacamole_connection_parameter as p', (join) => join.onRef('p.connection_id', '=', 'o.guacamole_id').on('p.parameter_name', '=', name))
      .select(['o.instance_key', 'p.parameter_value'])
      .$if(options.hasSecretDigest, (q) => q.select('o.secret_digest'))
      .where('o.owner_id', '=', options.ownerId)
      .where('o.object_type', '=', 'connection');
  const rows =
    options.instanceKeys === undefined
      ? await query().execute()
      : await queryInChunks([...options.instanceKeys], (chunk) => query().where('o.instance_key', 'in', chunk).execute());
  return rows.flatMap((row) => {
    const digest = (row as { secret_digest?: string | null }).secret_digest ?? undefined;
    return row.instance_key === null ? [] : [{ key: row.instance_key, value: row.parameter_value, digest }];
  });
}

/** Stored Administrator passwords with their digests (see enrich/passwords/password-plan.ts). */
export async function loadStoredPasswords(db: Kysely<Database>, options: StoredParameterOptions): Promise<Map<string, StoredPassword>> {
  const rows = await loadStoredParameter(db, options, 'password');
  return new Map(rows.map((r) => [r.key, r.digest === undefined ? { password: r.value } : { password: r.value, digest: r.digest }]));
}

/** Pinned `host-key` values. */
export async function loadStoredHostKeys(db: Kysely<Database>, options: StoredParameterOptions): Promise<Map<string, string>> {
  const rows = await loadStoredParameter(db, options, 'host-key');
  return new Map(rows.map((r) => [r.key, r.value]));
}
