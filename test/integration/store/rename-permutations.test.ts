import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { planAndWrite, planOnly } from '../../../src/run/write-step.js';
import type { Database } from '../../../src/store/tables.js';
import type { DesiredConnection } from '../../../src/desired/desired-connection.js';
import { isEmptyChangeSet } from '../../../src/plan/change-set.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { seededRandom as random } from '../../support/seeded-random.js';
import { openWriteFixture, wantedAll, type WriteFixture } from '../../support/write-context.js';

const FOLDERS: readonly (readonly string[])[] = [['Amazon EC2'], ['Amazon EC2', 'Blue'], ['Amazon EC2', 'Green']];
const NAMES = ['app', 'db', 'db2', 'web', 'cache', 'queue'];
/** Distinct places (folder, name); `web` is sometimes spelt `Web`, which the database counts as the same name. */
const PLACES = FOLDERS.flatMap((folder) => NAMES.map((name) => ({ folder, name })));
const INSTANCES = 6;
const ROUNDS = 200;

function connection(i: number, place: { folder: readonly string[]; name: string }): DesiredConnection {
  return {
    key: `us-east-1/i-${i}`,
    scope: 'us-east-1',
    instanceId: `i-${i}`,
    name: place.name,
    folder: place.folder,
    protocol: 'ssh',
    parameters: { hostname: `10.0.0.${i}`, port: '22' },
  };
}

/** Each instance gets a distinct place: a random injection of instances into places, half the time within one folder. */
function assignment(next: () => number): DesiredConnection[] {
  const oneFolder = next() < 0.5 ? FOLDERS[Math.floor(next() * FOLDERS.length)] : undefined;
  const places = PLACES.filter((p) => oneFolder === undefined || p.folder === oneFolder).map((p) =>
    p.name === 'web' && next() < 0.5 ? { ...p, name: 'Web' } : p,
  );
  for (let i = places.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [places[i], places[j]] = [places[j] as (typeof places)[number], places[i] as (typeof places)[number]];
  }
  return Array.from({ length: INSTANCES }, (_, i) => connection(i, places[i] as (typeof places)[number]));
}

async function placesInDatabase(db: Kysely<Database>): Promise<Map<number, string>> {
  const groups = new Map(
    (await db.selectFrom('guacamole_connection_group').select(['connection_group_id', 'connection_group_name', 'parent_id']).execute()).map((g) => [
      Number(g.connection_group_id),
      g,
    ]),
  );
  const path = (id: number | null): string => {
    const g = id === null ? undefined : groups.get(id);
    return g === undefined ? '' : `${path(g.parent_id === null ? null : Number(g.parent_id))}${g.connection_group_name}/`;
  };
  const rows = await db.selectFrom('guacamole_connection').select(['connection_id', 'connection_name', 'parent_id']).execute();
  return new Map(rows.map((r) => [Number(r.connection_id), `${path(r.parent_id === null ? null : Number(r.parent_id))}${r.connection_name}`]));
}

for (const dialect of DIALECTS) {
  describe(`renames and moves among managed connections converge in one run, on ${dialect}`, function () {
    let database: TestDatabase;
    let fixture: WriteFixture;

    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      fixture = await openWriteFixture(database);
    });
    afterEach(async function () {
      await fixture.close();
      await database.drop();
    });

    it(`${ROUNDS} random permutations of names and folders: each in place, same ids, nothing left to do`, async function () {
      this.timeout(600_000);
      const seed = 20261206;
      const next = random(seed);
      const db = database.db as Kysely<Database>;
      await planAndWrite(fixture.context, wantedAll(assignment(next)));
      const ids = new Map(
        (await db.selectFrom('ec2_discovery_owned_object').select(['instance_key', 'guacamole_id']).where('object_type', '=', 'connection').execute()).map(
          (r) => [String(r.instance_key), Number(r.guacamole_id)],
        ),
      );
      expect(ids.size).to.equal(INSTANCES);

      for (let round = 1; round <= ROUNDS; round++) {
        const desired = assignment(next);
        const written = await planAndWrite(fixture.context, wantedAll(desired));
        const where = `seed ${seed}, round ${round}`;
        expect(written.rejected, where).to.deep.equal([]);
        expect(written.changes.conflicts, where).to.deep.equal([]);
        expect(written.changes.createConnections.length + written.changes.deleteConnections.length, where).to.equal(0);
        const places = await placesInDatabase(db);
        for (const d of desired) expect(places.get(ids.get(d.key) as number), `${where}: ${d.key}`).to.equal(`${d.folder.join('/')}/${d.name}`);
        expect(places.size, where).to.equal(INSTANCES);
        expect(isEmptyChangeSet((await planOnly(fixture.context, wantedAll(desired))).changes), `${where}: idempotent`).to.equal(true);
      }
    });

    it('a chain of hand-offs (app→db, db→db2, db2→web) and a swap in one run', async function () {
      const db = database.db as Kysely<Database>;
      const root = ['Amazon EC2'];
      const before = [
        connection(1, { folder: root, name: 'app' }),
        connection(2, { folder: root, name: 'db' }),
        connection(3, { folder: root, name: 'db2' }),
        connection(4, { folder: root, name: 'x' }),
        connection(5, { folder: root, name: 'y' }),
      ];
      await planAndWrite(fixture.context, wantedAll(before));
      const idsBefore = [...(await placesInDatabase(db)).keys()].sort();
      const after = [
        connection(1, { folder: root, name: 'db' }),
        connection(2, { folder: root, name: 'db2' }),
        connection(3, { folder: root, name: 'web' }),
        connection(4, { folder: root, name: 'y' }),
        connection(5, { folder: root, name: 'x' }),
      ];
      const written = await planAndWrite(fixture.context, wantedAll(after));
      expect(written.changes.updateConnections.map((u) => [u.key, u.viaTemporaryName])).to.have.deep.members([
        ['us-east-1/i-1', false],
        ['us-east-1/i-2', true],
        ['us-east-1/i-3', true],
        ['us-east-1/i-4', true],
        ['us-east-1/i-5', true],
      ]);
      const places = await placesInDatabase(db);
      expect([...places.keys()].sort()).to.deep.equal(idsBefore);
      expect([...places.values()].sort()).to.deep.equal(['Amazon EC2/db', 'Amazon EC2/db2', 'Amazon EC2/web', 'Amazon EC2/x', 'Amazon EC2/y']);
    });
  });
}
