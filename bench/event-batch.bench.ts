/**
 * Event mode at fleet scale (issue 15). For each database (TEST_DIALECTS) and fleet size: the synthetic fleet
 * (bench/fleet.ts) on the fake EC2, a first full run through the runtime `--once` builds, then event batches through
 * the fake SQS applied as the daemon's loop applies them (bench/event-batch.ts):
 *
 * - `1 new, 1 retagged, 1 terminated` (3 batches): the instances change in the fake EC2, their EventBridge events go
 *   into the queue stamped as they are sent; measured: event sent → the run's COMMIT, statements, describe calls.
 * - `describe 1` / `describe 100`: tag changes of 1 and of 100 instances of one region in one batch: the describe
 *   calls follow the batch (200 ids a call), not the fleet.
 *
 * Runs in this process (fake EC2, fake SQS and the runtime share the 2 cores, as a loaded daemon would).
 *
 *   npm run bench (after the runs), or alone: BENCH_ENTRY=event-batch.bench ./scripts/bench.sh 1000 10000
 *   TEST_DIALECTS=postgres BENCH_ENTRY=event-batch.bench ./scripts/bench.sh 50000
 *
 * Prints Markdown and writes bench/results/events-<timestamp>.json and bench/results/events-latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { LogEvent } from 'kysely';
import { buildRuntime } from '../src/cli/run-with-config.js';
import { parseConfig } from '../src/config/config.js';
import { parseEventsQueueUrl } from '../src/config/events-queue.js';
import { DAEMON_QUEUE_OPTIONS } from '../src/cli/event-source.js';
import { EventQueue } from '../src/discover/events/event-queue.js';
import { acceptedScopes } from '../src/discover/events/instance-event.js';
import { createLogger } from '../src/shared/logger.js';
import { FakeEc2, OWN_ACCOUNT, type FakeInstance } from '../test/support/fake-ec2.js';
import { FakeSqs } from '../test/support/fake-sqs/fake-sqs.js';
import { SQS_TEST_CREDENTIALS } from '../test/support/fake-sqs/sqs-test-client.js';
import { createTestDatabase, DIALECTS, type TestDialect } from '../test/support/test-databases.js';
import { makeBenchKeys } from './bench-keys.js';
import { applyEventBatch, stateChangeBody, tagChangeBody } from './event-batch.js';
import { eventMarkdown, type EventRow } from './event-results.js';
import { evaluateEventTargets } from './event-targets.js';
import { makeFleet, makeInstance, REGIONS } from './fleet.js';
import { SqlCounter } from './sql-counter.js';

const DEFAULT_SIZES = [1000, 10_000, 50_000];
const LATENCY_BATCHES = 3;
const COMMIT = /^\s*commit\b/i;

interface Bench {
  readonly dialect: TestDialect;
  readonly size: number;
  readonly ec2: FakeEc2;
  readonly sqs: FakeSqs;
  readonly keys: ReturnType<typeof makeBenchKeys>;
}

async function benchSize(b: Bench): Promise<EventRow[]> {
  const database = await createTestDatabase(b.dialect);
  const fleet = makeFleet(b.size, b.keys.passwordData);
  b.ec2.instances = fleet.instances;
  b.ec2.images = fleet.images;
  const queueUrl = b.sqs.createQueue(`events-${b.dialect}-${b.size}`);
  const settings = {
    ...database.env,
    AWS_DISCOVERY_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_DISCOVERY_SECRET_KEY: 'bench',
    AWS_DISCOVERY_REGIONS: REGIONS.join(','),
    AWS_DISCOVERY_EC2_ENDPOINT: b.ec2.endpoint,
    AWS_DISCOVERY_KEYS_DIR: b.keys.dir,
    AWS_DISCOVERY_PAGE_SIZE: '1000',
    AWS_DISCOVERY_LOG_LEVEL: 'error',
  };
  const { config, secrets } = parseConfig(settings);
  const counter = new SqlCounter();
  let commits: number[] = [];
  const observe = (event: LogEvent) => {
    if (COMMIT.test(event.query.sql)) commits.push(performance.now());
    counter.observe(event);
  };
  const { runtime, close } = buildRuntime(config, secrets, createLogger({ level: 'error' }), { sql: { observe, plugin: counter.plugin } });
  const parsedUrl = parseEventsQueueUrl(queueUrl);
  if (!('value' in parsedUrl)) throw new Error(parsedUrl.problem);
  // Received as the daemon receives (its gather options, its window and batch size), with a shorter first wait.
  const queue = () => new EventQueue(parsedUrl.value, { credentials: SQS_TEST_CREDENTIALS, maxAttempts: 1, waitTimeSeconds: 1, ...DAEMON_QUEUE_OPTIONS });
  const accepted = acceptedScopes([OWN_ACCOUNT], REGIONS);
  let eventId = 0;
  const send = (body: (at: Date, id: string) => string) => {
    const sentAt = performance.now();
    b.sqs.send(`events-${b.dialect}-${b.size}`, body(new Date(), `bench-${++eventId}`));
    return sentAt;
  };

  /** Sends the events `change` makes, applies the batches until the queue is empty; one measured batch. */
  const measure = async (change: () => number[]) => {
    const events = queue();
    try {
      b.ec2.requests.length = 0;
      counter.take();
      commits = [];
      const sentAts = change();
      const applied = await applyEventBatch(events, runtime, accepted);
      if (applied === undefined || applied.result.locked) throw new Error('the event batch was not applied');
      if (applied.messages !== sentAts.length) throw new Error(`one batch gathered ${applied.messages} of ${sentAts.length} messages`);
      const sent = Math.min(...sentAts);
      const commitAt = commits[0] ?? Number.NaN; // the run's transaction commits first; the status record after it
      const report = applied.result.report;
      return {
        latencyMs: Math.round(commitAt - sent),
        receiveMs: Math.round(applied.receivedAt - sent),
        statements: counter.take().statements,
        describeInstances: b.ec2.requestsFor('DescribeInstances').length,
        describeImages: b.ec2.requestsFor('DescribeImages').length,
        regions: applied.plan.targets.length,
        created: report.created,
        updated: report.updated,
        deleted: report.deleted,
      };
    } finally {
      events.destroy();
    }
  };

  try {
    const first = await runtime.run({ dryRun: false });
    if (first.locked || !first.report.ok) throw new Error('the first full run failed');
    process.stderr.write(`bench: ${b.dialect} ${b.size}: first run ${first.report.durationMs} ms (${first.report.created} created)\n`);
    // Linux instances with a key pair (n % 100 < 70), a different few per batch.
    const linux = (k: number, offset: number) => fleet.instances[100 * k + offset] as FakeInstance;
    const churn = [];
    for (let k = 0; k < LATENCY_BATCHES; k++) {
      churn.push(
        await measure(() => {
          const fresh = makeInstance(b.size + 100 * k + 1, b.keys.passwordData);
          b.ec2.instances.push(fresh);
          const retagged = linux(k, 3);
          retagged.tags = { ...(retagged.tags ?? {}), Name: `retagged-${k}` };
          const gone = linux(k, 5);
          gone.state = 'terminated';
          return [
            send((at, id) => stateChangeBody(OWN_ACCOUNT, fresh.region, fresh.instanceId, 'running', at, id)),
            send((at, id) => tagChangeBody(OWN_ACCOUNT, retagged.region, retagged.instanceId, retagged.tags ?? {}, at, id)),
            send((at, id) => stateChangeBody(OWN_ACCOUNT, gone.region, gone.instanceId, 'terminated', at, id)),
          ];
        }),
      );
      const last = churn.at(-1);
      process.stderr.write(`bench: ${b.dialect} ${b.size} event batch ${k + 1}: ${last?.latencyMs} ms, ${last?.statements} statements\n`);
    }
    const rows: EventRow[] = [row(b, 'churn', '1 new, 1 retagged, 1 terminated', 3, churn)];
    // Describe scaling: tag changes of 1 and 100 Linux instances of one region (renamed), one batch each.
    const east = fleet.instances.filter((i, n) => i.region === REGIONS[0] && n % 100 < 70 && i.state !== 'terminated' && n >= 100 * LATENCY_BATCHES);
    for (const count of [1, 100]) {
      const picked = east.slice(count === 1 ? 0 : 1, count === 1 ? 1 : 101);
      const measured = await measure(() =>
        picked.map((i) => {
          i.tags = { ...(i.tags ?? {}), Name: `${i.tags?.Name ?? i.instanceId}-x${count}` };
          return send((at, id) => tagChangeBody(OWN_ACCOUNT, i.region, i.instanceId, i.tags ?? {}, at, id));
        }),
      );
      rows.push(row(b, 'describe', `describe ${count} (tag changes, one region)`, count, [measured]));
      process.stderr.write(`bench: ${b.dialect} ${b.size} describe ${count}: ${measured.describeInstances} DescribeInstances, ${measured.latencyMs} ms\n`);
    }
    return rows;
  } finally {
    await close();
    await database.drop();
  }
}

type Measured = Omit<EventRow, 'dialect' | 'instances' | 'scenario' | 'kind' | 'batchInstances' | 'batches' | 'latencies' | 'runMs'>;

function row(b: Bench, kind: EventRow['kind'], scenario: string, batchInstances: number, measured: readonly Measured[]): EventRow {
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] as number;
  const latencies = measured.map((m) => m.latencyMs);
  const max = (pick: (m: Measured) => number) => Math.max(...measured.map(pick));
  return {
    dialect: b.dialect,
    instances: b.size,
    scenario,
    kind,
    batchInstances,
    regions: max((m) => m.regions),
    batches: measured.length,
    latencyMs: median(latencies),
    receiveMs: median(measured.map((m) => m.receiveMs)),
    runMs: median(measured.map((m) => m.latencyMs - m.receiveMs)),
    latencies,
    statements: max((m) => m.statements),
    describeInstances: max((m) => m.describeInstances),
    describeImages: max((m) => m.describeImages),
    created: max((m) => m.created),
    updated: max((m) => m.updated),
    deleted: max((m) => m.deleted),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).map((a) => Number(a.replace(/[_,]/g, '')));
  const sizes = args.length > 0 ? args : DEFAULT_SIZES;
  const keys = makeBenchKeys();
  const ec2 = await FakeEc2.start();
  const sqs = await FakeSqs.start();
  const rows: EventRow[] = [];
  const startedAt = new Date().toISOString();
  const load = loadavg()[0]?.toFixed(2);
  try {
    for (const dialect of DIALECTS) for (const size of sizes) rows.push(...(await benchSize({ dialect, size, ec2, sqs, keys })));
  } finally {
    await ec2.close();
    await sqs.close();
  }
  const targets = evaluateEventTargets(rows);
  const note = `${startedAt}, node ${process.version}, ${cpus().length} CPUs, load ${load} at start`;
  process.stdout.write(`${eventMarkdown(rows, targets, note)}\n`);
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify({ startedAt, sizes, dialects: DIALECTS, rows, targets }, null, 2)}\n`;
  writeFileSync(join(dir, `events-${startedAt.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(dir, 'events-latest.json'), json);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
