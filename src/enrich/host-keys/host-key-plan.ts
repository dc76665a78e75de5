import type { DiscoveredInstance } from '../../discover/instance.js';
import { parseHostKeyParameter, type HostKey } from './console-host-keys.js';
import { instanceKey } from '../../discover/instance.js';

/** What a run knows about one instance's SSH host key: pinned (stored or read now) or why not. */
export type HostKeyOutcome = { readonly status: 'pinned'; readonly key: HostKey } | { readonly status: 'unpinned'; readonly reason: string };

export interface HostKeyPlan {
  readonly outcomes: ReadonlyMap<string, HostKeyOutcome>;
  /** GetConsoleOutput calls to make this run. */
  readonly reads: readonly { readonly key: string; readonly region: string; readonly instanceId: string }[];
}

/**
 * Pure: a key stored in the connection's `host-key` parameter stays pinned (the console output is transient;
 * the key lives as long as the instance). Only running SSH instances without one are read, at most
 * `limitPerRegion` per region per run, and not again before `retryAt` after a read that found nothing.
 */
export function planHostKeyReads(
  sshInstances: readonly DiscoveredInstance[],
  stored: ReadonlyMap<string, string>,
  retryAt: ReadonlyMap<string, number>,
  options: { readonly now: number; readonly limitPerRegion: number },
): HostKeyPlan {
  const outcomes = new Map<string, HostKeyOutcome>();
  const reads: { key: string; region: string; instanceId: string }[] = [];
  const perRegion = new Map<string, number>();
  for (const instance of sshInstances) {
    const key = instanceKey(instance.scope, instance.instanceId);
    const pinned = parseHostKeyParameter(stored.get(key) ?? '');
    if (pinned !== undefined) {
      outcomes.set(key, { status: 'pinned', key: pinned });
      continue;
    }
    if (instance.state !== 'running') continue; // no console to read; nothing to report yet
    if ((retryAt.get(key) ?? 0) > options.now) {
      outcomes.set(key, { status: 'unpinned', reason: 'SSH host key not pinned yet: the console output held none at the last attempt' });
      continue;
    }
    const count = perRegion.get(instance.scope) ?? 0;
    if (count >= options.limitPerRegion) {
      outcomes.set(key, {
        status: 'unpinned',
        reason: `SSH host key not pinned yet: deferred to a later run (at most ${options.limitPerRegion} console reads per region per run)`,
      });
      continue;
    }
    perRegion.set(instance.scope, count + 1);
    reads.push({ key, region: instance.scope, instanceId: instance.instanceId });
  }
  return { outcomes, reads };
}
