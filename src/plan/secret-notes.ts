import { classifyInstance } from '../discover/classify-instance.js';
import type { DiscoveredInstance } from '../discover/instance.js';
import type { KeyLookup } from '../enrich/keys/key-types.js';
import type { PasswordOutcome } from '../enrich/passwords/password-plan.js';
import type { ConnectionCreate } from './change-set.js';

/** How the secret of one planned connection turned out, in words (never the secret itself). */
export interface SecretNote {
  /** `key` (SSH: the key pair's private key) or `password` (RDP to Windows: the Administrator password). */
  readonly kind: 'key' | 'password';
  /** The connection carries it. */
  readonly attached: boolean;
  /** E.g. `key: found prod (/keys/prod.pem)`, `key: missing prod.pem`, `password: not yet (…)`. */
  readonly text: string;
}

export interface SecretSources {
  readonly keys: ReadonlyMap<string, KeyLookup>;
  readonly passwords: ReadonlyMap<string, PasswordOutcome>;
  /** Keys are looked up in a Keeper vault before the keys folder. */
  readonly keeperVault: boolean;
}

const WITHHELD = "withheld (kcm:hostname is not one of the instance's own addresses)";

/**
 * Pure: what the connection's secret is, read from its parameters (whether it carries one) and from the lookups that
 * decided it (why not). Other protocols (VNC, telnet, RDP to Linux) carry no secret: undefined.
 */
export function secretNote(connection: ConnectionCreate, instance: DiscoveredInstance, sources: SecretSources): SecretNote | undefined {
  if (connection.protocol === 'ssh') return keyNote(connection, instance, sources);
  if (connection.protocol === 'rdp' && classifyInstance(instance).platform === 'windows') return passwordNote(connection, instance, sources);
  return undefined;
}

function keyNote(connection: ConnectionCreate, instance: DiscoveredInstance, sources: SecretSources): SecretNote {
  const note = (attached: boolean, text: string): SecretNote => ({ kind: 'key', attached, text: `key: ${text}` });
  const name = instance.keyName;
  if (name === undefined) return note(false, 'none (launched without a key pair)');
  const lookup = sources.keys.get(name);
  if (lookup === undefined) return note(false, `${name} not looked up`);
  if (lookup.status === 'found') {
    return connection.parameters['private-key'] === undefined ? note(false, WITHHELD) : note(true, `found ${name} (${lookup.source})`);
  }
  if (lookup.status === 'missing') return note(false, sources.keeperVault ? `missing ${name} (no Keeper record, no ${name}.pem)` : `missing ${name}.pem`);
  return note(false, `${lookup.status === 'invalid' ? 'unusable' : 'unavailable'} ${name} (${lookup.reason})`);
}

function passwordNote(connection: ConnectionCreate, instance: DiscoveredInstance, sources: SecretSources): SecretNote {
  const note = (attached: boolean, text: string): SecretNote => ({ kind: 'password', attached, text: `password: ${text}` });
  if (connection.parameters.password !== undefined) return note(true, `found (decrypted with key ${instance.keyName ?? '?'})`);
  const outcome = sources.passwords.get(connection.key);
  if (outcome === undefined || outcome.status === 'obtained') return note(false, WITHHELD);
  return note(false, `${outcome.pending === true ? 'not yet' : 'none'} (${outcome.reason})`);
}
