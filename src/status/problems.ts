import type { InstanceWarning, SkippedInstance } from '../desired/desired-connection.js';
import type { ChangeSet } from '../plan/change-set.js';

/** Something an operator should see about one instance or region, as of the last run. Never holds a secret. */
export interface Problem {
  /** An instance key (`<scope>/<instance id>`), a scope (`eu-west-1`, `222222222222/eu-west-1`) or an account (`222222222222/*`). */
  readonly subject: string;
  /** `region` (listing failed), `account` (none of it could be read), `skipped`, `warning` (no key, no password…), `conflict` (name), `kept`. */
  readonly kind: 'region' | 'account' | 'skipped' | 'warning' | 'conflict' | 'kept';
  readonly message: string;
}

/** Pure: the run's findings as one list of problems, in a stable order. */
export function collectProblems(input: {
  /** Scopes whose listing failed: a region, `<account id>/<region>`, or `<account id>/*` (a whole account). */
  readonly failedScopes: readonly { readonly scope: string; readonly error: string }[];
  readonly skipped: readonly SkippedInstance[];
  readonly warnings: readonly InstanceWarning[];
  readonly changes?: ChangeSet;
}): Problem[] {
  const problems: Problem[] = [
    ...input.failedScopes.map((f) => ({ subject: f.scope, kind: f.scope.endsWith('/*') ? ('account' as const) : ('region' as const), message: f.error })),
    ...input.skipped.map((s) => ({ subject: s.key, kind: 'skipped' as const, message: s.reason })),
    ...input.warnings.map((w) => ({ subject: w.key, kind: 'warning' as const, message: w.message })),
    ...(input.changes?.conflicts ?? []).map((c) => ({ subject: c.key, kind: 'conflict' as const, message: c.message })),
    ...(input.changes?.kept ?? []).map((k) => ({ subject: k.key, kind: 'kept' as const, message: k.reason })),
  ];
  return problems.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}
