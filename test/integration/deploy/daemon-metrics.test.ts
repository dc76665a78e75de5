import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { smallFleet, startFixture, type DaemonFixture } from '../daemon/daemon-fixture.js';
import { freePort } from '../../support/free-port.js';
import { OWN_ACCOUNT } from '../../support/fake-ec2.js';
import { FakeSqs } from '../../support/fake-sqs/fake-sqs.js';
import { FakeStsIam } from '../../support/fake-sts-iam.js';
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
/** Event mode's families: a daemon has them only with AWS_DISCOVERY_EVENTS_QUEUE_URL. */
const EVENT_MODE = /^guacamole_ec2_discovery_events?_/;
/** Never within a test: the event-mode daemon's only full listing is the one at its start. */
const YEARLY = '0 0 1 1 *';

/** Every PromQL expression of the alerting rules and of the dashboard. */
function deployExpressions(): string[] {
  const rules = ruleExpressions(readFileSync(join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8'));
  const dashboard = dashboardExpressions(JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'dashboard.json'), 'utf8')));
  return [...rules, ...dashboard];
}

/** The names and fixed-label selectors of our families that `exprs` use, those of event mode apart when `events` is false. */
function referenced(exprs: readonly string[], events: boolean) {
  const wanted = (name: string) => events || !EVENT_MODE.test(name);
  const names = [...new Set(exprs.flatMap((e) => metricNames(e, DAEMON_PREFIXES)))].filter(wanted).sort();
  const labelled = exprs
    .flatMap(selectors)
    .filter((s) => DAEMON_PREFIXES.some((p) => s.name.startsWith(p)) && Object.keys(s.labels).length > 0 && wanted(s.name));
  return { names, labelled };
}

/** Every name, and every selector's fixed label values, found in `samples`. */
function expectPresent(samples: readonly Sample[], { names, labelled }: ReturnType<typeof referenced>): void {
  const scraped = new Set(samples.map((s) => s.name));
  expect(names.filter((n) => !scraped.has(n)), 'referenced in deploy/ but not in /metrics').to.deep.equal([]);
  for (const { name, labels } of labelled) {
    const match = samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(match, `${name}${JSON.stringify(labels)} in /metrics`).to.equal(true);
  }
}

/** An EC2 state-change event for `instanceId` in us-east-1, as EventBridge puts it in the queue. */
function stateEvent(instanceId: string): string {
  return JSON.stringify({
    version: '0',
    id: `metrics-test-${instanceId}`,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: OWN_ACCOUNT,
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:${OWN_ACCOUNT}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state: 'running' },
  });
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

    it('exist in its /metrics after a run: every name, and every fixed label value asked for (event mode apart)', async function () {
      const port = await freePort();
      daemon = startDaemon({ ...fx.env, AWS_DISCOVERY_METRICS_PORT: String(port) });
      // `run finished` is logged inside the run, just before the daemon records it: wait for the second one.
      await daemon.waitFor((logs) => logs.filter((l) => l.message === 'run finished').length >= 2);
      const samples = await scrape(port);

      const wanted = referenced(deployExpressions(), false);
      expect(wanted.names, 'the reader finds the names (else this test proves nothing)').to.include.members([
        `${M}deletions_held`,
        `${M}run_duration_seconds_bucket`,
        'process_start_time_seconds',
      ]);
      expect(wanted.labelled.length, 'selectors with fixed labels (runs_total{result="skipped_locked"}, …)').to.be.at.least(3);
      expectPresent(samples, wanted);
      // The alerts tell event mode by the presence of events_queue_up: without it, none of its series.
      expect(samples.filter((s) => EVENT_MODE.test(s.name)).map((s) => s.name)).to.deep.equal([]);
      expect(await daemon.stop()).to.equal(0);
    });

    it('in event mode, exist in its /metrics after a batch: every name, event mode included', async function () {
      const sqs = await FakeSqs.start({ manualClock: true });
      const sts = await FakeStsIam.start();
      try {
        const port = await freePort();
        daemon = startDaemon({
          ...fx.env,
          AWS_DISCOVERY_SCHEDULE: YEARLY,
          AWS_DISCOVERY_EVENTS_QUEUE_URL: sqs.createQueue('events', { visibilityTimeoutSeconds: 30 }),
          AWS_DISCOVERY_STS_ENDPOINT: sts.endpoint,
          AWS_DISCOVERY_METRICS_PORT: String(port),
        });
        const d = daemon;
        await d.waitForLog((l) => l.message === 'run finished');
        await d.waitForLog((l) => l.message === 'receiving events from the queue');
        const [first] = fx.fake.instances;
        if (first === undefined) throw new Error('no instance in the fleet');
        sqs.send('events', stateEvent(first.instanceId));
        await d.waitForLog((l) => l.message === 'event batch applied');
        const samples = await scrape(port);

        const wanted = referenced(deployExpressions(), true);
        expect(wanted.names, 'the deploy files use event mode').to.include.members([`${M}events_queue_up`, `${M}event_lag_seconds_bucket`]);
        expect(
          wanted.labelled.map((s) => s.name),
          'selectors with fixed labels (event_batches_total{result="failed"}, …)',
        ).to.include(`${M}event_batches_total`);
        expectPresent(samples, wanted);
        expect(sampleValue(samples, `${M}events_queue_up`)).to.equal(1);
        expect(sampleValue(samples, `${M}event_batches_total`, { result: 'applied' })).to.equal(1);
        expect(await d.stop()).to.equal(0);
      } finally {
        await sqs.close();
        await sts.close();
      }
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
