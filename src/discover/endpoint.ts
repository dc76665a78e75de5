import type { DiscoveredInstance } from './instance.js';
import type { AddressKind } from '../config/setting-values.js';
import { chosenProtocol, type Platform, type Protocol } from './classify-instance.js';
import { printableTagValue, TAGS } from './tags.js';

const DEFAULT_PORTS: Readonly<Record<Protocol, number>> = { ssh: 22, rdp: 3389, vnc: 5900, telnet: 23 };

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
 * Pure: protocol (the rule of classify-instance.ts), port and address from the platform, the address order and the
 * `kcm:protocol`, `kcm:port` and `kcm:hostname` tags. An invalid tag value is reported and ignored (the default
 * applies), never fatal.
 */
export function resolveEndpoint(instance: DiscoveredInstance, platform: Platform, addressOrder: readonly AddressKind[], problems: string[]): Endpoint {
  const tags = instance.tags;
  const protocol = chosenProtocol(tags, platform, problems);

  let port = DEFAULT_PORTS[protocol];
  const portTag = tags[TAGS.port]?.trim();
  if (portTag !== undefined && portTag !== '') {
    const n = Number(portTag);
    if (/^\d{1,5}$/.test(portTag) && n >= 1 && n <= 65535) port = n;
    else problems.push(`${TAGS.port} "${printableTagValue(portTag)}" is not a port number (1-65535); using ${port}`);
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
  problems.push(`${TAGS.hostname} "${printableTagValue(hostTag)}" is not a host name or address; using the instance's address`);
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
