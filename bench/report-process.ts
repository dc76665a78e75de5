/** The report's whole-process times: the real CLI's `--once` beside the measured runs, and its `--version` (Markdown). */
import type { ProcessTime } from './cli-process.js';
import { n, table } from './markdown-table.js';
import type { BenchResults } from './results-model.js';

function onceRows(bench: BenchResults): string[][] {
  return bench.results.flatMap((r) =>
    r.cli.map((c) => {
      const measured = r.scenarios.find((s) => s.scenario === c.scenario);
      const p = c.process;
      return [
        r.dialect,
        n(r.instances),
        `--once (${c.scenario})`,
        n(p.wallMs),
        `${n(p.cpuMs)} (${n(p.userMs)} + ${n(p.systemMs)})`,
        n(c.recordedRunMs),
        n(p.wallMs - c.recordedRunMs),
        measured === undefined ? '—' : n(measured.runMs),
        n(p.peakRssMb),
      ];
    }),
  );
}

/** The median run by wall time, with the range. */
function versionRow(runs: readonly ProcessTime[]): string[] {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  if (mid === undefined) return [];
  const range = (pick: (p: ProcessTime) => number) => {
    const values = runs.map(pick);
    return runs.length > 1 ? `; ${n(Math.min(...values))}–${n(Math.max(...values))}` : '';
  };
  return [
    '—',
    '—',
    `--version (median of ${runs.length})`,
    `${n(mid.wallMs)}${range((p) => p.wallMs)}`,
    `${n(mid.cpuMs)} (${n(mid.userMs)} + ${n(mid.systemMs)})${range((p) => p.cpuMs)}`,
    '—',
    n(mid.wallMs),
    '—',
    n(mid.peakRssMb),
  ];
}

export function processSection(bench: BenchResults): string[] {
  const version = versionRow(bench.versionProcess);
  return [
    '### The whole process (the real CLI spawned with the same settings: start-up, schema check, migrations and exit included)',
    '',
    "run = the run as the daemon recorded it (ec2_discovery_run: listing to the run's report); outside the run = wall − run; measured run = the " +
      "scenario's run above (another process, same state). The first-run process writes into a second fresh database; the no-change one runs right " +
      'after the measured no-change run.',
    '',
    table(
      ['db', 'instances', 'command', 'process wall ms', 'process CPU ms (user + sys)', 'run ms', 'outside the run ms', 'measured run ms', 'peak RSS MB'],
      [...onceRows(bench), ...(version.length > 0 ? [version] : [])],
    ),
  ];
}
