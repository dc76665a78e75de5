import type { DiscoveredInstance } from './instance.js';
import type { AddressKind } from '../config/setting-values.js';
import { TAGS } from './tags.js';

export type Platform = 'linux' | 'windows';
export type Protocol = 'ssh' | 'rdp' | 'vnc' | 'telnet';
export const PROTOCOLS: readonly Protocol[] = ['ssh', 'rdp', 'vnc', 'telnet'];
export const DEFAULT_PORTS: Readonly<Record<Protocol, number>> = { ssh: 22, rdp: 3389, vnc: 5900, telnet: 23 };

/** Where a connection can reach an instance, in the order of preference (`AWS_DISCOVERY_ADDRESS`). */

export interface Endpoint {
  readonly protocol: Protocol;
  readonly port: number;
  /** Undefined: the instance has no address of the configured kinds (yet). */
  readonly hostname?: string;
}

/** A DNS name or an IPv4/IPv6 address, as Guacamole's `hostname` parameter takes it. */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Pure: protocol, port and address from the platform, the address order and the `kcm:protocol`, `kcm:port` and
 * `kcm:hostname` tags. An invalid tag value is reported and ignored (the default applies), never fatal.
 */
export function resolveEndpoint(instance: DiscoveredInstance, platform: Platform, addressOrder: readonly AddressKind[], problems: string[]): Endpoint {
  const tags = instance.tags;
  let protocol: Protocol = platform === 'windows' ? 'rdp' : 'ssh';
  const protocolTag = tags[TAGS.protocol]?.trim().toLowerCase();
  if (protocolTag !== undefined && protocolTag !== '') {
    if ((PROTOCOLS as readonly string[]).includes(protocolTag)) protocol = protocolTag as Protocol;
    else problems.push(`${TAGS.protocol} "${printable(protocolTag)}" is not one of ${PROTOCOLS.join(', ')}; using ${protocol}`);
  }

  let port = DEFAULT_PORTS[protocol];
  const portTag = tags[TAGS.port]?.trim();
  if (portTag !== undefined && portTag !== '') {
    const n = Number(portTag);
    if (/^\d{1,5}$/.test(portTag) && n >= 1 && n <= 65535) port = n;
    else problems.push(`${TAGS.port} "${printable(portTag)}" is not a port number (1-65535); using ${port}`);
  }

  const tagged = taggedHostname(tags, problems);
  if (tagged !== undefined) return { protocol, port, hostname: tagged };
  const hostname = addressOrder.map((kind) => addressOf(instance, kind)).find((a) => a !== undefined && a !== '');
  return hostname === undefined ? { protocol, port } : { protocol, port, hostname };
}

/** A valid `kcm:hostname`, or undefined (absent, empty, or invalid: reported in `problems`, the address order applies). */
export function taggedHostname(tags: Readonly<Record<string, string>>, problems: string[] = []): string | undefined {
  const hostTag = tags[TAGS.hostname]?.trim();
  if (hostTag === undefined || hostTag === '') return undefined;
  if (HOSTNAME.test(hostTag) || (hostTag.includes(':') && IPV6.test(hostTag))) return hostTag;
  problems.push(`${TAGS.hostname} "${printable(hostTag)}" is not a host name or address; using the instance's address`);
  return undefined;
}

function addressOf(instance: DiscoveredInstance, kind: AddressKind): string | undefined {
  switch (kind) {
    case 'private-ip':
      return instance.privateIp;
    case 'public-ip':
      return instance.publicIp;
    case 'private-dns':
      return instance.privateDns;
    case 'public-dns':
      return instance.publicDns;
    case 'ipv6':
      return instance.ipv6;
  }
}

/** The protocol an instance's connection will use (platform default, or a valid `kcm:protocol`). */
export function connectionProtocol(instance: DiscoveredInstance, platform: Platform): Protocol {
  return resolveEndpoint(instance, platform, [], []).protocol;
}

/** A tag value for a log line: control characters made visible, and cut short. */
function printable(value: string): string {
  const shown = value.replace(/\p{Cc}/gu, '?');
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}
