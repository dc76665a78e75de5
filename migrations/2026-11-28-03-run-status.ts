import type { Kysely } from 'kysely';

/**
 * What `guacamole-ec2-discovery status` shows: the last runs of each owner (a summary each) and the instances with
 * a problem as of the last run (no key, no password, name collision, skipped input). Messages never hold secrets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ec2_discovery_run')
    .addColumn('run_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('started_at', 'timestamp', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('result', 'varchar(16)', (c) => c.notNull())
    .addColumn('summary', 'varchar(4000)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ec2_discovery_run_owner').on('ec2_discovery_run').columns(['owner_id', 'started_at']).execute();
  await db.schema
    .createTable('ec2_discovery_problem')
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('subject', 'varchar(255)', (c) => c.notNull())
    .addColumn('kind', 'varchar(32)', (c) => c.notNull())
    .addColumn('message', 'varchar(1000)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ec2_discovery_problem_owner').on('ec2_discovery_problem').columns(['owner_id', 'subject']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ec2_discovery_problem').execute();
  await db.schema.dropTable('ec2_discovery_run').execute();
}
