/**
 * Event mode's targets (issue 15), evaluated (pure) over the event rows of every database and size:
 *
 * - E1 event → commit under `EVENT_LATENCY_MS` (median of the batches, receive and gather window included).
 * - E2 statements per event batch constant in fleet size: the same at every size measured on a database.
 * - E3 describe calls scale with the batch, not the fleet: one DescribeInstances per region and 200 ids of a batch,
 *   and no DescribeImages for AMIs the cache holds, at every size.
 */
import type { EventRow, EventTarget } from './event-results.js';

export const EVENT_LATENCY_MS = 2000;
/** Instance ids per DescribeInstances call of an event batch (src/discover/events/describe-by-id.ts). */
export const IDS_PER_DESCRIBE = 200;

export function evaluateEventTargets(rows: readonly EventRow[]): EventTarget[] {
  const latency = rows.filter((r) => r.kind === 'churn');
  const slow = latency.filter((r) => r.latencyMs >= EVENT_LATENCY_MS).map((r) => `${r.dialect} ${r.instances}: ${r.latencyMs} ms`);
  const perDialect = new Map<string, Set<number>>();
  for (const r of latency) perDialect.set(r.dialect, (perDialect.get(r.dialect) ?? new Set()).add(r.statements));
  const varying = [...perDialect].filter(([, counts]) => counts.size > 1).map(([d, counts]) => `${d}: ${[...counts].join(' / ')} statements`);
  const describe = rows.filter((r) => r.describeInstances > Math.ceil(r.batchInstances / IDS_PER_DESCRIBE) * r.regions || r.describeImages > 0);
  return [
    {
      id: 'E1',
      pass: slow.length === 0,
      measured: `${latency.map((r) => `${r.latencyMs}`).join('/')} ms`,
      ...(slow.length ? { detail: slow.join('; ') } : {}),
    },
    {
      id: 'E2',
      pass: varying.length === 0,
      measured: [...perDialect].map(([d, c]) => `${d} ${[...c].join('/')}`).join(', '),
      ...(varying.length ? { detail: varying.join('; ') } : {}),
    },
    {
      id: 'E3',
      pass: describe.length === 0,
      measured: rows.map((r) => `${r.batchInstances}→${r.describeInstances}`).join(', '),
      ...(describe.length ? { detail: describe.map(describeProblem).join('; ') } : {}),
    },
  ];
}

function describeProblem(r: EventRow): string {
  return `${r.dialect} ${r.instances} ${r.scenario}: DI ${r.describeInstances}, DImg ${r.describeImages}`;
}
