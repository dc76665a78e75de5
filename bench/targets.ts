/**
 * The issue's targets, evaluated (pure) for one database and fleet size:
 *
 * - T1 first run ≤ 3 × the plain-insert floor (the issue sets it at 10,000; checked at every size).
 * - T2 no-change run (on the settled fleet, after any catch-up runs): a small constant number of statements (at most
 *   `NO_CHANGE_STATEMENTS`, and no more than at the smallest size measured), no write (the one `ec2_discovery_run` row
 *   a run records is allowed), under 10% of the first run's time.
 * - T3 1% churn: statements and rows proportional to the churn, not the fleet: at most `NO_CHANGE_STATEMENTS` plus
 *   `STATEMENTS_PER_CHANGE` per churned instance (a writer touching every connection needs over 30 per churned instance
 *   at 3% churn), and at most `ROWS_PER_CHANGE` × the first run's rows per created connection per churned instance.
 * - T4 every scenario completes (ok) with peak RSS under 512 MB (the issue sets it at 50,000; checked at every size).
 * - T5 EC2: one DescribeInstances per page per region, DescribeImages only for AMIs not seen in the previous run,
 *   GetPasswordData only for passwords missing before the run (see ec2-calls.ts).
 */
import { STATUS_TABLES } from './database-probe.js';
import type { LimitResult } from './plain-insert-limit.js';
import type { LimitRatios, ScenarioName, ScenarioResult, TargetResult } from './results-model.js';
import type { SqlCounts } from './sql-counter.js';

export const FIRST_RUN_LIMIT_RATIO = 3;
export const NO_CHANGE_STATEMENTS = 20;
export const NO_CHANGE_TIME_SHARE = 0.1;
export const STATEMENTS_PER_CHANGE = 10;
export const ROWS_PER_CHANGE = 3;
export const PEAK_RSS_MB = 512;

/** `noChangeBaseline`: statements of the no-change run at the smallest size measured on the same database. */
export function evaluateTargets(scenarios: readonly ScenarioResult[], limit: LimitResult, noChangeBaseline: number): TargetResult[] {
  const find = (name: ScenarioName) => scenarios.find((s) => s.scenario === name) ?? missingScenario(name);
  const [first, still, churn] = [find('first run'), find('no change'), find('1% churn')];
  return [firstRun(first, limit), noChange(first, still, noChangeBaseline), churnRun(first, churn), memory(scenarios), ec2(scenarios)];
}

/** The first run's whole time, transaction and writes, each divided by the plain-insert floor (two decimals). */
export function limitRatios(scenarios: readonly ScenarioResult[], limit: LimitResult): LimitRatios {
  const first = scenarios.find((s) => s.scenario === 'first run') ?? missingScenario('first run');
  const ratio = (ms: number) => Math.round((ms / Math.max(1, limit.ms)) * 100) / 100;
  const b = first.phases.breakdown;
  return { run: ratio(first.runMs), transaction: ratio(b.transactionMs), writes: ratio(b.writeMs) };
}

function missingScenario(name: string): never {
  throw new Error(`no "${name}" scenario among the results`);
}

function firstRun(first: ScenarioResult, limit: LimitResult): TargetResult {
  const ratio = first.runMs / Math.max(1, limit.ms);
  const pass = ratio <= FIRST_RUN_LIMIT_RATIO;
  return {
    id: 'T1',
    pass,
    measured: `${ratio.toFixed(1)}× (${first.runMs} / ${limit.ms} ms)`,
    ...(pass ? {} : { detail: `first run ${first.runMs} ms is ${ratio.toFixed(1)}× the plain-insert floor (${limit.ms} ms)` }),
  };
}

function noChange(first: ScenarioResult, still: ScenarioResult, baseline: number): TargetResult {
  const share = still.runMs / Math.max(1, first.runMs);
  const writes = writtenRows(still.sql, (table) => table !== 'ec2_discovery_run') + Math.max(0, (still.sql.rows.ec2_discovery_run?.insert ?? 0) - 1);
  const managed = writtenRows(still.sql, (table) => !STATUS_TABLES.has(table));
  const problems: string[] = [];
  if (still.sql.statements > NO_CHANGE_STATEMENTS) problems.push(`${still.sql.statements} statements > ${NO_CHANGE_STATEMENTS}`);
  if (still.sql.statements > baseline) problems.push(`${still.sql.statements} statements, ${baseline} at the smallest size`);
  if (writes > 0) problems.push(`${writes} rows written (${describeRows(still.sql)})`);
  if (share >= NO_CHANGE_TIME_SHARE) problems.push(`${Math.round(share * 100)}% of the first run's time`);
  return {
    id: 'T2',
    pass: problems.length === 0,
    measured: `${still.sql.statements} stmts, ${managed} rows in Guacamole/ownership + ${writes - managed} status rows, ${(share * 100).toFixed(1)}%`,
    ...(problems.length > 0 ? { detail: problems.join('; ') } : {}),
  };
}

function churnRun(first: ScenarioResult, churn: ScenarioResult): TargetResult {
  const churned = (churn.churn?.changed ?? 0) + (churn.churn?.terminated ?? 0) + (churn.churn?.launched ?? 0);
  const statementsAllowed = NO_CHANGE_STATEMENTS + STATEMENTS_PER_CHANGE * churned;
  const rowsPerConnection = writtenRows(first.sql, (t) => !STATUS_TABLES.has(t)) / Math.max(1, first.report.created);
  const rows = writtenRows(churn.sql, (t) => !STATUS_TABLES.has(t));
  const rowsAllowed = Math.ceil(ROWS_PER_CHANGE * rowsPerConnection * churned);
  const problems: string[] = [];
  if (churn.sql.statements > statementsAllowed) problems.push(`${churn.sql.statements} statements > ${statementsAllowed}`);
  if (rows > rowsAllowed) problems.push(`${rows} rows written > ${rowsAllowed}`);
  const measured = `${churn.sql.statements} stmts (${(churn.sql.statements / Math.max(1, churned)).toFixed(2)}/churned), ${rows} rows for ${churned} churned`;
  return { id: 'T3', pass: problems.length === 0, measured, ...(problems.length > 0 ? { detail: problems.join('; ') } : {}) };
}

function memory(scenarios: readonly ScenarioResult[]): TargetResult {
  const peak = Math.max(...scenarios.map((s) => s.peakRssMb));
  const failed = scenarios.filter((s) => !s.report.ok).map((s) => `${s.scenario} not ok${s.report.deletionBrake ? ` (${s.report.deletionBrake})` : ''}`);
  const problems = [...(peak >= PEAK_RSS_MB ? [`peak RSS ${peak} MB ≥ ${PEAK_RSS_MB}`] : []), ...failed];
  return { id: 'T4', pass: problems.length === 0, measured: `${peak} MB`, ...(problems.length > 0 ? { detail: problems.join('; ') } : {}) };
}

function ec2(scenarios: readonly ScenarioResult[]): TargetResult {
  const byCheck = new Map<string, string[]>();
  for (const s of scenarios) {
    for (const f of s.ec2.failures) byCheck.set(f.check, [...(byCheck.get(f.check) ?? []), `${s.scenario} (${f.detail})`]);
  }
  const problems = [...byCheck].map(
    ([check, runs]) => `${check} in ${runs.length} of ${scenarios.length} runs: ${runs.length > 2 ? `${runs.slice(0, 2).join('; ')}; …` : runs.join('; ')}`,
  );
  const calls = scenarios.map((s) => Object.values(s.ec2.byAction).reduce((a, b) => a + b, 0)).join('/');
  return { id: 'T5', pass: problems.length === 0, measured: `${calls} calls`, ...(problems.length > 0 ? { detail: problems.join('. ') } : {}) };
}

export function writtenRows(sql: SqlCounts, include: (table: string) => boolean): number {
  return Object.entries(sql.rows)
    .filter(([table]) => include(table))
    .reduce((sum, [, r]) => sum + (r.insert ?? 0) + (r.update ?? 0) + (r.delete ?? 0), 0);
}

/** `table +inserted ~updated -deleted`, short table names. */
export function describeRows(sql: SqlCounts): string {
  return Object.entries(sql.rows)
    .filter(([, r]) => (r.insert ?? 0) + (r.update ?? 0) + (r.delete ?? 0) > 0)
    .map(
      ([table, r]) =>
        `${shortTable(table)} ${[r.insert ? `+${r.insert}` : '', r.update ? `~${r.update}` : '', r.delete ? `-${r.delete}` : ''].filter(Boolean).join(' ')}`,
    )
    .join(', ');
}

export function shortTable(table: string): string {
  return table.replace(/^guacamole_/, '').replace(/^ec2_discovery_/, 'ed_');
}
