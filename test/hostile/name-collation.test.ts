import { expect } from 'chai';
import { sql } from 'kysely';
import { readNameCollation } from '../../src/store/name-collation.js';
import { nameKeyFor, type NameCollation, type NameKey } from '../../src/desired/name-fold.js';
import { nameKey } from '../../src/desired/names.js';
import { UCA_FOLD_DATA } from '../../src/desired/uca-folds.js';
import { checkClasses, checkWeights, codePointsToCheck, mysqlWeights, postgresClasses } from '../support/collation-weights.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js';
import { dialectFor } from '../../src/store/dialect/dialect-for.js';

/**
 * Names the database counts as equal must share a key, or two instances get names the unique key (name, parent)
 * rejects and the whole run stops. For each collation the name columns can have, the columns are altered to it,
 * `readNameCollation` must report it, and `nameKeyFor` of what it reports must fold at least what the server folds:
 * every code point (MariaDB: WEIGHT_STRING, expansions included; PostgreSQL: classes of equal strings), known
 * multi-character cases, and every character against its canonical decomposition. Names with distinct keys must then
 * all be accepted in one folder.
 */

/** Known hard cases: expansions, ignorables, ligatures, Turkish and Greek letters, fullwidth forms, spaces, marks. */
const HARD_PAIRS: readonly (readonly [string, string])[] = [
  ['Straße', 'Strasse'], ['STRASSE', 'straße'], ['Straße', 'Strase'], ['web', 'web\u200b'], ['web', 'we\u200bb'],
  ['web', 'we\u00adb'], ['web', 'web\u2060'], ['web', '\ufeffweb'], ['web', 'web\ufe0f'], ['web', 'we\u200db'],
  ['Æsir', 'aesir'], ['œuvre', 'oeuvre'], ['ĳssel', 'ijssel'], ['ﬁle', 'file'], ['ﬂow', 'flow'], ['ŀl', 'l·l'],
  ['ŀl', 'll'], ['ı', 'i'], ['İstanbul', 'istanbul'], ['ISTANBUL', 'ıstanbul'], ['σοφός', 'σοφόσ'], ['ΣΟΦΟΣ', 'σοφος'],
  ['Ｗｅｂ', 'web'], ['web ', 'web'], ['web  ', 'web'], ['web\u00a0', 'web'], ['web\u3000', 'web'], ['café', 'cafe\u0301'],
  ['café', 'cafe'], ['Ørsted', 'orsted'], ['Łódź', 'lodz'], ['đak', 'dak'], ['ħal', 'hal'], ['①', '1'], ['٣', '3'],
  ['web-1', 'web1'], ['web-1', 'web 1'], ['web_1', 'web.1'], ['µ', 'μ'], ['ſ', 's'], ['ǆ', 'dž'], ['Å', 'Å'],
  ['ﬃ', 'ffi'], ['ß', 'ẞ'], ['😀', '🎉'], ['web😀', 'web\ufffd'], ['𝐰𝐞𝐛', 'web'], ['ٵ', 'اء'], ['ٵ', 'ءا'],
];

/** Pairs: the hard cases, every character with its canonical decomposition, every table entry with its key. */
function corpusPairs(bmpOnly: boolean): [string, string][] {
  const pairs: [string, string][] = HARD_PAIRS.map(([a, b]) => [a, b]);
  for (const cp of codePointsToCheck({ bmpOnly })) {
    const ch = String.fromCodePoint(cp);
    if (ch.normalize('NFD') !== ch) pairs.push([ch, ch.normalize('NFD')]);
  }
  for (const line of UCA_FOLD_DATA.split('\n')) {
    const [hex, key] = line.split('\t') as [string, string];
    const cp = Number.parseInt(hex, 16);
    if (cp !== 0 && key !== '' && (!bmpOnly || cp <= 0xffff)) pairs.push([String.fromCodePoint(cp), key]);
  }
  return bmpOnly ? pairs.filter(([a, b]) => !/[\u{10000}-\u{10FFFF}]/u.test(a + b)) : pairs;
}

interface PairCheck {
  readonly pairs: number;
  readonly equalInDatabase: number;
  readonly split: readonly string[];
  /** Pairs with one key that the database keeps apart. */
  readonly overFolded: number;
}

function checkPairs(pairs: readonly (readonly [string, string])[], equal: readonly boolean[], key: NameKey): PairCheck {
  const split: string[] = [];
  let overFolded = 0;
  pairs.forEach(([a, b], i) => {
    const sameKey = key(a) === key(b);
    if (equal[i] === true && !sameKey) split.push(`${JSON.stringify(a)} = ${JSON.stringify(b)} but keys ${JSON.stringify(key(a))} / ${JSON.stringify(key(b))}`);
    if (equal[i] !== true && sameKey) overFolded += 1;
  });
  return { pairs: pairs.length, equalInDatabase: equal.filter(Boolean).length, split, overFolded };
}

interface Case {
  /** The collation the name columns get (for PostgreSQL: created from `locale`). */
  readonly collation: string;
  readonly locale?: string;
  readonly expected: Partial<NameCollation>;
}

const MYSQL_CASES: readonly Case[] = [
  { collation: 'utf8mb3_general_ci', expected: { family: 'general', covered: true } },
  { collation: 'utf8mb4_general_ci', expected: { family: 'general', supplementaryAsReplacement: true } },
  { collation: 'utf8mb3_general_mysql500_ci', expected: { family: 'general' } },
  { collation: 'utf8mb4_general_nopad_ci', expected: { family: 'general', padSpace: false } },
  { collation: 'utf8mb4_unicode_ci', expected: { family: 'unicode', supplementaryAsReplacement: true, covered: true } },
  { collation: 'utf8mb3_unicode_ci', expected: { family: 'unicode', supplementaryAsReplacement: false } },
  { collation: 'utf8mb4_unicode_520_ci', expected: { family: 'unicode', supplementaryAsReplacement: false } },
  { collation: 'utf8mb4_unicode_520_nopad_ci', expected: { family: 'unicode', padSpace: false } },
  { collation: 'utf8mb4_uca1400_ai_ci', expected: { family: 'uca', caseSensitive: false, accentSensitive: false, covered: true } },
  { collation: 'utf8mb3_uca1400_ai_ci', expected: { family: 'uca' } },
  { collation: 'utf8mb4_uca1400_as_cs', expected: { family: 'uca', caseSensitive: true, accentSensitive: true } },
  { collation: 'utf8mb4_uca1400_nopad_ai_ci', expected: { family: 'uca', padSpace: false } },
  { collation: 'utf8mb4_bin', expected: { family: 'binary', padSpace: true } },
  { collation: 'utf8mb4_nopad_bin', expected: { family: 'binary', padSpace: false } },
];

const POSTGRES_CASES: readonly Case[] = [
  { collation: 'default', expected: { family: 'deterministic', name: 'default' } },
  { collation: 'icu_level1', locale: 'und-u-ks-level1', expected: { family: 'nondeterministic', caseSensitive: false, accentSensitive: false, covered: true } },
  { collation: 'icu_level2', locale: 'und-u-ks-level2', expected: { family: 'nondeterministic', caseSensitive: false, accentSensitive: true } },
  { collation: 'icu_level3', locale: 'und', expected: { family: 'nondeterministic', caseSensitive: true, accentSensitive: true } },
  { collation: 'icu_shifted', locale: 'und-u-ks-level1-ka-shifted', expected: { family: 'nondeterministic', ignoresPunctuation: true } },
  { collation: 'icu_en_level1', locale: 'en-u-ks-level1', expected: { family: 'nondeterministic', covered: true } },
];

async function alterNameColumns(database: TestDatabase, collation: string): Promise<void> {
  if (database.dialect === 'mysql') {
    const charset = collation.split('_')[0] as string;
    await database.exec(
      `ALTER TABLE guacamole_connection MODIFY connection_name varchar(128) CHARACTER SET ${charset} COLLATE ${collation} NOT NULL;` +
        `ALTER TABLE guacamole_connection_group MODIFY connection_group_name varchar(128) CHARACTER SET ${charset} COLLATE ${collation} NOT NULL`,
    );
  } else if (collation !== 'default') {
    await database.exec(
      `ALTER TABLE guacamole_connection ALTER COLUMN connection_name TYPE varchar(128) COLLATE "${collation}";` +
        `ALTER TABLE guacamole_connection_group ALTER COLUMN connection_group_name TYPE varchar(128) COLLATE "${collation}"`,
    );
  }
}

/** Whether the database counts each pair as equal under the column's collation. */
async function equalPairs(database: TestDatabase, collation: string, pairs: readonly (readonly [string, string])[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < pairs.length; i += 1000) {
    const part = pairs.slice(i, i + 1000);
    const tests = part.map(([a, b], j) =>
      database.dialect === 'mysql'
        ? sql`(CONVERT(${a} USING ${sql.raw(collation.split('_')[0] as string)}) COLLATE ${sql.raw(collation)}
            = CONVERT(${b} USING ${sql.raw(collation.split('_')[0] as string)})) AS ${sql.ref(`e${j}`)}`
        : sql`(${a}::text COLLATE ${sql.id(collation)} = ${b}::text) AS ${sql.ref(`e${j}`)}`,
    );
    const { rows } = await sql<Record<string, unknown>>`SELECT ${sql.join(tests)}`.execute(database.db);
    const row = rows[0] as Record<string, unknown>;
    part.forEach((_, j) => out.push(Number(row[`e${j}`]) === 1 || row[`e${j}`] === true));
  }
  return out;
}

for (const dialect of DIALECTS) {
  describe(`name collations (${dialect})`, function () {
    this.timeout(600_000);
    let database: TestDatabase;
    let available: Set<string>;

    before(async function () {
      database = await createTestDatabase(dialect);
      if (dialect === 'mysql') {
        const { rows } = await sql<{ c: string }>`SELECT FULL_COLLATION_NAME AS c FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY`
          .execute(database.db)
          .catch(() => sql<{ c: string }>`SELECT COLLATION_NAME AS c FROM information_schema.COLLATIONS`.execute(database.db));
        available = new Set(rows.map((r) => r.c));
      } else {
        for (const c of POSTGRES_CASES.filter((c) => c.locale !== undefined)) {
          await database.exec(`CREATE COLLATION "${c.collation}" (provider = icu, locale = '${c.locale}', deterministic = false)`);
        }
        available = new Set(POSTGRES_CASES.map((c) => c.collation));
      }
    });
    after(async function () {
      await database?.drop();
    });

    it('reads the collation of the standard test schema', async function () {
      const read = await readNameCollation(database.db, dialectFor(dialect));
      const expected = dialect === 'mysql' ? { name: 'utf8mb3_general_ci', family: 'general' } : { name: 'default', family: 'deterministic' };
      expect(read.connection).to.include(expected);
      expect(read.group).to.include(expected);
      // Today's rule on the standard schema, kept exactly.
      expect(nameKeyFor(read.connection)).to.equal(nameKey);
    });

    for (const c of dialect === 'mysql' ? MYSQL_CASES : POSTGRES_CASES) {
      describe(c.collation, function () {
        let collation: NameCollation;
        let key: NameKey;
        before(async function () {
          if (!available.has(c.collation)) this.skip();
          // Names another collation took may clash under this one, or not fit its character set.
          await database.exec('DELETE FROM guacamole_connection; DELETE FROM guacamole_connection_group');
          await alterNameColumns(database, c.collation);
          const read = await readNameCollation(database.db, dialectFor(dialect));
          collation = read.connection;
          key = nameKeyFor(collation);
          expect(read.group).to.deep.equal(read.connection);
        });

        it('is read as it is', function () {
          expect(collation).to.include({ name: c.collation, ...c.expected });
        });

        it('every code point the database counts as equal to another shares its key', async function () {
          // 4-byte characters: none in utf8mb3; all one (U+FFFD) in general_ci, themselves in _bin (the pairs check both).
          const bmpOnly = dialect === 'mysql' && (c.collation.startsWith('utf8mb3') || collation.family === 'general' || collation.family === 'binary');
          const points = codePointsToCheck({ bmpOnly });
          if (dialect === 'mysql') {
            const result = checkWeights(await mysqlWeights(database.db, c.collation, points), key);
            console.log(
              `      ${c.collation}: ${result.characters} code points, ${result.classes} classes, ${result.expansions} expansions ` +
              `checked; ${result.overFolded} classes folded into another`,
            );
            expect(result.split.slice(0, 5), 'classes the key splits').to.deep.equal([]);
            expect(result.badExpansions.slice(0, 5), 'expansions the key misses').to.deep.equal([]);
            expect(result.classes).to.be.greaterThan(1000); // the check did compare something
          } else {
            const strings = [...points.filter((cp) => cp !== 0).map((cp) => String.fromCodePoint(cp)), ...corpusPairs(false).flat()];
            const result = checkClasses(await postgresClasses(database.db, c.collation === 'default' ? 'default' : c.collation, strings), key);
            console.log(`      ${c.collation}: ${result.strings} strings, ${result.classes} classes; ${result.overFolded} classes folded into another`);
            expect(result.split.slice(0, 5), 'classes the key splits').to.deep.equal([]);
            expect(result.classes).to.be.greaterThan(1000);
          }
        });

        it('pairs the database counts as equal share a key (hard cases, decompositions, expansions)', async function () {
          const pairs = corpusPairs(dialect === 'mysql' && c.collation.startsWith('utf8mb3'));
          const result = checkPairs(pairs, await equalPairs(database, c.collation === 'default' ? 'C' : c.collation, pairs), key);
          console.log(
            `      ${c.collation}: ${result.pairs} pairs, ${result.equalInDatabase} equal in the database; ${result.overFolded} pairs folded that the ` +
            `database keeps apart`,
          );
          expect(result.split.slice(0, 5)).to.deep.equal([]);
          expect(result.equalInDatabase).to.be.greaterThan(0);
        });

        it('accepts in one folder every name of a distinct key', async function () {
          const names = [...new Set(HARD_PAIRS.flat().map((n) => n.trim()))].filter(
            (n) => !(dialect === 'mysql' && c.collation.startsWith('utf8mb3') && /[\u{10000}-\u{10FFFF}]/u.test(n)),
          );
          const byKey = new Map(names.map((n) => [key(n), n]));
          const kept = [...byKey.values()];
          const [group] = await insertGroups(database, [null], ['parent']);
          await insertConnections(database, group as number, kept);
          await insertGroups(database, kept.map(() => group as number), kept);
          const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM guacamole_connection`.execute(database.db);
          expect(Number(rows[0]?.n)).to.equal(kept.length);
          // The check can fail: a pair the database counts as equal is rejected in one folder.
          const storable = HARD_PAIRS.filter(([a, b]) => names.includes(a.trim()) && names.includes(b.trim()) && a.trim() !== b.trim());
          const equal = await equalPairs(database, c.collation === 'default' ? 'C' : c.collation, storable);
          const clash = storable.find((_, i) => equal[i]);
          if (clash !== undefined) {
            const [other] = await insertGroups(database, [null], ['clash']);
            await insertConnections(database, other as number, [clash[0].trim()]);
            const rejected = await insertConnections(database, other as number, [clash[1].trim()]).then(() => false, () => true);
            expect(rejected, `${clash[1]} next to ${clash[0]}`).to.equal(true);
          }
        });
      });
    }
  });
}

async function insertConnections(database: TestDatabase, parent: number, names: readonly string[]): Promise<void> {
  await database.db
    .insertInto('guacamole_connection')
    .values(names.map((n) => ({ connection_name: n, parent_id: parent, protocol: 'ssh' })))
    .execute();
}

async function insertGroups(database: TestDatabase, parents: readonly (number | null)[], names: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, name] of names.entries()) {
    const query = database.db.insertInto('guacamole_connection_group').values({ connection_group_name: name, parent_id: parents[i] ?? null });
    if (database.dialect === 'postgres') {
      const row = await query.returning('connection_group_id').executeTakeFirstOrThrow();
      ids.push(Number(row.connection_group_id));
    } else {
      const result = await query.executeTakeFirstOrThrow();
      ids.push(Number(result.insertId));
    }
  }
  return ids;
}
