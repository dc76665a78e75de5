import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../config/config.js';

export type GuacamoleEnum =
  | 'guacamole_connection_group_type'
  | 'guacamole_entity_type'
  | 'guacamole_object_permission_type';

/**
 * An enum value for Guacamole's columns. PostgreSQL refuses a text-typed value in an enum column, so it is cast
 * explicitly, as Guacamole's own queries do; MySQL's enums are inline column types and take the plain string.
 */
export function enumValue(dialect: Dialect, type: GuacamoleEnum, value: string): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`CAST(${value} AS ${sql.raw(type)})` : sql<string>`${value}`;
}
