import { sql, type Kysely } from 'kysely';

/**
 * Event mode's queue as the daemon last saw it, one row per owner, for `status` (which reads only the database): the
 * queue's name (never its URL), `receiving` or `failing` since when and why, and when a batch was last applied. Every
 * write sets every column (a MySQL TIMESTAMP may otherwise be given ON UPDATE CURRENT_TIMESTAMP).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ec2_discovery_event_queue')
    .addColumn('owner_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('queue_name', 'varchar(80)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('since', 'timestamp', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addColumn('last_error', 'varchar(1000)')
    .addColumn('last_batch_at', 'timestamp', (c) => c.modifyEnd(sql`NULL`)) // MySQL's TIMESTAMP is NOT NULL unless told
    .addColumn('updated_at', 'timestamp', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ec2_discovery_event_queue').execute();
}
