import { expect } from 'chai';
import { sql } from 'kysely';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';
import { checkSchema } from '../../../src/store/schema-check.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';

/**
 * Guacamole keeps no schema version. The schema check reads the one change visible since 1.0.0: the system permission
 * AUDIT that 1.6.0 added (1.0.0 to 1.5.5 share one schema).
 */
for (const dialect of DIALECTS) {
  describe(`the schema check's Guacamole version on ${dialect}`, function () {
    let database: TestDatabase | undefined;
    afterEach(async function () {
      await database?.drop();
      database = undefined;
    });
    const check = (t: TestDatabase) => checkSchema(t.db, dialectFor(dialect));

    it('a 1.6.0 schema: the AUDIT permission is there', async function () {
      database = await createTestDatabase(dialect);
      expect((await check(database)).auditPermission).to.equal(true);
    });

    it('a schema from before 1.6.0: no AUDIT permission, and the server refuses one', async function () {
      database = await createTestDatabase(dialect, { guacamole: '1.5' });
      expect((await check(database)).auditPermission).to.equal(false);
      const value = dialect === 'postgres' ? sql`${'AUDIT'}::guacamole_system_permission_type` : sql`${'AUDIT'}`;
      const entity = sql`(SELECT entity_id FROM guacamole_entity WHERE name = 'guacadmin')`;
      const insert = sql`INSERT INTO guacamole_system_permission (entity_id, permission) VALUES (${entity}, ${value})`.execute(database.db);
      await insert.then(
        () => expect.fail('AUDIT was accepted'),
        (err: unknown) => expect(String(err)).to.match(/AUDIT|truncated/i),
      );
    });

    it('no system permission table or type (a database we do not use it in): the version is unknown, the check still passes', async function () {
      database = await createTestDatabase(dialect);
      const drops = ['DROP TABLE guacamole_system_permission;', ...(dialect === 'postgres' ? ['DROP TYPE guacamole_system_permission_type;'] : [])];
      await database.exec(drops.join(' '));
      expect((await check(database)).auditPermission).to.equal(undefined);
    });
  });
}
