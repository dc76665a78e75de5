import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeEc2 } from '../../support/fake-ec2.js';
import { readableBy, readConnections, readGroupPaths, snapshot } from '../../support/guacamole-queries.js';
import { runCli, summaryOf } from '../../support/run-cli.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { fleetFixture } from './fleet-fixture.js';

const SECRET_KEY = 'aws-secret-never-logged-7f3a';
const KEY_TEXT = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

for (const dialect of DIALECTS) {
  describe(`--once end to end on ${dialect}`, function () {
    let fake: FakeEc2;
    let database: TestDatabase;
    let keysDir: string;
    let env: Record<string, string>;

    before(async function () {
      fake = await FakeEc2.start();
      keysDir = mkdtempSync(join(tmpdir(), 'ged-keys-'));
      writeFileSync(join(keysDir, 'prod.pem'), KEY_TEXT, { mode: 0o600 });
    });
    after(async function () {
      await fake.close();
      rmSync(keysDir, { recursive: true, force: true });
    });
    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      const fleet = fleetFixture();
      fake.instances = fleet.instances;
      fake.images = fleet.images;
      fake.requests.length = 0;
      fake.clearFailures();
      env = {
        ...database.env,
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_DISCOVERY_SECRET_KEY: SECRET_KEY,
        AWS_DISCOVERY_REGIONS: 'us-east-1, eu-west-1',
        AWS_DISCOVERY_EC2_ENDPOINT: fake.endpoint,
        AWS_DISCOVERY_KEYS_DIR: keysDir,
        AWS_DISCOVERY_PAGE_SIZE: '5',
      };
    });
    afterEach(async function () {
      await database.drop();
    });

    it('creates every connection, folder and grant, then a second run with no change writes nothing', async function () {
      const first = await runCli(['--once'], env);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      expect(summaryOf(first)).to.include({ created: 16, updated: 0, deleted: 0 });
      expect(fake.requestsFor('DescribeInstances', 'us-east-1').length).to.equal(4); // 16 instances, pages of 5

      const connections = await readConnections(database.db);
      expect([...connections.keys()].sort()).to.deep.equal([
        'Amazon EC2/Apps/EU/api',
        ...Array.from({ length: 9 }, (_, i) => `Amazon EC2/Batch/i-00000000000000b0${i}`),
        'Amazon EC2/Databases/MySQL/db-01',
        'Amazon EC2/jump',
        'Amazon EC2/stopped-box',
        'Amazon EC2/web (i-0000000000000web1)',
        'Amazon EC2/web (i-0000000000000web2)',
        'Amazon EC2/win-01',
      ]);
      const db01 = connections.get('Amazon EC2/Databases/MySQL/db-01')!;
      expect(db01.protocol).to.equal('ssh');
      expect(db01.parameters).to.deep.equal({
        hostname: '10.0.1.5',
        port: '22',
        username: 'ubuntu',
        'private-key': KEY_TEXT.trim() + '\n',
        'recording-path': '${HISTORY_PATH}/${HISTORY_UUID}',
        'create-recording-path': 'true',
        'typescript-path': '${HISTORY_PATH}/${HISTORY_UUID}',
        'create-typescript-path': 'true',
      });
      expect(connections.get('Amazon EC2/jump')!.parameters).to.deep.equal({ hostname: '54.1.2.3', port: '22', username: 'ops' });
      expect(connections.get('Amazon EC2/Apps/EU/api')!.parameters.username).to.equal('admin'); // deprecated Debian AMI still read
      expect(connections.get('Amazon EC2/stopped-box')!.parameters.username).to.equal('ec2-user'); // unknown AMI
      expect(connections.get('Amazon EC2/win-01')).to.include({ protocol: 'rdp' });
      expect(await readGroupPaths(database.db)).to.deep.equal([
        'Amazon EC2',
        'Amazon EC2/Apps',
        'Amazon EC2/Apps/EU',
        'Amazon EC2/Batch',
        'Amazon EC2/Databases',
        'Amazon EC2/Databases/MySQL',
      ]);
      expect(first.stdout + first.stderr)
        .to.not.include(SECRET_KEY)
        .and.not.include('BEGIN RSA PRIVATE KEY');
      expect(first.logs.some((l) => String(l.message).includes('missing-key'))).to.equal(true);

      const before = await snapshot(database.db);
      const second = await runCli(['--once'], env);
      expect(second.code).to.equal(0);
      expect(summaryOf(second)).to.include({ created: 0, updated: 0, deleted: 0, unchanged: 16 });
      expect(await snapshot(database.db)).to.equal(before);
    });

    it('grants READ only, to the admin group, on every connection and every folder above it', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const perms = await database.db.selectFrom('guacamole_connection_permission').select(['entity_id', 'permission']).execute();
      const groupPerms = await database.db.selectFrom('guacamole_connection_group_permission').select(['entity_id', 'permission']).execute();
      const entities = await database.db
        .selectFrom('guacamole_entity')
        .select(['entity_id', 'name', 'type'])
        .where('name', '=', 'AWS EC2 Administrators')
        .execute();
      expect(entities).to.have.length(1);
      const adminId = Number(entities[0]!.entity_id);
      expect(perms).to.have.length(16);
      expect(groupPerms).to.have.length(6);
      for (const p of [...perms, ...groupPerms]) expect([Number(p.entity_id), p.permission]).to.deep.equal([adminId, 'READ']);

      // alice is in the admin group, bob is not: Guacamole's own conditions decide what each can read.
      await database.exec(`
        INSERT INTO guacamole_entity (name, type) VALUES ('alice', 'USER'), ('bob', 'USER');
        INSERT INTO guacamole_user_group_member (user_group_id, member_entity_id)
          SELECT g.user_group_id, u.entity_id FROM guacamole_user_group g, guacamole_entity u
          WHERE g.entity_id = ${adminId} AND u.name = 'alice' AND u.type = 'USER';`);
      const allConnections = (await readConnections(database.db)).size;
      expect((await readableBy(database.db, 'alice', 'connection')).size).to.equal(allConnections);
      expect((await readableBy(database.db, 'alice', 'connection_group')).size).to.equal(6);
      expect((await readableBy(database.db, 'bob', 'connection')).size).to.equal(0);
      expect((await readableBy(database.db, 'bob', 'connection_group')).size).to.equal(0);
    });

    it('follows the fleet: rename, new IP, move, terminate, launch; hand-made objects untouched', async function () {
      await database.exec(`INSERT INTO guacamole_connection (connection_name, parent_id, protocol) VALUES ('hand-made', NULL, 'vnc');`);
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const before = await readConnections(database.db);

      const byId = (id: string) => fake.instances.find((i) => i.instanceId === id)!;
      byId('i-0000000000000jump').tags = { Name: 'bastion', 'kcm:username': 'ops' };
      byId('i-00000000000000db1').privateIp = '10.0.1.99';
      byId('i-000000000000deb01').tags = { Name: 'api', 'kcm:organize': 'Apps/US' };
      byId('i-0000000000000web2').state = 'terminated';
      fake.instances.push({
        instanceId: 'i-00000000000000new',
        region: 'eu-west-1',
        imageId: 'ami-debian',
        keyName: 'prod',
        privateIp: '10.1.0.9',
        tags: { Name: 'new-box' },
      });

      const second = await runCli(['--once'], env);
      expect(second.code, second.stdout).to.equal(0);
      expect(summaryOf(second)).to.include({ created: 1, updated: 4, deleted: 1 }); // web1 loses its suffix
      const after = await readConnections(database.db);
      expect(after.get('Amazon EC2/bastion')!.id).to.equal(before.get('Amazon EC2/jump')!.id);
      expect(after.get('Amazon EC2/Databases/MySQL/db-01')!.parameters.hostname).to.equal('10.0.1.99');
      expect(after.get('Amazon EC2/Apps/US/api')!.id).to.equal(before.get('Amazon EC2/Apps/EU/api')!.id);
      expect(after.get('Amazon EC2/web')!.id).to.equal(before.get('Amazon EC2/web (i-0000000000000web1)')!.id);
      expect(after.has('Amazon EC2/web (i-0000000000000web2)')).to.equal(false);
      expect(after.get('Amazon EC2/new-box')!.parameters.username).to.equal('admin');
      expect(after.get('/hand-made')).to.include({ protocol: 'vnc' });
      expect(await readGroupPaths(database.db)).to.not.include('Amazon EC2/Apps/EU');

      const snap = await snapshot(database.db);
      const third = await runCli(['--once'], env);
      expect(summaryOf(third)).to.include({ created: 0, updated: 0, deleted: 0 });
      expect(await snapshot(database.db)).to.equal(snap);
    });

    it('uses an existing folder and avoids names of connections it does not own', async function () {
      await database.exec(`INSERT INTO guacamole_connection_group (connection_group_name, parent_id, type) VALUES ('Amazon EC2', NULL, 'ORGANIZATIONAL');`);
      await database.exec(`INSERT INTO guacamole_connection (connection_name, parent_id, protocol)
        SELECT 'jump', connection_group_id, 'ssh' FROM guacamole_connection_group WHERE connection_group_name = 'Amazon EC2';`);
      const run = await runCli(['--once'], env);
      expect(run.code).to.equal(0);
      const groups = await readGroupPaths(database.db);
      expect(groups.filter((g) => g === 'Amazon EC2')).to.have.length(1);
      const connections = await readConnections(database.db);
      expect(connections.get('Amazon EC2/jump')!.parameters).to.deep.equal({});
      expect(connections.has('Amazon EC2/jump (i-0000000000000jump)')).to.equal(true);
      // The folder is not ours: once the fleet is gone it stays, with the hand-made connection in it.
      fake.instances = [];
      const braked = await runCli(['--once'], env);
      expect(braked.code, 'the deletion brake holds an emptied fleet back').to.equal(1);
      expect(summaryOf(braked)).to.include({ deleted: 1 }); // eu-west-1 had a single connection: not suspicious
      const empty = await runCli(['--once', '--allow-mass-delete'], env);
      expect(summaryOf(empty)).to.include({ deleted: 15 });
      expect(await readGroupPaths(database.db)).to.deep.equal(['Amazon EC2']);
      expect([...(await readConnections(database.db)).keys()]).to.deep.equal(['Amazon EC2/jump']);
    });

    it('leaves a region whose listing fails exactly as it was, and exits 1', async function () {
      expect((await runCli(['--once'], env)).code).to.equal(0);
      const before = await snapshot(database.db);
      fake.instances = fake.instances.filter((i) => i.region !== 'eu-west-1');
      fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'eu-west-1', times: 10 });
      const run = await runCli(['--once'], env);
      expect(run.code).to.equal(1);
      expect(summaryOf(run)).to.include({ deleted: 0 });
      expect(run.stdout).to.include('UnauthorizedOperation').and.include('eu-west-1');
      expect(await snapshot(database.db)).to.equal(before);
    });

    it('--dry-run prints the plan as a tree and writes nothing', async function () {
      const run = await runCli(['--once', '--dry-run'], env);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.stdout).to.include('Amazon EC2/Databases/MySQL/').and.include('+ db-01').and.include('16 to create');
      // The header says which Guacamole it planned against (a first look, without a database, says so instead).
      const server = dialect === 'postgres' ? 'PostgreSQL' : 'MySQL/MariaDB';
      const header = `dry run against the ${server} database "${database.env.POSTGRESQL_DATABASE ?? database.env.MYSQL_DATABASE}" at `;
      expect(run.stdout.split('\n').find((l) => l.startsWith(header))).to.match(/: what a run would change \(nothing is written\)$/);
      expect(run.stdout).to.not.include('no database configured');
      const tables = await database.db.introspection.getTables();
      expect(tables.map((t) => t.name)).to.not.include('ec2_discovery_owned_object');
      expect((await database.db.selectFrom('guacamole_connection').select('connection_id').execute()).length).to.equal(0);
    });

    it('a first --dry-run on a fresh database warns of nothing: the image cache table not existing yet is an empty cache', async function () {
      const run = await runCli(['--once', '--dry-run'], env);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      const alarms = run.logs.filter((l) => l.level === 'warn' || l.level === 'error');
      expect(alarms.filter((l) => /image/i.test(JSON.stringify(l))), run.stdout).to.deep.equal([]);
      expect(run.stdout + run.stderr).to.not.include('ec2_discovery_image');
      expect(fake.requestsFor('DescribeImages').length).to.be.greaterThan(0); // every AMI described, as with an empty cache
    });
  });
}
