import { expect } from 'chai';
import { mysqlLockName } from '../../src/store/dialect/run-lock-names.js';
import { DatabaseFaultError } from '../../src/store/session-limits.js';
import { expectRows } from '../support/row-diff.js';
import { runCli, startDaemon, summaryOf } from '../support/run-cli.js';
import { DIALECTS, type TestDatabase } from '../support/test-databases.js';
import { startThrowawayServer, throwawayUnavailable, type ThrowawayServer } from '../support/throwaway-server.js';
import { findBlockedRun, openSession, waitUntil, type DbSession } from './db-session.js';
import { startHarness, type FaultHarness } from './fault-harness.js';
import { blockInserts, releaseLocks } from './locks.js';
import { changeFleet, expectChangedState } from './scenario.js';

const GRANTS = 'guacamole_connection_permission';

/** Resolves once the owner's run lock can be taken by anyone (the server released the dead session's lock). */
async function runLockFree(observer: DbSession, database: TestDatabase, ownerId: string): Promise<void> {
  await waitUntil('the run lock to be released', async () => {
    const rows =
      database.dialect === 'postgres'
        ? await observer.query(
            `SELECT count(*) AS held FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        : await observer.query('SELECT 1 - IS_FREE_LOCK(?) AS held', [mysqlLockName(String(database.env.MYSQL_DATABASE), ownerId)]);
    return Number(rows[0]?.held) === 0 ? true : undefined;
  });
}

/** Resolves once the server has ended a session (a killed client's session lingers until the server notices). */
async function sessionGone(observer: DbSession, database: TestDatabase, id: number): Promise<void> {
  await waitUntil(`session ${id} to end`, async () => {
    const rows =
      database.dialect === 'postgres'
        ? await observer.query('SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1', [id])
        : await observer.query('SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [id]);
    return Number(rows[0]?.n) === 0 ? true : undefined;
  });
}

for (const dialect of DIALECTS) {
  describe(`crash at any point on ${dialect}: kill -9 of the CLI`, function () {
    let h: FaultHarness;
    let blocker: DbSession;
    let observer: DbSession;

    beforeEach(async function () {
      h = await startHarness(dialect);
      expect((await h.run()).ok).to.equal(true);
      blocker = await openSession(h.database);
      observer = await openSession(h.database);
    });
    afterEach(async function () {
      await releaseLocks(blocker, dialect);
      await blocker.close();
      await observer.close();
      await h.close();
    });

    it('killed mid-transaction: the old rows exactly, the run lock free again, the next run completes', async function () {
      const changed = await changeFleet(h.fake, h.database.db);
      await blockInserts(blocker, dialect, GRANTS);
      const cli = startDaemon(h.env, ['--once']);
      const victim = await waitUntil('the CLI run to block inside its transaction', () => findBlockedRun(observer, h.database));
      expect(victim.wroteRows, 'the run had written rows before it was killed').to.equal(true);
      cli.child.kill('SIGKILL');
      expect(await cli.exited).to.equal('SIGKILL');
      await releaseLocks(blocker, dialect); // the orphaned session goes on, finds its client gone and rolls back
      await sessionGone(observer, h.database, victim.id);
      await runLockFree(observer, h.database, h.config.ownerId);

      await expectRows(h.database.db, changed.before, 'after kill -9 mid-transaction');
      const next = await runCli(['--once'], h.env);
      expect(next.code, next.stdout + next.stderr).to.equal(0);
      expect(summaryOf(next)).to.include({ created: 1, updated: 1, deleted: 0 });
      await expectChangedState(h.database.db, changed);
    });

    it('killed while listing EC2 (before any write): nothing changed, the run lock free again, the next run completes', async function () {
      const changed = await changeFleet(h.fake, h.database.db);
      h.fake.hangNext('DescribeInstances', { times: 100 });
      const cli = startDaemon(h.env, ['--once']);
      await waitUntil('the CLI to call DescribeInstances', async () => (h.fake.requestsFor('DescribeInstances').length > 2 ? true : undefined));
      cli.child.kill('SIGKILL');
      expect(await cli.exited).to.equal('SIGKILL');
      await runLockFree(observer, h.database, h.config.ownerId);

      await expectRows(h.database.db, changed.before, 'after kill -9 during discovery');
      h.fake.clearFailures();
      const next = await runCli(['--once'], h.env);
      expect(next.code, next.stdout + next.stderr).to.equal(0);
      await expectChangedState(h.database.db, changed);
    });
  });

  describe(`database server stopped mid-run and restarted on ${dialect} (a throwaway server of this test)`, function () {
    let server: ThrowawayServer | undefined;
    let h: FaultHarness | undefined;

    before(async function () {
      const why = throwawayUnavailable(dialect);
      if (why !== undefined) {
        console.warn(`      skipped: ${why}`);
        this.skip();
      }
      server = await startThrowawayServer(dialect);
    });
    after(async function () {
      await h?.close().catch(() => undefined);
      await server?.destroy();
    });

    it('the run fails cleanly, the restarted server holds the old rows exactly, the next run on the same pool completes', async function () {
      const database = await server!.createDatabase();
      h = await startHarness(dialect, { database });
      expect((await h.run()).ok).to.equal(true);
      const changed = await changeFleet(h.fake, database.db);
      const blocker = await openSession(database);
      const observer = await openSession(database);
      await blockInserts(blocker, dialect, GRANTS);
      const outcome = h.run().then(
        () => new Error('the run succeeded while its server stopped'),
        (err: unknown) => err as Error,
      );
      const victim = await waitUntil('the run to block inside its transaction', () => findBlockedRun(observer, database));
      expect(victim.wroteRows).to.equal(true);

      await server!.stop();
      const error = await outcome;
      expect(error, error.message).to.be.instanceOf(DatabaseFaultError);
      expect((error as DatabaseFaultError).kind).to.equal('connection-lost');
      await blocker.close();
      await observer.close();
      await server!.start();

      await expectRows(database.db, changed.before, 'after the restart');
      const next = await h.run();
      expect(next).to.include({ ok: true, created: 1, updated: 1, deleted: 0 });
      await expectChangedState(database.db, changed);
    });
  });
}
