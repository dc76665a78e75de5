/**
 * One event batch as the daemon's loop applies it: receive (long poll, then the gather window), parse, plan the
 * batch, run it, delete the applied messages. Composed here from the same pieces so the benchmark does not depend on
 * the daemon's loop (src/daemon/event-loop.ts); swap `applyEventBatch` for that loop's step when it exists.
 */
import type { EventQueue } from '../src/discover/events/event-queue.js';
import { planEventBatch, type EventBatchPlan } from '../src/discover/events/event-batch.js';
import type { AcceptedScopes } from '../src/discover/events/instance-event.js';
import { parseEventMessage } from '../src/discover/events/parse-event.js';
import type { EventRunResult } from '../src/run/event-run.js';
import type { Runtime } from '../src/run/runtime.js';

export interface AppliedBatch {
  readonly messages: number;
  readonly plan: EventBatchPlan;
  readonly result: EventRunResult;
  /** Messages deleted from the queue. */
  readonly deleted: number;
  /** When the batch was in hand (performance clock, ms): the receive and gather window are over. */
  readonly receivedAt: number;
}

/** Receive → parse → plan → runEvents → acknowledge (every message, or those of the applied targets). */
export async function applyEventBatch(queue: EventQueue, runtime: Runtime, accepted: AcceptedScopes): Promise<AppliedBatch | undefined> {
  const messages = await queue.receiveBatch();
  if (messages.length === 0) return undefined;
  const receivedAt = performance.now();
  const parsed = messages.map((m) => parseEventMessage(m.body, accepted));
  const plan = planEventBatch(parsed);
  const result = await runtime.runEvents(plan.targets);
  if (result.locked) return { messages: messages.length, plan, result, deleted: 0, receivedAt };
  // What failed to describe comes back by itself (not deleted); everything else is done.
  const unapplied = new Set(result.unapplied.flatMap((t) => t.instanceIds.map((id) => `${t.account}/${t.region}/${id}`)));
  const done = messages.filter((_, i) => {
    const p = parsed[i];
    return p === undefined || !p.ok || !unapplied.has(`${p.event.account}/${p.event.region}/${p.event.instanceId}`);
  });
  const acknowledged = await queue.acknowledge(done);
  return { messages: messages.length, plan, result, deleted: acknowledged.deleted, receivedAt };
}

/** An EC2 state-change notification as EventBridge puts it into the queue. */
export function stateChangeBody(account: string, region: string, instanceId: string, state: string, at: Date, id: string): string {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account,
    time: at.toISOString(),
    region,
    resources: [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, state },
  });
}

/** A Tag Change on Resource event of an instance (tags after the change). */
export function tagChangeBody(account: string, region: string, instanceId: string, tags: Record<string, string>, at: Date, id: string): string {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': 'Tag Change on Resource',
    source: 'aws.tag',
    account,
    time: at.toISOString(),
    region,
    resources: [`arn:aws:ec2:${region}:${account}:instance/${instanceId}`],
    detail: { 'changed-tag-keys': ['Name'], service: 'ec2', 'resource-type': 'instance', version: 2, tags },
  });
}
