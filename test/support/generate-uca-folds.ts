import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { codePointsToCheck, mysqlWeights, postgresClasses } from './collation-weights.js';
import { createTestDatabase } from './test-databases.js';
import { buildUcaFolds, foldTableModule } from './uca-fold-builder.js';

/**
 * Regenerates src/desired/uca-folds.ts from the servers named by TEST_MYSQL_URL (a MariaDB with the uca1400
 * collations, 10.10 or later) and TEST_POSTGRES_URL (PostgreSQL 15+ built with ICU):
 *
 *   npx tsc -p tsconfig.json && source <file with TEST_MYSQL_URL> && node dist/test/support/generate-uca-folds.js
 *
 * Then rebuild and run test/hostile/name-collation.test.ts, which checks the table against the same servers.
 */
const MARIADB_COLLATIONS = ['utf8mb4_uca1400_ai_ci', 'utf8mb4_unicode_520_ci', 'utf8mb4_unicode_ci'];

async function main(): Promise<void> {
  const codePoints = codePointsToCheck();
  const mysql = await createTestDatabase('mysql', { schema: false });
  const postgres = await createTestDatabase('postgres', { schema: false });
  try {
    const weights = [];
    for (const collation of MARIADB_COLLATIONS) {
      // utf8mb4_unicode_ci weighs every 4-byte character as U+FFFD: the key handles that apart, keep its BMP only.
      const points = collation === 'utf8mb4_unicode_ci' ? codePoints.filter((cp) => cp <= 0xffff) : codePoints;
      weights.push(await mysqlWeights(mysql.db, collation, points));
    }
    await sql`CREATE COLLATION icu_level1 (provider = icu, locale = 'und-u-ks-level1', deterministic = false)`.execute(postgres.db);
    const strings = codePoints.filter((cp) => cp !== 0).map((cp) => String.fromCodePoint(cp));
    const byString = await postgresClasses(postgres.db, 'icu_level1', strings);
    const classes = new Map([...byString].map(([s, id]) => [s.codePointAt(0) as number, id]));
    const { rows } = await sql<{ v: string }>`SELECT version() AS v`.execute(mysql.db);
    const { rows: pgRows } = await sql<{ v: string }>`SELECT collversion AS v FROM pg_collation WHERE collname = 'icu_level1'`.execute(postgres.db);
    const table = buildUcaFolds({ weights, classes: [classes] }, codePoints.filter((cp) => cp !== 0));
    if (table.conflicts.length > 0) throw new Error(`sources disagree: ${table.conflicts.join('; ')}`);
    const entries = new Map([[0, ''], ...table.entries]); // NUL, which PostgreSQL cannot hold, weighs nothing in MariaDB
    const note = `MariaDB ${rows[0]?.v} (${MARIADB_COLLATIONS.join(', ')}), PostgreSQL ICU ${pgRows[0]?.v} (und-u-ks-level1).`;
    const target = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'desired', 'uca-folds.ts');
    writeFileSync(target, foldTableModule(entries, note));
    console.log(`${entries.size} entries written to ${target}`);
  } finally {
    await mysql.drop();
    await postgres.drop();
  }
}

await main();
