import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { alertNames, asPlainPromql, dashboardExpressions } from '../../support/promql-names.js';
import { promtool } from '../../support/promtool.js';
import { repositoryRoot } from '../../support/repository-root.js';

const DEPLOY = join(repositoryRoot(), 'deploy');
const RULES = join(DEPLOY, 'prometheus', 'alerts.yml');
const RULE_TESTS = join(DEPLOY, 'prometheus', 'alerts.test.yml');
const DASHBOARD = join(DEPLOY, 'grafana', 'dashboard.json');

function run(tool: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** alerts.yml and its tests copied into a folder, the rules changed by `edit`; the folder is removed afterwards. */
function withChangedRules<T>(edit: (rules: string) => string, work: (testFile: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ged-alerts-'));
  try {
    writeFileSync(join(dir, 'alerts.yml'), edit(readFileSync(RULES, 'utf8')));
    copyFileSync(RULE_TESTS, join(dir, 'alerts.test.yml'));
    return work(join(dir, 'alerts.test.yml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Prometheus alerting rules (deploy/prometheus/alerts.yml)', function () {
  this.timeout(300_000); // the first run as root may download Debian's prometheus package for promtool
  let tool: string;

  before(function () {
    tool = promtool((line) => console.log(`      ${line}`));
  });

  it('pass promtool check rules, every alert counted', function () {
    const alerts = alertNames(readFileSync(RULES, 'utf8'));
    expect(alerts).to.have.length.at.least(8);
    const check = run(tool, ['check', 'rules', RULES]);
    expect(check.status, check.output).to.equal(0);
    expect(check.output).to.include(`SUCCESS: ${alerts.length} rules found`);
  });

  it('pass promtool test rules: each alert fires on a synthetic series of trouble and stays silent when healthy', function () {
    const test = run(tool, ['test', 'rules', RULE_TESTS]);
    expect(test.status, test.output).to.equal(0);
    expect(test.output).to.include('SUCCESS');
  });

  it('have, for every alert, a case where it fires and one where it stays silent', function () {
    const cases = [...readFileSync(RULE_TESTS, 'utf8').matchAll(/alertname:\s*(\S+)\s*\n\s*exp_alerts:[ \t]*(\[\])?/g)];
    const fires = new Set(cases.filter((c) => c[2] === undefined).map((c) => c[1]));
    const silent = new Set(cases.filter((c) => c[2] !== undefined).map((c) => c[1]));
    for (const alert of alertNames(readFileSync(RULES, 'utf8'))) {
      expect(fires.has(alert), `${alert} fires in a test`).to.equal(true);
      expect(silent.has(alert), `${alert} is silent in a test`).to.equal(true);
    }
  });

  it('have unit tests that fail when a rule fires too early or never', function () {
    const regions = 'guacamole_ec2_discovery_failed_regions > 0\n        for: ';
    const tooEager = (rules: string) => rules.replace(`${regions}15m`, `${regions}1m`);
    const never = (rules: string) => rules.replace('guacamole_ec2_discovery_deletions_held > 0', 'guacamole_ec2_discovery_deletions_held > 100');
    // Event mode held to the 30-minute limit: its hourly listings would alert.
    const age = 'time() - guacamole_ec2_discovery_last_success_timestamp_seconds';
    const hourlyForgotten = (rules: string) => rules.replace(`${age} > 11700`, `${age} > 1800`);
    const edits = [
      [tooEager, 'GuacamoleEc2DiscoveryFailedRegions'],
      [never, 'GuacamoleEc2DiscoveryDeletionsHeld'],
      [hourlyForgotten, 'GuacamoleEc2DiscoveryNoRecentSuccess'],
    ] as const;
    for (const [edit, alert] of edits) {
      expect(edit(readFileSync(RULES, 'utf8')), 'the edit applies').to.not.equal(readFileSync(RULES, 'utf8'));
      const test = withChangedRules(edit, (testFile) => run(tool, ['test', 'rules', testFile]));
      expect(test.status, test.output).to.not.equal(0);
      expect(test.output).to.include(`alertname: ${alert}`);
    }
  });

  it("and the Grafana dashboard's queries are valid PromQL (promtool check rules on them as recording rules)", function () {
    const exprs = dashboardExpressions(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
    expect(exprs).to.have.length.at.least(10);
    // JSON strings are YAML double-quoted scalars.
    const rules = exprs.map((e, i) => `      - record: dashboard:query_${i + 1}\n        expr: ${JSON.stringify(asPlainPromql(e))}\n`);
    const dir = mkdtempSync(join(tmpdir(), 'ged-dashboard-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('')}`);
      const check = run(tool, ['check', 'rules', file]);
      expect(check.status, check.output).to.equal(0);
      expect(check.output).to.include(`SUCCESS: ${exprs.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
