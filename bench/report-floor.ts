/** The report's plain-insert floor: each copy's time by batch size, and per table which size won (Markdown). */
import { BATCH_SIZES, type BatchSize, fastestByLabel } from './insert-batches.js';
import { n, table } from './markdown-table.js';
import type { SizeResult } from './results-model.js';
import { shortTable } from './targets.js';

const LABELS = [...BATCH_SIZES.map(String), 'per table'];
const sizeName = (size: BatchSize | string) => (typeof size === 'number' || /^\d+$/.test(size) ? n(Number(size)) : size);

function copyRows(results: readonly SizeResult[]): string[][] {
  return results.map((r) => {
    const byLabel = fastestByLabel(r.limit.copies);
    const cell = (label: string) => {
      const ms = byLabel[label];
      return ms === undefined ? '—' : `${label === r.limit.fastest ? '**' : ''}${n(ms)}${label === r.limit.fastest ? '**' : ''}`;
    };
    return [r.dialect, n(r.instances), n(r.limit.ms), sizeName(r.limit.fastest), ...LABELS.map(cell), n(r.limit.statements)];
  });
}

/**
 * Tables the batch sizes cut differently: each size's fastest INSERTs of the table (ms), `= 1,000` where a size cuts
 * the table as a smaller one does, and the size of the floor's copy.
 */
function tableRows(results: readonly SizeResult[]): string[][] {
  return results.flatMap((r) =>
    Object.keys(r.limit.rows)
      .filter((t) => new Set(r.limit.copies.map((c) => c.batches[t])).size > 1)
      .map((t) => {
        const cell = (size: BatchSize) => {
          const uniform = r.limit.copies.find((c) => c.label === String(size));
          const same = uniform?.batches[t];
          if (same !== undefined && same !== size) return `= ${sizeName(same)}`;
          const times = r.limit.copies.filter((c) => c.batches[t] === size).map((c) => c.tableMs[t] ?? Number.POSITIVE_INFINITY);
          return times.length === 0 ? '—' : n(Math.round(Math.min(...times)));
        };
        return [r.dialect, n(r.instances), shortTable(t), n(r.limit.rows[t] ?? 0), ...BATCH_SIZES.map(cell), sizeName(r.limit.batches[t] ?? '—')];
      }),
  );
}

export function floorSection(results: readonly SizeResult[]): string[] {
  const repeats = [...new Set(results.map((r) => r.limit.repeats))].join('/');
  return [
    '### The plain-insert floor (BEGIN … INSERTs … COMMIT of the first run\'s rows into a fresh database; fastest copy, ms)',
    '',
    `Each copy uses one batch size for every table (max: up to 65,000 parameters or ~4 MB per statement), then each table's fastest ` +
      `size (\`per table\`, unless one size won every table), each ${repeats} times (BENCH_FLOOR_REPEATS), interleaved; the floor is the fastest copy (bold).`,
    '',
    table(['db', 'instances', 'floor ms', 'fastest copy', ...LABELS.map(sizeName), 'floor statements'], copyRows(results)),
    '',
    'Per table, where the sizes differ (ms of the table\'s INSERTs, fastest of its copies; `= 1,000`: cut as 1,000 rows are):',
    '',
    table(['db', 'instances', 'table', 'rows', ...BATCH_SIZES.map(sizeName), "floor's size"], tableRows(results)),
  ];
}
