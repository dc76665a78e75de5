import { createHmac } from 'node:crypto';
import type { DiscoveredInstance } from '../../discover/instance.js';
import { instanceKey } from '../../discover/instance.js';
import type { KeyLookup, PrivateKeyInfo } from '../keys/key-types.js';
import { classifyInstance } from '../../discover/classify-instance.js';
import { taggedHostname } from '../../discover/endpoint.js';
import { secretMayGoTo } from '../../discover/secret-destination.js';

/** A password the database holds for a managed connection, with the digest recorded when the daemon set it. */
export interface StoredPassword {
  readonly password: string;
  readonly digest?: string;
}

/**
 * What a run knows about one Windows instance's Administrator password:
 * `obtained` (decrypted this run, or the stored one verified by its digest) or `unavailable` with the reason
 * (the connection keeps whatever password it has; without one the user is prompted at connect time).
 */
export type PasswordOutcome =
  | { readonly status: 'obtained'; readonly password: string; readonly digest: string; readonly fetched: boolean }
  | { readonly status: 'unavailable'; readonly reason: string; readonly pending?: boolean; readonly callFailed?: boolean };

export interface PasswordFetch {
  readonly key: string;
  readonly region: string;
  readonly instanceId: string;
  readonly keyName: string;
  readonly privateKey: PrivateKeyInfo;
}

export interface PasswordPlan {
  /** Decided without EC2: verified stored passwords and instances whose key cannot decrypt. */
  readonly outcomes: ReadonlyMap<string, PasswordOutcome>;
  /** GetPasswordData calls to make, at most `limitPerRegion` per region. */
  readonly fetches: readonly PasswordFetch[];
}

/** Instances whose last GetPasswordData gave no usable password, and the time before which they are not asked again. */
export interface PasswordBackoff {
  readonly retryAt: ReadonlyMap<string, number>;
  readonly now: number;
}

/**
 * HMAC of the password keyed by the private key that decrypted it: equal only for the same password obtained with
 * the same key, and computable only by whoever holds the key.
 */
export function passwordDigest(privateKey: PrivateKeyInfo, key: string, password: string): string {
  return createHmac('sha256', privateKey.text).update(`${key}\0${password}`).digest('hex');
}

/**
 * A Windows instance whose connection will be RDP (no `kcm:ignore`, no other valid `kcm:protocol`) and may carry the
 * password: a `kcm:hostname` naming another host withholds it (secret-destination.ts), so it is not even fetched.
 */
export function needsWindowsPassword(instance: DiscoveredInstance, trustHostnameTag: boolean): boolean {
  const { platform, ignored, protocol } = classifyInstance(instance);
  if (platform !== 'windows' || ignored || protocol !== 'rdp') return false;
  const tagged = taggedHostname(instance.tags);
  return tagged === undefined || secretMayGoTo(tagged, instance, trustHostnameTag);
}

/**
 * Pure: which Windows instances need a GetPasswordData call this run. A stored password whose digest matches the
 * current key is still the one EC2 gave, so it costs no call; a missing, edited or differently keyed one does.
 */
export function planPasswordFetches(
  instances: readonly DiscoveredInstance[],
  keys: ReadonlyMap<string, KeyLookup>,
  stored: ReadonlyMap<string, StoredPassword>,
  limitPerRegion: number,
  backoff: PasswordBackoff = { retryAt: new Map(), now: 0 },
): PasswordPlan {
  const outcomes = new Map<string, PasswordOutcome>();
  const fetches: PasswordFetch[] = [];
  const perRegion = new Map<string, number>();
  for (const instance of instances) {
    const key = instanceKey(instance.scope, instance.instanceId);
    const usable = usableKey(instance, keys);
    if (typeof usable === 'string') {
      outcomes.set(key, { status: 'unavailable', reason: usable });
      continue;
    }
    const have = stored.get(key);
    if (have !== undefined && have.digest === passwordDigest(usable, key, have.password)) {
      outcomes.set(key, { status: 'obtained', password: have.password, digest: have.digest, fetched: false });
      continue;
    }
    const retryAt = backoff.retryAt.get(key);
    if (retryAt !== undefined && retryAt > backoff.now) {
      outcomes.set(key, {
        status: 'unavailable',
        reason: `no usable password at the last attempt; asked again after ${new Date(retryAt).toISOString()}`,
        pending: true,
      });
      continue;
    }
    const count = perRegion.get(instance.scope) ?? 0;
    if (count >= limitPerRegion) {
      outcomes.set(key, {
        status: 'unavailable',
        reason: `password fetch deferred to a later run (at most ${limitPerRegion} per region per run)`,
        pending: true,
      });
      continue;
    }
    perRegion.set(instance.scope, count + 1);
    fetches.push({ key, region: instance.scope, instanceId: instance.instanceId, keyName: instance.keyName as string, privateKey: usable });
  }
  return { outcomes, fetches };
}

/** The instance's private key if it can decrypt an EC2 Windows password, else why not. */
function usableKey(instance: DiscoveredInstance, keys: ReadonlyMap<string, KeyLookup>): PrivateKeyInfo | string {
  const name = instance.keyName;
  if (name === undefined) return 'launched without a key pair: the Administrator password cannot be decrypted';
  const lookup = keys.get(name);
  if (lookup === undefined) return `key pair "${name}" was not looked up`;
  if (lookup.status !== 'found') return `key pair "${name}": ${lookup.reason}`;
  const k = lookup.key;
  if (k.type !== 'rsa') return `key pair "${name}" is ${k.type.toUpperCase()}: EC2 encrypts Windows passwords only for RSA key pairs`;
  if (k.encrypted) return `key pair "${name}" is protected by a passphrase, so it cannot decrypt the Windows password: provide an unencrypted copy`;
  return k;
}
