import type { Ec2Api } from '../../discover/ec2-client.js';
import { instanceKey, type DiscoveredInstance } from '../../discover/instance.js';
import type { KeyLookup } from '../keys/key-types.js';
import { fetchPasswords } from './fetch-passwords.js';
import type { PasswordMemory } from './password-memory.js';
import { needsWindowsPassword, planPasswordFetches, type PasswordOutcome, type StoredPassword } from './password-plan.js';

/** A fleet launching thousands of Windows instances at once is served over several runs, not in one burst. */
const PASSWORD_FETCHES_PER_REGION = 500;

export interface PasswordSources {
  /** The passwords Guacamole holds, by instance key; read only when an instance needs a password. */
  readonly stored: () => Promise<ReadonlyMap<string, StoredPassword>>;
  readonly ec2For: (scope: string) => Ec2Api;
  readonly memory: PasswordMemory;
  /** The clock (`Date.now` in the daemon). */
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** An event run: the instances it knows (asked about); what the memory holds of any other stays as it is. */
  readonly onlyKeys?: ReadonlySet<string>;
}

export interface WindowsPasswords {
  /** By instance key; an instance without an outcome keeps what its connection has. */
  readonly outcomes: ReadonlyMap<string, PasswordOutcome>;
  /** GetPasswordData calls made. */
  readonly fetches: number;
}

/**
 * The Administrator passwords of the kept Windows instances whose connection may carry one: only those Guacamole
 * lacks (or holds in a stale form) cost a GetPasswordData call.
 */
export async function windowsPasswords(
  kept: readonly DiscoveredInstance[],
  keys: ReadonlyMap<string, KeyLookup>,
  trustHostnameTag: boolean,
  sources: PasswordSources,
): Promise<WindowsPasswords> {
  const windows = kept.filter((i) => needsWindowsPassword(i, trustHostnameTag));
  const stored = windows.length === 0 ? new Map<string, StoredPassword>() : await sources.stored();
  const plan = planPasswordFetches(windows, keys, stored, PASSWORD_FETCHES_PER_REGION, sources.memory.backoff(sources.now()));
  const fetched = await fetchPasswords(plan.fetches, sources.ec2For, { concurrency: 8, ...(sources.signal ? { signal: sources.signal } : {}) });
  sources.memory.remember(new Set(windows.map((i) => instanceKey(i.scope, i.instanceId))), fetched, sources.now(), sources.onlyKeys);
  return { outcomes: new Map([...plan.outcomes, ...fetched]), fetches: plan.fetches.length };
}
