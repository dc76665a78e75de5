import type { DiscoveredInstance } from './instance.js';
import { ignored, printableTagValue, TAGS } from './tags.js';

export type Platform = 'linux' | 'windows';
export type Protocol = 'ssh' | 'rdp' | 'vnc' | 'telnet';
const PROTOCOLS: readonly Protocol[] = ['ssh', 'rdp', 'vnc', 'telnet'];

/** Instances in these states keep their connection; `shutting-down` and `terminated` ones lose it. */
const KEPT_STATES: ReadonlySet<string> = new Set(['pending', 'running', 'stopping', 'stopped']);

/** What every step decides about an instance the same way: whether it has a connection, and of which kind. */
export interface InstanceClass {
  /** Its state is one of KEPT_STATES. */
  readonly kept: boolean;
  /** `kcm:ignore=true`: left out (a managed connection for it is removed). */
  readonly ignored: boolean;
  readonly platform: Platform;
  /** The platform's default, or a valid `kcm:protocol`. */
  readonly protocol: Protocol;
}

/** Pure: the one classification of an instance, used by the run, the enrichments and the desired connections. */
export function classifyInstance(instance: DiscoveredInstance): InstanceClass {
  const platform = platformOf(instance);
  return { kept: KEPT_STATES.has(instance.state), ignored: ignored(instance.tags), platform, protocol: chosenProtocol(instance.tags, platform) };
}

/** EC2 reports `windows` (compared without case) for Windows; anything else is treated as Linux. */
function platformOf(instance: Pick<DiscoveredInstance, 'platform'>): Platform {
  return instance.platform?.toLowerCase() === 'windows' ? 'windows' : 'linux';
}

/**
 * The protocol of the instance's connection: the platform's default (RDP for Windows, else SSH), or `kcm:protocol`
 * when it names one of PROTOCOLS (any case). An invalid value is reported in `problems` and the default applies.
 */
export function chosenProtocol(tags: Readonly<Record<string, string>>, platform: Platform, problems: string[] = []): Protocol {
  const fallback: Protocol = platform === 'windows' ? 'rdp' : 'ssh';
  const tagged = tags[TAGS.protocol]?.trim().toLowerCase();
  if (tagged === undefined || tagged === '') return fallback;
  if ((PROTOCOLS as readonly string[]).includes(tagged)) return tagged as Protocol;
  problems.push(`${TAGS.protocol} "${printableTagValue(tagged)}" is not one of ${PROTOCOLS.join(', ')}; using ${fallback}`);
  return fallback;
}
