import { expect } from 'chai';
import type { Kysely, KyselyPlugin, RawNode } from 'kysely';
import { reconcileAdminGrants } from '../../../src/store/admin-grants.js';
import { grantRead } from '../../../src/store/grant-read.js';
import { bookkeepingMigrator, migrateToLatest } from '../../../src/store/migrate.js';
import type { Database } from '../../../src/store/tables.js';
import { useCliSuite } from '../../support/cli-suite.js';
import type { FakeInstance } from '../../support/fake-ec2.js';
import { snapshot } from '../../support/guacamole-queries.js';
import { runCli, summaryOf, type CliResult } from '../../support/run-cli.js';
import { DIALECTS, type TestDialect } from '../../support/test-databases.js';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';

const OLD = 'AWS EC2 Administrators';
const IMAGE = { imageId: 'ami-al2023', region: 'us-east-1', name: 'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64', ownerId: '137112412989' };

function instance(id: string, name: string, organize?: string): FakeInstance {
  return {
    instanceId: `i-${id.padStart(17, '0')}`,
    region: 'us-east-1',
    imageId: IMAGE.imageId,
    privateIp: `10.0.0.${id.length + name.length}`,
    tags: { Name: name, ...(organize === undefined ? {} : { 'kcm:organize': organize }) },
  };
}

/** Every object permission as `<grantee> <permission> <connection|group> <path>`, sorted. */
async function grants(db: Kysely<any>): Promise<string[]> {
  const groups = await db.selectFrom('guacamole_connection_group').select(['connection_group_id', 'parent_id', 'connection_group_name']).execute();
  const byId = new Map(groups.map((g) => [Number(g.connection_group_id), g]));
  const path = (id: number | null): string => {
    const g = id === null ? undefined : byId.get(id);
    return g === undefined ? '' : `${path(g.parent_id === null ? null : Number(g.parent_id))}/${g.connection_group_name}`;
  };
  const connections = await db.selectFrom('guacamole_connection').select(['connection_id', 'parent_id', 'connection_name']).execute();
  const connectionPath = new Map(
    connections.map((c) => [Number(c.connection_id), `${path(c.parent_id === null ? null : Number(c.parent_id))}/${c.connection_name}`]),
  );
  const entities = new Map(
    (await db.selectFrom('guacamole_entity').select(['entity_id', 'name']).execute()).map((e) => [Number(e.entity_id), e.name as string]),
  );
  const onConnections = await db.selectFrom('guacamole_connection_permission').selectAll().execute();
  const onGroups = await db.selectFrom('guacamole_connection_group_permission').selectAll().execute();
  return [
    ...onConnections.map((p) => `${entities.get(Number(p.entity_id))} ${p.permission} connection ${connectionPath.get(Number(p.connection_id))}`),
    ...onGroups.map((p) => `${entities.get(Number(p.entity_id))} ${p.permission} group ${path(Number(p.connection_group_id))}`),
  ].sort();
}

/** The grantee names of the daemon's grant records. */
async function recordedGrantees(db: Kysely<any>): Promise<string[]> {
  const rows = await db
    .selectFrom('ec2_discovery_granted_read as r')
    .innerJoin('guacamole_entity as e', 'e.entity_id', 'r.entity_id')
    .select('e.name')
    .execute();
  return rows.map((r) => r.name as string).sort();
}

/** SQL text a person would type: a user group Guacamole honours, and grants to it (PostgreSQL needs the enum cast). */
function people(dialect: TestDialect) {
  const perm = (p: string) => (dialect === 'postgres' ? `CAST('${p}' AS guacamole_object_permission_type)` : `'${p}'`);
  return {
    group: (name: string) => `INSERT INTO guacamole_entity (name, type) VALUES ('${name}', 'USER_GROUP');
      INSERT INTO guacamole_user_group (entity_id, disabled)
      SELECT entity_id, ${dialect === 'postgres' ? 'false' : '0'} FROM guacamole_entity WHERE name = '${name}';`,
    folder: (name: string, parent?: string) =>
      parent === undefined
        ? `INSERT INTO guacamole_connection_group (connection_group_name, parent_id, type) VALUES ('${name}', NULL, 'ORGANIZATIONAL');`
        : `INSERT INTO guacamole_connection_group (connection_group_name, parent_id, type)
             SELECT '${name}', connection_group_id, 'ORGANIZATIONAL' FROM guacamole_connection_group WHERE connection_group_name = '${parent}';`,
    onConnection: (group: string, permission: string, name: string) => `INSERT INTO guacamole_connection_permission (entity_id, connection_id, permission)
      SELECT e.entity_id, c.connection_id, ${perm(permission)} FROM guacamole_entity e, guacamole_connection c
      WHERE e.name = '${group}' AND c.connection_name = '${name}';`,
    onFolder: (
      group: string,
      permission: string,
      name: string,
    ) => `INSERT INTO guacamole_connection_group_permission (entity_id, connection_group_id, permission)
      SELECT e.entity_id, g.connection_group_id, ${perm(permission)} FROM guacamole_entity e, guacamole_connection_group g
      WHERE e.name = '${group}' AND g.connection_group_name = '${name}';`,
    readOnEverything: (group: string) => `INSERT INTO guacamole_connection_permission (entity_id, connection_id, permission)
        SELECT e.entity_id, c.connection_id, ${perm('READ')} FROM guacamole_entity e, guacamole_connection c WHERE e.name = '${group}';
      INSERT INTO guacamole_connection_group_permission (entity_id, connection_group_id, permission)
        SELECT e.entity_id, g.connection_group_id, ${perm('READ')} FROM guacamole_entity e, guacamole_connection_group g WHERE e.name = '${group}';`,
  };
}

function ok(run: CliResult): CliResult {
  expect(run.code, run.stdout + run.stderr).to.equal(0);
  return run;
}

/** Counts the statements a function sends, and those that could write (anything but a SELECT). */
function statementCounter(): { plugin: KyselyPlugin; statements: number; writes: string[] } {
  const counter = {
    statements: 0,
    writes: [] as string[],
    plugin: {
      transformQuery(args) {
        counter.statements++;
        const node = args.node;
        const text = node.kind === 'RawNode' ? (node as RawNode).sqlFragments.join('?').trim() : node.kind;
        if (!/^(SELECT\b|SelectQueryNode$)/i.test(text)) counter.writes.push(text.slice(0, 60));
        return node;
      },
      transformResult: async (args) => args.result,
    } satisfies KyselyPlugin,
  };
  return counter;
}

for (const dialect of DIALECTS) {
  describe(`admin group grants (AWS_DISCOVERY_ADMIN_GROUP) on ${dialect}`, function () {
    const s = useCliSuite(dialect);
    const sql = people(dialect);
    beforeEach(function () {
      s.fake.images = [IMAGE];
      s.fake.instances = [instance('web1', 'web'), instance('db1', 'db', 'Databases')];
    });

    it('moves every grant to the new group in one run; a person\'s grants stay; the dry run lists the revokes first', async function () {
      ok(await runCli(['--once'], s.env()));
      await s.database.exec(sql.group('Auditors') + sql.onConnection('Auditors', 'READ', 'web'));
      await s.database.exec(
        `INSERT INTO guacamole_connection (connection_name, parent_id, protocol) VALUES ('hand', NULL, 'vnc');` + sql.onConnection(OLD, 'READ', 'hand'),
      );
      const env = s.env({ AWS_DISCOVERY_ADMIN_GROUP: 'Ops' });

      const before = await snapshot(s.database.db);
      const dry = ok(await runCli(['--once', '--dry-run'], env));
      expect(dry.stdout).to.include(`- READ of "${OLD}" on 2 connection(s) and folder(s) Amazon EC2, Databases (old admin group)`);
      expect(await snapshot(s.database.db)).to.equal(before);

      const run = ok(await runCli(['--once'], env));
      expect(await grants(s.database.db)).to.deep.equal([
        `${OLD} READ connection /hand`,
        'Auditors READ connection /Amazon EC2/web',
        'Ops READ connection /Amazon EC2/Databases/db',
        'Ops READ connection /Amazon EC2/web',
        'Ops READ group /Amazon EC2',
        'Ops READ group /Amazon EC2/Databases',
      ]);
      expect(await recordedGrantees(s.database.db)).to.deep.equal(['Ops', 'Ops', 'Ops', 'Ops']);
      const line = run.logs.find((l) => String(l.message).startsWith('READ grants of the daemon reconciled'));
      expect(line).to.include({ connections: 2, groups: 2 });
      expect(line?.entities).to.deep.equal([OLD]);

      const settled = await snapshot(s.database.db);
      const again = ok(await runCli(['--once'], env));
      expect(summaryOf(again)).to.include({ created: 0, updated: 0, deleted: 0 });
      expect(await snapshot(s.database.db)).to.equal(settled); // nothing written, grant records included
    });

    it('revokes the old group even when the new one already held READ on everything (a run with nothing else to do)', async function () {
      ok(await runCli(['--once'], s.env()));
      await s.database.exec(sql.group('Ops') + sql.readOnEverything('Ops'));
      const run = ok(await runCli(['--once'], s.env({ AWS_DISCOVERY_ADMIN_GROUP: 'Ops' })));
      expect(summaryOf(run)).to.include({ created: 0, updated: 0, deleted: 0 });
      expect(await grants(s.database.db)).to.deep.equal([
        'Ops READ connection /Amazon EC2/Databases/db',
        'Ops READ connection /Amazon EC2/web',
        'Ops READ group /Amazon EC2',
        'Ops READ group /Amazon EC2/Databases',
      ]);
      expect(await recordedGrantees(s.database.db)).to.deep.equal(['Ops', 'Ops', 'Ops', 'Ops']); // adopted: Ops's READ on our objects
    });

    it('grants READ on hand-made folders while ours is below and takes back only that READ once nothing of ours is', async function () {
      // A person made the base path and two folders in it, the admin group, and gave it READ on Preset and UPDATE on Shared.
      await s.database.exec(sql.folder('Amazon EC2') + sql.folder('Shared', 'Amazon EC2') + sql.folder('Preset', 'Amazon EC2'));
      await s.database.exec(sql.group(OLD) + sql.onFolder(OLD, 'READ', 'Preset') + sql.onFolder(OLD, 'UPDATE', 'Shared'));
      s.fake.instances = [instance('web1', 'web'), instance('tool1', 'tool', 'Shared'), instance('pre1', 'pre', 'Preset')];
      ok(await runCli(['--once'], s.env()));
      expect((await grants(s.database.db)).filter((g) => g.includes(' group '))).to.deep.equal([
        `${OLD} READ group /Amazon EC2`,
        `${OLD} READ group /Amazon EC2/Preset`,
        `${OLD} READ group /Amazon EC2/Shared`,
        `${OLD} UPDATE group /Amazon EC2/Shared`,
      ]);

      // No change: one read, no write.
      const counter = statementCounter();
      const db = s.database.db.withPlugin(counter.plugin);
      const adminEntityId = Number((await db.selectFrom('guacamole_entity').select('entity_id').where('name', '=', OLD).executeTakeFirstOrThrow()).entity_id);
      counter.statements = 0;
      const idle = await db
        .transaction()
        .execute((trx) => reconcileAdminGrants(trx as unknown as Kysely<Database>, { dialect: dialectFor(dialect), ownerId: 'default', adminEntityId }));
      expect(idle).to.deep.equal({ connections: 0, groups: 0, entities: [], folders: [], forgotten: 0, adopted: 0 });
      expect(counter.statements).to.equal(1);
      expect(counter.writes).to.deep.equal([]);

      s.fake.instances = [instance('web1', 'web'), instance('tool1', 'tool'), instance('pre1', 'pre', 'Preset')]; // tool leaves Shared
      const moved = ok(await runCli(['--once'], s.env()));
      expect(summaryOf(moved)).to.include({ updated: 1 });
      expect((await grants(s.database.db)).filter((g) => g.includes(' group '))).to.deep.equal([
        `${OLD} READ group /Amazon EC2`,
        `${OLD} READ group /Amazon EC2/Preset`,
        `${OLD} UPDATE group /Amazon EC2/Shared`,
      ]);
      const line = moved.logs.find((l) => String(l.message).startsWith('READ grants of the daemon reconciled'));
      expect(line?.folders).to.deep.equal(['Shared']);

      s.fake.instances = [];
      ok(await runCli(['--once', '--allow-mass-delete'], s.env()));
      expect(await grants(s.database.db)).to.deep.equal([`${OLD} READ group /Amazon EC2/Preset`, `${OLD} UPDATE group /Amazon EC2/Shared`]);
      expect(await recordedGrantees(s.database.db)).to.deep.equal([]);
    });

    it('records only the READ rows it inserted: a grant a person made first is not the daemon\'s', async function () {
      await migrateToLatest(s.database.db);
      await s.database.exec(sql.group('G') + sql.folder('A') + sql.folder('B') + sql.onFolder('G', 'READ', 'A'));
      await s.database.exec(
        `INSERT INTO guacamole_connection (connection_name, parent_id, protocol) VALUES ('c1', NULL, 'ssh'), ('c2', NULL, 'ssh');` +
          sql.onConnection('G', 'READ', 'c1'),
      );
      const id = async (table: string, column: string, where: string, name: string) =>
        Number((await s.database.db.selectFrom(table).select(column).where(where, '=', name).executeTakeFirstOrThrow())[column]);
      const entity = await id('guacamole_entity', 'entity_id', 'name', 'G');
      const [a, b] = [
        await id('guacamole_connection_group', 'connection_group_id', 'connection_group_name', 'A'),
        await id('guacamole_connection_group', 'connection_group_id', 'connection_group_name', 'B'),
      ];
      const [c1, c2] = [
        await id('guacamole_connection', 'connection_id', 'connection_name', 'c1'),
        await id('guacamole_connection', 'connection_id', 'connection_name', 'c2'),
      ];
      await s.database.db
        .transaction()
        .execute((trx) => grantRead(trx as unknown as Kysely<Database>, dialectFor(dialect), entity, { connections: [c1, c2], groups: [a, b] }, 'default'));
      expect(await grants(s.database.db)).to.deep.equal(['G READ connection /c1', 'G READ connection /c2', 'G READ group /A', 'G READ group /B']);
      const records = await s.database.db.selectFrom('ec2_discovery_granted_read').select(['object_type', 'object_id']).execute();
      expect(records.map((r) => `${r.object_type} ${Number(r.object_id)}`).sort()).to.deep.equal([`connection ${c2}`, `connection_group ${b}`]);
    });

    it('after an upgrade (grants, no records) adopts the admin group\'s READ on its own objects, and revokes it later', async function () {
      await s.database.exec(sql.folder('Amazon EC2')); // hand-made base path
      ok(await runCli(['--once'], s.env()));
      // As an earlier version left it: the grants, without the record table (nor any bookkeeping table added since).
      const back = await bookkeepingMigrator(s.database.db).migrateTo('2026-11-28-04-image-cache');
      expect(back.error, String(back.error)).to.equal(undefined);
      expect(back.results?.map((r) => r.migrationName)).to.include('2026-12-06-07-admin-grants');
      const before = await grants(s.database.db);

      ok(await runCli(['--once'], s.env()));
      expect(await grants(s.database.db)).to.deep.equal(before);
      const records = await s.database.db.selectFrom('ec2_discovery_granted_read').select(['object_type']).execute();
      expect(records.map((r) => r.object_type).sort()).to.deep.equal(['connection', 'connection', 'connection_group']); // not the hand-made base path

      ok(await runCli(['--once'], s.env({ AWS_DISCOVERY_ADMIN_GROUP: 'Ops' })));
      expect((await grants(s.database.db)).filter((g) => g.startsWith(OLD))).to.deep.equal([`${OLD} READ group /Amazon EC2`]); // unknown origin: left alone
      expect((await grants(s.database.db)).filter((g) => g.startsWith('Ops'))).to.have.length(4);
    });
  });
}
