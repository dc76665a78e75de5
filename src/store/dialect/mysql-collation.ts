import { sql, type Kysely } from 'kysely';
import type { NameCollation } from '../../desired/name-fold.js';

/** Reads the collation of `table.column` in the current database and says what it means. */
export async function readMysqlCollation(db: Kysely<any>, table: string, column: string): Promise<NameCollation> {
  const { rows } = await sql<{ collation: string | null }>`
    SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${table} AND COLUMN_NAME = ${column}`.execute(db);
  const collation = rows[0]?.collation;
  if (collation === undefined || collation === null) throw new Error(`no collation found for ${table}.${column}`);
  return describeMysqlCollation(collation);
}

/** MySQL/MariaDB collations of the root UCA (no language tailoring such as `utf8mb4_german2_ci`). */
const MYSQL_ROOT_UCA = /^(utf8mb[34]|utf8|ucs2|utf16|utf16le|utf32)_(unicode|unicode_520|uca1400|0900)(_nopad)?_(ci|ai_ci|as_ci|ai_cs|as_cs|cs|w2)$/;

/** What a MySQL/MariaDB collation name says (pure: the name is all there is to know). */
export function describeMysqlCollation(name: string): NameCollation {
  const lower = name.toLowerCase();
  const nopad = lower.includes('_nopad') || lower.includes('_0900_');
  const utf8mb4 = /^(utf8mb4|utf16|utf16le|utf32)_/.test(lower);
  const base = { name, padSpace: !nopad, ignoresPunctuation: false, covered: true };
  if (lower === 'binary' || lower.endsWith('_bin')) {
    return { ...base, family: 'binary', caseSensitive: true, accentSensitive: true, supplementaryAsReplacement: false };
  }
  if (/_general(_nopad|_mysql500)?_ci$/.test(lower) && /^(utf8mb[34]|utf8|ucs2|utf16|utf16le|utf32)_/.test(lower)) {
    return { ...base, family: 'general', caseSensitive: false, accentSensitive: false, supplementaryAsReplacement: utf8mb4 };
  }
  const uca1400 = lower.includes('_uca1400_');
  const caseSensitive = lower.endsWith('_cs');
  const accentSensitive = /_as_c[is]$|_w2$/.test(lower) || (caseSensitive && !lower.endsWith('_ai_cs'));
  // unicode_ci and the language collations built on it (UCA 4.0) weigh every 4-byte character as U+FFFD.
  const uca40 = !uca1400 && !lower.includes('_520_') && !lower.includes('_0900_');
  return {
    ...base,
    family: uca1400 ? 'uca' : 'unicode',
    caseSensitive,
    accentSensitive,
    supplementaryAsReplacement: utf8mb4 && uca40,
    // Covered: what the table was checked against (UCA 4.0, 5.2 and 14.0 at the root); 0900 and tailorings are not.
    covered: MYSQL_ROOT_UCA.test(lower) && !lower.includes('_0900_'),
  };
}
