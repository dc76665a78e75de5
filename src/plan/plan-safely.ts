import type { ChangeSet } from './change-set.js';
import { planChanges, type PlanInput } from './plan-changes.js';

import type { Policy } from '../config/setting-values.js';

export interface SafetyRules {
  /** `sync` creates, updates and deletes; `upsert-only` never deletes; `create-only` never updates or deletes. */
  readonly policy: Policy;
  /** Largest share of the managed connections one run may delete (0–100). */
  readonly maxDeletePercent: number;
  /** Largest number one run may delete, if set (the lower of the two limits applies). */
  readonly maxDeleteCount?: number;
  /** The operator allows this run to exceed the limits (`--allow-mass-delete`). */
  readonly allowMassDelete: boolean;
}

export interface SafePlan {
  readonly changes: ChangeSet;
  /** Why deletions were held back by the brake (not by policy); undefined when nothing was held. */
  readonly brake?: string;
  /** How many managed connections the brake kept from deletion (0 when it held nothing; never those a policy keeps). */
  readonly deletionsHeld: number;
}

/** A region listing that used to hold at least this many managed connections and now returns none is suspect. */
const EMPTY_REGION_SUSPICION = 3;

/**
 * Pure: the plan, filtered by the policy and checked by the deletion brake. The brake re-plans rather than
 * dropping deletes from a finished plan, so names and folders are planned around the connections that stay.
 *
 * | situation                                           | result                                         |
 * |-----------------------------------------------------|------------------------------------------------|
 * | policy create-only                                  | only new instances are written                 |
 * | policy upsert-only                                  | creates and updates; nothing deleted           |
 * | a region with ≥3 managed connections lists none     | that region's connections kept (brake)         |
 * | deletes > limit (percent of managed, or count)      | no delete at all this run (brake)              |
 * | `allowMassDelete`                                   | the brake is off for this run                  |
 *
 * A run that knows only some instances (`onlyKeys`, an event run) describes no region in full, so "a region lists
 * none" does not apply to it; the limit on deletes does, counted against every managed connection as always.
 */
export function planSafely(input: PlanInput, rules: SafetyRules): SafePlan {
  const owned = input.current.connections.filter((c) => c.owner !== undefined);
  if (rules.policy === 'create-only') {
    const ownedKeys = new Set(owned.map((c) => c.owner?.key));
    const desired = input.desired.filter((d) => !ownedKeys.has(d.key));
    return { changes: planChanges({ ...input, desired, holdDeletes: 'policy create-only: existing connections are never changed' }), deletionsHeld: 0 };
  }
  if (rules.policy === 'upsert-only') {
    return { changes: planChanges({ ...input, holdDeletes: 'policy upsert-only: connections are never deleted' }), deletionsHeld: 0 };
  }
  if (rules.allowMassDelete) return { changes: planChanges(input), deletionsHeld: 0 };

  const emptied = emptiedScopes(input, owned.map((c) => c.owner?.scope ?? ''));
  const heldScopes = new Map([...(input.heldScopes ?? []), ...emptied]);
  const guarded = { ...input, heldScopes };
  const changes = planChanges(guarded);
  // An event run's state names the owner of its batch's connections only; the brake counts every managed one.
  const managed = input.current.managedConnections ?? owned.length;
  const limit = deleteLimit(managed, rules);
  const reasons = [...emptied.values()];
  if (changes.deleteConnections.length > limit) {
    const reason =
      `deletion brake: ${changes.deleteConnections.length} of ${managed} managed connections would be deleted ` +
      `(limit ${limit}); nothing is deleted. If this is intended, run once with --allow-mass-delete`;
    const held = planChanges({ ...guarded, holdDeletes: reason });
    return { changes: held, brake: [reason, ...reasons].join('; '), deletionsHeld: keptFor(held, [reason, ...reasons]) };
  }
  return reasons.length === 0 ? { changes, deletionsHeld: 0 } : { changes, brake: reasons.join('; '), deletionsHeld: keptFor(changes, reasons) };
}

/** Connections the plan keeps for one of the brake's reasons: the deletions it held back. */
function keptFor(changes: ChangeSet, reasons: readonly string[]): number {
  const brakeReasons = new Set(reasons);
  return changes.kept.filter((k) => brakeReasons.has(k.reason)).length;
}

/** At least one deletion is always allowed: removing the one instance of a one-instance fleet is not "mass". */
export function deleteLimit(managed: number, rules: Pick<SafetyRules, 'maxDeletePercent' | 'maxDeleteCount'>): number {
  const share = Math.max(1, Math.floor((managed * rules.maxDeletePercent) / 100));
  return rules.maxDeleteCount === undefined ? share : Math.min(share, rules.maxDeleteCount);
}

function emptiedScopes(input: PlanInput, ownedScopes: readonly string[]): Map<string, string> {
  if (input.onlyKeys !== undefined) return new Map(); // a partial read is never an empty region
  const counts = new Map<string, number>();
  for (const scope of ownedScopes) counts.set(scope, (counts.get(scope) ?? 0) + 1);
  const listed = new Set([...input.desired.map((d) => d.scope), ...input.skipped.map((s) => s.scope)]);
  const emptied = new Map<string, string>();
  for (const [scope, count] of counts) {
    const wasListed = input.listedScopes === undefined ? !input.failedScopes.has(scope) : input.listedScopes.has(scope);
    if (count >= EMPTY_REGION_SUSPICION && !listed.has(scope) && wasListed) {
      emptied.set(
        scope,
        `deletion brake: ${scope} listed no instance where ${count} connections exist; treated like a failed listing (--allow-mass-delete to accept)`,
      );
    }
  }
  return emptied;
}
