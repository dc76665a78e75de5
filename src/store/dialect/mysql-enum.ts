import { sql, type Kysely } from 'kysely';

/** The values of `guacamole_system_permission.permission` (an inline enum) in the current database; empty when not visible. */
export async function readMysqlSystemPermissions(db: Kysely<any>): Promise<readonly string[]> {
  const { rows } = await sql<{ type: string | Buffer | null }>`
    SELECT COLUMN_TYPE AS type FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'guacamole_system_permission' AND COLUMN_NAME = 'permission'`.execute(db);
  const type = rows[0]?.type;
  return type === undefined || type === null ? [] : enumValues(String(type));
}

/** Pure: the values of a MySQL column type `enum('A','B',…)` (a quote inside a value is doubled); none for another type. */
export function enumValues(columnType: string): string[] {
  if (!/^enum\(/i.test(columnType)) return [];
  return [...columnType.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] as string).replace(/''/g, "'"));
}
