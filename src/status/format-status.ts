import { visibleText } from '../shared/visible-text.js';
import type { StatusView } from './read-status.js';
import type { EventQueueView } from './event-queue-status.js';

const KIND_TITLES: Readonly<Record<string, string>> = {
  account: 'Accounts that could not be read (nothing of theirs was changed)',
  region: 'Regions whose listing failed',
  skipped: 'Instances without a connection (skipped)',
  warning: 'Connections that need attention (no key, no password, bad tag…)',
  conflict: 'Name collisions',
  kept: 'Connections kept unchanged',
};

/** Pure: the status as text for a terminal. */
export function formatStatus(status: StatusView): string {
  const lines: string[] = [`owner: ${status.ownerId}    managed connections: ${status.managedConnections}`, ''];
  if (status.eventQueue !== undefined) lines.push(eventQueueLine(status.eventQueue), '');
  if (status.runs.length === 0) lines.push('No run recorded yet.');
  else lines.push('Last runs (most recent first):');
  for (const run of status.runs) {
    const s = run.summary;
    const counts = ['created', 'updated', 'deleted', 'unchanged', 'skipped']
      .filter((k) => typeof s[k] === 'number')
      .map((k) => `${k} ${String(s[k])}`)
      .join(', ');
    const extra = [
      Array.isArray(s.failedAccounts) && s.failedAccounts.length > 0 ? `failed accounts: ${s.failedAccounts.join(', ')}` : '',
      Array.isArray(s.failedRegions) && s.failedRegions.length > 0 ? `failed regions: ${s.failedRegions.join(', ')}` : '',
      typeof s.deletionBrake === 'string' ? 'deletion brake engaged' : '',
      typeof s.error === 'string' ? `error: ${visibleText(s.error)}` : '',
    ].filter((x) => x !== '');
    lines.push(
      `  ${run.startedAt}  ${run.result.padEnd(8)} ${(run.durationMs / 1000).toFixed(1).padStart(6)} s ` +
      ` ${counts}${extra.length > 0 ? `  (${extra.join('; ')})` : ''}`,
    );
  }
  const kinds = [...new Set(status.problems.map((p) => p.kind))];
  if (kinds.length === 0 && status.runs.length > 0) lines.push('', 'No instance has a problem.');
  for (const kind of Object.keys(KIND_TITLES).filter((k) => kinds.includes(k as never))) {
    const problems = status.problems.filter((p) => p.kind === kind);
    lines.push('', `${KIND_TITLES[kind]} (${problems.length}):`);
    // Rows recorded before texts were made storable may still hold controls: never hand them to a terminal.
    for (const p of problems) lines.push(`  ${visibleText(p.subject)}: ${visibleText(p.message)}`);
  }
  return lines.join('\n');
}

/** `Event queue guacamole-ec2-events: receiving since … (last batch …)`, or failing since … with the error. */
export function eventQueueLine(queue: EventQueueView): string {
  const name = visibleText(queue.queue);
  if (queue.state === 'receiving') {
    return `Event queue ${name}: receiving since ${queue.since}${queue.lastBatchAt === undefined ? '' : ` (last batch applied ${queue.lastBatchAt})`}`;
  }
  return `Event queue ${name}: FAILING since ${queue.since}: ${visibleText(queue.lastError ?? 'unknown error')}`;
}
