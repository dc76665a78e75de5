import type { Config } from '../config/config.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { HealthRecord, healthOf } from './health.js';
import { startHealthServer, type HealthServer } from './health-server.js';
import type { DaemonMetrics } from './metrics.js';
import type { RunReport } from '../run/run-report.js';
import type { Runtime } from '../run/runtime.js';
import { RunGate, startSchedule } from './scheduler.js';
import { runEventLoop, type EventSource } from './event-loop.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly logger: Logger;
  /** Aborted on shutdown: the schedule stops and the run in progress finishes or rolls back. */
  readonly signal: AbortSignal;
  /** Event mode (AWS_DISCOVERY_EVENTS_QUEUE_URL): the queue and the accounts its events are accepted for. */
  readonly events?: EventSource;
}

/**
 * The scheduled mode: one run at start, then one per tick of `config.schedule`, never two at once; in event mode also
 * the event loop, whose batches go through the same gate (a batch waits for a full run; a tick during a batch runs
 * right after it). It only schedules,
 * records and carries on: a failed run is logged and counted, and the next tick tries again. Returns the exit status:
 * 0 after a clean stop, 2 when the /healthz and /metrics listener cannot bind.
 */
export async function runDaemon(options: DaemonOptions): Promise<number> {
  const { config, runtime, logger, signal, events } = options;
  const health = new HealthRecord(Date.now());
  let metrics: DaemonMetrics | undefined; // kept only when served: prom-client loads with AWS_DISCOVERY_METRICS_PORT alone
  let server: HealthServer | undefined;
  if (config.metricsPort !== undefined) {
    const { DaemonMetrics } = await import('./metrics.js');
    // With several accounts the series are per `<account id>/<region>`, known only once the accounts are read.
    metrics = new DaemonMetrics(config.accounts === undefined ? config.regions : [], { events: events !== undefined });
    const where = { address: config.metricsAddress, port: config.metricsPort };
    try {
      server = await startHealthServer({
        ...where,
        registry: metrics.registry,
        health: () => healthOf(health.facts(), Date.now(), config.healthMaxAgeSeconds),
      });
    } catch (err) {
      logger.error('cannot listen for /healthz and /metrics; check AWS_DISCOVERY_METRICS_PORT and AWS_DISCOVERY_METRICS_ADDRESS', {
        ...where,
        error: describeError(err),
      });
      return 2;
    }
    logger.info('serving /healthz and /metrics', where);
  }

  const scheduledRun = createScheduledRun({ runtime, logger, signal, metrics, health, ownerId: config.ownerId });
  const gate = new RunGate(scheduledRun, {
    onOverlap: () => {
      metrics?.recordSkippedTick('overlap');
      logger.info('the previous run is still in progress; skipping this tick', { cause: 'overlap' });
    },
    onError: (err) => logger.error('unexpected error in the scheduled run', { error: describeError(err) }),
  });
  if (!signal.aborted) gate.trigger();
  const schedule = startSchedule(config.schedule, () => gate.trigger(), logger);
  logger.info('scheduled', { schedule: config.schedule, timezone: 'UTC', nextRun: schedule.nextRun()?.toISOString() });
  if (events !== undefined) logger.info('event mode: reading the queue', { queue: events.queueName });
  const eventLoop = events && runEventLoop({ source: events, runtime, gate, logger, signal, metrics, health, ownerId: config.ownerId });

  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  schedule.stop();
  await gate.close(); // refuses a batch waiting for the gate: the loop then ends
  await eventLoop;
  events?.close();
  await server?.close();
  logger.info('stopped');
  return 0;
}

interface ScheduledRunContext {
  readonly runtime: Runtime;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Unset: no metrics are served. */
  readonly metrics: DaemonMetrics | undefined;
  readonly health: HealthRecord;
  readonly ownerId: string;
}

/** One tick's run: asks the runtime, then logs, counts and records the outcome. Never throws. */
function createScheduledRun(ctx: ScheduledRunContext): () => Promise<void> {
  const { runtime, logger, signal, metrics, health } = ctx;
  let consecutiveFailures = 0;
  return async () => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const attempt = await runtime.run({ dryRun: false, signal });
      if (attempt.locked) {
        metrics?.recordSkippedTick('locked');
        health.record('skipped_locked', Date.now());
        logger.info('another runner holds the lock; skipping this run', { ownerId: ctx.ownerId });
        return;
      }
      const { report } = attempt;
      const result = report.ok ? 'success' : 'partial';
      metrics?.recordRun(result, seconds(), report);
      health.record(result, Date.now(), report.ok ? undefined : partialReason(report));
      if (report.ok) consecutiveFailures = 0;
      else {
        consecutiveFailures += 1;
        logger.warn('run incomplete; what it could not do is left unchanged and tried again on the next run', {
          failedRegions: report.failedRegions,
          ...(report.failedAccounts.length > 0 ? { failedAccounts: report.failedAccounts } : {}),
          deletionsHeld: report.deletionsHeld,
          consecutiveFailures,
        });
      }
    } catch (err) {
      if (signal.aborted) {
        logger.info('run stopped by the shutdown before writing; nothing was changed');
        return;
      }
      consecutiveFailures += 1;
      metrics?.recordRun('failure', seconds());
      health.record('failure', Date.now(), describeError(err));
      logger.error('run failed; nothing was changed; trying again on the next tick', { error: describeError(err), consecutiveFailures });
    }
  };
}

function partialReason(report: RunReport): string {
  const parts = [];
  if (report.failedAccounts.length > 0) parts.push(`accounts not read: ${report.failedAccounts.join(', ')}`);
  if (report.failedRegions.length > 0) parts.push(`regions not listed: ${report.failedRegions.join(', ')}`);
  if (report.deletionBrake !== undefined) parts.push(`deletions held by the brake: ${report.deletionsHeld}`);
  return parts.length > 0 ? parts.join('; ') : 'incomplete';
}
