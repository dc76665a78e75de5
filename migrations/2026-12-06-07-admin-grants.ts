import { sql, type Kysely } from 'kysely';

/**
 * Each READ grant the daemon made for its admin user group: who (`entity_id`, the group's `guacamole_entity` id), on
 * what (`object_type` `connection` or `connection_group`, `object_id`), under which owner id. Only grants the daemon
 * inserted itself are recorded (and the admin group's READ on the daemon's own objects), so a grant a person made is
 * never taken back. With it a run can revoke the old group's grants when the admin group changes, and the READ it
 * added to a hand-made folder once nothing of its own is below. Plain integers, no foreign keys into Guacamole's
 * tables (see the first migration); a row whose object vanished is dropped by the next run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ec2_discovery_granted_read')
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('object_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('object_id', 'integer', (c) => c.notNull())
    .addColumn('granted_at', 'timestamp', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addPrimaryKeyConstraint('ec2_discovery_granted_read_pk', ['owner_id', 'entity_id', 'object_type', 'object_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ec2_discovery_granted_read').execute();
}
