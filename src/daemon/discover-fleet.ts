import type { Ec2Api } from '../aws/ec2-client.js';
import { discoverRegion, type DiscoverRegionOptions } from '../aws/discover-region.js';
import type { DiscoveredInstance, ImageInfo, RegionDiscovery } from '../aws/instance.js';

export interface Fleet {
  readonly instances: readonly DiscoveredInstance[];
  readonly images: ReadonlyMap<string, ImageInfo>;
  /** Regions whose listing failed, with why: their connections are left exactly as they are. */
  readonly failed: readonly Extract<RegionDiscovery, { ok: false }>[];
  readonly regions: readonly RegionDiscovery[];
}

/** Lists every configured region at once (a handful of regions, each paginated sequentially). */
export async function discoverFleet(
  regions: readonly string[],
  apiFor: (region: string) => Ec2Api,
  options: DiscoverRegionOptions,
): Promise<Fleet> {
  const results = await Promise.all(regions.map((region) => discoverRegion(apiFor(region), region, options)));
  const images = new Map<string, ImageInfo>();
  const instances: DiscoveredInstance[] = [];
  for (const r of results) {
    if (!r.ok) continue;
    instances.push(...r.instances);
    for (const [id, image] of r.images) images.set(id, image);
  }
  return { instances, images, failed: results.filter((r) => !r.ok), regions: results };
}
