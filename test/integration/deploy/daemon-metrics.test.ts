import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { smallFleet, startFixture, type DaemonFixture } from '../daemon/daemon-fixture.js';
import { freePort } from '../../support/free-port.js';
import { parsePrometheusText, sampleValue, type Sample } from '../../support/prometheus-text.js';
import { dashboardExpressions, metricNames, ruleExpressions, selectors } from '../../support/promql-names.js';
import { startDaemon, type DaemonProcess } from '../../support/run-cli.js';
import { repositoryRoot } from '../../support/repository-root.js';
import { DIALECTS } from '../../support/test-databases.js';

const FLEET = 9; // 6 in us-east-1, 3 in eu-west-1
const M = 'guacamole_ec2_discovery_';
/** The daemon's own families: ours, and prom-client's process and Node.js metrics. */
const DAEMON_PREFIXES = [M, 'process_', 'nodejs_'];
const DEPLOY = join(repositoryRoot(), 'deploy');

/** Every PromQL expression of the alerting rules and of the dashboard. */
function deployExpressions(): string[] {
  const rules = ruleExpressions(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8'));
  const dashboard = dashboardExpressions(JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'dashboard.json'), 'utf8')));
  return [...rules, ...dashboard];
}

async function scrape(port: number): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).to.equal(200);
  return parsePrometheusText(await res.text());
}

describe('metric names in deploy/ (loose PromQL reading)', function () {
  it('finds sample names, histogram series included, and fixed label matchers; not label names or values', function () {
    const expr = `histogram_quantile(0.95, sum by (le) (rate(${M}run_duration_seconds_bucket{job=~"$job", reason="any"}[5m]))) / up{job="${M}x"}`;
    expect(metricNames(expr, DAEMON_PREFIXES)).to.deep.equal([`${M}run_duration_seconds_bucket`]);
    expect(selectors(expr)).to.deep.equal([
      { name: `${M}run_duration_seconds_bucket`, labels: { reason: 'any' } },
      { name: 'up', labels: { job: `${M}x` } },
    ]);
    const yaml = 'rules:\n  - alert: A\n    expr: a > 0\n    for: 5m\n  - alert: B\n    expr: |\n      b\n        and c\n    labels: {}\n';
    expect(ruleExpressions(yaml)).to.deep.equal(['a > 0', 'b and c']);
  });
});

for (const dialect of DIALECTS) {
  describe(`the metrics the alerts and the dashboard use, from a real daemon on ${dialect}`, function () {
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

    it('exist in its /metrics after a run: every name, and every fixed label value asked for', async function () {
      const port = await freePort();
      daemon = startDaemon({ ...fx.env, AWS_DISCOVERY_METRICS_PORT: String(port) });
      // `run finished` is logged inside the run, just before the daemon records it: wait for the second one.
      await daemon.waitFor((logs) => logs.filter((l) => l.message === 'run finished').length >= 2);
      const samples = await scrape(port);
      const scraped = new Set(samples.map((s) => s.name));

      const exprs = deployExpressions();
      const names = [...new Set(exprs.flatMap((e) => metricNames(e, DAEMON_PREFIXES)))].sort();
      expect(names, 'the reader finds the names (else this test proves nothing)').to.include.members([
        `${M}deletions_held`,
        `${M}run_duration_seconds_bucket`,
        'process_start_time_seconds',
      ]);
      expect(names.filter((n) => !scraped.has(n)), 'referenced in deploy/ but not in /metrics').to.deep.equal([]);

      const ours = exprs.flatMap(selectors).filter((s) => DAEMON_PREFIXES.some((p) => s.name.startsWith(p)) && Object.keys(s.labels).length > 0);
      expect(ours.length, 'selectors with fixed labels (runs_total{result="skipped_locked"}, …)').to.be.at.least(3);
      for (const { name, labels } of ours) {
        const match = samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
        expect(match, `${name}${JSON.stringify(labels)} in /metrics`).to.equal(true);
      }
      expect(await daemon.stop()).to.equal(0);
    });

    it('count the deletions the brake holds in deletions_held, back to 0 once the instances return', async function () {
      const port = await freePort();
      daemon = startDaemon({ ...fx.env, AWS_DISCOVERY_METRICS_PORT: String(port) });
      await daemon.waitFor((logs) => logs.filter((l) => l.message === 'run finished').length >= 2);
      expect(sampleValue(await scrape(port), `${M}deletions_held`)).to.equal(0);

      // eu-west-1 now lists no instance where its 3 connections exist: the brake keeps them.
      const fleet = smallFleet(FLEET);
      fx.fake.instances = fleet.filter((i) => i.region !== 'eu-west-1');
      // The daemon logs `run incomplete` after it has recorded the run's metrics.
      const held = await daemon.waitForLog((l) => String(l.message).startsWith('run incomplete'));
      expect(held.deletionsHeld).to.equal(3);
      let samples = await scrape(port);
      expect(sampleValue(samples, `${M}deletions_held`)).to.equal(3);
      expect(sampleValue(samples, `${M}instances`, { region: 'eu-west-1' })).to.equal(0);

      fx.fake.instances = fleet;
      const restored = daemon.logs.length;
      // A run that held nothing, recorded once the next run's summary is logged.
      await daemon.waitFor((logs) => {
        const later = logs.slice(restored).filter((l) => l.message === 'run finished');
        const clean = later.findIndex((l) => l.deletionsHeld === 0);
        return clean >= 0 && later.length > clean + 1;
      });
      samples = await scrape(port);
      expect(sampleValue(samples, `${M}deletions_held`)).to.equal(0);
      expect(await daemon.stop()).to.equal(0);
    });
  });
}
