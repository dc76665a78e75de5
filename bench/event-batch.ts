/**
 * One event batch as the daemon's loop applies it: receive (long poll, then the gather window), parse, plan the
 * batch, run it, delete the applied messages. Composed here from the same pieces, so the benchmark does not run
 * the daemon's whole loop (src/daemon/event-loop.ts), whose gate, health and status writes are not measured here; the
 * receive options and the choice of messages to delete are the daemon's own.
 */
import type { EventQueue } from '../src/discover/events/event-queue.js';
import { planEventBatch, type EventBatchPlan } from '../src/discover/events/event-batch.js';
import type { AcceptedScopes } from '../src/discover/events/instance-event.js';
import { parseEventMessage } from '../src/discover/events/parse-event.js';
import type { EventRunResult } from '../src/run/event-run.js';
import type { Runtime } from '../src/run/runtime.js';
import { messagesToDelete } from '../src/daemon/event-acknowledge.js';

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
  // What failed to describe comes back by itself (not deleted); everything else is done: the daemon's own rule.
  const done = messagesToDelete(messages, parsed, result.unapplied);
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
