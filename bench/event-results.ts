/** The event benchmark's rows (bench/event-batch.bench.ts) and their Markdown. */
import { n, table } from './markdown-table.js';

export interface EventRow {
  readonly dialect: string;
  readonly instances: number;
  readonly scenario: string;
  /** `churn`: the latency batches (1 new, 1 retagged, 1 terminated); `describe`: the describe-scaling batches. */
  readonly kind: 'churn' | 'describe';
  /** Instances each batch names, and the regions they are in (describe targets; the most of the batches). */
  readonly batchInstances: number;
  readonly regions: number;
  readonly batches: number;
  /** Event sent → the run's COMMIT, median of the batches (ms); its receive part (sent → batch in hand) and run part. */
  readonly latencyMs: number;
  readonly receiveMs: number;
  readonly runMs: number;
  /** Every latency measured (ms), in order. */
  readonly latencies: readonly number[];
  /** SQL statements of one batch (the run lock, the run, its status record; BEGIN/COMMIT left out); the largest of the batches. */
  readonly statements: number;
  readonly describeInstances: number;
  readonly describeImages: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
}

export interface EventTarget {
  readonly id: 'E1' | 'E2' | 'E3';
  readonly pass: boolean;
  readonly measured: string;
  readonly detail?: string;
}

export function eventMarkdown(rows: readonly EventRow[], targets: readonly EventTarget[], note: string): string {
  const body = rows.map((r) => [
    r.dialect,
    n(r.instances),
    r.scenario,
    `${n(r.latencyMs)} (${r.latencies.map(n).join(', ')})`,
    n(r.receiveMs),
    n(r.runMs),
    n(r.statements),
    `${r.describeInstances} / ${r.describeImages}`,
    `${r.created}/${r.updated}/${r.deleted}`,
    r.kind === 'churn' ? (r.latencyMs < 2000 ? 'yes' : 'NO') : '—',
  ]);
  const header = ['database', 'instances', 'batch', 'event → commit ms, median (each)', 'receive', 'run', 'statements', 'DI / DImg calls', 'c/u/d', '< 2 s'];
  return [
    `## Event batches (${note})`,
    '',
    table(header, body),
    '',
    '### Targets',
    '',
    table(['target', 'pass', 'measured', 'detail'], targets.map((t) => [t.id, t.pass ? 'PASS' : 'FAIL', t.measured, t.detail ?? ''])),
  ].join('\n');
}
