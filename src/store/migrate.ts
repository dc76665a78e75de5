import { Migrator, type Kysely } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { describeError } from '../shared/errors.js';

/** Our own names, so we never share Kysely's default `kysely_migration` with another application. */
const MIGRATION_TABLE = 'ec2_discovery_migration';
const MIGRATION_LOCK_TABLE = 'ec2_discovery_migration_lock';

class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Kysely's migrator over our migrations and our own migration tables (tests also use it to go back to an older version). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed Kysely<unknown>
export function bookkeepingMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/** Brings the bookkeeping tables up to date. Returns the names of the migrations applied now. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are typed Kysely<unknown>
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // migrateToLatest never throws: the error comes back in the result.
  const { error, results } = await bookkeepingMigrator(db).migrateToLatest();
  if (error !== undefined) throw new MigrationError(`creating the bookkeeping tables failed: ${describeError(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
