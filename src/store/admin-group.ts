import type { Kysely } from 'kysely';
import type { SqlDialect } from './dialect/dialect.js';
import type { AdminGroupAction } from '../plan/change-set.js';
import { insertReturningId } from './insert-returning-id.js';
import type { Database } from './tables.js';

/**
 * Makes sure the admin user group exists as Guacamole needs it: a USER_GROUP entity plus its enabled
 * `guacamole_user_group` row (without the row, Guacamole ignores the group's grants). Returns the entity id.
 */
export async function ensureAdminGroup(
  db: Kysely<Database>,
  dialect: SqlDialect,
  name: string,
  action: AdminGroupAction,
  existingEntityId: number | undefined,
): Promise<number> {
  let entityId = existingEntityId;
  if (action === 'create' || entityId === undefined) {
    entityId = await insertReturningId(db, dialect, 'guacamole_entity', 'entity_id', {
      name,
      type: dialect.enumValue('guacamole_entity_type', 'USER_GROUP'),
    });
  }
  if (action !== 'none') {
    await db.insertInto('guacamole_user_group').values({ entity_id: entityId, disabled: false }).execute();
  }
  return entityId;
}
