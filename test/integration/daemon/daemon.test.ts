import { expect } from 'chai';
import { readConnections, snapshot } from '../../support/guacamole-queries.js';
import { startDaemon, type DaemonProcess } from '../../support/run-cli.js';
import { DIALECTS } from '../../support/test-databases.js';
import { duplicates, runSummaries, smallFleet, startFixture, type DaemonFixture } from './daemon-fixture.js';
import { freePort } from '../../support/free-port.js';
import { TcpForwarder } from '../../support/tcp-forwarder.js';

const FLEET = 12;

for (const dialect of DIALECTS) {
  describe(`daemon on ${dialect}`, function () {
    this.timeout(300_000); // a safety net: the waits inside are for log lines, and a busy machine makes them late
    let fx: DaemonFixture;
    let daemon: DaemonProcess | undefined;

    beforeEach(async function () {
      fx = await startFixture(dialect, FLEET);
    });
    afterEach(async function () {
      await daemon?.stop('SIGKILL');
      daemon = undefined;
      await fx.close();
    });

    it('runs at start, then on the schedule, and skips (and logs) a tick while a run is in progress', async function () {
      daemon = startDaemon(fx.env);
      await daemon.waitFor((logs) => runSummaries(logs).length >= 2);
      const [first, second] = runSummaries(daemon.logs);
      expect(first).to.include({ created: FLEET, deleted: 0 });
      expect(second).to.include({ created: 0, updated: 0, deleted: 0, unchanged: FLEET });
      expect((await readConnections(fx.database.db)).size).to.equal(FLEET);

      // Slow runs (each EC2 call held 1.5 s: about 3 s a run) meet ticks every second.
      fx.proxy.delayMs = 1500;
      const before = runSummaries(daemon.logs).length;
      await daemon.waitForLog((l) => l.message === 'the previous run is still in progress; skipping this tick');
      fx.proxy.delayMs = 0;
      await daemon.waitFor((logs) => runSummaries(logs).length >= before + 2);
      const skips = daemon.logs.filter((l) => l.cause === 'overlap');
      expect(skips.length).to.be.greaterThan(0);
      expect(skips.every((l) => l.level === 'info')).to.equal(true);

      expect(await daemon.stop()).to.equal(0);
      expect(daemon.count('stopped')).to.equal(1);
      expect(daemon.logs.filter((l) => l.level === 'error')).to.deep.equal([]);
      expect(daemon.output()).to.not.include('daemon-secret-never-logged');
    });

    it('carries on after runs that fail in EC2, and recovers without a restart', async function () {
      fx.fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, times: 1000 });
      daemon = startDaemon(fx.env);
      await daemon.waitFor((logs) => logs.filter((l) => String(l.message).startsWith('run incomplete')).length >= 2);
      expect((await readConnections(fx.database.db)).size).to.equal(0);
      fx.fake.clearFailures();
      const summary = await daemon.waitForLog((l) => l.message === 'run finished' && l.created === FLEET);
      expect(summary).to.include({ ok: true });
      expect((await readConnections(fx.database.db)).size).to.equal(FLEET);
      expect(await daemon.stop()).to.equal(0);
    });

    it('starts while the database is unreachable, retries on each tick, and works once it is reachable', async function () {
      const prefix = dialect === 'postgres' ? 'POSTGRESQL' : 'MYSQL';
      const port = await freePort();
      daemon = startDaemon({ ...fx.env, [`${prefix}_PORT`]: String(port) });
      await daemon.waitFor((logs) => logs.filter((l) => l.message === 'run failed; nothing was changed; trying again on the next tick').length >= 2);
      const failure = daemon.logs.find((l) => l.level === 'error');
      expect(failure).to.include({ consecutiveFailures: 1 });
      expect(String(failure?.error)).to.include('ECONNREFUSED');

      const forwarder = await TcpForwarder.start(port, fx.env[`${prefix}_HOSTNAME`] as string, Number(fx.env[`${prefix}_PORT`]));
      try {
        await daemon.waitForLog((l) => l.message === 'run finished' && l.created === FLEET);
        expect(daemon.logs.some((l) => l.message === 'bookkeeping tables created or updated')).to.equal(true);
        expect(await daemon.stop()).to.equal(0);
      } finally {
        await forwarder.close();
      }
      expect((await readConnections(fx.database.db)).size).to.equal(FLEET);
    });

    it('SIGTERM during a run (held in its listing) exits 0 and leaves the old state exactly', async function () {
      daemon = startDaemon(fx.env);
      await daemon.waitForLog((l) => l.message === 'run finished' && l.created === FLEET);
      // The next state: some gone, some renamed, some new. Its listing is held, so the signal lands inside a run.
      fx.fake.instances = [
        ...fx.fake.instances.slice(4).map((i, n) => (n < 3 ? { ...i, tags: { ...i.tags, Name: `renamed-${n}` } } : i)),
        ...smallFleet(5, 100),
      ];
      fx.proxy.hold();
      await fx.proxy.waitForArrivals(fx.proxy.arrivals + 1);
      // A run is inside its listing now, and runs never overlap: nothing can write until the proxy lets it answer.
      const oldState = await snapshot(fx.database.db);
      const code = await daemon.stop('SIGTERM');
      fx.proxy.release();
      expect(code, daemon.output()).to.equal(0);
      expect(daemon.logs.some((l) => l.message === 'run stopped by the shutdown before writing; nothing was changed')).to.equal(true);
      expect(daemon.count('stopped')).to.equal(1);
      expect(daemon.logs.filter((l) => l.level === 'error')).to.deep.equal([]);

      expect(await snapshot(fx.database.db)).to.equal(oldState);
      expect(await duplicates(fx.database)).to.deep.equal({ names: 0, instances: 0 });
    });
  });
}
