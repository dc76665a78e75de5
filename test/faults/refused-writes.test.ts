import { expect } from 'chai';
import type { Kysely } from 'kysely';
import type { RunReport } from '../../src/run/run-report.js';
import type { Database } from '../../src/store/tables.js';
import { DIALECTS, type TestDialect } from '../support/test-databases.js';
import { logLinesMatching, startHarness, type FaultHarness } from './fault-harness.js';

/**
 * A write the database refuses (a trigger, a constraint) stays with its instance: the rest of the fleet syncs in the
 * same run, the refused instance keeps what it had, is named in the log, the problems and the report, and is tried
 * again next run. Triggers and constraints here are the test's own, on a throwaway copy of Guacamole's schema.
 */
const DB1 = 'us-east-1/i-00000000000000db1';
const API = 'eu-west-1/i-000000000000deb01';
const JUMP = 'us-east-1/i-0000000000000jump';
const BATCH = Array.from({ length: 9 }, (_, i) => `us-east-1/i-00000000000000b${i.toString().padStart(2, '0')}`);

/** A trigger refusing rows of `table` where `condition` holds (on NEW, or OLD for deletes). */
function refuse(dialect: TestDialect, name: string, table: string, when: 'INSERT' | 'UPDATE' | 'DELETE', condition: string): string[] {
  const row = when === 'DELETE' ? 'OLD' : 'NEW';
  const test = condition.replaceAll('ROW', row);
  if (dialect === 'postgres') {
    return [
      `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF ${test} THEN RAISE EXCEPTION 'refused by the test trigger ${name}'; END IF; ` +
      `RETURN ${row}; END $$`,
      `CREATE TRIGGER ${name} BEFORE ${when} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`,
    ];
  }
  return [
    `CREATE TRIGGER ${name} BEFORE ${when} ON ${table} FOR EACH ROW BEGIN IF ${test} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test ` +
    `trigger ${name}'; END IF; END`,
  ];
}

async function drop(h: FaultHarness, dialect: TestDialect, name: string, table: string): Promise<void> {
  await h.database.exec(dialect === 'postgres' ? `DROP TRIGGER ${name} ON ${table}` : `DROP TRIGGER ${name}`);
}

async function ownedKeys(h: FaultHarness): Promise<string[]> {
  return [...(await h.ownedIds()).keys()].sort();
}

async function problems(h: FaultHarness): Promise<{ subject: string; kind: string; message: string }[]> {
  const db = h.database.db as Kysely<Database>;
  return db.selectFrom('ec2_discovery_problem').select(['subject', 'kind', 'message']).execute();
}

async function connectionNamed(h: FaultHarness, name: string): Promise<{ connection_id: number; connection_name: string } | undefined> {
  const db = h.database.db as Kysely<Database>;
  return db.selectFrom('guacamole_connection').select(['connection_id', 'connection_name']).where('connection_name', '=', name).executeTakeFirst();
}

function expectRefused(report: RunReport, count: number): void {
  expect(report.ok, 'a refused write makes the run partial').to.equal(false);
  expect(report.skippedByReason.rejected).to.equal(count);
}

for (const dialect of DIALECTS) {
  describe(`a write the database refuses stays with its instance, on ${dialect}`, function () {
    this.timeout(180_000);
    let h: FaultHarness;
    beforeEach(async function () {
      h = await startHarness(dialect);
    });
    afterEach(async function () {
      await h.close();
    });

    it('a refused insert: every other instance is created, the refused one is named everywhere and tried again until it lands', async function () {
      for (const s of refuse(dialect, 'ged_test_refuse', 'guacamole_connection', 'INSERT', "ROW.connection_name = 'db-01'")) await h.database.exec(s);
      const first = await h.run();
      expectRefused(first, 1);
      const owned = await ownedKeys(h);
      expect(owned).not.to.include(DB1);
      expect(owned).to.include.members([API, JUMP, ...BATCH]);
      expect(first.created).to.equal(owned.length);
      expect(await connectionNamed(h, 'db-01')).to.equal(undefined);
      const line = logLinesMatching(h.logs, 'warn', /refused its write/);
      expect(line.map((l) => l.instance)).to.deep.equal([DB1]);
      expect(JSON.stringify(line)).to.include('refused by the test trigger ged_test_refuse');
      expect(
        (await problems(h))
          .filter((p) => p.subject === DB1 && p.kind === 'skipped')
          .map((p) => p.message)
          .join(),
      ).to.include('the database refused its write');

      const second = await h.run();
      expectRefused(second, 1);
      expect(second.created).to.equal(0);
      await drop(h, dialect, 'ged_test_refuse', 'guacamole_connection');
      const third = await h.run();
      expect(third).to.include({ ok: true, created: 1, skipped: 0 });
      expect(await ownedKeys(h)).to.include(DB1);
      expect((await problems(h)).filter((p) => p.subject === DB1)).to.deep.equal([]);
    });

    it('a refused rename: the other renames land, the refused connection keeps its name and id', async function () {
      await h.run();
      const ids = await h.ownedIds();
      for (const s of refuse(dialect, 'ged_test_no_rename', 'guacamole_connection', 'UPDATE', "ROW.connection_name = 'jump-renamed'")) await h.database.exec(s);
      for (const i of h.fake.instances) {
        if (i.instanceId === 'i-0000000000000jump') i.tags = { ...i.tags, Name: 'jump-renamed' };
        if (i.instanceId === 'i-000000000000deb01') i.tags = { ...i.tags, Name: 'api-renamed' };
      }
      const report = await h.run();
      expectRefused(report, 1);
      expect(report.updated).to.equal(1);
      expect(await connectionNamed(h, 'api-renamed')).to.include({ connection_name: 'api-renamed' });
      expect(Number((await connectionNamed(h, 'api-renamed'))?.connection_id)).to.equal(ids.get(API));
      expect(Number((await connectionNamed(h, 'jump'))?.connection_id)).to.equal(ids.get(JUMP));
      expect(await h.ownedIds()).to.deep.equal(ids);
    });

    it('a custom constraint on parameters refuses one instance; a refused folder takes only the instances inside it', async function () {
      await h.database.exec("ALTER TABLE guacamole_connection_parameter ADD CONSTRAINT ged_test_no_host CHECK (parameter_value <> '10.1.0.5')");
      for (const s of refuse(dialect, 'ged_test_no_batch', 'guacamole_connection_group', 'INSERT', "ROW.connection_group_name = 'Batch'"))
        await h.database.exec(s);
      const report = await h.run();
      expectRefused(report, 1 + BATCH.length);
      const owned = await ownedKeys(h);
      expect(owned).to.include.members([DB1, JUMP]);
      expect(owned).not.to.include.members([API]);
      expect(owned.filter((k) => BATCH.includes(k))).to.deep.equal([]);
      expect(logLinesMatching(h.logs, 'warn', /refused its write/).map((l) => l.instance).sort()).to.deep.equal([API, ...BATCH].sort());
    });

    it('a refused folder delete: the folder stays, everything else of the run lands', async function () {
      await h.run();
      for (const s of refuse(dialect, 'ged_test_keep_mysql', 'guacamole_connection_group', 'DELETE', "ROW.connection_group_name = 'MySQL'"))
        await h.database.exec(s);
      for (const i of h.fake.instances) if (i.instanceId === 'i-00000000000000db1') i.tags = { Name: 'db-01' };
      const report = await h.run();
      expect(report.updated).to.equal(1);
      const db = h.database.db as Kysely<Database>;
      const mysql = await db.selectFrom('guacamole_connection_group').select('connection_group_id').where('connection_group_name', '=', 'MySQL').execute();
      expect(mysql).to.have.length(1);
      expect(logLinesMatching(h.logs, 'warn', /refused to delete a folder/)).to.have.length(1);
      await drop(h, dialect, 'ged_test_keep_mysql', 'guacamole_connection_group');
      await h.run();
      expect(
        await db.selectFrom('guacamole_connection_group').select('connection_group_id').where('connection_group_name', '=', 'MySQL').execute(),
      ).to.deep.equal([]);
    });

    it('a refusal in a run-wide step (the admin group) fails the run as before: nothing written, the database named', async function () {
      for (const s of refuse(dialect, 'ged_test_no_entity', 'guacamole_entity', 'INSERT', "ROW.name = 'AWS EC2 Administrators'")) await h.database.exec(s);
      let error: unknown;
      await h.run().catch((err: unknown) => (error = err));
      expect(String(error)).to.include('refused by the test trigger ged_test_no_entity');
      expect(await ownedKeys(h)).to.deep.equal([]);
    });
  });
}
