import type { DiscoveredInstance, ImageInfo } from '../aws/instance.js';
import {
  instanceKey,
  type DesiredConnection,
  type InstanceWarning,
  type SkippedInstance,
} from './desired-connection.js';
import { parseFolderPath } from './folder-path.js';
import type { KeyLookup } from './keys.js';
import { cleanName, length, type CharacterSet } from './names.js';
import { connectionParameters, type Platform } from './parameters.js';
import { recordingWanted, TAGS } from './tags.js';
import { guessUsername } from './usernames.js';

export interface MappingOptions {
  readonly basePath: readonly string[];
  readonly recordByDefault: boolean;
  /** `utf8mb3` on MySQL/MariaDB: 4-byte characters cannot be stored. */
  readonly charset: CharacterSet;
  /** The database's `parameter_value` length (4096 up to Guacamole 1.6.0). */
  readonly parameterValueLimit: number;
}

export interface MappingInput {
  readonly instances: readonly DiscoveredInstance[];
  /** Images by AMI id (ids are unique across regions). */
  readonly images: ReadonlyMap<string, ImageInfo>;
  /** Key lookups by key pair name. */
  readonly keys: ReadonlyMap<string, KeyLookup>;
}

export interface MappingResult {
  readonly connections: readonly DesiredConnection[];
  readonly skipped: readonly SkippedInstance[];
  readonly warnings: readonly InstanceWarning[];
}

/** Instances in these states keep their connection; `shutting-down` and `terminated` ones lose it. */
export const KEPT_STATES: ReadonlySet<string> = new Set(['pending', 'running', 'stopping', 'stopped']);

/** Pure: instances (+ images, keys, settings) → the connections Guacamole should have. */
export function toDesiredConnections(input: MappingInput, options: MappingOptions): MappingResult {
  const connections: DesiredConnection[] = [];
  const skipped: SkippedInstance[] = [];
  const warnings: InstanceWarning[] = [];
  for (const instance of input.instances) {
    if (!KEPT_STATES.has(instance.state)) continue;
    const key = instanceKey(instance.region, instance.instanceId);
    const result = toDesiredConnection(instance, input, options);
    for (const message of result.warnings) warnings.push({ key, instanceId: instance.instanceId, message });
    if (typeof result.connection === 'string') {
      skipped.push({ key, scope: instance.region, instanceId: instance.instanceId, reason: result.connection });
    } else {
      connections.push(result.connection);
    }
  }
  return { connections, skipped, warnings };
}

/** One instance: a connection, or the reason it cannot have one this run; plus warnings. */
function toDesiredConnection(
  instance: DiscoveredInstance,
  input: MappingInput,
  options: MappingOptions,
): { connection: DesiredConnection | string; warnings: string[] } {
  const warnings: string[] = [];
  const hostname = instance.privateIp ?? instance.publicIp;
  if (hostname === undefined) return { connection: 'no IP address yet (will be added once it has one)', warnings };

  const platform: Platform = instance.platform?.toLowerCase() === 'windows' ? 'windows' : 'linux';
  const tags = instance.tags;
  const username = cleanName(tags[TAGS.username] ?? '', options.charset, Number.MAX_SAFE_INTEGER);
  const privateKey = platform === 'linux' ? findKey(instance, input.keys, warnings) : undefined;
  const parameters = connectionParameters({
    platform,
    hostname,
    username: username !== '' ? username : platform === 'windows' ? 'Administrator' : guessUsername(input.images.get(instance.imageId ?? '')),
    privateKey,
    record: recordingWanted(tags[TAGS.record], options.recordByDefault),
  });

  const tooLong = Object.entries(parameters).find(([, value]) => length(value) > options.parameterValueLimit);
  if (tooLong !== undefined) {
    const [name, value] = tooLong;
    const hint = name === 'private-key' ? ' (use a smaller key, e.g. RSA-4096 or ED25519)' : '';
    return { connection: `${name} is ${length(value)} characters; the database allows ${options.parameterValueLimit}${hint}`, warnings };
  }
  if (options.charset === 'utf8mb3') {
    const wide = Object.entries(parameters).find(([, value]) => /[\u{10000}-\u{10FFFF}]/u.test(value));
    if (wide !== undefined) return { connection: `${wide[0]} has a character MySQL's utf8 tables cannot store`, warnings };
  }

  const name = cleanName(tags[TAGS.name] ?? '', options.charset) || instance.instanceId;
  return {
    connection: {
      key: instanceKey(instance.region, instance.instanceId),
      scope: instance.region,
      instanceId: instance.instanceId,
      name,
      folder: [...options.basePath, ...parseFolderPath(tags[TAGS.organize] ?? '', options.charset)],
      protocol: platform === 'windows' ? 'rdp' : 'ssh',
      parameters,
    },
    warnings,
  };
}

function findKey(instance: DiscoveredInstance, keys: ReadonlyMap<string, KeyLookup>, warnings: string[]): string | undefined {
  if (instance.keyName === undefined) {
    warnings.push('launched without a key pair: the user will be asked for credentials');
    return undefined;
  }
  const lookup = keys.get(instance.keyName);
  if (lookup?.status === 'found') return lookup.key.text;
  const reason = lookup === undefined ? 'was not looked up' : lookup.reason;
  warnings.push(`key pair "${instance.keyName}": ${reason}; the user will be asked for credentials`);
  return undefined;
}
