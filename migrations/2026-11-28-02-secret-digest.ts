import type { Kysely } from 'kysely';

/**
 * For connections whose password the daemon decrypted (Windows): a digest of the password and the key that
 * decrypted it. A run compares it with the stored password and the current key to learn, without an EC2 call,
 * whether the password is still the one EC2 gave: only connections where it is not (missing, edited by hand,
 * key replaced) cost a GetPasswordData call. The digest reveals nothing the parameter table does not hold.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ec2_discovery_owned_object').addColumn('secret_digest', 'varchar(64)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ec2_discovery_owned_object').dropColumn('secret_digest').execute();
}
