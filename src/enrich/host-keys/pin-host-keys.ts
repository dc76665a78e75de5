import { classifyInstance } from '../../discover/classify-instance.js';
import type { Ec2Api } from '../../discover/ec2-client.js';
import type { DiscoveredInstance } from '../../discover/instance.js';
import type { ConsoleMemory } from './console-memory.js';
import { planHostKeyReads, type HostKeyOutcome } from './host-key-plan.js';
import { readHostKeys } from './read-host-keys.js';

const CONSOLE_READS_PER_REGION = 100;

export interface HostKeySources {
  /** The `host-key` values Guacamole holds, by instance key. */
  readonly stored: () => Promise<ReadonlyMap<string, string>>;
  readonly ec2For: (scope: string) => Ec2Api;
  readonly memory: ConsoleMemory;
  /** The clock (`Date.now` in the daemon). */
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

export interface PinnedHostKeys {
  /** By instance key; SSH instances only. */
  readonly outcomes: ReadonlyMap<string, HostKeyOutcome>;
  /** GetConsoleOutput calls made. */
  readonly reads: number;
}

export const NO_HOST_KEYS: PinnedHostKeys = { outcomes: new Map(), reads: 0 };

/** Host keys for the kept SSH instances: stored ones stay; running instances without one have their console read. */
export async function pinHostKeys(kept: readonly DiscoveredInstance[], sources: HostKeySources): Promise<PinnedHostKeys> {
  const ssh = kept.filter((i) => {
    const { ignored, protocol } = classifyInstance(i);
    return !ignored && protocol === 'ssh';
  });
  const stored = await sources.stored();
  const now = sources.now();
  const plan = planHostKeyReads(ssh, stored, sources.memory.retryAt, { now, limitPerRegion: CONSOLE_READS_PER_REGION });
  const read = await readHostKeys(plan.reads, sources.ec2For, { concurrency: 8, ...(sources.signal ? { signal: sources.signal } : {}) });
  sources.memory.remember(read, now);
  return { outcomes: new Map([...plan.outcomes, ...read]), reads: plan.reads.length };
}
