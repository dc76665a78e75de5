import type { Kysely } from 'kysely';

/**
 * What the daemon learned from DescribeImages, kept across runs: an AMI's platform and name do not change, so each
 * AMI is described once (per region) and later runs ask EC2 only about AMIs they have not seen. `info` is the
 * image's `ImageInfo` as JSON (public image metadata, no secrets).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ec2_discovery_image')
    .addColumn('region', 'varchar(64)', (c) => c.notNull())
    .addColumn('image_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('info', 'varchar(2000)', (c) => c.notNull())
    .addColumn('seen_at', 'timestamp', (c) => c.notNull())
    .addPrimaryKeyConstraint('ec2_discovery_image_pk', ['region', 'image_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ec2_discovery_image').execute();
}
