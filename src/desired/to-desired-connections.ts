import type { DiscoveredInstance, ImageInfo } from '../discover/instance.js';
import type { DesiredConnection, InstanceWarning, SkipCode, SkippedInstance } from './desired-connection.js';
import { instanceKey } from '../discover/instance.js';
import { parseFolderPath } from './folder-path.js';
import { instanceSecret } from './instance-secret.js';
import type { KeyLookup } from '../enrich/keys/key-types.js';
import { cleanName, length, type CharacterSet } from './names.js';
import { DEFAULT_ADDRESS_ORDER, type AddressKind } from '../config/setting-values.js';
import { resolveEndpoint } from '../discover/endpoint.js';
import { connectionParameters } from './parameters.js';
import { classifyInstance, type Platform } from '../discover/classify-instance.js';
import { recordingWanted, TAGS } from '../discover/tags.js';
import { guessUsername, taggedUsername } from './usernames.js';
import { hostKeyParameter } from '../enrich/host-keys/console-host-keys.js';
import type { HostKeyOutcome } from '../enrich/host-keys/host-key-plan.js';
import type { PasswordOutcome } from '../enrich/passwords/password-plan.js';

export interface MappingOptions {
  readonly basePath: readonly string[];
  readonly recordByDefault: boolean;
  /** `utf8mb3` on MySQL/MariaDB: 4-byte characters cannot be stored. */
  readonly charset: CharacterSet;
  /** The database's `parameter_value` length (4096 up to Guacamole 1.6.0). */
  readonly parameterValueLimit: number;
  /** Which address becomes the hostname, in order of preference; default private IP, then public IP. */
  readonly addressOrder?: readonly AddressKind[];
  /** Folders between the base path and `kcm:organize`, per scope (the account folder with several accounts). */
  readonly scopeFolders?: ReadonlyMap<string, readonly string[]>;
  /**
   * `AWS_DISCOVERY_TRUST_HOSTNAME_TAG`: secrets go to a `kcm:hostname` that is not the instance's own address too.
   * Off (default): such a connection is written without its private key or password (see secret-destination.ts).
   */
  readonly trustHostnameTag?: boolean;
}

export interface MappingInput {
  readonly instances: readonly DiscoveredInstance[];
  /** Images by AMI id (ids are unique across regions). */
  readonly images: ReadonlyMap<string, ImageInfo>;
  /** Key lookups by key pair name. */
  readonly keys: ReadonlyMap<string, KeyLookup>;
  /** Windows passwords by instance key (see enrich/passwords/password-plan.ts); absent: keep what the connection has. */
  readonly passwords?: ReadonlyMap<string, PasswordOutcome>;
  /** SSH host keys by instance key, when pinning is on (see enrich/host-keys/). */
  readonly hostKeys?: ReadonlyMap<string, HostKeyOutcome>;
}

export interface MappingResult {
  readonly connections: readonly DesiredConnection[];
  readonly skipped: readonly SkippedInstance[];
  readonly warnings: readonly InstanceWarning[];
  /** Instances left out by `kcm:ignore=true` (their managed connections are removed like terminated ones'). */
  readonly ignored: number;
}

/** Pure: instances (+ images, keys, settings) → the connections Guacamole should have. */
export function toDesiredConnections(input: MappingInput, options: MappingOptions): MappingResult {
  const connections: DesiredConnection[] = [];
  const skipped: SkippedInstance[] = [];
  const warnings: InstanceWarning[] = [];
  let ignoredCount = 0;
  for (const instance of input.instances) {
    const { kept, ignored, platform } = classifyInstance(instance);
    if (!kept) continue;
    if (ignored) {
      ignoredCount++;
      continue;
    }
    const key = instanceKey(instance.scope, instance.instanceId);
    const result = toDesiredConnection(instance, platform, input, options);
    for (const message of result.warnings) warnings.push({ key, instanceId: instance.instanceId, message });
    if ('skip' in result.connection) {
      skipped.push({ key, scope: instance.scope, instanceId: instance.instanceId, code: result.connection.skip, reason: result.connection.reason });
    } else {
      connections.push(result.connection);
    }
  }
  return { connections, skipped, warnings, ignored: ignoredCount };
}

/** One instance: a connection, or the reason it cannot have one this run; plus warnings. */
function toDesiredConnection(
  instance: DiscoveredInstance,
  platform: Platform,
  input: MappingInput,
  options: MappingOptions,
): { connection: DesiredConnection | Skip; warnings: string[] } {
  const warnings: string[] = [];
  const addressOrder = options.addressOrder ?? DEFAULT_ADDRESS_ORDER;
  // The protocol is the classification's (the same rule); an invalid kcm:protocol is reported here, once per instance.
  const { protocol, port, hostname } = resolveEndpoint(instance, platform, addressOrder, warnings);
  if (hostname === undefined) return { connection: skip('no_address', `no address yet (${addressOrder.join(', ')}); added once it has one`), warnings };

  const key = instanceKey(instance.scope, instance.instanceId);
  const tags = instance.tags;
  const username = cleanName(taggedUsername(tags[TAGS.username], warnings) ?? '', options.charset, Number.MAX_SAFE_INTEGER);
  const secret = instanceSecret(
    { instance, platform, protocol, hostname, keys: input.keys, password: input.passwords?.get(key), trustHostnameTag: options.trustHostnameTag === true },
    warnings,
  );
  const parameters = connectionParameters({
    protocol,
    hostname,
    port,
    username: username !== '' ? username : platform === 'windows' ? 'Administrator' : guessUsername(input.images.get(instance.imageId ?? '')),
    privateKey: protocol === 'ssh' ? secret.value : undefined,
    password: protocol === 'rdp' ? secret.value : undefined,
    hostKey: protocol === 'ssh' ? pinnedHostKey(input.hostKeys?.get(key), hostname, warnings) : undefined,
    record: recordingWanted(tags[TAGS.record], options.recordByDefault, warnings),
  });

  const tooLong = Object.entries(parameters).find(([, value]) => length(value) > options.parameterValueLimit);
  if (tooLong !== undefined) {
    const [name, value] = tooLong;
    const hint = name === 'private-key' ? ' (use a smaller key, e.g. RSA-4096 or ED25519)' : '';
    return { connection: skip('too_long', `${name} is ${length(value)} characters; the database allows ${options.parameterValueLimit}${hint}`), warnings };
  }
  if (options.charset === 'utf8mb3') {
    const wide = Object.entries(parameters).find(([, value]) => /[\u{10000}-\u{10FFFF}]/u.test(value));
    if (wide !== undefined) return { connection: skip('charset', `${wide[0]} has a character MySQL's utf8 tables cannot store`), warnings };
  }

  const name = cleanName(tags[TAGS.name] ?? '', options.charset) || instance.instanceId;
  return {
    connection: {
      key,
      scope: instance.scope,
      instanceId: instance.instanceId,
      name,
      folder: [...options.basePath, ...(options.scopeFolders?.get(instance.scope) ?? []), ...parseFolderPath(tags[TAGS.organize] ?? '', options.charset)],
      protocol,
      parameters,
      ...(secret.preserve === undefined ? {} : { preserve: [secret.preserve] }),
      ...(secret.digest === undefined ? {} : { secretDigest: secret.digest }),
    },
    warnings,
  };
}

interface Skip {
  readonly skip: SkipCode;
  readonly reason: string;
}

function skip(code: SkipCode, reason: string): Skip {
  return { skip: code, reason };
}

/** The `host-key` line for the connection's hostname (guacd matches the name literally). */
function pinnedHostKey(outcome: HostKeyOutcome | undefined, hostname: string, warnings: string[]): string | undefined {
  if (outcome === undefined) return undefined;
  if (outcome.status === 'unpinned') {
    warnings.push(outcome.reason);
    return undefined;
  }
  try {
    return hostKeyParameter(outcome.key, hostname);
  } catch {
    warnings.push(`SSH host key not pinned: the hostname "${hostname}" cannot be written in known_hosts form`);
    return undefined;
  }
}
