import { createServer } from 'node:net';
import { expect } from 'chai';
import { runCli, startDaemon, type DaemonProcess } from '../../support/run-cli.js';
import { DIALECTS } from '../../support/test-databases.js';
import { startFixture, type DaemonFixture } from './daemon-fixture.js';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.js';
import { freePort } from '../../support/free-port.js';

const FLEET = 9; // 6 in us-east-1, 3 in eu-west-1
const M = 'guacamole_ec2_discovery_';

async function get(port: number, path: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

for (const dialect of DIALECTS) {
  describe(`/healthz and /metrics on ${dialect}`, function () {
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

    it('serve the state of the runs', async function () {
      const port = await freePort();
      const startedAt = Math.floor(Date.now() / 1000);
      daemon = startDaemon({ ...fx.env, AWS_DISCOVERY_METRICS_PORT: String(port) });
      // `run finished` is logged inside the run, just before the daemon records it: wait for the second one.
      await daemon.waitFor((logs) => logs.filter((l) => l.message === 'run finished').length >= 2);
      const health = await get(port, '/healthz');
      expect([health.status, health.body]).to.deep.equal([200, 'ok\n']);

      const metrics = await get(port, '/metrics');
      expect(metrics.status).to.equal(200);
      expect(metrics.type).to.match(/^text\/plain; version=0\.0\.4/);
      const samples = parsePrometheusText(metrics.body);
      expect(sampleValue(samples, `${M}runs_total`, { result: 'success' })).to.be.at.least(1);
      expect(sampleValue(samples, `${M}runs_total`, { result: 'failure' })).to.equal(0);
      expect(sampleValue(samples, `${M}connections_changed_total`, { action: 'created' })).to.equal(FLEET);
      expect(sampleValue(samples, `${M}connections_changed_total`, { action: 'deleted' })).to.equal(0);
      expect(sampleValue(samples, `${M}instances`, { region: 'us-east-1' })).to.equal(6);
      expect(sampleValue(samples, `${M}instances`, { region: 'eu-west-1' })).to.equal(3);
      expect(sampleValue(samples, `${M}failed_regions`)).to.equal(0);
      expect(sampleValue(samples, `${M}skipped_instances`, { reason: 'any' })).to.equal(0);
      expect(sampleValue(samples, `${M}skipped_ticks_total`, { cause: 'overlap' })).to.be.at.least(0);
      expect(sampleValue(samples, `${M}run_duration_seconds_count`)).to.be.at.least(1);
      // A time this test saw pass, however long the runs took.
      expect(sampleValue(samples, `${M}last_success_timestamp_seconds`)).to.be.within(startedAt, Date.now() / 1000);
      expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).to.equal(true);
      expect((await get(port, '/other')).status).to.equal(404);

      // A failing region: the run is partial, health stays 200 while the last success is recent, the gauges say so.
      fx.fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403, region: 'eu-west-1', times: 1000 });
      await daemon.waitForLog((l) => String(l.message).startsWith('run incomplete'));
      const partial = await get(port, '/healthz');
      expect(partial.status).to.equal(200);
      expect(partial.body).to.match(/^ok: last success \d+s ago; last run: partial: regions not listed: eu-west-1\n$/);
      const after = parsePrometheusText((await get(port, '/metrics')).body);
      expect(sampleValue(after, `${M}runs_total`, { result: 'partial' })).to.be.at.least(1);
      expect(sampleValue(after, `${M}failed_regions`)).to.equal(1);
      expect(sampleValue(after, `${M}instances`, { region: 'eu-west-1' })).to.equal(3); // last known

      expect(await daemon.stop()).to.equal(0);
    });

    it('count runs skipped because another runner holds the lock, and stay healthy', async function () {
      fx.proxy.hold(); // the first daemon's first run stays in its listing, holding the lock, until the end
      const first = startDaemon(fx.env);
      try {
        await fx.proxy.waitForArrivals(1);
        const port = await freePort();
        daemon = startDaemon({ ...fx.env, AWS_DISCOVERY_METRICS_PORT: String(port) });
        await daemon.waitForLog((l) => l.message === 'another runner holds the lock; skipping this run');
        const samples = parsePrometheusText((await get(port, '/metrics')).body);
        expect(sampleValue(samples, `${M}runs_total`, { result: 'skipped_locked' })).to.be.at.least(1);
        expect(sampleValue(samples, `${M}skipped_ticks_total`, { cause: 'locked' })).to.be.at.least(1);
        expect((await get(port, '/healthz')).status).to.equal(200);
      } finally {
        await first.stop();
        fx.proxy.release();
      }
    });
  });
}

describe('metrics listener', function () {
  it('a port already in use: a clear line and exit status 2', async function () {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli([], {
        AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_DISCOVERY_SECRET_KEY: 'x',
        AWS_DISCOVERY_REGIONS: 'us-east-1',
        AWS_DISCOVERY_EC2_ENDPOINT: 'http://127.0.0.1:9',
        POSTGRESQL_HOSTNAME: '127.0.0.1',
        POSTGRESQL_PORT: '9',
        POSTGRESQL_DATABASE: 'none',
        POSTGRESQL_USERNAME: 'none',
        POSTGRESQL_PASSWORD: 'none',
        AWS_DISCOVERY_METRICS_PORT: String(port),
      });
      expect(run.code, run.stdout + run.stderr).to.equal(2);
      const line = run.logs.find((l) => l.level === 'error');
      expect(line).to.include({ message: 'cannot listen for /healthz and /metrics; check AWS_DISCOVERY_METRICS_PORT and AWS_DISCOVERY_METRICS_ADDRESS', port });
      expect(String(line?.error)).to.include('EADDRINUSE');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('--dry-run without --once is a usage error (2); a bad schedule a configuration error (2)', async function () {
    const usage = await runCli(['--dry-run'], {});
    expect(usage.code).to.equal(2);
    expect(usage.stderr).to.include('--dry-run needs --once');
    const config = await runCli([], { AWS_DISCOVERY_SCHEDULE: 'every minute' });
    expect(config.code).to.equal(2);
    expect(config.stderr).to.include('AWS_DISCOVERY_SCHEDULE');
  });
});
