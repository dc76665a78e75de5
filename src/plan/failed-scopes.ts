import type { ScopeMatcher } from './plan-changes.js';

/** The scope of every region of one account (`<account id>/*`), or of everything (`*`): a failed account or region list. */
const EVERY_REGION = '*';

/**
 * Pure: which scopes are unknown this run. A failed scope is a region (`eu-west-1`, `222222222222/eu-west-1`), every
 * region of one account (`222222222222/*`: AssumeRole refused, region list failed) or everything (`*`).
 */
export function failedScopeMatcher(failed: readonly string[]): ScopeMatcher {
  const set = new Set(failed);
  if (set.has(EVERY_REGION)) return { has: () => true };
  return {
    has(scope) {
      if (set.has(scope)) return true;
      const slash = scope.indexOf('/');
      return slash > 0 && set.has(`${scope.slice(0, slash + 1)}${EVERY_REGION}`);
    },
  };
}
