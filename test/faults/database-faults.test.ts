import { expect } from 'chai';
import { DatabaseFaultError } from '../../src/store/session-limits.js';
import { expectRows } from '../support/row-diff.js';
import { runCli, startDaemon } from '../support/run-cli.js';
import { createTestDatabase, DIALECTS } from '../support/test-databases.js';
import { findBlockedRun, openSession, sessionId, terminateSession, waitUntil, type DbSession } from './db-session.js';
import { startHarness, type FaultHarness } from './fault-harness.js';
import { blockInserts, lockWholeTable, releaseLocks } from './locks.js';
import { changeFleet, expectChangedState, recordedFailures, type ChangedFleet } from './scenario.js';

/** Grants come last in a run, after every other write: a lock here catches the run in the middle of its transaction. */
const GRANTS = 'guacamole_connection_permission';

/** The run's rejection, for assertions (fails the test if the run succeeded). */
async function failureOf(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (err) {
    return err as Error;
  }
  expect.fail('the run succeeded; it should have failed');
}

for (const dialect of DIALECTS) {
  describe(`database faults on ${dialect}: the run rolls back completely, the next run completes`, function () {
    let h: FaultHarness;
    let blocker: DbSession;
    let admin: DbSession;
    let changed: ChangedFleet;

    beforeEach(async function () {
      const database = await createTestDatabase(dialect);
      // The run's sessions check for deadlocks after 5 s instead of 1 s, so the deadlock test knows which session
      // the server picks as the victim (the one whose check runs first: see the deadlock case).
      if (dialect === 'postgres') await database.exec(`ALTER DATABASE "${database.name}" SET deadlock_timeout = '5s'`);
      h = await startHarness(dialect, { database });
      expect((await h.run()).ok).to.equal(true);
      changed = await changeFleet(h.fake, h.database.db);
      blocker = await openSession(h.database);
      admin = await openSession(h.database);
    });
    afterEach(async function () {
      await releaseLocks(blocker, dialect);
      await blocker.close();
      await admin.close();
      await h.close();
    });

    it('the run’s connection terminated mid-transaction (pg_terminate_backend / KILL): old rows exactly, then the next run on the same pool ' +
      'completes', async function () {
      await blockInserts(blocker, dialect, GRANTS);
      const failed = failureOf(h.run()); // handled at once: it may reject while the test waits
      const victim = await waitUntil('the run to block inside its transaction', () => findBlockedRun(admin, h.database));
      expect(victim.wroteRows, 'the run had written rows in its transaction before it was cut').to.equal(true);
      await terminateSession(admin, h.database, victim.id);
      const error = await failed;
      expect(error).to.be.instanceOf(DatabaseFaultError);
      expect(error.message).to.match(/connection was lost during the run's transaction/);
      await releaseLocks(blocker, dialect);

      await expectRows(h.database.db, changed.before, 'after the terminated run');
      expect(await recordedFailures(h.database.db)).to.have.length(1);
      const next = await h.run();
      expect(next).to.include({ ok: true, created: 1, updated: 1, deleted: 0 });
      await expectChangedState(h.database.db, changed);
    });

    it('the daemon (scheduled) lives through a terminated backend: the failure is logged, the next tick completes', async function () {
      await blockInserts(blocker, dialect, GRANTS);
      const daemon = startDaemon({ ...h.env, AWS_DISCOVERY_SCHEDULE: '*/1 * * * * *' });
      try {
        const victim = await waitUntil('the daemon run to block inside its transaction', () => findBlockedRun(admin, h.database));
        await terminateSession(admin, h.database, victim.id);
        const failure = await daemon.waitForLog((l) => String(l.message).startsWith('run failed; nothing was changed'));
        expect(String(failure.error)).to.match(/connection was lost during the run's transaction/);
        // The next tick blocks on the same lock: the committed rows are still exactly the old ones.
        const again = await waitUntil('the next tick to block', () => findBlockedRun(admin, h.database));
        expect(again.id).to.not.equal(victim.id);
        await expectRows(h.database.db, changed.before, 'while the next run waits');
        await releaseLocks(blocker, dialect);
        const finished = await daemon.waitForLog((l) => l.message === 'run finished' && l.created === 1);
        expect(finished).to.include({ updated: 1, deleted: 0 });
        expect(daemon.child.exitCode, 'the daemon is still running').to.equal(null);
      } finally {
        expect(await daemon.stop()).to.equal(0);
      }
      await expectChangedState(h.database.db, changed);
    });

    it('a lock held on rows it must write (an open transaction elsewhere): fails after AWS_DISCOVERY_DB_LOCK_TIMEOUT, old rows exactly, next run ' +
      'completes', async function () {
      await blockInserts(blocker, dialect, GRANTS);
      const error = await failureOf(h.run({ dbLockTimeoutSeconds: 2 }));
      expect(error).to.be.instanceOf(DatabaseFaultError);
      expect((error as DatabaseFaultError).kind).to.equal('lock-timeout');
      expect(error.message).to.include('for more than 2 s (AWS_DISCOVERY_DB_LOCK_TIMEOUT)');
      // Guacamole's tables are not held while the run waited in vain: the other session can write them at once.
      await expectRows(h.database.db, changed.before, 'after the lock timeout');
      await releaseLocks(blocker, dialect);

      const recorded = await recordedFailures(h.database.db);
      expect(recorded).to.have.length(1);
      expect(recorded[0]).to.include('AWS_DISCOVERY_DB_LOCK_TIMEOUT');
      expect(await h.run()).to.include({ ok: true, created: 1, updated: 1 });
      await expectChangedState(h.database.db, changed);
    });

    it('the same lock wait through the CLI: exit 1, one clear error line naming the setting, nothing written', async function () {
      await blockInserts(blocker, dialect, GRANTS);
      const run = await runCli(['--once'], { ...h.env, AWS_DISCOVERY_DB_LOCK_TIMEOUT: '1' });
      expect(run.code, run.stdout + run.stderr).to.equal(1);
      const line = run.logs.find((l) => l.message === 'run failed; nothing was changed');
      expect(String(line?.error)).to.include('for more than 1 s (AWS_DISCOVERY_DB_LOCK_TIMEOUT)');
      expect(run.stdout + run.stderr).to.not.include(String(h.env.AWS_DISCOVERY_SECRET_KEY));
      await releaseLocks(blocker, dialect);
      await expectRows(h.database.db, changed.before, 'after the CLI lock timeout');
    });

    it('a whole table locked (LOCK TABLE … ACCESS EXCLUSIVE / LOCK TABLES … WRITE): even its reads time out, old rows exactly, next run ' +
      'completes', async function () {
      await lockWholeTable(blocker, dialect, 'guacamole_connection');
      const error = await failureOf(h.run({ dbLockTimeoutSeconds: 2 }));
      expect((error as DatabaseFaultError).kind, error.message).to.equal('lock-timeout');
      await releaseLocks(blocker, dialect);

      await expectRows(h.database.db, changed.before, 'after the table lock timeout');
      expect(await h.run()).to.include({ ok: true, created: 1, updated: 1 });
      await expectChangedState(h.database.db, changed);
    });

    it('a deadlock with another session: the server rolls the run back, old rows exactly, next run completes', async function () {
      const blockerId = await sessionId(blocker, h.database);
      if (dialect === 'postgres') {
        // The blocker checks for deadlocks late, so the run's own check (5 s after it starts waiting) finds the cycle.
        await blocker.query(`SET deadlock_timeout = '60s'`);
      } else {
        // InnoDB rolls back the transaction that changed fewer rows: make the blocker's the larger one.
        await blocker.query('CREATE TABLE fault_ballast (n INT PRIMARY KEY)');
      }
      await blockInserts(blocker, dialect, GRANTS);
      if (dialect === 'mysql')
        await blocker.query(
          'INSERT INTO fault_ballast WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 99) SELECT a.n * 100 + b.n FROM s a, s b',
        );
      const failed = failureOf(h.run()); // handled at once: it may reject while the test waits
      const victim = await waitUntil('the run to block inside its transaction', () => findBlockedRun(admin, h.database));
      expect(victim.wroteRows).to.equal(true);
      expect(victim.id).to.not.equal(blockerId);
      // Now the blocker wants the row the run has just renamed: each waits for the other.
      const blockerWaits = blocker.query(`SELECT connection_id FROM guacamole_connection WHERE connection_id = ${changed.renamedId} FOR UPDATE`);
      const error = await failed;
      expect((error as DatabaseFaultError).kind, error.message).to.equal('deadlock');
      expect(error.message).to.match(/deadlock/i);
      await blockerWaits; // the blocker got its row once the run was rolled back
      await releaseLocks(blocker, dialect);

      await expectRows(h.database.db, changed.before, 'after the deadlock');
      expect(await h.run()).to.include({ ok: true, created: 1, updated: 1 });
      await expectChangedState(h.database.db, changed);
    });

    it('a statement of the run that runs too long (a slow trigger on the grants) is cut by 4 × AWS_DISCOVERY_DB_LOCK_TIMEOUT: old rows exactly, next run ' +
      'completes', async function () {
      // A test-only trigger makes the run's own INSERT of READ grants (its last writes) take 6 s; the limit is 4 s.
      const slow =
        dialect === 'postgres'
          ? [
              `CREATE FUNCTION ged_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(6); RETURN NULL; END $$`,
              `CREATE TRIGGER ged_test_slow BEFORE INSERT ON ${GRANTS} FOR EACH STATEMENT EXECUTE FUNCTION ged_test_slow()`,
            ]
          : [`CREATE TRIGGER ged_test_slow BEFORE INSERT ON ${GRANTS} FOR EACH ROW SET @ged_slept = SLEEP(6)`];
      for (const statement of slow) await h.database.exec(statement);
      const error = await failureOf(h.run({ dbLockTimeoutSeconds: 1 }));
      expect(error).to.be.instanceOf(DatabaseFaultError);
      expect((error as DatabaseFaultError).kind, error.message).to.equal('statement-timeout');
      expect(error.message).to.include('longer than 4 s (4 × AWS_DISCOVERY_DB_LOCK_TIMEOUT)');
      await h.database.exec('DROP TRIGGER ged_test_slow' + (dialect === 'postgres' ? ` ON ${GRANTS}` : ''));

      await expectRows(h.database.db, changed.before, 'after the statement timeout');
      expect(await h.run()).to.include({ ok: true, created: 1, updated: 1 });
      await expectChangedState(h.database.db, changed);
    });
  });
}
