import { expect } from 'chai';
import { readConnections, snapshot } from '../../support/guacamole-queries.js';
import { runCli, startDaemon, type DaemonProcess } from '../../support/run-cli.js';
import { DIALECTS } from '../../support/test-databases.js';
import { freePort } from '../../support/free-port.js';
import { FakeSqs } from '../../support/fake-sqs/fake-sqs.js';
import { FakeStsIam } from '../../support/fake-sts-iam.js';
import { OWN_ACCOUNT } from '../../support/fake-ec2.js';
import { parsePrometheusText, sampleValue } from '../../support/prometheus-text.js';
import { EVERY_SECOND, startFixture, type DaemonFixture } from './daemon-fixture.js';
import { withRunLock } from '../../../src/store/run-lock.js';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';
import { createLogger } from '../../../src/shared/logger.js';

const FLEET = 4;
const M = 'guacamole_ec2_discovery_';
/** Never within a test: full listings happen only at the start, so every change below comes from an event. */
const YEARLY = '0 0 1 1 *';
let eventSerial = 0;

/** An EC2 state-change event as EventBridge puts it in the queue. */
function stateEvent(instanceId: string, state: string, options: { account?: string; id?: string } = {}): string {
  const account = options.account ?? OWN_ACCOUNT;
  return JSON.stringify({
    version: '0',
    id: options.id ?? `event-${++eventSerial}`,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account,
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:${account}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  });
}

interface EventModeRig {
  fx: DaemonFixture;
  sqs: FakeSqs;
  sts: FakeStsIam;
  port: number;
  env: Record<string, string>;
}

async function startRig(dialect: (typeof DIALECTS)[number], schedule: string): Promise<EventModeRig> {
  const fx = await startFixture(dialect, FLEET);
  const sqs = await FakeSqs.start({ manualClock: true });
  const queueUrl = sqs.createQueue('events', { visibilityTimeoutSeconds: 30 });
  const sts = await FakeStsIam.start();
  const port = await freePort();
  const env = {
    ...fx.env,
    AWS_DISCOVERY_SCHEDULE: schedule,
    AWS_DISCOVERY_EVENTS_QUEUE_URL: queueUrl,
    AWS_DISCOVERY_STS_ENDPOINT: sts.endpoint,
    AWS_DISCOVERY_METRICS_PORT: String(port),
  };
  return { fx, sqs, sts, port, env };
}

async function closeRig(rig: EventModeRig | undefined): Promise<void> {
  await rig?.sqs.close();
  await rig?.sts.close();
  await rig?.fx.close();
}

/** Polls a condition (the fakes' state, a CLI run) every 50 ms; the suite's timeout is the only limit. */
async function eventually(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function metrics(port: number) {
  return parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
}

const batches = (daemon: DaemonProcess) => daemon.logs.filter((l) => l.message === 'event batch applied');
const fullRuns = (daemon: DaemonProcess) => daemon.count('run finished');

for (const dialect of DIALECTS) {
  describe(`event mode, the real daemon on ${dialect}`, function () {
    this.timeout(300_000); // a safety net: every wait below is for a condition
    let rig: EventModeRig;
    let daemon: DaemonProcess;
    const messagesLeft = () => rig.sqs.queue('events').messages.length;
    const connectionNames = async () => [...(await readConnections(rig.fx.database.db)).values()].map((c) => c.name).sort();
    const launch = (instanceId: string, name: string) =>
      rig.fx.fake.instances.push({ instanceId, region: 'us-east-1', imageId: 'ami-al2023', privateIp: '10.9.0.1', tags: { Name: name } });

    before(async function () {
      rig = await startRig(dialect, YEARLY);
      daemon = startDaemon(rig.env);
      await daemon.waitForLog((l) => l.message === 'run finished' && l.created === FLEET);
      await daemon.waitForLog((l) => l.message === 'receiving events from the queue');
    });
    after(async function () {
      await daemon?.stop('SIGKILL');
      await closeRig(rig);
    });

    it('steady state: idle receives describe nothing', async function () {
      const describes = rig.fx.fake.requestsFor('DescribeInstances').length;
      const receives = rig.sqs.callsFor('ReceiveMessage').length;
      for (let n = 1; n <= 3; n++) {
        await eventually(() => rig.sqs.waitingPolls === 1);
        rig.sqs.advance(20_000); // the long poll ends empty
        await eventually(() => rig.sqs.callsFor('ReceiveMessage').length >= receives + n);
      }
      expect(rig.fx.fake.requestsFor('DescribeInstances').length).to.equal(describes);
      expect(sampleValue(await metrics(rig.port), `${M}events_queue_up`)).to.equal(1);
    });

    it('a launched instance appears from its event alone, and its terminate event deletes it; both messages deleted', async function () {
      const id = 'i-00000000000000abc';
      launch(id, 'from-an-event');
      const runs = fullRuns(daemon);
      rig.sqs.send('events', stateEvent(id, 'running'));
      await daemon.waitFor(() => batches(daemon).some((l) => l.created === 1));
      expect(await connectionNames()).to.include('from-an-event');
      expect(messagesLeft()).to.equal(0);

      const instance = rig.fx.fake.instances.find((i) => i.instanceId === id);
      if (instance === undefined) throw new Error('the launched instance is gone from the fake');
      instance.state = 'terminated';
      rig.sqs.send('events', stateEvent(id, 'terminated'));
      await daemon.waitFor(() => batches(daemon).some((l) => l.deleted === 1), 20_000).catch((err: Error) => {
        const describes = rig.fx.fake.requestsFor('DescribeInstances').map((r) => r.params.toString());
        throw new Error(`${err.message}\nDescribeInstances: ${describes.join('\n')}\nSQS: ${JSON.stringify(rig.sqs.calls.slice(-8))}`);
      });
      expect(await connectionNames()).to.not.include('from-an-event');
      expect(messagesLeft()).to.equal(0);
      expect(fullRuns(daemon)).to.equal(runs);
      const lag = sampleValue(await metrics(rig.port), `${M}event_lag_seconds_count`);
      expect(lag).to.be.at.least(2);
    });

    it('the same event twice: applied once, both deleted', async function () {
      const target = rig.fx.fake.instances[0];
      if (target === undefined) throw new Error('no instance');
      target.tags = { ...target.tags, Name: 'renamed-by-tag' };
      const seen = batches(daemon).length;
      const body = stateEvent(target.instanceId, 'running', { id: 'one-event-delivered-twice' });
      rig.sqs.send('events', body);
      rig.sqs.send('events', body);
      await eventually(() => messagesLeft() === 0);
      await daemon.waitFor(() => batches(daemon).length > seen);
      const now = batches(daemon).slice(seen);
      expect(now.reduce((n, l) => n + Number(l.updated), 0)).to.equal(1);
      expect(now.reduce((n, l) => n + Number(l.accepted), 0)).to.equal(2);
      expect(await connectionNames()).to.include('renamed-by-tag');
    });

    it('malformed bodies and foreign accounts change nothing, are deleted and counted as ignored', async function () {
      const before = await snapshot(rig.fx.database.db);
      rig.sqs.send('events', 'not json at all');
      rig.sqs.send('events', stateEvent('i-00000000000000def', 'running', { account: '999999999999' }));
      await eventually(() => messagesLeft() === 0);
      await daemon.waitForLog((l) => l.message === 'event batch: nothing to apply; its messages are deleted');
      expect(await snapshot(rig.fx.database.db)).to.equal(before);
      const samples = await metrics(rig.port);
      expect(sampleValue(samples, `${M}events_ignored_total`, { reason: 'malformed-json' })).to.equal(1);
      expect(sampleValue(samples, `${M}events_ignored_total`, { reason: 'foreign-account' })).to.equal(1);
    });

    it('a failed describe keeps the message; it comes back after the visibility timeout and is applied then', async function () {
      const id = 'i-00000000000000fed';
      launch(id, 'second-delivery');
      rig.fx.fake.failNext('DescribeInstances', { code: 'UnauthorizedOperation', status: 403 });
      const seen = batches(daemon).length;
      rig.sqs.send('events', stateEvent(id, 'running'));
      await daemon.waitFor(() => batches(daemon).slice(seen).some((l) => l.notDescribed === 1));
      expect(await connectionNames()).to.not.include('second-delivery');
      expect(rig.sqs.queue('events').messages.map((m) => m.receiveCount)).to.deep.equal([1]);

      rig.sqs.advance(30_000); // the visibility timeout ends: the message comes back
      await daemon.waitFor(() => batches(daemon).slice(seen).some((l) => l.created === 1));
      expect(await connectionNames()).to.include('second-delivery');
      expect(messagesLeft()).to.equal(0);
      expect(daemon.output()).to.not.include('daemon-secret-never-logged');
    });
    it('while another runner holds the lock: nothing deleted, the message comes back and is applied then', async function () {
      const id = 'i-00000000000000bee';
      launch(id, 'after-the-lock');
      const seen = batches(daemon).length;
      const logger = createLogger({ level: 'error' });
      // The test's own pool: another session, as another daemon would be.
      await withRunLock(rig.fx.database.db, dialectFor(dialect), 'default', logger, async () => {
        rig.sqs.send('events', stateEvent(id, 'running'));
        await daemon.waitForLog((l) => String(l.message).startsWith('another runner holds the lock; the event batch comes back'));
      });
      expect(rig.sqs.queue('events').messages.map((m) => m.receiveCount)).to.deep.equal([1]);
      expect(await connectionNames()).to.not.include('after-the-lock');
      expect(sampleValue(await metrics(rig.port), `${M}event_batches_total`, { result: 'locked' })).to.equal(1);

      rig.sqs.advance(30_000);
      await daemon.waitFor(() => batches(daemon).slice(seen).some((l) => l.created === 1));
      expect(await connectionNames()).to.include('after-the-lock');
      expect(messagesLeft()).to.equal(0);
    });
  });

  describe(`event mode, a failing queue on ${dialect}`, function () {
    this.timeout(300_000);
    let rig: EventModeRig | undefined;
    let daemon: DaemonProcess | undefined;
    after(async function () {
      await daemon?.stop('SIGKILL');
      await closeRig(rig);
    });

    it('is reported in /healthz, /metrics and status while full listings carry on; recovery sets it back', async function () {
      rig = await startRig(dialect, EVERY_SECOND);
      const r = rig;
      r.sqs.denyAccess = true;
      const d = startDaemon(r.env);
      daemon = d;
      await d.waitForLog((l) => String(l.message).startsWith('the events queue fails'));
      const runs = fullRuns(d);
      await d.waitFor(() => fullRuns(d) >= runs + 2); // the scheduled listings carry on
      const health = await (await fetch(`http://127.0.0.1:${r.port}/healthz`)).text();
      expect(health).to.match(/^ok; events queue failing since \d+s: SQS GetQueueAttributes on queue events failed/);
      const samples = await metrics(r.port);
      expect(sampleValue(samples, `${M}events_queue_up`)).to.equal(0);
      expect(sampleValue(samples, `${M}events_queue_failures_total`, { kind: 'access-denied' })).to.be.at.least(1);
      await eventually(async () => (await runCli(['status'], r.env)).stdout.includes('FAILING since'));
      const json = JSON.parse((await runCli(['status', '--json'], r.env)).stdout) as { eventQueue?: { state: string; lastError: string } };
      expect(json.eventQueue?.state).to.equal('failing');
      expect(json.eventQueue?.lastError).to.include('sqs:GetQueueAttributes');
      expect(d.logs.filter((l) => String(l.message).startsWith('the events queue fails')).length).to.equal(1); // once per change

      r.sqs.denyAccess = false;
      await d.waitForLog((l) => l.message === 'the events queue works again');
      expect(await (await fetch(`http://127.0.0.1:${r.port}/healthz`)).text()).to.not.include('events queue failing');
      expect(sampleValue(await metrics(r.port), `${M}events_queue_up`)).to.equal(1);
      await eventually(async () => (await runCli(['status'], r.env)).stdout.includes('Event queue events: receiving since'));
      expect(await d.stop()).to.equal(0);
    });
  });
}
