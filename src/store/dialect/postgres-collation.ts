import { sql, type Kysely } from 'kysely';
import type { NameCollation } from '../../desired/name-fold.js';

interface PostgresCollationRow {
  /** pg_collation as JSON (its columns differ between versions), null when the column uses the default collation. */
  collation: Record<string, unknown> | string | null;
}

/** Reads the collation of `table.column` in the current schema and says what it means. */
export async function readPostgresCollation(db: Kysely<any>, table: string, column: string): Promise<NameCollation> {
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
