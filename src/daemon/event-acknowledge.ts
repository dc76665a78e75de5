import type { DescribeTarget } from '../discover/events/event-batch.js';
import type { ParsedMessage } from '../discover/events/instance-event.js';

/**
 * Pure: the messages of a committed batch to delete. Every message goes, except those whose instance is in a target
 * the run could not describe (`unapplied`): those come back after the visibility timeout and are tried again. Ignored
 * messages (malformed, foreign, …) are deleted too: they can never apply, and kept they would only reach the
 * dead-letter queue. `parsed[i]` is what `messages[i]` says.
 */
export function messagesToDelete<M>(messages: readonly M[], parsed: readonly ParsedMessage[], unapplied: readonly DescribeTarget[]): M[] {
  if (unapplied.length === 0) return [...messages];
  const held = new Set(unapplied.flatMap((t) => t.instanceIds.map((id) => instanceKey(t.account, t.region, id))));
  return messages.filter((_, i) => {
    const p = parsed[i];
    return p === undefined || !p.ok || !held.has(instanceKey(p.event.account, p.event.region, p.event.instanceId));
  });
}

function instanceKey(account: string, region: string, instanceId: string): string {
  return `${account}/${region}/${instanceId}`;
}
