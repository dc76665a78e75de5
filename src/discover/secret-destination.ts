import { isIP } from 'node:net';
import type { DiscoveredInstance } from './instance.js';

/** The addresses and DNS names EC2 reports for an instance: the only hosts its secrets may be sent to. */
export type InstanceAddresses = Pick<DiscoveredInstance, 'privateIp' | 'publicIp' | 'ipv6' | 'privateDns' | 'publicDns'>;

/**
 * Pure, and the one rule for every secret of an instance (its key pair's private key over any protocol, its Windows
 * password): it may be stored on a connection to `hostname` only when that is one of the instance's own addresses or
 * DNS names. `kcm:hostname` is editable by anyone with `ec2:CreateTags`; without this rule it would steer the secret
 * to any host. `trustHostnameTag` (AWS_DISCOVERY_TRUST_HOSTNAME_TAG) is the operator's explicit opt-out.
 */
export function secretMayGoTo(hostname: string, instance: InstanceAddresses, trustHostnameTag: boolean): boolean {
  return trustHostnameTag || isOwnAddress(hostname, instance);
}

/**
 * Whether `hostname` names the instance itself. IP addresses compare in canonical form (IPv6 compressed, lower case)
 * and only with its IP addresses; anything else is a DNS name, compared without case and trailing dot and only with
 * its DNS names (so `10.0.0.5.` or `010.0.0.5`, which resolvers may read differently, never match an address).
 */
export function isOwnAddress(hostname: string, instance: InstanceAddresses): boolean {
  const wanted = canonicalHost(hostname);
  if (wanted === undefined) return false;
  const own = [instance.privateIp, instance.publicIp, instance.ipv6, instance.privateDns, instance.publicDns];
  return own.some((address) => address !== undefined && address !== '' && canonicalHost(address) === wanted);
}

/** `ip:<canonical address>` or `dns:<lower-case name without trailing dot>`; undefined for nothing usable. */
function canonicalHost(host: string): string | undefined {
  const text = host.trim();
  const version = isIP(text);
  if (version === 4) return `ip:${text}`;
  if (version === 6) {
    try {
      return `ip:${new URL(`http://[${text}]/`).hostname}`;
    } catch {
      return undefined; // a zone id (`fe80::1%eth0`) or another form URL does not take: never the instance's own
    }
  }
  const name = text.toLowerCase().replace(/\.$/, '');
  return name === '' ? undefined : `dns:${name}`;
}
