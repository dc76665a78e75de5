import { expect } from 'chai';
import type { Kysely } from 'kysely';
import { applyChangeSet, type ApplyResult } from '../../../src/store/apply-change-set.js';
import { deleteEmptyGroups } from '../../../src/store/delete-empty-groups.js';
import { insertReturningId } from '../../../src/store/insert-returning-id.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { recordOwnership } from '../../../src/store/ownership-records.js';
import { OWNED_OBJECT_TABLE, type Database } from '../../../src/store/tables.js';
import { NO_CHANGES } from '../../../src/plan/change-set-parts.js';
import type { ChangeSet } from '../../../src/plan/change-set.js';
import { openSession, waitUntil, type DbSession } from '../../faults/db-session.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';

const NOTHING: ChangeSet = NO_CHANGES;

/**
 * The run deletes an owned folder it has emptied; an administrator puts something of their own inside at about the
 * same time. Each case places that write at a precise point of the run's transaction (before its snapshot, after it,
 * in flight while the delete runs) by waiting on what the server reports, never on time.
 */
for (const dialect of DIALECTS) {
  describe(`owned folders are deleted only when really empty, on ${dialect}`, function () {
    let database: TestDatabase;
    let db: Kysely<Database>;
    let admin: DbSession; // an administrator's console
    let observer: DbSession;
    const ctx = { dialect: dialectFor(dialect), ownerId: 'default', adminGroup: 'ec2-admins', adminEntityId: undefined } as const;
    const p = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');

    beforeEach(async function () {
      database = await createTestDatabase(dialect);
      db = database.db as Kysely<Database>;
      await migrateToLatest(db);
      admin = await openSession(database);
      observer = await openSession(database);
    });
    afterEach(async function () {
      await admin.close();
      await observer.close();
      await database.drop();
    });

    async function folder(name: string, parent: number | null, owned: boolean): Promise<number> {
      const id = await insertReturningId(db, dialectFor(dialect), 'guacamole_connection_group', 'connection_group_id', {
        connection_group_name: name,
        parent_id: parent,
        type: 'ORGANIZATIONAL',
      });
      if (owned) await recordOwnership(db, 'default', [{ objectType: 'connection_group', guacamoleId: id }]);
      return id;
    }
    async function ownedConnection(name: string, parent: number): Promise<number> {
      const id = await insertReturningId(db, dialectFor(dialect), 'guacamole_connection', 'connection_id', {
        connection_name: name,
        parent_id: parent,
        protocol: 'ssh',
      });
      await recordOwnership(db, 'default', [{ objectType: 'connection', guacamoleId: id, instanceKey: `r/${name}`, scope: 'r' }]);
      return id;
    }
    const handMadeInsert = (parent: number) =>
      admin.query(`INSERT INTO guacamole_connection (connection_name, parent_id, protocol) VALUES ('by hand', ${p(1)}, 'rdp')`, [parent]);
    async function handMade(): Promise<{ id: number; parent: number } | undefined> {
      const row = await db
        .selectFrom('guacamole_connection')
        .select(['connection_id', 'parent_id'])
        .where('connection_name', '=', 'by hand')
        .executeTakeFirst();
      return row === undefined ? undefined : { id: Number(row.connection_id), parent: Number(row.parent_id) };
    }
    async function groupIds(): Promise<number[]> {
      return (await db.selectFrom('guacamole_connection_group').select('connection_group_id').orderBy('connection_group_id').execute()).map((r) =>
        Number(r.connection_group_id),
      );
    }
    async function ownedGroups(): Promise<number[]> {
      const rows = await db
        .selectFrom(OWNED_OBJECT_TABLE)
        .select('guacamole_id')
        .where('object_type', '=', 'connection_group')
        .orderBy('guacamole_id')
        .execute();
      return rows.map((r) => Number(r.guacamole_id));
    }
    /** The run's statement waiting on a row lock in this database, as the server reports it. */
    async function blockedStatement(): Promise<string | undefined> {
      // InnoDB refreshes INNODB_TRX only when it was last read more than 100 ms ago: polling faster keeps it stale.
      if (dialect === 'mysql') await new Promise((r) => setTimeout(r, 150));
      const rows =
        dialect === 'postgres'
          ? await observer.query(`SELECT query AS q FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`, [
              database.name,
            ])
          : await observer.query(
              `SELECT t.trx_query AS q FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST s ON s.ID = t.trx_mysql_thread_id
               WHERE s.DB = ? AND t.trx_state = 'LOCK WAIT'`,
              [database.name],
            );
      const q = rows[0]?.q;
      return typeof q === 'string' ? q : undefined;
    }
    /** The folder delete of a run whose last owned connection in `folder` goes. */
    const emptyingRun = (connection: number, folderId: number): ChangeSet => ({
      ...NOTHING,
      deleteConnections: [{ id: connection, key: 'r/gone-box', name: 'gone-box', displayPath: 'EC2' }],
      deleteGroups: [{ id: folderId, displayPath: 'EC2' }],
    });

    it('a connection committed into the folder after the run read the database: the folder and the connection stay', async function () {
      const f = await folder('EC2', null, true);
      const gone = await ownedConnection('gone-box', f);
      let result: ApplyResult | undefined;
      await db.transaction().execute(async (trx) => {
        const read = () => trx.selectFrom('guacamole_connection').select('connection_id').where('parent_id', '=', f).execute();
        expect(await read()).to.have.length(1); // the run reads the state it plans from (MariaDB: its snapshot starts here)
        await handMadeInsert(f); // autocommit: committed now
        // The run's plain reads on MariaDB still show the old state; PostgreSQL's next statement sees the commit.
        expect(await read()).to.have.length(dialect === 'mysql' ? 1 : 2);
        result = await applyChangeSet(trx, emptyingRun(gone, f), ctx);
      });
      expect(result?.keptGroups).to.deep.equal([{ id: f, displayPath: 'EC2', holds: 'connection' }]);
      expect(await handMade()).to.deep.include({ parent: f });
      expect(await groupIds()).to.deep.equal([f]);
      expect(await ownedGroups()).to.deep.equal([f]); // still owned: considered again next run
      expect(await db.selectFrom('guacamole_connection').select('connection_id').where('connection_id', '=', gone).execute()).to.deep.equal([]);
    });

    it('an insert in flight into the folder: the delete waits for it, then keeps the folder and the connection', async function () {
      const f = await folder('EC2', null, true);
      const gone = await ownedConnection('gone-box', f);
      await admin.query(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await handMadeInsert(f); // not committed yet
      const run = db.transaction().execute((trx) => applyChangeSet(trx, emptyingRun(gone, f), ctx));
      run.catch(() => undefined); // awaited below; avoids an unhandled rejection while the test waits
      const waiting = await waitUntil('the run to wait for a lock', blockedStatement);
      expect(waiting).to.match(/guacamole_connection_group/i).and.to.match(/for update/i); // the folder lock, not another statement
      await admin.query('COMMIT');
      const result = await run;
      expect(result.keptGroups).to.deep.equal([{ id: f, displayPath: 'EC2', holds: 'connection' }]);
      expect(await handMade()).to.deep.include({ parent: f });
      expect(await groupIds()).to.deep.equal([f]);
    });

    it('an insert in flight that is rolled back: the delete waits for it, then deletes the folder', async function () {
      const f = await folder('EC2', null, true);
      const gone = await ownedConnection('gone-box', f);
      await admin.query(dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
      await handMadeInsert(f);
      const run = db.transaction().execute((trx) => applyChangeSet(trx, emptyingRun(gone, f), ctx));
      run.catch(() => undefined);
      expect(await waitUntil('the run to wait for a lock', blockedStatement)).to.match(/guacamole_connection_group/i);
      await admin.query('ROLLBACK');
      expect((await run).keptGroups).to.deep.equal([]);
      expect(await groupIds()).to.deep.equal([]);
      expect(await ownedGroups()).to.deep.equal([]);
    });

    it('once the run holds the folder, an insert into it waits and then fails: nothing lands in a deleted folder', async function () {
      const f = await folder('EC2', null, true);
      let insert: Promise<unknown> | undefined;
      await db.transaction().execute(async (trx) => {
        expect((await deleteEmptyGroups(trx, [{ id: f, displayPath: 'EC2' }])).deleted).to.deep.equal([f]);
        insert = handMadeInsert(f);
        insert.catch(() => undefined);
        expect(await waitUntil("the administrator's insert to wait for the run", blockedStatement)).to.match(/insert into guacamole_connection/i);
      });
      let error: unknown;
      await insert?.catch((err: unknown) => (error = err));
      expect(String(error)).to.match(/foreign key/i);
      expect(await handMade()).to.equal(undefined);
    });

    it('a hand-made sub-folder keeps its owned folders; owned sub-folders go with their emptied parent, children first', async function () {
      const a = await folder('A', null, true);
      const b = await folder('B', a, true); // emptied: goes
      const c = await folder('C', a, true);
      const handFolder = await folder('hand folder', c, false); // appeared after the run planned: keeps C, hence A
      const d = await folder('D', null, true);
      const e = await folder('E', d, true);
      const x = await folder('X', null, true);
      const y = await folder('Y', x, true);
      const z = await folder('Z', y, true); // X ⊃ Y ⊃ Z, all owned and empty: all go, deepest first
      await handMadeInsert(e); // keeps E, hence D
      const deleteGroups = [z, y, b, c, e, a, d, x].map((id) => ({ id, displayPath: `#${id}` }));
      const result = await db.transaction().execute((trx) => applyChangeSet(trx, { ...NOTHING, deleteGroups }, ctx));
      expect(result.keptGroups.map((g) => [g.id, g.holds])).to.deep.equal([
        [c, 'folder'],
        [e, 'connection'],
        [a, 'folder'],
        [d, 'folder'],
      ]);
      expect(await groupIds()).to.deep.equal([a, c, handFolder, d, e]);
      expect(await ownedGroups()).to.deep.equal([a, c, d, e]);
      expect(await handMade()).to.deep.include({ parent: e });
    });

    it('deletes children before parents, one statement per level, and forgets folders someone else deleted', async function () {
      const x = await folder('X', null, true);
      const y = await folder('Y', x, true);
      const z = await folder('Z', y, true);
      const w = await folder('W', null, true);
      const vanished = await folder('V', null, true);
      await database.exec(`DELETE FROM guacamole_connection_group WHERE connection_group_id = ${vanished}`);
      const outcome = await db.transaction().execute((trx) => deleteEmptyGroups(trx, [z, y, x, w, vanished].map((id) => ({ id, displayPath: `#${id}` }))));
      expect(outcome).to.deep.equal({ deleted: [z, y, x, w], vanished: [vanished], kept: [] });
      expect(await groupIds()).to.deep.equal([]);
    });

    it('sharing profiles on a deleted connection are reported, with one committed after the run read, then deleted with it', async function () {
      const f = await folder('EC2', null, true);
      const gone = await ownedConnection('gone-box', f);
      const stays = await ownedConnection('stays-box', f);
      const profile = (name: string, connection: number) =>
        admin.query(`INSERT INTO guacamole_sharing_profile (sharing_profile_name, primary_connection_id) VALUES (${p(1)}, ${p(2)})`, [name, connection]);
      await profile('watch only', gone);
      await profile('other connection', stays);
      let result: ApplyResult | undefined;
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('guacamole_connection').selectAll().execute(); // the run's snapshot (MariaDB)
        await profile('pair with alice', gone);
        result = await applyChangeSet(trx, { ...NOTHING, deleteConnections: [{ id: gone, key: 'r/gone-box', name: 'gone-box', displayPath: 'EC2' }] }, ctx);
      });
      expect(result?.sharingProfilesDeleted.map((s) => [s.name, s.connectionId, s.connectionName])).to.deep.equal([
        ['watch only', gone, 'gone-box'],
        ['pair with alice', gone, 'gone-box'],
      ]);
      const left = await admin.query('SELECT sharing_profile_name AS name, primary_connection_id AS connection FROM guacamole_sharing_profile');
      expect(left.map((r) => [r.name, Number(r.connection)])).to.deep.equal([['other connection', stays]]);
      expect(await db.selectFrom('guacamole_connection').select('connection_id').orderBy('connection_id').execute()).to.deep.equal([{ connection_id: stays }]);
    });
  });
}
