import type { IgnoreReason, InstanceEvent, ParsedMessage } from './instance-event.js';

/** The instances of one account and region to describe again. */
export interface DescribeTarget {
  readonly account: string;
  readonly region: string;
  /** Distinct, sorted. */
  readonly instanceIds: readonly string[];
}

/**
 * Pure: the instances a batch of events asks to describe, per account and region. Duplicates (the same event twice,
 * or several events of one instance) collapse into one id; their order and content do not matter, since describing an
 * instance now gives its current state whichever event came last. Targets come sorted by account, then region.
 */
export function describeTargets(events: readonly InstanceEvent[]): DescribeTarget[] {
  const ids = new Map<string, { account: string; region: string; ids: Set<string> }>();
  for (const { account, region, instanceId } of events) {
    const key = `${account}/${region}`;
    let target = ids.get(key);
    if (target === undefined) ids.set(key, (target = { account, region, ids: new Set() }));
    target.ids.add(instanceId);
  }
  return [...ids.values()]
    .sort((a, b) => compare(a.account, b.account) || compare(a.region, b.region))
    .map(({ account, region, ids }) => ({ account, region, instanceIds: [...ids].sort(compare) }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a batch of messages comes to: the instances to describe, and counts for the log and metrics. */
export interface EventBatchPlan {
  readonly targets: readonly DescribeTarget[];
  /** Messages that named an instance to describe, duplicates included. */
  readonly accepted: number;
  /** Accepted messages whose event id came earlier in the batch (one event delivered twice). */
  readonly duplicates: number;
  /** Ignored messages by reason (reasons with none are left out). */
  readonly ignored: Readonly<Partial<Record<IgnoreReason, number>>>;
  /** The earliest time among the accepted events (ms since the epoch): the batch's lag to its commit is measured from it. */
  readonly oldestEventTime?: number;
}

/** Pure: a batch of parsed messages (any order, duplicates and ignored ones included) → its plan. */
export function planEventBatch(parsed: readonly ParsedMessage[]): EventBatchPlan {
  const events: InstanceEvent[] = [];
  const ignored: Partial<Record<IgnoreReason, number>> = {};
  for (const message of parsed) {
    if (message.ok) events.push(message.event);
    else ignored[message.reason] = (ignored[message.reason] ?? 0) + 1;
  }
  const duplicates = events.length - new Set(events.map((e) => e.eventId)).size;
  const oldest = events.reduce<number | undefined>((min, e) => (min === undefined || e.time < min ? e.time : min), undefined);
  return {
    targets: describeTargets(events),
    accepted: events.length,
    duplicates,
    ignored,
    ...(oldest === undefined ? {} : { oldestEventTime: oldest }),
  };
}
