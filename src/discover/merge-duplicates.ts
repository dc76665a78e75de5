import type { DiscoveredInstance } from './instance.js';

/**
 * Pure: one instance per instance id of a scope. EC2 can list an instance twice when the fleet changes between pages
 * (a launch or termination shifts the pages of a running listing) or through a faulty endpoint; two records would make
 * two desired connections with one key, which the database refuses on every run.
 *
 * The last record listed wins: a later page was read later, so it is the fresher view of the instance (its state, its
 * addresses, its tags). It takes the place of the first, so the order of the listing otherwise stays as it was.
 * `duplicates` names each id listed more than once, once, in the order its first repeat was listed.
 */
export function mergeDuplicateInstances(instances: readonly DiscoveredInstance[]): {
  readonly instances: readonly DiscoveredInstance[];
  readonly duplicates: readonly string[];
} {
  const byId = new Map<string, DiscoveredInstance>();
  const duplicates = new Set<string>();
  for (const instance of instances) {
    if (byId.has(instance.instanceId)) duplicates.add(instance.instanceId);
    byId.set(instance.instanceId, instance);
  }
  return duplicates.size === 0 ? { instances, duplicates: [] } : { instances: [...byId.values()], duplicates: [...duplicates] };
}
