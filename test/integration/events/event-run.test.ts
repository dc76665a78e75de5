import { expect } from 'chai';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';
import { withRunLock } from '../../../src/store/run-lock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { readStatus } from '../../../src/status/read-status.js';
import { FakeEc2, type FakeInstance } from '../../support/fake-ec2.js';
import { readConnections, readGroupPaths, snapshot } from '../../support/guacamole-queries.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { fleetFixture } from '../once/fleet-fixture.js';
import { applied, changedRows, describedIds, eventEnv, keysFolder, rowsOf, startInProcess, target, type InProcessDaemon } from './event-run-fixture.js';

/**
 * runEventBatch through the runtime the command line builds, on the fixture fleet of the `--once` suite after a
 * full first run: an event batch describes only its instances and changes only their connections.
 */

const WEB1 = 'i-0000000000000web1';
const DB1 = 'i-00000000000000db1';
const JUMP = 'i-0000000000000jump';
const API = 'i-000000000000deb01'; // eu-west-1
const NEW = 'i-0000000000000new1';

function instanceOf(fake: FakeEc2, id: string): FakeInstance {
  const found = fake.instances.find((i) => i.instanceId === id);
  if (found === undefined) throw new Error(`no instance ${id} in the fake`);
  return found;
}

async function connectionIdOf(database: TestDatabase, path: string): Promise<number> {
  const found = (await readConnections(database.db)).get(path);
  if (found === undefined) throw new Error(`no connection ${path}`);
  return found.id;
}

for (const dialect of DIALECTS) {
  describe(`event runs (runEventBatch) on ${dialect}`, function () {
    let fake: FakeEc2;
    let keys: { dir: string; remove: () => void };
    let database: TestDatabase;
    let daemon: InProcessDaemon;

    before(async function () {
      fake = await FakeEc2.start();
      keys = keysFolder();
    });
    after(async function () {
      await fake.close();
      keys.remove();
    });
    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      const fleet = fleetFixture();
      fake.instances = fleet.instances;
      fake.images = fleet.images;
      fake.clearFailures();
      daemon = startInProcess(eventEnv(database, fake, keys.dir));
      const first = await daemon.runtime.run({ dryRun: false });
      if (first.locked || first.report.created !== 16) throw new Error('the first full run did not create the fixture fleet');
      fake.requests.length = 0;
    });
    afterEach(async function () {
      await daemon.close();
      await database.drop();
    });

    it('a new instance: only its connection is created, from one DescribeInstances by instance id; nothing else changes', async function () {
      fake.instances.push({ instanceId: NEW, region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod', privateIp: '10.0.0.99', tags: { Name: 'new-box' } });
      const status = await readStatus(database.db, daemon.config.ownerId);
      const before = await rowsOf(database.db);

      const result = applied(await daemon.runtime.runEvents([target([NEW])]));
      expect(result.report).to.include({ ok: true, created: 1, updated: 0, deleted: 0, unchanged: 0, instances: 1, asked: 1 });
      expect([result.committed, result.unapplied]).to.deep.equal([true, []]);

      // EC2: one DescribeInstances with the instance-id filter for that id; no listing, no other call (the AMI is cached).
      expect(fake.requests.map((r) => r.action)).to.deep.equal(['DescribeInstances']);
      expect(describedIds(fake.requests[0]!)).to.deep.equal({ ids: [NEW], otherFilters: [], byInstanceIdParameter: false });

      // Every row that was there is there byte for byte; every new row is the new connection's.
      const newId = await connectionIdOf(database, 'Amazon EC2/new-box');
      const changes = changedRows(before, await rowsOf(database.db));
      expect(changes.removed).to.deep.equal([]);
      expect([...changes.connections]).to.deep.equal([newId]);
      expect(changes.added.filter((row) => row.startsWith('guacamole_connection_permission '))).to.have.length(1); // READ for the admin group

      // Recorded for `status` as an event run; the problems of instances outside the batch stay listed.
      // (Runs are ordered by their start, which MySQL's timestamp keeps to the second: find the event run by its mark.)
      const after = await readStatus(database.db, daemon.config.ownerId);
      const eventRuns = after.runs.filter((r) => r.summary.asked !== undefined);
      expect(eventRuns.map((r) => r.result)).to.deep.equal(['success']);
      expect(eventRuns[0]?.summary).to.include({ asked: 1, created: 1 });
      expect(after.problems).to.deep.equal(status.problems);
      expect(after.problems.some((p) => p.subject === `us-east-1/${JUMP}`)).to.equal(true); // missing-key, from the full run
      expect(daemon.logged()).to.include('event run finished');
    });

    it('keeps what the daemon remembers of instances outside the batch (the Windows password it waits for)', async function () {
      const askedForPassword = () => fake.requestsFor('GetPasswordData').length;
      fake.instances.push({ instanceId: NEW, region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod', privateIp: '10.0.0.99', tags: { Name: 'new-box' } });
      applied(await daemon.runtime.runEvents([target([NEW])]));
      // win-01 had no password yet at the first run: the next full run within minutes does not ask again.
      const second = await daemon.runtime.run({ dryRun: false });
      expect(second.locked ? undefined : second.report).to.include({ created: 0, deleted: 0, passwordFetches: 0 });
      expect(askedForPassword()).to.equal(0);
    });

    it('a terminated instance: its connection is deleted, nothing else changes', async function () {
      instanceOf(fake, WEB1).state = 'terminated';
      const webId = await connectionIdOf(database, `Amazon EC2/web (${WEB1})`);
      const before = await rowsOf(database.db);

      const result = applied(await daemon.runtime.runEvents([target([WEB1])]));
      expect(result.report).to.include({ created: 0, updated: 0, deleted: 1 });
      expect(result.committed).to.equal(true);
      const changes = changedRows(before, await rowsOf(database.db));
      expect(changes.added).to.deep.equal([]);
      expect([...changes.connections]).to.deep.equal([webId]);
      // The other "web" keeps its disambiguated name until a full listing sees it alone.
      expect((await readConnections(database.db)).has('Amazon EC2/web (i-0000000000000web2)')).to.equal(true);
    });

    it('a kcm:organize change moves the connection; the folder it left is deleted once empty', async function () {
      instanceOf(fake, DB1).tags = { Name: 'db-01', 'kcm:organize': 'Databases/PostgreSQL', 'kcm:record': 'TRUE' };
      const dbId = await connectionIdOf(database, 'Amazon EC2/Databases/MySQL/db-01');
      const before = await rowsOf(database.db);

      const result = applied(await daemon.runtime.runEvents([target([DB1])]));
      expect(result.report).to.include({ created: 0, updated: 1, deleted: 0 });
      expect(await connectionIdOf(database, 'Amazon EC2/Databases/PostgreSQL/db-01')).to.equal(dbId);
      expect(await readGroupPaths(database.db)).to.deep.equal([
        'Amazon EC2',
        'Amazon EC2/Apps',
        'Amazon EC2/Apps/EU',
        'Amazon EC2/Batch',
        'Amazon EC2/Databases',
        'Amazon EC2/Databases/PostgreSQL',
      ]);
      // Besides folders, only db-01's rows changed.
      expect([...changedRows(before, await rowsOf(database.db)).connections].sort()).to.deep.equal([dbId, 'other'].sort());
    });

    it('an id EC2 does not know: its connection (if any) is deleted, the others are untouched', async function () {
      fake.instances = fake.instances.filter((i) => i.instanceId !== JUMP); // terminated over an hour ago: gone
      const jumpId = await connectionIdOf(database, 'Amazon EC2/jump');
      const before = await rowsOf(database.db);

      const result = applied(await daemon.runtime.runEvents([target([JUMP, 'i-0000000000000none'])]));
      expect(result.report).to.include({ created: 0, updated: 0, deleted: 1, instances: 0, asked: 2 });
      expect(result.committed).to.equal(true);
      const changes = changedRows(before, await rowsOf(database.db));
      expect(changes.added).to.deep.equal([]);
      expect([...changes.connections]).to.deep.equal([jumpId]);
      expect(describedIds(fake.requests[0]!).ids).to.deep.equal([JUMP, 'i-0000000000000none']);
      // Its problem (missing-key) went with it.
      const status = await readStatus(database.db, daemon.config.ownerId);
      expect(status.problems.some((p) => p.subject === `us-east-1/${JUMP}`)).to.equal(false);
    });

    it('a failed describe changes nothing of its scope and is not committed; another scope of the batch is applied', async function () {
      instanceOf(fake, WEB1).state = 'terminated';
      instanceOf(fake, API).tags = { Name: 'api-2', 'kcm:organize': ' Apps // EU ' };
      fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'us-east-1' });
      const before = await snapshot(database.db);
      const beforeRows = await rowsOf(database.db);
      const apiId = await connectionIdOf(database, 'Amazon EC2/Apps/EU/api');

      const east = target([WEB1]);
      const result = applied(await daemon.runtime.runEvents([east, target([API], 'eu-west-1')]));
      expect(result.committed).to.equal(false);
      expect(result.unapplied).to.deep.equal([east]);
      expect(result.report).to.include({ ok: false, deleted: 0, updated: 1 });
      expect(result.report.failedRegions).to.deep.equal(['us-east-1']);
      expect([...changedRows(beforeRows, await rowsOf(database.db)).connections]).to.deep.equal([apiId]);
      expect(daemon.logged()).to.include("describing the batch failed in a region; the batch's connections there are left unchanged");

      // Without the other scope: nothing at all is written.
      const alone = await snapshot(database.db);
      fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'us-east-1' });
      const again = applied(await daemon.runtime.runEvents([east]));
      expect([again.committed, again.report.deleted]).to.deep.equal([false, 0]);
      expect(await snapshot(database.db)).to.equal(alone);
      expect(before).to.not.equal(alone);

      // Status: the run is partial; the batch's connection is named as kept, the region's failure is listed.
      const status = await readStatus(database.db, daemon.config.ownerId);
      expect(status.runs.filter((r) => r.summary.asked !== undefined).map((r) => r.result)).to.deep.equal(['partial', 'partial']);
      expect(status.problems.filter((p) => p.subject === `us-east-1/${WEB1}`).map((p) => p.kind)).to.deep.equal(['kept']);
      expect(status.problems.some((p) => p.subject === 'us-east-1' && p.kind === 'region')).to.equal(true);
    });

    it('returns "locked" and writes nothing while another session holds the run lock', async function () {
      fake.instances.push({ instanceId: NEW, region: 'us-east-1', imageId: 'ami-al2023', keyName: 'prod', privateIp: '10.0.0.99', tags: { Name: 'new-box' } });
      const before = await snapshot(database.db);
      const runs = (await readStatus(database.db, daemon.config.ownerId)).runs.length;
      const logger = createLogger({ level: 'error' });
      // database.db is the test's own pool: another session, as another daemon would be.
      const held = await withRunLock(database.db, dialectFor(dialect), daemon.config.ownerId, logger, () => daemon.runtime.runEvents([target([NEW])]));
      expect(held).to.deep.equal({ acquired: true, value: { locked: true } });
      expect(await snapshot(database.db)).to.equal(before);
      expect(fake.requestsFor('DescribeInstances')).to.deep.equal([]);
      expect((await readStatus(database.db, daemon.config.ownerId)).runs).to.have.length(runs);

      // Once it is free, the same batch applies.
      expect(applied(await daemon.runtime.runEvents([target([NEW])])).report.created).to.equal(1);
    });
  });

  describe(`statements of an event batch against the fleet's size on ${dialect}`, function () {
    let fake: FakeEc2;
    let keys: { dir: string; remove: () => void };
    const databases: TestDatabase[] = [];
    let small: Awaited<ReturnType<typeof batchStatements>>;
    let large: Awaited<ReturnType<typeof batchStatements>>;

    before(async function () {
      fake = await FakeEc2.start();
      keys = keysFolder();
      small = await batchStatements(20);
      large = await batchStatements(200);
    });
    after(async function () {
      await fake.close();
      keys.remove();
      for (const database of databases) await database.drop();
    });

    /** Rows the event batch read from the tables that hold a row per connection (or more), by table. */
    type RowsRead = Record<'parameters' | 'permissions' | 'bookkeeping' | 'grantRecords', number>;

    /** A first full run of `size` instances in five folders, then one event batch (a new instance, a gone one): its statements. */
    async function batchStatements(size: number): Promise<{ statements: number; describeCalls: number; report: Record<string, unknown>; rowsRead: RowsRead }> {
      const database = await createTestDatabase(dialect);
      databases.push(database);
      fake.instances = Array.from({ length: size }, (_, n) => ({
        instanceId: `i-${n.toString(16).padStart(17, '0')}`,
        region: 'us-east-1',
        imageId: 'ami-al2023',
        keyName: 'prod',
        privateIp: `10.0.${n >> 8}.${n & 255}`,
        tags: { Name: `box-${n}`, 'kcm:organize': `Team ${n % 5}` },
      }));
      fake.images = [{ imageId: 'ami-al2023', region: 'us-east-1', name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64', ownerId: '137112412989' }];
      const daemon = startInProcess(eventEnv(database, fake, keys.dir, { AWS_DISCOVERY_PAGE_SIZE: '1000' }));
      try {
        const first = await daemon.runtime.run({ dryRun: false });
        if (first.locked || first.report.created !== size) throw new Error('the first full run did not create the fleet');
        const gone = fake.instances.shift() as FakeInstance;
        fake.instances.push({ ...gone, instanceId: 'i-0000000000000fffff', tags: { Name: 'new-box', 'kcm:organize': 'Team 1' } });
        fake.requests.length = 0;
        daemon.resetStatements();
        const result = applied(await daemon.runtime.runEvents([target([gone.instanceId, 'i-0000000000000fffff'])]));
        const rowsRead: RowsRead = {
          parameters: daemon.rowsReadFrom('guacamole_connection_parameter'),
          permissions: daemon.rowsReadFrom('guacamole_connection_permission'),
          bookkeeping: daemon.rowsReadFrom('ec2_discovery_owned_object'),
          grantRecords: daemon.rowsReadFrom('ec2_discovery_granted_read'),
        };
        return { statements: daemon.statements(), describeCalls: fake.requestsFor('DescribeInstances').length, report: { ...result.report }, rowsRead };
      } finally {
        await daemon.close();
      }
    }

    it('the same statements and DescribeInstances calls for a fleet of 20 and of 200', async function () {
      expect(small.report).to.include({ created: 1, deleted: 1, updated: 0 });
      expect(large.report).to.include({ created: 1, deleted: 1, updated: 0 });
      expect(large.describeCalls).to.equal(1);
      expect(small.describeCalls).to.equal(1);
      expect(large.statements).to.equal(small.statements);
      expect(small.statements).to.be.greaterThan(5); // counted at all
    });

    it("reads the parameters, READ grants and bookkeeping of the batch's connections only, whatever the fleet", async function () {
      expect(large.rowsRead).to.deep.equal(small.rowsRead);
      // The gone instance's connection: its few parameters and its one READ row; the bookkeeping of it, the folders and the count.
      expect(small.rowsRead.parameters).to.be.within(1, 20);
      expect(small.rowsRead.permissions).to.equal(1);
      expect(small.rowsRead.bookkeeping).to.be.at.most(1 + 6 + 1 + 1);
      expect(small.rowsRead.grantRecords).to.equal(0); // no fleet-wide upkeep of grants in an event run
    });
  });
}
