import type { Kysely } from 'kysely';
import { chunks } from './chunks.js';
import type { Database } from './tables.js';

/** Guacamole's `guacamole_sharing_profile` (the columns read here). People attach these to connections. */
export interface GuacamoleSharingProfileTable {
  sharing_profile_id: number;
  sharing_profile_name: string;
  primary_connection_id: number;
}

/** A sharing profile that goes with the connection it is attached to (the foreign key cascades). */
export interface SharingProfile {
  readonly id: number;
  readonly name: string;
  readonly connectionId: number;
  readonly connectionName: string;
}

/**
 * The sharing profiles attached to connections the run is about to delete, so they are reported rather than lost
 * silently by the cascade. The connections are locked first (`FOR UPDATE`): a profile added to one now waits for the
 * run to end (the foreign key takes a key-share lock on its connection), so the list is exactly what the delete
 * takes with it. The profiles are read with a locking read, which sees commits made after the run's snapshot on
 * MariaDB/MySQL (REPEATABLE READ).
 */
export async function sharingProfilesOf(db: Kysely<Database>, connectionIds: readonly number[]): Promise<SharingProfile[]> {
  const withProfiles = db.withTables<{ guacamole_sharing_profile: GuacamoleSharingProfileTable }>();
  const ids = [...new Set(connectionIds)].sort((a, b) => a - b);
  const profiles: SharingProfile[] = [];
  for (const chunk of chunks(ids)) {
    const connections = await db
      .selectFrom('guacamole_connection')
      .select(['connection_id', 'connection_name'])
      .where('connection_id', 'in', chunk)
      .orderBy('connection_id')
      .forUpdate()
      .execute();
    const names = new Map(connections.map((c) => [Number(c.connection_id), c.connection_name]));
    const rows = await withProfiles
      .selectFrom('guacamole_sharing_profile')
      .select(['sharing_profile_id', 'sharing_profile_name', 'primary_connection_id'])
      .where('primary_connection_id', 'in', chunk)
      .orderBy('sharing_profile_id')
      .forUpdate()
      .execute();
    for (const r of rows) {
      const connectionId = Number(r.primary_connection_id);
      profiles.push({ id: Number(r.sharing_profile_id), name: r.sharing_profile_name, connectionId, connectionName: names.get(connectionId) ?? '' });
    }
  }
  return profiles;
}
