import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';
import type { NameCollation } from '../desired/name-fold.js';

/** The collations that decide which names the unique keys (name, parent_id) count as equal. */
export interface NameCollations {
  /** guacamole_connection.connection_name */
  readonly connection: NameCollation;
  /** guacamole_connection_group.connection_group_name */
  readonly group: NameCollation;
}

const COLUMNS = {
  connection: ['guacamole_connection', 'connection_name'],
  group: ['guacamole_connection_group', 'connection_group_name'],
} as const;

/** Reads the real collation of both name columns (in the current schema, as checkSchema does). */
export async function readNameCollation(db: Kysely<any>, dialect: Dialect): Promise<NameCollations> {
  const read = dialect === 'postgres' ? readPostgres : readMysql;
  const [connection, group] = await Promise.all([read(db, ...COLUMNS.connection), read(db, ...COLUMNS.group)]);
  return { connection, group };
}

async function readMysql(db: Kysely<any>, table: string, column: string): Promise<NameCollation> {
  const { rows } = await sql<{ collation: string | null }>`
    SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${table} AND COLUMN_NAME = ${column}`.execute(db);
  const collation = rows[0]?.collation;
  if (collation === undefined || collation === null) throw new Error(`no collation found for ${table}.${column}`);
  return describeMysqlCollation(collation);
}

interface PostgresCollationRow {
  /** pg_collation as JSON (its columns differ between versions), null when the column uses the default collation. */
  collation: Record<string, unknown> | string | null;
}

async function readPostgres(db: Kysely<any>, table: string, column: string): Promise<NameCollation> {
  // to_jsonb: the ICU locale is in collcollate up to 14, colliculocale in 15 and 16, colllocale from 17.
  const { rows } = await sql<PostgresCollationRow>`
    SELECT CASE WHEN a.attcollation = 0 THEN NULL ELSE (SELECT to_jsonb(c) FROM pg_collation c WHERE c.oid = a.attcollation) END AS collation
    FROM pg_attribute a
    WHERE a.attrelid = to_regclass(quote_ident(current_schema()) || '.' || quote_ident(${table}))
      AND a.attname = ${column} AND NOT a.attisdropped`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new Error(`no column ${table}.${column} found`);
  const collation = typeof row.collation === 'string' ? (JSON.parse(row.collation) as Record<string, unknown>) : row.collation;
  return describePostgresCollation(collation ?? { collname: 'default' });
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

/** ICU locales without a tailoring of the root collation (`und-u-ks-level1`, `en`, `root`). */
const ROOT_LANGUAGES = new Set(['', 'und', 'root', 'en']);
const STRENGTHS: Readonly<Record<string, number>> = {
  level1: 1, level2: 2, level3: 3, level4: 4, identic: 5,
  primary: 1, secondary: 2, tertiary: 3, quaternary: 4, identical: 5,
};

/** What a pg_collation row says. The default collation (`default`, provider `d`) is always deterministic. */
export function describePostgresCollation(row: Readonly<Record<string, unknown>>): NameCollation {
  const name = String(row.collname ?? 'default');
  const deterministic = row.collisdeterministic !== false; // absent before PostgreSQL 12: always deterministic
  const locale = [row.colllocale, row.colliculocale, row.collcollate].find((v): v is string => typeof v === 'string' && v !== '');
  const base = { name, padSpace: false, supplementaryAsReplacement: false, ...(locale === undefined ? {} : { locale }) };
  if (deterministic) {
    return { ...base, family: 'deterministic', caseSensitive: true, accentSensitive: true, ignoresPunctuation: false, covered: true };
  }
  const text = (locale ?? '').toLowerCase();
  const strengthWord = /-ks-(level[1-4]|identic)/.exec(text)?.[1] ?? /colstrength=(\w+)/.exec(text)?.[1] ?? 'level3';
  const strength = STRENGTHS[strengthWord] ?? 1;
  const caseLevel = /-kc(-true)?(-|$)/.test(text) || /colcaselevel=on/.test(text);
  const language = text.split(/[-_@]/)[0] ?? '';
  return {
    ...base,
    family: 'nondeterministic',
    caseSensitive: strength >= 3 || caseLevel,
    accentSensitive: strength >= 2,
    ignoresPunctuation: /-ka-shifted/.test(text) || /colalternate=shifted/.test(text),
    // Other tailorings (de phonebook: ä = ae; da: aa = å) are outside what was checked; `-co-` picks another table.
    covered: ROOT_LANGUAGES.has(language) && !/-co-/.test(text) && row.collprovider === 'i',
  };
}
