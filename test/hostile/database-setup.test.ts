import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { runCli, summaryOf, type CliResult } from '../support/run-cli.js';
import { expectRows, snapshotRows } from '../support/row-diff.js';
import { createTestDatabase, DIALECTS, type TestDatabase, type TestDialect } from '../support/test-databases.js';
import { hostileOwnerSettings } from './hostile-owner.js';
import { startHarness, type FaultHarness } from '../faults/fault-harness.js';

/**
 * A wrong database behind valid settings, through the real CLI: unreachable, no Guacamole schema, a schema older
 * than 1.0, a user without write rights. Each run fails with a message saying what is wrong (never the password)
 * and writes nothing.
 */
const PASSWORD = 'hostile-db-password-61aa';

function output(result: CliResult): string {
  return result.stdout + result.stderr;
}

function awsEnv(): Record<string, string> {
  return {
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDHOSTILE',
    AWS_DISCOVERY_SECRET_KEY: 'hostile-aws-secret',
    AWS_DISCOVERY_REGIONS: 'us-east-1',
    AWS_DISCOVERY_EC2_ENDPOINT: 'http://127.0.0.1:1',
    AWS_DISCOVERY_KEYS_DIR: '/nonexistent',
  };
}

function prefixOf(dialect: TestDialect): string {
  return dialect === 'postgres' ? 'POSTGRESQL' : 'MYSQL';
}

/** The tables a run might create or fill (Guacamole's, ours), as names. */
async function tableNames(database: TestDatabase): Promise<string[]> {
  return (await database.db.introspection.getTables()).map((t) => t.name).sort();
}

for (const dialect of DIALECTS) {
  describe(`hostile database setup on ${dialect}`, function () {
    const prefix = prefixOf(dialect);

    for (const host of ['127.0.0.1', 'guacamole-db.invalid']) {
      it(`an unreachable database (${host}): exit 1, the message names host:port and user, never the password`, async function () {
        const env = {
          ...awsEnv(),
          [`${prefix}_HOSTNAME`]: host,
          [`${prefix}_PORT`]: '1',
          [`${prefix}_DATABASE`]: 'guacamole_db',
          [`${prefix}_USERNAME`]: 'guacamole_user',
          [`${prefix}_PASSWORD`]: PASSWORD,
        };
        const result = await runCli(['--once'], env);
        expect(result.code, output(result)).to.equal(1);
        const failure = result.logs.find((l) => l.level === 'error');
        expect(String(failure?.error), output(result)).to.match(
          new RegExp(`^cannot connect to the .* database "guacamole_db" at ${host}:1 as user "guacamole_user": `),
        );
        expect(output(result)).to.not.include(PASSWORD);
      });
    }

    describe('with a database', function () {
      let database: TestDatabase | undefined;
      afterEach(async function () {
        await database?.drop();
        database = undefined;
      });

      it('a database without the Guacamole schema: the message says so, nothing is created', async function () {
        database = await createTestDatabase(dialect, { schema: false });
        const result = await runCli(['--once'], { ...awsEnv(), ...database.env });
        expect(result.code, output(result)).to.equal(1);
        expect(output(result)).to.include('has no Guacamole tables');
        // Names where it looked (server, database, host and port), never the password.
        const [name, host, port] = ['DATABASE', 'HOSTNAME', 'PORT'].map((key) => database?.env[`${prefix}_${key}`]);
        const failure = result.logs.find((l) => l.level === 'error');
        expect(String(failure?.error), output(result)).to.include(`database "${name}" at ${host}:${port} has no Guacamole tables`);
        const password = database.env[`${prefix}_PASSWORD`] ?? '';
        if (password !== '') expect(output(result)).to.not.include(password);
        expect(await tableNames(database)).to.deep.equal([]); // no bookkeeping table either
      });

      it('a Guacamole schema older than 1.0 (no guacamole_entity): the message names the version, nothing is written', async function () {
        database = await createTestDatabase(dialect);
        await database.exec(
          dialect === 'postgres'
            ? 'DROP TABLE guacamole_user_group_member, guacamole_user_group_permission, guacamole_user_group_attribute, guacamole_user_group, ' +
              'guacamole_entity CASCADE;'
            : 'SET FOREIGN_KEY_CHECKS = 0; DROP TABLE guacamole_user_group_member, guacamole_user_group_permission, guacamole_user_group_attribute, ' +
              'guacamole_user_group, guacamole_entity; SET FOREIGN_KEY_CHECKS = 1;',
        );
        const before = await snapshotRows(database.db);
        const result = await runCli(['--once'], { ...awsEnv(), ...database.env });
        expect(result.code, output(result)).to.equal(1);
        expect(output(result)).to.include('older than 1.0.0').and.include('guacamole_entity');
        await expectRows(database.db, before);
        expect(await tableNames(database)).to.not.include('ec2_discovery_owned_object');
      });
    });

    describe('a database user with SELECT only', function () {
      let h: FaultHarness;
      const user = `ged_hostile_ro_${process.pid}_${randomBytes(3).toString('hex')}`;
      const userPassword = `ro-${randomBytes(6).toString('hex')}`;
      let env: Record<string, string>;

      before(async function () {
        h = await startHarness(dialect, { settings: hostileOwnerSettings() });
        await h.run(); // synced by the full-rights user: the bookkeeping exists
        const db = h.database.name;
        await h.database.exec(
          dialect === 'postgres'
            ? `CREATE ROLE ${user} LOGIN PASSWORD '${userPassword}'; GRANT CONNECT ON DATABASE "${db}" TO ${user}; GRANT USAGE ON SCHEMA public TO ${user}; ` +
              `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${user};`
            : `CREATE USER '${user}'@'%' IDENTIFIED BY '${userPassword}'; GRANT SELECT ON \`${db}\`.* TO '${user}'@'%';`,
        );
        env = { ...h.env, [`${prefix}_USERNAME`]: user, [`${prefix}_PASSWORD`]: userPassword };
        h.fake.instances.push({
          instanceId: 'i-000000000000ronew',
          region: 'us-east-1',
          imageId: 'ami-al2023',
          privateIp: '10.7.0.1',
          tags: { Name: 'ro-new' },
        });
        h.fake.instances.find((i) => i.instanceId === 'i-00000000000000db1')!.privateIp = '10.0.1.66';
      });
      after(async function () {
        await h.database
          .exec(dialect === 'postgres' ? `DROP OWNED BY ${user}; DROP ROLE ${user};` : `DROP USER '${user}'@'%';`)
          .catch((err: unknown) => console.warn(`could not drop the test user ${user}: ${String(err)}`));
        await h?.close();
      });

      it('a real run fails before writing, naming the missing privileges; nothing is written', async function () {
        const before = await snapshotRows(h.database.db);
        const result = await runCli(['--once'], env);
        expect(result.code, output(result)).to.equal(1);
        const error = String(result.logs.find((l) => l.level === 'error')?.error);
        expect(error, output(result)).to.include('lacks privileges');
        expect(error).to.include('INSERT, UPDATE, DELETE on guacamole_connection');
        expect(output(result)).to.not.include(userPassword);
        await expectRows(h.database.db, before);
      });

      it('the same run by the full-rights user passes the privilege check and writes', async function () {
        const result = await runCli(['--once'], h.env);
        expect(result.code, output(result)).to.equal(0);
        expect(summaryOf(result)).to.include({ created: 1, updated: 1, deleted: 0 });
        // Back to the state before, so the next case sees the same changes to make.
        h.fake.instances = h.fake.instances.filter((i) => i.instanceId !== 'i-000000000000ronew');
        h.fake.instances.find((i) => i.instanceId === 'i-00000000000000db1')!.privateIp = '10.0.1.5';
        expect((await runCli(['--once'], h.env)).code).to.equal(0);
        h.fake.instances.push({
          instanceId: 'i-000000000000ronew',
          region: 'us-east-1',
          imageId: 'ami-al2023',
          privateIp: '10.7.0.1',
          tags: { Name: 'ro-new' },
        });
        h.fake.instances.find((i) => i.instanceId === 'i-00000000000000db1')!.privateIp = '10.0.1.66';
      });

      it('a dry run, which only reads, still works', async function () {
        const result = await runCli(['--once', '--dry-run'], env);
        expect(result.code, output(result)).to.equal(0);
        expect(summaryOf(result)).to.include({ created: 1, updated: 1, deleted: 0 });
      });
    });
  });
}
