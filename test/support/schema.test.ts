import { expect } from 'chai';
import { sql } from 'kysely';
import { createTestDatabase, DIALECTS } from './test-databases.js';
import type { TestDatabase } from './test-databases.js';

/**
 * Our Guacamole test schema against the real servers: the tables exist, and the database
 * behaviours (traps) the product relies on hold, so tests written on top of it mean something.
 */

const GUACAMOLE_TABLES = [
  'guacamole_connection',
  'guacamole_connection_attribute',
  'guacamole_connection_group',
  'guacamole_connection_group_attribute',
  'guacamole_connection_group_permission',
  'guacamole_connection_history',
  'guacamole_connection_parameter',
  'guacamole_connection_permission',
  'guacamole_entity',
  'guacamole_sharing_profile',
  'guacamole_sharing_profile_attribute',
  'guacamole_sharing_profile_parameter',
  'guacamole_sharing_profile_permission',
  'guacamole_system_permission',
  'guacamole_user',
  'guacamole_user_attribute',
  'guacamole_user_group',
  'guacamole_user_group_attribute',
  'guacamole_user_group_member',
  'guacamole_user_group_permission',
  'guacamole_user_history',
  'guacamole_user_password_history',
  'guacamole_user_permission',
];

interface DriverError {
  message: string;
  code?: string; // PostgreSQL SQLSTATE, or the mysql2 symbolic name
  errno?: number; // MySQL error number
}

async function refusal(promise: Promise<unknown>): Promise<DriverError> {
  try {
    await promise;
  } catch (error) {
    return error as DriverError;
  }
  return expect.fail('expected the database to refuse the statement');
}

/** Inserts a row and returns its generated id (RETURNING on PostgreSQL, insertId on MySQL). */
async function insertId(
  t: TestDatabase,
  table: string,
  idColumn: string,
  values: Record<string, unknown>,
): Promise<number> {
  if (t.dialect === 'postgres') {
    const row = await t.db.insertInto(table).values(values).returning(idColumn).executeTakeFirstOrThrow();
    return Number(row[idColumn]);
  }
  const result = await t.db.insertInto(table).values(values).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

async function count(t: TestDatabase, table: string, where: Record<string, number | string | null>): Promise<number> {
  let query = t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  for (const [column, value] of Object.entries(where)) {
    query = value === null ? query.where(column, 'is', null) : query.where(column, '=', value);
  }
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

for (const dialect of DIALECTS) {
  describe(`Guacamole test schema (${dialect})`, function () {
    let t: TestDatabase;
    let adminEntityId: number;

    const uniqueViolation = dialect === 'postgres' ? { code: '23505' } : { errno: 1062 };
    const currentSchema = dialect === 'postgres' ? sql`current_schema()` : sql`DATABASE()`;

    const insert = (table: string, values: Record<string, unknown>) => t.db.insertInto(table).values(values).execute();
    const addGroup = (name: string, parentId: number | null = null) =>
      insertId(t, 'guacamole_connection_group', 'connection_group_id', {
        connection_group_name: name,
        parent_id: parentId,
      });
    const addConnection = (name: string, parentId: number | null = null, protocol = 'ssh') =>
      insertId(t, 'guacamole_connection', 'connection_id', { connection_name: name, parent_id: parentId, protocol });

    before(async function () {
      t = await createTestDatabase(dialect);
      const admin = await t.db
        .selectFrom('guacamole_entity')
        .select('entity_id')
        .where('name', '=', 'guacadmin')
        .where('type', '=', 'USER')
        .executeTakeFirstOrThrow();
      adminEntityId = Number(admin.entity_id);
    });

    after(async function () {
      await t?.drop();
    });

    it('creates every Guacamole table', async function () {
      const result = await sql<{ name: string }>`
        SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${currentSchema}`.execute(t.db);
      expect(result.rows.map((row) => row.name)).to.include.members(GUACAMOLE_TABLES);
    });

    it('gives a CLI environment named like Guacamole docker variables', function () {
      const prefix = dialect === 'postgres' ? 'POSTGRESQL' : 'MYSQL';
      expect(Object.keys(t.env).sort()).to.deep.equal(
        ['DATABASE', 'HOSTNAME', 'PASSWORD', 'PORT', 'USERNAME'].map((key) => `${prefix}_${key}`),
      );
      expect(t.env[`${prefix}_DATABASE`]).to.equal(t.name);
      expect(t.env[`${prefix}_PORT`]).to.match(/^\d+$/);
    });

    it('seeds guacadmin with the system permissions of a fresh Guacamole (no AUDIT)', async function () {
      const rows = await t.db
        .selectFrom('guacamole_system_permission')
        .select('permission')
        .where('entity_id', '=', adminEntityId)
        .execute();
      expect(rows.map((row) => String(row.permission)).sort()).to.deep.equal([
        'ADMINISTER',
        'CREATE_CONNECTION',
        'CREATE_CONNECTION_GROUP',
        'CREATE_SHARING_PROFILE',
        'CREATE_USER',
        'CREATE_USER_GROUP',
      ]);
      expect(await count(t, 'guacamole_user_permission', { entity_id: adminEntityId })).to.equal(3);
    });

    it('accepts the 1.6.0 system permission AUDIT', async function () {
      const value = dialect === 'postgres' ? sql`${'AUDIT'}::guacamole_system_permission_type` : sql`${'AUDIT'}`;
      await sql`INSERT INTO guacamole_system_permission (entity_id, permission)
                VALUES (${adminEntityId}, ${value})`.execute(t.db);
      await t.db
        .deleteFrom('guacamole_system_permission')
        .where('entity_id', '=', adminEntityId)
        .where('permission', '=', 'AUDIT')
        .execute();
    });

    it('limits parameter_value to 4096 characters in information_schema', async function () {
      const result = await sql<{ length: number | string }>`
        SELECT character_maximum_length AS length FROM information_schema.columns
        WHERE table_schema = ${currentSchema}
          AND table_name = 'guacamole_connection_parameter' AND column_name = 'parameter_value'`.execute(t.db);
      expect(Number(result.rows[0]?.length)).to.equal(4096);
    });

    if (dialect === 'postgres') {
      it('refuses a text-typed value in an enum column unless it is cast to the enum type', async function () {
        const connectionId = await addConnection('enum-cast');
        const grant = (permission: unknown) =>
          sql`INSERT INTO guacamole_connection_permission (entity_id, connection_id, permission)
              VALUES (${adminEntityId}, ${connectionId}, ${permission})`.execute(t.db);

        const error = await refusal(grant(sql`${'READ'}::text`));
        expect(error.code).to.equal('42804'); // datatype_mismatch
        expect(error.message).to.match(/is of type guacamole_object_permission_type but expression is of type text/);

        await grant(sql`${'READ'}::guacamole_object_permission_type`);
        await grant('UPDATE'); // an untyped parameter is coerced
        expect(await count(t, 'guacamole_connection_permission', { connection_id: connectionId })).to.equal(2);
      });
    } else {
      it('matches enum values ignoring case and refuses unknown ones (strict mode)', async function () {
        const connectionId = await addConnection('enum-case');
        const grant = (permission: string) =>
          insert('guacamole_connection_permission', { entity_id: adminEntityId, connection_id: connectionId, permission });
        await grant('read');
        const row = await t.db
          .selectFrom('guacamole_connection_permission')
          .select('permission')
          .where('connection_id', '=', connectionId)
          .executeTakeFirstOrThrow();
        expect(row.permission).to.equal('READ');

        const error = await refusal(grant('BOGUS'));
        expect(error.errno).to.equal(1265); // data truncated
      });
    }

    it('accepts duplicate names at ROOT (parent_id NULL escapes the unique key)', async function () {
      await addConnection('root-dup', null, 'ssh');
      await addConnection('root-dup', null, 'rdp');
      expect(await count(t, 'guacamole_connection', { connection_name: 'root-dup', parent_id: null })).to.equal(2);

      await addGroup('root-dup-group');
      await addGroup('root-dup-group');
      expect(await count(t, 'guacamole_connection_group', { connection_group_name: 'root-dup-group' })).to.equal(2);
    });

    it('refuses duplicate names inside a group (connection_name_parent, connection_group_name_parent)', async function () {
      const groupId = await addGroup('dup-parent');
      await addConnection('web-01', groupId, 'ssh');
      expect(await refusal(addConnection('web-01', groupId, 'rdp'))).to.include(uniqueViolation);

      await addGroup('child', groupId);
      expect(await refusal(addGroup('child', groupId))).to.include(uniqueViolation);

      // utf8mb3_general_ci ignores case and trailing spaces; PostgreSQL compares exactly.
      const variant = addConnection('WEB-01 ', groupId);
      if (dialect === 'mysql') {
        expect(await refusal(variant)).to.include(uniqueViolation);
      } else {
        await variant;
        expect(await count(t, 'guacamole_connection', { parent_id: groupId })).to.equal(2);
      }
    });

    it(`${dialect === 'mysql' ? 'refuses' : 'accepts'} a 4-byte character (emoji) in connection_name`, async function () {
      const emoji = addConnection('rocket \u{1F680}');
      if (dialect === 'mysql') {
        expect((await refusal(emoji)).errno).to.equal(1366); // incorrect string value
      } else {
        await emoji;
      }
    });

    it('refuses a parameter_value over 4096 characters and keeps one of exactly 4096', async function () {
      const connectionId = await addConnection('long-value');
      const parameter = (name: string, value: string) =>
        insert('guacamole_connection_parameter', {
          connection_id: connectionId,
          parameter_name: name,
          parameter_value: value,
        });

      await parameter('private-key', 'k'.repeat(4096));
      const error = await refusal(parameter('passphrase', 'k'.repeat(4097)));
      if (dialect === 'postgres') {
        expect(error.code).to.equal('22001'); // string_data_right_truncation
      } else {
        expect(error.errno).to.equal(1406); // data too long
      }
      const row = await t.db
        .selectFrom('guacamole_connection_parameter')
        .select('parameter_value')
        .where('connection_id', '=', connectionId)
        .executeTakeFirstOrThrow();
      expect(String(row.parameter_value)).to.have.length(4096);
    });

    it('cascades a group delete to the subtree and everything hanging from it', async function () {
      const top = await addGroup('cascade-top');
      const child = await addGroup('cascade-child', top);
      const inTop = await addConnection('c-top', top, 'ssh');
      const inChild = await addConnection('c-child', child, 'rdp');
      const outside = await addConnection('c-outside');

      for (const connectionId of [inTop, inChild, outside]) {
        const owner = { connection_id: connectionId };
        await insert('guacamole_connection_parameter', { ...owner, parameter_name: 'hostname', parameter_value: '10.0.0.1' });
        await insert('guacamole_connection_attribute', { ...owner, attribute_name: 'note', attribute_value: 'x' });
        await insert('guacamole_connection_permission', { ...owner, entity_id: adminEntityId, permission: 'READ' });
      }
      for (const groupId of [top, child]) {
        const owner = { connection_group_id: groupId };
        await insert('guacamole_connection_group_permission', { ...owner, entity_id: adminEntityId, permission: 'READ' });
        await insert('guacamole_connection_group_attribute', { ...owner, attribute_name: 'note', attribute_value: 'x' });
      }
      const profile = await insertId(t, 'guacamole_sharing_profile', 'sharing_profile_id', {
        sharing_profile_name: 'watch',
        primary_connection_id: inChild,
      });
      const profileOwner = { sharing_profile_id: profile };
      const profileParameter = { ...profileOwner, parameter_name: 'read-only', parameter_value: 'true' };
      await insert('guacamole_sharing_profile_parameter', profileParameter);
      await insert('guacamole_sharing_profile_permission', { ...profileOwner, entity_id: adminEntityId, permission: 'READ' });
      const history = await insertId(t, 'guacamole_connection_history', 'history_id', {
        username: 'guacadmin',
        connection_id: inChild,
        connection_name: 'c-child',
        start_date: new Date(),
      });

      await t.db.deleteFrom('guacamole_connection_group').where('connection_group_id', '=', top).execute();

      expect(await count(t, 'guacamole_connection_group', { connection_group_id: child })).to.equal(0);
      for (const connectionId of [inTop, inChild]) {
        expect(await count(t, 'guacamole_connection', { connection_id: connectionId })).to.equal(0);
        expect(await count(t, 'guacamole_connection_parameter', { connection_id: connectionId })).to.equal(0);
        expect(await count(t, 'guacamole_connection_attribute', { connection_id: connectionId })).to.equal(0);
        expect(await count(t, 'guacamole_connection_permission', { connection_id: connectionId })).to.equal(0);
      }
      for (const groupId of [top, child]) {
        expect(await count(t, 'guacamole_connection_group_permission', { connection_group_id: groupId })).to.equal(0);
        expect(await count(t, 'guacamole_connection_group_attribute', { connection_group_id: groupId })).to.equal(0);
      }
      expect(await count(t, 'guacamole_sharing_profile', { sharing_profile_id: profile })).to.equal(0);
      expect(await count(t, 'guacamole_sharing_profile_parameter', { sharing_profile_id: profile })).to.equal(0);
      expect(await count(t, 'guacamole_sharing_profile_permission', { sharing_profile_id: profile })).to.equal(0);

      // History survives with its copied name; the link becomes NULL.
      const row = await t.db
        .selectFrom('guacamole_connection_history')
        .selectAll()
        .where('history_id', '=', history)
        .executeTakeFirstOrThrow();
      expect(row.connection_id).to.equal(null);
      expect(row.connection_name).to.equal('c-child');

      // Nothing outside the deleted subtree is touched.
      expect(await count(t, 'guacamole_connection', { connection_id: outside })).to.equal(1);
      expect(await count(t, 'guacamole_connection_parameter', { connection_id: outside })).to.equal(1);
      expect(await count(t, 'guacamole_connection_permission', { connection_id: outside })).to.equal(1);
    });

    if (dialect === 'mysql') {
      it('creates the Guacamole tables as InnoDB with the 3-byte utf8 character set', async function () {
        const result = await sql<{ name: string; engine: string; collation: string }>`
          SELECT table_name AS name, engine AS engine, table_collation AS collation
          FROM information_schema.tables
          WHERE table_schema = DATABASE() AND table_name LIKE 'guacamole\\_%'`.execute(t.db);
        expect(result.rows).to.have.length(GUACAMOLE_TABLES.length);
        for (const row of result.rows) {
          expect(row.engine, row.name).to.equal('InnoDB');
          expect(row.collation, row.name).to.match(/^utf8(mb3)?_general_ci$/);
        }
      });
    }

    it('creates an empty database with { schema: false } and drop() removes it', async function () {
      const empty = await createTestDatabase(dialect, { schema: false });
      const tables = await sql<{ n: number | string }>`
        SELECT count(*) AS n FROM information_schema.tables
        WHERE table_schema = ${currentSchema}`.execute(empty.db);
      expect(Number(tables.rows[0]?.n)).to.equal(0);
      await empty.exec('CREATE TABLE a (id integer); CREATE TABLE b (id integer);');
      await empty.drop();

      const lookup =
        dialect === 'postgres'
          ? sql<{ n: number | string }>`SELECT count(*) AS n FROM pg_database WHERE datname = ${empty.name}`
          : sql<{ n: number | string }>`
              SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name = ${empty.name}`;
      expect(Number((await lookup.execute(t.db)).rows[0]?.n)).to.equal(0);
    });
  });
}
