import { sql, type Kysely } from 'kysely';

/**
 * Which Guacamole connections and groups this daemon created, under an owner id so several daemons can share one
 * database. Guacamole ids are plain integers without foreign keys: a foreign key would attach constraint triggers
 * to Guacamole's tables, which we never alter. A row whose object vanished is cleaned up by the next run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ec2_discovery_owned_object')
    .addColumn('object_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('guacamole_id', 'integer', (c) => c.notNull())
    .addColumn('owner_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('instance_key', 'varchar(255)')
    .addColumn('scope', 'varchar(255)')
    .addColumn('created_at', 'timestamp', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
    .addPrimaryKeyConstraint('ec2_discovery_owned_object_pk', ['object_type', 'guacamole_id'])
    .execute();
  await db.schema
    .createIndex('ec2_discovery_owned_object_owner')
    .on('ec2_discovery_owned_object')
    .columns(['owner_id', 'object_type'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ec2_discovery_owned_object').execute();
}
