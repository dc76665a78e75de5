import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { dashboardExpressions, metricNames } from '../../support/promql-names.js';
import { repositoryRoot } from '../../support/repository-root.js';

interface Panel {
  readonly id: number;
  readonly title: string;
  readonly type: string;
  readonly datasource?: unknown;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  /** Rows only: a collapsed row holds its panels here instead of in the dashboard's list. */
  readonly collapsed?: boolean;
  readonly panels?: readonly Panel[];
  readonly targets?: readonly { readonly datasource?: unknown; readonly expr?: string; readonly refId?: string }[];
}

interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly type: string; readonly query?: unknown; readonly datasource?: unknown }[] };
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const dashboard = JSON.parse(readFileSync(join(repositoryRoot(), 'deploy', 'grafana', 'dashboard.json'), 'utf8')) as Dashboard;

describe('Grafana dashboard (deploy/grafana/dashboard.json)', function () {
  it('is importable anywhere: a Prometheus data source variable, used by every panel, target and query variable', function () {
    expect(dashboard.uid).to.be.a('string').and.not.equal('');
    const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(variable).to.deep.include({ name: 'datasource', query: 'prometheus' });
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).to.deep.equal(DATASOURCE);
      expect(panel.targets, panel.title).to.have.length.at.least(1);
      for (const target of panel.targets ?? []) {
        expect(target.datasource, panel.title).to.deep.equal(DATASOURCE);
        expect(target.expr, panel.title).to.be.a('string').and.not.equal('');
      }
    }
    for (const v of dashboard.templating.list.filter((v) => v.type === 'query')) expect(v.datasource, v.name).to.deep.equal(DATASOURCE);
  });

  it('uses only variables it defines (and Grafana’s own $__ ones)', function () {
    const defined = new Set(dashboard.templating.list.map((v) => v.name));
    for (const expr of dashboardExpressions(dashboard)) {
      for (const [, name] of expr.matchAll(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
        if (!name!.startsWith('__')) expect(defined.has(name!), `$${name} in ${expr}`).to.equal(true);
      }
    }
  });

  it('has unique panel ids and refIds, and panels that fit the 24-column grid without overlapping', function () {
    expect(new Set(dashboard.panels.map((p) => p.id)).size).to.equal(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      const refs = (panel.targets ?? []).map((t) => t.refId);
      expect(new Set(refs).size, panel.title).to.equal(refs.length);
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).to.be.at.most(24);
    }
    const overlap = (a: Panel['gridPos'], b: Panel['gridPos']) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    dashboard.panels.forEach((a, i) => {
      for (const b of dashboard.panels.slice(i + 1)) expect(overlap(a.gridPos, b.gridPos), `${a.title} / ${b.title}`).to.equal(false);
    });
  });

  it('shows runs, duration, instances, changes, skipped instances, failures, deletions held and the last success', function () {
    const used = new Set(dashboardExpressions(dashboard).flatMap((e) => metricNames(e, ['guacamole_ec2_discovery_'])));
    const wanted = [
      'runs_total',
      'run_duration_seconds_bucket',
      'instances',
      'connections_changed_total',
      'skipped_instances',
      'failed_regions',
      'failed_accounts',
      'deletions_held',
      'last_success_timestamp_seconds',
    ];
    for (const name of wanted) expect(used.has(`guacamole_ec2_discovery_${name}`), name).to.equal(true);
  });

  it('has a row "Event mode", open, below every other panel, showing every event-mode series', function () {
    const row = dashboard.panels.find((p) => p.type === 'row' && p.title === 'Event mode');
    expect(row, 'the row').to.not.equal(undefined);
    expect(row?.collapsed, 'open: its panels follow it in the list').to.equal(false);
    expect(row?.panels ?? []).to.deep.equal([]);
    const top = row?.gridPos.y ?? 0;
    const above = dashboard.panels.filter((p) => p.gridPos.y < top);
    const below = dashboard.panels.filter((p) => p.gridPos.y > top);
    expect(above.length + below.length + 1, 'no panel beside the row').to.equal(dashboard.panels.length);
    const used = new Set(below.flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr ?? '', ['guacamole_ec2_discovery_']))));
    const wanted = [
      'events_received_total',
      'events_applied_total',
      'events_ignored_total',
      'event_lag_seconds_bucket',
      'event_batches_total',
      'events_queue_up',
      'events_queue_failures_total',
    ];
    for (const name of wanted) expect(used.has(`guacamole_ec2_discovery_${name}`), name).to.equal(true);
    for (const p of above) expect(JSON.stringify(p.targets), p.title).to.not.match(/guacamole_ec2_discovery_events?_/);
  });
});
