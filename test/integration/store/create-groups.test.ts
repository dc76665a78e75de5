import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { applyChangeSet } from '../../../src/store/apply-change-set.js';
import { nameKey } from '../../../src/desired/names.js';
import { createGroups, byLevel } from '../../../src/store/create-groups.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { OWNED_OBJECT_TABLE, type Database } from '../../../src/store/tables.js';
import type { ChangeSet, GroupCreate } from '../../../src/plan/change-set.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';

/** Nested new folders: under ROOT and under an existing group, three levels deep, names MySQL compares without accents. */
function newFolders(existing: number): GroupCreate[] {
  return [
    { path: 'a', name: 'A', parent: null, displayPath: 'A' },
    { path: 'e/x', name: 'x', parent: { id: existing }, displayPath: 'Existing/x' },
    { path: 'a/b', name: 'B', parent: { path: 'a' }, displayPath: 'A/B' },
    { path: 'e/x/y', name: 'y', parent: { path: 'e/x' }, displayPath: 'Existing/x/y' },
    { path: 'a/b/c', name: 'Ç c', parent: { path: 'a/b' }, displayPath: 'A/B/Ç c' },
    { path: 'a/b2', name: 'B2', parent: { path: 'a' }, displayPath: 'A/B2' },
    { path: 'r', name: 'x', parent: null, displayPath: 'x' },
  ];
}

for (const dialect of DIALECTS) {
  describe(`new folders, one statement per level, on ${dialect}`, function () {
    let database: TestDatabase;
    let db: Kysely<Database>;
    let existing: number;

    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      db = database.db as Kysely<Database>;
      await migrateToLatest(db);
      await db.insertInto('guacamole_connection_group').values({ connection_group_name: 'Existing', parent_id: null, type: 'ORGANIZATIONAL' }).execute();
      existing = Number(
        (
          await db
            .selectFrom('guacamole_connection_group')
            .select('connection_group_id')
            .where('connection_group_name', '=', 'Existing')
            .executeTakeFirstOrThrow()
        ).connection_group_id,
      );
    });
    afterEach(async function () {
      await database.drop();
    });

    async function paths(): Promise<Map<number, string>> {
      const rows = await db.selectFrom('guacamole_connection_group').select(['connection_group_id', 'connection_group_name', 'parent_id']).execute();
      const byId = new Map(rows.map((r) => [Number(r.connection_group_id), r]));
      const pathOf = (id: number): string => {
        const r = byId.get(id);
        return r === undefined ? '?' : r.parent_id === null ? r.connection_group_name : `${pathOf(Number(r.parent_id))}/${r.connection_group_name}`;
      };
      return new Map(rows.map((r) => [Number(r.connection_group_id), pathOf(Number(r.connection_group_id))]));
    }

    it('creates every folder under its parent and returns each id by path key', async function () {
      const created = await createGroups(db, dialectFor(dialect), newFolders(existing), nameKey);
      const where = await paths();
      expect(Object.fromEntries([...created].map(([path, id]) => [path, where.get(id)]))).to.deep.equal({
        a: 'A',
        'e/x': 'Existing/x',
        'a/b': 'A/B',
        'e/x/y': 'Existing/x/y',
        'a/b/c': 'A/B/Ç c',
        'a/b2': 'A/B2',
        r: 'x',
      });
      expect(where.size).to.equal(8);
    });

    it('a change set with new folders and connections in them: owned, granted, connections placed', async function () {
      const changes: ChangeSet = {
        adminGroup: 'create',
        createGroups: newFolders(existing),
        createConnections: [
          { key: 'r/i-1', scope: 'r', name: 'deep', parent: { path: 'a/b/c' }, protocol: 'ssh', parameters: { hostname: '10.0.0.1' }, displayPath: 'A/B/Ç c' },
          {
            key: 'r/i-2',
            scope: 'r',
            name: 'under existing',
            parent: { path: 'e/x/y' },
            protocol: 'ssh',
            parameters: { hostname: '10.0.0.2' },
            displayPath: 'Existing/x/y',
          },
        ],
        updateConnections: [],
        deleteConnections: [],
        deleteGroups: [],
        grantConnections: [{ key: 'r/i-1' }, { key: 'r/i-2' }],
        grantGroups: [{ path: 'a' }, { path: 'a/b' }, { path: 'a/b/c' }, { id: existing }, { path: 'e/x' }, { path: 'e/x/y' }],
        forgetRecords: [],
        unchanged: 0,
        kept: [],
        conflicts: [],
      };
      await db
        .transaction()
        .execute((trx) =>
          applyChangeSet(trx, changes, { dialect: dialectFor(dialect), ownerId: 'default', adminGroup: 'ec2-admins', adminEntityId: undefined }),
        );
      const where = await paths();
      const connections = await db.selectFrom('guacamole_connection').select(['connection_name', 'parent_id']).orderBy('connection_name').execute();
      expect(connections.map((c) => [c.connection_name, where.get(Number(c.parent_id))])).to.deep.equal([
        ['deep', 'A/B/Ç c'],
        ['under existing', 'Existing/x/y'],
      ]);
      const owned = await db.selectFrom(OWNED_OBJECT_TABLE).select(['object_type', 'guacamole_id']).where('object_type', '=', 'connection_group').execute();
      expect(owned.map((o) => where.get(Number(o.guacamole_id))).sort()).to.deep.equal(['A', 'A/B', 'A/B/Ç c', 'A/B2', 'Existing/x', 'Existing/x/y', 'x']);
      const granted = await db.selectFrom('guacamole_connection_group_permission').select('connection_group_id').execute();
      expect(granted.map((g) => where.get(Number(g.connection_group_id))).sort()).to.deep.equal([
        'A',
        'A/B',
        'A/B/Ç c',
        'Existing',
        'Existing/x',
        'Existing/x/y',
      ]);
    });
  });
}

describe('byLevel', function () {
  it('puts each new folder one level below its new parent, keeping the order within a level', function () {
    const levels = byLevel(newFolders(7)).map((level) => level.map((g) => g.path));
    expect(levels).to.deep.equal([['a', 'e/x', 'r'], ['a/b', 'e/x/y', 'a/b2'], ['a/b/c']]);
  });
  it('refuses a folder whose new parent comes after it', function () {
    expect(() => byLevel([{ path: 'a/b', name: 'b', parent: { path: 'a' }, displayPath: 'a/b' }])).to.throw(/referenced before it is created/);
  });
});
