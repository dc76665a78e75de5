import { expect } from 'chai';
import { readConnections } from '../support/guacamole-queries.js';
import { runCli, startDaemon, type DaemonProcess } from '../support/run-cli.js';
import { DIALECTS } from '../support/test-databases.js';
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
      // Runs held a little longer than the two processes' clocks differ, so that they really compete on each tick.
      fx.proxy.delayMs = 150;
      daemons = [startDaemon(fx.env), startDaemon(fx.env)];
      const attempts = () => daemons.map((d) => d.count('run finished') + d.count(LOCKED));
      await Promise.all(daemons.map((d) => d.waitFor(() => d.count('run finished') + d.count(LOCKED) >= TICKS / 2)));
      // Half-way, the fleet changes: new instances appear, some go.
      fx.fake.instances = [...fx.fake.instances.slice(3), ...smallFleet(6, 500)];
      await Promise.all(daemons.map((d) => d.waitFor(() => d.count('run finished') + d.count(LOCKED) >= TICKS, 40_000)));
      const codes = await Promise.all(daemons.map((d) => d.stop()));
      expect(codes).to.deep.equal([0, 0]);

      const logs = daemons.flatMap((d) => d.logs);
      expect(logs.filter((l) => l.level === 'error')).to.deep.equal([]);
      const finished = runSummaries(logs);
      const locked = logs.filter((l) => l.message === LOCKED);
      expect(attempts().every((n) => n >= TICKS)).to.equal(true);
      // Every attempt is either a finished run or a lock skip; which daemon wins a tick depends on timing, so
      // the finished count is only bounded below (each daemon made at least TICKS attempts, half of all ticks ran).
      expect(finished.length + locked.length).to.equal(attempts().reduce((a, b) => a + b, 0));
      expect(finished.length).to.be.at.least(TICKS / 2);
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
    let fx: DaemonFixture;

    before(async function () {
      fx = await startFixture(dialect, 3);
    });
    after(async function () {
      await fx.close();
    });

    it('exits 0 with a warning while the daemon holds the lock (friendly to timers)', async function () {
      fx.proxy.delayMs = 1500;
      const daemon = startDaemon(fx.env);
      try {
        await fx.proxy.waitForArrivals(1);
        const once = await runCli(['--once'], fx.env);
        expect(once.code, once.stdout + once.stderr).to.equal(0);
        expect(once.logs.find((l) => l.message === LOCKED)).to.include({ level: 'warn' });
        expect(once.logs.some((l) => l.message === 'run finished')).to.equal(false);
      } finally {
        expect(await daemon.stop()).to.equal(0);
      }
    });
  });
}
