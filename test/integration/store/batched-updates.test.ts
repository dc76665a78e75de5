import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { applyChangeSet } from '../../../src/store/apply-change-set.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { OWNED_OBJECT_TABLE, type Database } from '../../../src/store/tables.js';
import { NO_CHANGES } from '../../../src/plan/change-set-parts.js';
import type { ChangeSet, ConnectionCreate, ConnectionUpdate } from '../../../src/plan/change-set.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';

const EMPTY: ChangeSet = NO_CHANGES;

function create(n: number, parameters: Record<string, string>): ConnectionCreate {
  return { key: `r/i-${n}`, scope: 'r', name: `box-${n}`, parent: { path: 'f' }, protocol: 'ssh', parameters, secretDigest: `d${n}-old`, displayPath: 'F' };
}

function update(id: number, n: number, change: Pick<ConnectionUpdate, 'setParameters' | 'removeParameters'> & { secretDigest?: string }): ConnectionUpdate {
  return {
    id,
    key: `r/i-${n}`,
    scope: 'r',
    name: `box-${n}`,
    parent: { id: 0 },
    protocol: 'ssh',
    changed: ['parameter'],
    viaTemporaryName: false,
    displayPath: 'F',
    ...change,
  };
}

for (const dialect of DIALECTS) {
  describe(`updates of many connections, batched, on ${dialect}`, function () {
    let database: TestDatabase;
    let db: Kysely<Database>;

    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      db = database.db as Kysely<Database>;
      await migrateToLatest(db);
    });
    afterEach(async function () {
      await database.drop();
    });

    const ctx = () => ({ dialect: dialectFor(dialect), ownerId: 'default', adminGroup: 'ec2-admins', adminEntityId: undefined });

    it('each connection gets exactly its own parameters and digest, whatever the others change', async function () {
      const creates = [1, 2, 3, 4, 5].map((n) => create(n, { hostname: `10.0.0.${n}`, port: '22', 'private-key': `key-${n}` }));
      await db
        .transaction()
        .execute((trx) =>
          applyChangeSet(
            trx,
            { ...EMPTY, adminGroup: 'create', createGroups: [{ path: 'f', name: 'F', parent: null, displayPath: 'F' }], createConnections: creates },
            ctx(),
          ),
        );
      const ids = new Map(
        (await db.selectFrom('guacamole_connection').select(['connection_id', 'connection_name']).execute()).map((r) => [
          r.connection_name,
          Number(r.connection_id),
        ]),
      );
      const id = (n: number) => ids.get(`box-${n}`) as number;
      const parent = Number((await db.selectFrom('guacamole_connection').select('parent_id').executeTakeFirstOrThrow()).parent_id);

      const updates = [
        update(id(1), 1, { setParameters: { hostname: '10.9.0.1' }, removeParameters: [], secretDigest: 'd1-new' }),
        update(id(2), 2, { setParameters: { hostname: '10.9.0.2' }, removeParameters: [] }),
        update(id(3), 3, { setParameters: { password: 'pw-3' }, removeParameters: ['private-key'], secretDigest: 'd3-new' }),
        update(id(4), 4, { setParameters: {}, removeParameters: ['port'], secretDigest: 'd4-new' }),
      ].map((u) => ({ ...u, parent: { id: parent } }));
      const admins = await db.selectFrom('guacamole_entity').select('entity_id').where('name', '=', 'ec2-admins').executeTakeFirstOrThrow();
      await db
        .transaction()
        .execute((trx) => applyChangeSet(trx, { ...EMPTY, updateConnections: updates }, { ...ctx(), adminEntityId: Number(admins.entity_id) }));

      const rows = await db.selectFrom('guacamole_connection_parameter').select(['connection_id', 'parameter_name', 'parameter_value']).execute();
      const byConnection = (n: number) =>
        Object.fromEntries(rows.filter((r) => Number(r.connection_id) === id(n)).map((r) => [r.parameter_name, r.parameter_value]));
      expect(byConnection(1)).to.deep.equal({ hostname: '10.9.0.1', port: '22', 'private-key': 'key-1' });
      expect(byConnection(2)).to.deep.equal({ hostname: '10.9.0.2', port: '22', 'private-key': 'key-2' });
      expect(byConnection(3)).to.deep.equal({ hostname: '10.0.0.3', port: '22', password: 'pw-3' });
      expect(byConnection(4)).to.deep.equal({ hostname: '10.0.0.4', 'private-key': 'key-4' });
      expect(byConnection(5)).to.deep.equal({ hostname: '10.0.0.5', port: '22', 'private-key': 'key-5' });

      const digests = await db.selectFrom(OWNED_OBJECT_TABLE).select(['guacamole_id', 'secret_digest']).where('object_type', '=', 'connection').execute();
      const digestOf = Object.fromEntries(digests.map((d) => [Number(d.guacamole_id), d.secret_digest]));
      expect([1, 2, 3, 4, 5].map((n) => digestOf[id(n)])).to.deep.equal(['d1-new', 'd2-old', 'd3-new', 'd4-new', 'd5-old']);
    });
  });
}
