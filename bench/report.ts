/** The benchmark's Markdown on stdout and its JSON files (bench/results/<timestamp>.json and latest.json). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { n, table } from './markdown-table.js';
import { floorSection } from './report-floor.js';
import { processSection } from './report-process.js';
import type { BenchResults, SizeResult } from './results-model.js';
import { rowTotals } from './sql-counter.js';
import { describeRows, FIRST_RUN_LIMIT_RATIO, NO_CHANGE_STATEMENTS, PEAK_RSS_MB, ROWS_PER_CHANGE, STATEMENTS_PER_CHANGE } from './targets.js';


function runRows(results: readonly SizeResult[]): string[][] {
  return results.flatMap((r) =>
    r.scenarios.map((s) => {
      const rows = rowTotals(s.sql.rows);
      const calls = Object.entries(s.ec2.byAction).map(([action, count]) => `${action.replace(/^Describe/, 'D').replace(/^Get/, 'G')} ${count}`);
      const rep = s.report;
      return [
        r.dialect,
        n(r.instances),
        s.scenario,
        n(s.runMs),
        n(s.processMs),
        n(s.sql.statements),
        n(s.sql.roundTrips),
        `${s.sql.reads}/${s.sql.writes}`,
        n(s.sql.databaseMs),
        `+${n(rows.insert)} ~${n(rows.update)} -${n(rows.delete)}`,
        calls.join(', '),
        `${s.rssBeforeMb} → ${s.peakRssMb}`,
        `${rep.created}/${rep.updated}/${rep.deleted}/${rep.skipped}${rep.ok ? '' : ' (not ok)'}`,
      ];
    }),
  );
}

function phaseRows(results: readonly SizeResult[]): string[][] {
  return results.flatMap((r) =>
    r.scenarios.map((s) => {
      const p = s.phases;
      const gpd = p.ec2.GetPasswordData;
      const slow = s.sql.slowest[0];
      const slowest = slow === undefined ? '—' : `${n(slow.ms)}: ${slow.sql.slice(0, 60)}…`;
      return [
        r.dialect,
        n(r.instances),
        s.scenario,
        n(s.runMs),
        n(p.cpuMs),
        n(s.benchCpuMs),
        n(p.listingEndMs),
        gpd === undefined ? '—' : `${n(p.passwordsMs)} (${gpd.calls} calls)`,
        n(p.transactionMs),
        n(s.sql.databaseMs),
        slowest,
      ];
    }),
  );
}

/** Consecutive phases that add up to the run (bench/phases.ts). */
function breakdownRows(results: readonly SizeResult[]): string[][] {
  return results.flatMap((r) =>
    r.scenarios.map((s) => {
      const b = s.phases.breakdown;
      const gpd = s.phases.ec2.GetPasswordData;
      return [
        r.dialect,
        n(r.instances),
        s.scenario,
        n(s.runMs),
        n(b.startMs),
        `${n(b.listingMs)} (DI ${n(b.describeInstancesMs)}, DImg ${n(b.describeImagesMs)})`,
        n(b.keysMs),
        gpd === undefined ? n(b.passwordsMs) : `${n(b.passwordsMs)} (${n(gpd.calls)})`,
        n(b.mappingMs),
        n(b.loadMs),
        n(b.planMs),
        n(b.writeMs),
        `${n(b.transactionMs)} (DB ${n(b.transactionDatabaseMs)})`,
        n(b.afterMs),
      ];
    }),
  );
}

function ratioRows(results: readonly SizeResult[]): string[][] {
  return results.map((r) => {
    const first = r.scenarios.find((s) => s.scenario === 'first run');
    const b = first?.phases.breakdown;
    const x = (v: number) => `${v.toFixed(2)}×`;
    return [
      r.dialect,
      n(r.instances),
      n(r.limit.ms),
      `${x(r.limitRatios.run)} (${n(first?.runMs ?? 0)})`,
      `${x(r.limitRatios.transaction)} (${n(b?.transactionMs ?? 0)})`,
      `${x(r.limitRatios.writes)} (${n(b?.writeMs ?? 0)})`,
      b === undefined ? '—' : `${n(b.listingMs + b.passwordsMs)} (${Math.round(((b.listingMs + b.passwordsMs) / Math.max(1, first?.runMs ?? 1)) * 100)}%)`,
    ];
  });
}

function rowsPerTable(results: readonly SizeResult[]): string[][] {
  return results.flatMap((r) => r.scenarios.map((s) => [r.dialect, n(r.instances), s.scenario, describeRows(s.sql) || '—']));
}

function targetRows(results: readonly SizeResult[]): string[][] {
  return results.map((r) => [
    r.dialect,
    n(r.instances),
    n(r.limit.ms),
    ...r.targets.map((t) => `${t.pass ? 'PASS' : 'FAIL'} ${t.measured}`),
  ]);
}

/** Catch-up runs: the first run left Windows passwords for later (at most 500 GetPasswordData per region per run). */
function catchUpNotes(results: readonly SizeResult[]): string[] {
  return results.flatMap((r) => {
    const first = r.scenarios.find((s) => s.scenario === 'first run');
    const catchUp = r.scenarios.filter((s) => s.scenario.startsWith('catch-up'));
    if (first === undefined || catchUp.length === 0) return [];
    const ms = catchUp.reduce((sum, s) => sum + s.runMs, 0);
    const statements = catchUp.map((s) => s.sql.statements).join(', ');
    return [
      `- ${r.dialect} ${n(r.instances)}: the first run deferred ${n(first.ec2.getPasswordData.deferred)} Windows passwords; ${catchUp.length} catch-up ` +
      `run(s) fetched them (${n(ms)} ms in all; ${statements} statements); \`no change\` and \`1% churn\` run after them.`,
    ];
  });
}

export function formatMarkdown(bench: BenchResults): string {
  const notes = catchUpNotes(bench.results);
  const failures = bench.results.flatMap((r) =>
    r.targets.filter((t) => !t.pass && t.detail).map((t) => `- ${r.dialect} ${n(r.instances)} ${t.id}: ${t.detail}`),
  );
  return [
    `## Benchmark of runOnce (${bench.startedAt}, node ${bench.node}, ${bench.cpus} CPUs${bench.commit ? `, commit ${bench.commit}` : ''})`,
    '',
    '### Runs',
    '',
    table(
      [
        'db',
        'instances',
        'scenario',
        'run ms',
        'process ms',
        'stmts',
        'round trips',
        'reads/writes',
        'DB ms',
        'rows written',
        'EC2 calls',
        'RSS MB start → peak',
        'created/updated/deleted/skipped',
      ],
      runRows(bench.results),
    ),
    '',
    '### Where the run time goes (ms; listing = until the last DescribeInstances/DescribeImages answer; passwords = first GetPasswordData sent to last ' +
    'answered, decryption in between; DB = sum of statement round trips)',
    '',
    table(
      ['db', 'instances', 'scenario', 'run', 'CPU (worker)', 'CPU (fake EC2)', 'listing ends at', 'passwords', 'run transaction', 'DB', 'slowest statement'],
      phaseRows(bench.results),
    ),
    '',
    `One Windows password decryption (RSA-2048, decryptWindowsPassword) costs ${bench.decryptMs.toFixed(2)} ms of CPU on this machine.`,
    '',
    '### Phases (ms, consecutive: they add up to the run; see bench/phases.ts)',
    '',
    "start = until the first DescribeInstances (image cache read); listing = until the last DescribeInstances/DescribeImages answer (SDK requests, the fake " +
    "EC2 answering in the benchmark's process on the same cores, XML parsing); keys = key files, new images stored, stored passwords read; passwords = first " +
    "GetPasswordData sent to last answered (SDK calls and RSA decryption); mapping = instances to desired connections; then the run's transaction: load = " +
    "reading Guacamole's state, plan = the planner, write = first write to COMMIT; after = change log and run status.",
    '',
    table(
      [
        'db',
        'instances',
        'scenario',
        'run',
        'start',
        'listing',
        'keys',
        'passwords (calls)',
        'mapping',
        'tx load',
        'tx plan',
        'tx write',
        'transaction',
        'after',
      ],
      breakdownRows(bench.results),
    ),
    '',
    ...processSection(bench),
    '',
    ...floorSection(bench.results),
    '',
    '### First run against the plain-insert floor (the floor covers only writing the rows)',
    '',
    table(
      ['db', 'instances', 'floor ms', 'whole run / floor (ms)', 'transaction / floor (ms)', 'writes / floor (ms)', 'listing + passwords (share of run)'],
      ratioRows(bench.results),
    ),
    '',
    '### Rows written per table (rows affected: +inserted ~updated -deleted; MySQL counts UPDATEs by rows matched)',
    '',
    table(['db', 'instances', 'scenario', 'rows'], rowsPerTable(bench.results)),
    '',
    '### Targets',
    '',
    table(
      [
        'db',
        'instances',
        'plain-insert floor ms',
        `T1 first run ≤ ${FIRST_RUN_LIMIT_RATIO}× floor`,
        'T2 no change: constant stmts, no write, < 10% time',
        `T3 churn ≤ ${NO_CHANGE_STATEMENTS} + ${STATEMENTS_PER_CHANGE} stmts & ${ROWS_PER_CHANGE}× rows per churned instance`,
        `T4 completes, peak RSS < ${PEAK_RSS_MB} MB`,
        'T5 EC2 calls',
      ],
      targetRows(bench.results),
    ),
    '',
    `T2 allows at most ${NO_CHANGE_STATEMENTS} statements, and no more than at the smallest size measured. The issue sets T1 at 10,000 and T4 at 50,000; ` +
    `both are checked at every size.`,
    ...(notes.length > 0 ? ['', '### Catch-up runs', '', ...notes] : []),
    ...(failures.length > 0 ? ['', '### What fails', '', ...failures] : []),
  ].join('\n');
}

/** Writes bench/results/<timestamp>.json and bench/results/latest.json under `root`; returns the first path. */
export function writeResults(root: string, bench: BenchResults): string {
  const folder = join(root, 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  const text = `${JSON.stringify(bench, null, 2)}\n`;
  const file = join(folder, `${bench.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, text);
  writeFileSync(join(folder, 'latest.json'), text);
  return file;
}
