import type { DiscoveredInstance } from '../discover/instance.js';
import type { PasswordOutcome } from '../enrich/passwords/password-plan.js';
import type { KeyLookup } from '../enrich/keys/key-types.js';
import type { Platform, Protocol } from '../discover/classify-instance.js';
import { secretMayGoTo } from '../discover/secret-destination.js';
import { TAGS } from '../discover/tags.js';

/** The setting that lets `kcm:hostname` take an instance's secret to any host. */
const TRUST_HOSTNAME_TAG_SETTING = 'AWS_DISCOVERY_TRUST_HOSTNAME_TAG';

/** A secret parameter's value this run, or the parameter to keep as it is because the value is unknown. */
export interface SecretValue {
  readonly value?: string;
  readonly preserve?: string;
  readonly digest?: string;
}

export interface SecretContext {
  readonly instance: DiscoveredInstance;
  readonly platform: Platform;
  readonly protocol: Protocol;
  readonly hostname: string;
  /** The key pair's lookup (by name), for SSH. */
  readonly keys: ReadonlyMap<string, KeyLookup>;
  /** This instance's Windows password outcome, for RDP; undefined: keep what the connection has. */
  readonly password: PasswordOutcome | undefined;
  readonly trustHostnameTag: boolean;
}

/**
 * Pure: the one way a secret reaches a connection. SSH gets the key pair's private key, RDP to a Windows instance
 * its Administrator password, other protocols nothing; and only on a connection to the instance's own address
 * (secret-destination.ts). Withheld means removed: nothing is "preserved", so a secret a connection holds from an
 * earlier run does not stay on a host a tag now names.
 */
export function instanceSecret(context: SecretContext, warnings: string[]): SecretValue {
  const { instance, protocol, platform } = context;
  const kind = protocol === 'ssh' ? 'private key' : protocol === 'rdp' && platform === 'windows' ? 'Administrator password' : undefined;
  if (kind === undefined) return {};
  const hasSecret = kind === 'Administrator password' || instance.keyName !== undefined;
  if (hasSecret && !secretMayGoTo(context.hostname, instance, context.trustHostnameTag)) {
    warnings.push(
      `${TAGS.hostname} "${context.hostname}" is not one of this instance's own addresses or DNS names: the connection is written ` +
        `without the instance's ${kind} (the user will be asked for credentials), so a tag cannot send it to another host; ` +
        `set ${TRUST_HOSTNAME_TAG_SETTING}=true to attach it anyway (anyone who may edit EC2 tags can then send it to any host)`,
    );
    return {};
  }
  return kind === 'private key' ? findKey(instance, context.keys, warnings) : findPassword(context.password, warnings);
}

function findPassword(outcome: PasswordOutcome | undefined, warnings: string[]): SecretValue {
  if (outcome === undefined) return { preserve: 'password' };
  if (outcome.status === 'obtained') return { value: outcome.password, digest: outcome.digest };
  warnings.push(`no Administrator password: ${outcome.reason}; the user will be asked for credentials`);
  return { preserve: 'password' };
}

function findKey(instance: DiscoveredInstance, keys: ReadonlyMap<string, KeyLookup>, warnings: string[]): SecretValue {
  if (instance.keyName === undefined) {
    warnings.push('launched without a key pair: the user will be asked for credentials');
    return {};
  }
  const lookup = keys.get(instance.keyName);
  if (lookup?.status === 'found') {
    return { value: lookup.key.text };
  }
  if (lookup?.status === 'unavailable') {
    warnings.push(`key pair "${instance.keyName}": ${lookup.reason}; the connection keeps the key it has`);
    return { preserve: 'private-key' };
  }
  const reason = lookup === undefined ? 'was not looked up' : lookup.reason;
  warnings.push(`key pair "${instance.keyName}": ${reason}; the user will be asked for credentials`);
  return {};
}
