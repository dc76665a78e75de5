import { expect } from 'chai';
import { readConnections } from '../../support/guacamole-queries.js';
import { runCli, startDaemon, type DaemonProcess } from '../../support/run-cli.js';
import { DIALECTS } from '../../support/test-databases.js';
import { duplicates, runSummaries, smallFleet, startFixture, type DaemonFixture } from './daemon-fixture.js';

const FLEET = 20;
const TICKS = 10;
const LOCKED = 'another runner holds the lock; skipping this run';

for (const dialect of DIALECTS) {
  describe(`two daemons, one ${dialect} database`, function () {
    let fx: DaemonFixture;
    let daemons: DaemonProcess[] = [];

    before(async function () {
      fx = await startFixture(dialect, FLEET);
    });
    after(async function () {
      await Promise.all(daemons.map((d) => d.stop('SIGKILL')));
      await fx.close();
    });

    it('take turns through the run lock: every run by one of them, no duplicate, no error', async function () {
      this.timeout(240_000); // a safety net: on a busy machine ten ticks each can take a while
      // Runs held a little longer than the two processes' clocks differ, so that they really compete on each tick.
      fx.proxy.delayMs = 150;
      daemons = [startDaemon(fx.env), startDaemon(fx.env)];
      const attempts = () => daemons.map((d) => d.count('run finished') + d.count(LOCKED));
      await Promise.all(daemons.map((d) => d.waitFor(() => d.count('run finished') + d.count(LOCKED) >= TICKS / 2, 100_000)));
      // Half-way, the fleet changes: new instances appear, some go.
      fx.fake.instances = [...fx.fake.instances.slice(3), ...smallFleet(6, 500)];
      await Promise.all(daemons.map((d) => d.waitFor(() => d.count('run finished') + d.count(LOCKED) >= TICKS, 100_000)));
      const codes = await Promise.all(daemons.map((d) => d.stop()));
      expect(codes).to.deep.equal([0, 0]);

      const logs = daemons.flatMap((d) => d.logs);
      expect(logs.filter((l) => l.level === 'error')).to.deep.equal([]);
      const finished = runSummaries(logs);
      const locked = logs.filter((l) => l.message === LOCKED);
      expect(attempts().every((n) => n >= TICKS)).to.equal(true);
      // Every attempt is either a finished run or a lock skip. Which daemon wins a tick, and how many ticks a slow
      // run spans, depend on timing: the finished count is not asserted (the sums below show runs before and after).
      expect(finished.length + locked.length).to.equal(attempts().reduce((a, b) => a + b, 0));
      expect(locked.length, 'the two daemons never met at the lock').to.be.at.least(1);
      // Each change was made exactly once, by whichever daemon ran.
      const sum = (key: string) => finished.reduce((n, l) => n + Number(l[key]), 0);
      expect(sum('created')).to.equal(FLEET + 6);
      expect(sum('deleted')).to.equal(3);

      expect(await duplicates(fx.database)).to.deep.equal({ names: 0, instances: 0 });
      const connections = await readConnections(fx.database.db);
      expect(connections.size).to.equal(FLEET - 3 + 6);
      const owned = await fx.database.db.selectFrom('ec2_discovery_owned_object').select('instance_key').where('object_type', '=', 'connection').execute();
      expect(owned).to.have.length(FLEET - 3 + 6);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`--once beside a running daemon on ${dialect}`, function () {
    this.timeout(300_000); // a safety net: the waits inside are for log lines, and a busy machine makes them late
    let fx: DaemonFixture;

    before(async function () {
      fx = await startFixture(dialect, 3);
    });
    after(async function () {
      await fx.close();
    });

    it('exits 0 with a warning while the daemon holds the lock (friendly to timers)', async function () {
      fx.proxy.hold(); // the daemon's first run stays in its listing, holding the lock, until the end
      const daemon = startDaemon(fx.env);
      try {
        await fx.proxy.waitForArrivals(1);
        const once = await runCli(['--once'], fx.env);
        expect(once.code, once.stdout + once.stderr).to.equal(0);
        expect(once.logs.find((l) => l.message === LOCKED)).to.include({ level: 'warn' });
        expect(once.logs.some((l) => l.message === 'run finished')).to.equal(false);
      } finally {
        const code = await daemon.stop();
        fx.proxy.release();
        expect(code).to.equal(0);
      }
    });
  });
}
