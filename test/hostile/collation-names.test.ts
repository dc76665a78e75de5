import { expect } from 'chai';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/tables.js';
import { logLinesMatching, startHarness, type FaultHarness } from '../faults/fault-harness.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/test-databases.js';

/**
 * Names the database's collation counts as equal (`Straße`/`Strasse`, `cache`/`cache` + a zero-width space) on the
 * collations newer servers default to: MariaDB's uca1400, a PostgreSQL nondeterministic ICU collation. The run reads
 * the real collation and gives one of each pair a distinct name, as for any other clash: nothing is refused.
 */
const COLLATIONS = { mysql: 'utf8mb4_uca1400_ai_ci', postgres: 'ged_icu_level1' } as const;

async function collatedDatabase(dialect: 'postgres' | 'mysql'): Promise<TestDatabase> {
  const database = await createTestDatabase(dialect);
  if (dialect === 'mysql') {
    for (const [table, column] of [['guacamole_connection', 'connection_name'], ['guacamole_connection_group', 'connection_group_name']]) {
      await database.exec(`ALTER TABLE ${table} MODIFY ${column} varchar(128) CHARACTER SET utf8mb4 COLLATE ${COLLATIONS.mysql} NOT NULL`);
    }
  } else {
    await database.exec(`CREATE COLLATION ${COLLATIONS.postgres} (provider = icu, locale = 'und-u-ks-level1', deterministic = false)`);
    for (const [table, column] of [['guacamole_connection', 'connection_name'], ['guacamole_connection_group', 'connection_group_name']]) {
      await database.exec(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE varchar(128) COLLATE ${COLLATIONS.postgres}`);
    }
  }
  return database;
}

for (const dialect of DIALECTS) {
  describe(`names equal under the column's real collation (${COLLATIONS[dialect]}), on ${dialect}`, function () {
    this.timeout(180_000);
    let h: FaultHarness;
    beforeEach(async function () {
      h = await startHarness(dialect, { database: await collatedDatabase(dialect) });
      const base = { region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod' };
      h.fake.instances.push(
        { ...base, instanceId: 'i-0000000000strasse', privateIp: '10.0.5.1', tags: { Name: 'Strasse' } },
        { ...base, instanceId: 'i-00000000000strase', privateIp: '10.0.5.2', tags: { Name: 'Straße' } },
        { ...base, instanceId: 'i-000000000000cache', privateIp: '10.0.5.3', tags: { Name: 'cache' } },
        { ...base, instanceId: 'i-00000000000cache2', privateIp: '10.0.5.4', tags: { Name: 'cache\u200b' } },
        { ...base, instanceId: 'i-0000000000folder1', privateIp: '10.0.5.5', tags: { Name: 'f1', 'kcm:organize': 'Maße' } },
        { ...base, instanceId: 'i-0000000000folder2', privateIp: '10.0.5.6', tags: { Name: 'f2', 'kcm:organize': 'Masse' } },
      );
    });
    afterEach(async function () {
      await h.close();
    });

    it('reads the collation and suffixes one name of each equal pair; one folder for equal folder names; nothing refused', async function () {
      const report = await h.run();
      expect(report.skippedByReason.rejected ?? 0).to.equal(0);
      expect(report.ok).to.equal(true);
      expect(logLinesMatching(h.logs, 'warn', /refused/)).to.deep.equal([]);
      const db = h.database.db as Kysely<Database>;
      const names = (await db.selectFrom('guacamole_connection').select('connection_name').execute()).map((r) => r.connection_name);
      expect(names.filter((n) => /^Stra(ss|ß)e/.test(n)).sort()).to.deep.equal(['Strasse (i-0000000000strasse)', 'Straße (i-00000000000strase)']);
      expect(names.filter((n) => n.startsWith('cache')).sort()).to.deep.equal(['cache (i-000000000000cache)', 'cache\u200b (i-00000000000cache2)']);
      const folders = (await db.selectFrom('guacamole_connection_group').select('connection_group_name').execute()).map((r) => r.connection_group_name);
      expect(folders.filter((n) => /^Ma(ss|ß)e$/.test(n))).to.have.length(1);
      expect(await h.run()).to.include({ ok: true, created: 0, updated: 0, deleted: 0 });
    });
  });
}
