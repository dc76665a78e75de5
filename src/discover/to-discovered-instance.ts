import type { Image, Instance, Tag } from '@aws-sdk/client-ec2';
import type { DiscoveredInstance, ImageInfo } from './instance.js';

/**
 * Maps an SDK instance to plain data. Pure. Returns undefined only for an instance without an id
 * (never seen in practice; the caller treats it as a malformed response rather than dropping it).
 * Every state is kept; empty strings from the API (e.g. `PublicDnsName: ""`) become undefined.
 */
export function toDiscoveredInstance(scope: string, instance: Instance): DiscoveredInstance | undefined {
  const instanceId = present(instance.InstanceId);
  if (instanceId === undefined) return undefined;
  return withoutUndefined({
    scope,
    instanceId,
    state: present(instance.State?.Name) ?? 'unknown',
    imageId: present(instance.ImageId),
    keyName: present(instance.KeyName),
    platform: present(instance.Platform),
    platformDetails: present(instance.PlatformDetails),
    privateIp: present(instance.PrivateIpAddress),
    publicIp: present(instance.PublicIpAddress),
    privateDns: present(instance.PrivateDnsName),
    publicDns: present(instance.PublicDnsName),
    ipv6: present(instance.Ipv6Address),
    launchTime: validDate(instance.LaunchTime),
    tags: toTagRecord(instance.Tags),
  });
}

/** Maps an SDK image to plain data. Pure. Returns undefined for an image without an id. */
export function toImageInfo(image: Image): ImageInfo | undefined {
  const imageId = present(image.ImageId);
  if (imageId === undefined) return undefined;
  return withoutUndefined({
    imageId,
    name: present(image.Name),
    description: present(image.Description),
    ownerId: present(image.OwnerId),
    ownerAlias: present(image.ImageOwnerAlias),
    platform: present(image.Platform),
    platformDetails: present(image.PlatformDetails),
  });
}

/** Tags without a key are dropped; a missing value is an empty string (a tag `Key=""` value is legitimate). */
export function toTagRecord(tags: readonly Tag[] | undefined): Readonly<Record<string, string>> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key === undefined) continue;
    // defineProperty so a tag named `__proto__` is stored as data, not as the prototype.
    const value = tag.Value ?? '';
    Object.defineProperty(record, tag.Key, { value, enumerable: true, writable: true, configurable: true });
  }
  return record;
}

function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function validDate(value: Date | undefined): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}

/** Drops keys whose value is undefined, so results compare cleanly with deep equality. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
