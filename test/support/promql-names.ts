/**
 * Loose readers for the PromQL in deploy/: enough for our own rules file and dashboard, not a YAML or PromQL parser.
 */

/** A metric selector in an expression, with its `label="value"` matchers (regex, negative and `$variable` ones left out). */
export interface Selector {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

const STRING = /"(?:[^"\\]|\\.)*"/g;
const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
const SELECTOR = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g;
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;

/** The `alert:` names of a Prometheus rules file, in order. */
export function alertNames(rulesYaml: string): string[] {
  return [...rulesYaml.matchAll(/^\s*-\s*alert:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
}

/** Each `expr:` of a rules file: the rest of its line, or the more-indented lines of a block scalar (`|`, `>`). */
export function ruleExpressions(rulesYaml: string): string[] {
  const lines = rulesYaml.split('\n');
  const exprs: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)(?:-\s*)?expr:\s*(.*?)\s*$/.exec(line);
    if (m === null) return;
    const [, indent, rest] = m as unknown as [string, string, string];
    if (!/^[|>][-+]?$/.test(rest)) {
      exprs.push(rest.replace(/^'(.*)'$/, '$1'));
      return;
    }
    const block: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== '' && next.length - next.trimStart().length <= indent.length) break;
      block.push(next.trim());
    }
    exprs.push(block.join(' ').trim());
  });
  return exprs;
}

/** The PromQL of a Grafana dashboard: every target's `expr` (panels nested in rows too) and the query variables' queries. */
export function dashboardExpressions(dashboard: unknown): string[] {
  const exprs: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (typeof record.expr === 'string') exprs.push(record.expr);
      for (const [key, child] of Object.entries(record)) if (key !== 'templating') visit(child);
    }
  };
  const d = dashboard as { panels?: unknown; templating?: { list?: { type?: string; query?: unknown }[] } };
  visit(d.panels);
  for (const variable of d.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query?: unknown } | undefined)?.query;
    if (typeof query === 'string') exprs.push(query);
  }
  return exprs;
}

/** The metric names in an expression that start with one of `prefixes` (label values, being strings, are not read). */
export function metricNames(expr: string, prefixes: readonly string[]): string[] {
  const names = expr.replace(STRING, '""').match(IDENTIFIER) ?? [];
  return [...new Set(names.filter((n) => prefixes.some((p) => n.startsWith(p))))];
}

/** The selectors with braces in an expression, keeping only the `=` matchers on fixed values. */
export function selectors(expr: string): Selector[] {
  return [...expr.matchAll(SELECTOR)].map(([, name, inside]) => {
    const labels: Record<string, string> = {};
    for (const [, label, op, value] of (inside ?? '').matchAll(MATCHER)) if (op === '=' && !value!.includes('$')) labels[label!] = value!;
    return { name: name!, labels };
  });
}

/** A dashboard query as Prometheus would see it: Grafana's variables given plain values, `label_values(s, l)` as `s`. */
export function asPlainPromql(expr: string): string {
  const labelValues = /^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/.exec(expr);
  return (labelValues?.[1] ?? expr).replaceAll('$__rate_interval', '5m').replace(/\$[a-zA-Z_][a-zA-Z0-9_]*/g, '.*');
}
