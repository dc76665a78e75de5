import { classifyInstance } from '../discover/classify-instance.js';
import type { ListedFleet } from '../discover/list-fleet.js';
import { NO_HOST_KEYS, pinHostKeys, type PinnedHostKeys } from '../enrich/host-keys/pin-host-keys.js';
import type { KeyLookup } from '../enrich/keys/key-types.js';
import { windowsPasswords, type WindowsPasswords } from '../enrich/passwords/windows-passwords.js';
import { adoptKeyedMap, storedKeyForms } from '../plan/adopt-account-scopes.js';
import type { Logger } from '../shared/logger.js';
import { loadStoredHostKeys, loadStoredPasswords, type StoredParameterOptions } from '../store/load-stored-parameters.js';
import type { GuacamoleDatabase } from '../store/database.js';
import type { PipelineDependencies } from './run-dependencies.js';
import { RunMemory } from './run-memory.js';

/** What the run adds to the listing before mapping it: private keys, Windows passwords, SSH host keys. */
export interface Enrichment {
  /** Key lookups by key pair name. */
  readonly keys: ReadonlyMap<string, KeyLookup>;
  readonly passwords: WindowsPasswords;
  readonly hostKeys: PinnedHostKeys;
}

/** Keys for every kept instance's key pair, then the passwords and host keys that need EC2 calls (each step with its own memory). */
export async function enrich(deps: PipelineDependencies, fleet: ListedFleet, signal: AbortSignal | undefined): Promise<Enrichment> {
  const { config, logger } = deps;
  const kept = fleet.instances.filter((i) => classifyInstance(i).kept);
  const keys = await deps.readKeys([...new Set(kept.flatMap((i) => (i.keyName === undefined ? [] : [i.keyName])))]);
  logKeyNotes(logger, keys);
  const memory = deps.memory ?? new RunMemory();
  const calls = { ec2For: deps.ec2For, now: Date.now, ...(signal ? { signal } : {}) };
  const stored = <V>(load: LoadStored<V>) => () => readStored(deps, fleet, load);
  const passwordSources = { ...calls, stored: stored(loadStoredPasswords), memory: memory.passwords, ...(fleet.onlyKeys ? { onlyKeys: fleet.onlyKeys } : {}) };
  const passwords = await windowsPasswords(kept, keys, config.trustHostnameTag, passwordSources);
  const hostKeys = config.pinHostKeys ? await pinHostKeys(kept, { ...calls, stored: stored(loadStoredHostKeys), memory: memory.consoles }) : NO_HOST_KEYS;
  return { keys, passwords, hostKeys };
}

type LoadStored<V> = (db: GuacamoleDatabase['db'], options: StoredParameterOptions) => Promise<ReadonlyMap<string, V>>;

/**
 * A parameter Guacamole holds for the daemon's connections, keyed as this run keys instances: with
 * AWS_DISCOVERY_ASSUME_ROLES, the keys of the single-account setup are adopted as the own account's. Without a
 * database (a first look), Guacamole holds none.
 */
async function readStored<V>(deps: PipelineDependencies, fleet: ListedFleet, load: LoadStored<V>): Promise<ReadonlyMap<string, V>> {
  if (deps.database === undefined) return new Map();
  const { selfAccountId, onlyKeys } = fleet;
  // An event run reads those of its batch only.
  const instanceKeys = onlyKeys === undefined ? {} : { instanceKeys: storedKeyForms(onlyKeys, selfAccountId) };
  return adoptKeyedMap(await load(deps.database.db, { ownerId: deps.config.ownerId, ...deps.schema, ...instanceKeys }), selfAccountId);
}

/** Per key, once per run: warnings that do not stop its use (file permissions) and passphrase notes. */
function logKeyNotes(logger: Logger, keys: ReadonlyMap<string, KeyLookup>): void {
  for (const [name, lookup] of keys) {
    if (lookup.status !== 'found') continue;
    for (const warning of lookup.warnings ?? []) logger.warn(warning, { keyPair: name });
    if (lookup.key.encrypted) {
      logger.info('key has a passphrase: Guacamole asks for it at connect time (SSH); it cannot decrypt Windows passwords', { keyPair: name });
    }
  }
}
