import type { Ec2Api } from './ec2-client.js';
import { discoverRegion, type DiscoverRegionOptions } from './discover-region.js';
import { ALL_REGIONS, listEnabledRegions, REGION_LIST_HOME, type RegionListCache } from './enabled-regions.js';
import type { DiscoveredInstance, ImageInfo, ScopeListing } from './instance.js';
import { DEFAULT_LISTING_TIMEOUT_MS } from '../config/setting-values.js';

export interface Fleet {
  readonly instances: readonly DiscoveredInstance[];
  readonly images: ReadonlyMap<string, ImageInfo>;
  /**
   * Regions whose listing failed, with why: their connections are left exactly as they are. A failed region list
   * (`AWS_DISCOVERY_REGIONS=*`) appears as region `*` (ALL_REGIONS): every region is then unknown.
   */
  readonly failed: readonly Extract<ScopeListing, { ok: false }>[];
  readonly listings: readonly ScopeListing[];
}

/** The configured regions, or `all`: every region enabled for the account (DescribeRegions, cached between runs). */
export type RegionSelection = readonly string[] | { readonly all: true; readonly cache?: RegionListCache };

/**
 * Lists every configured region at once (a handful of regions, each paginated sequentially). Results are named by
 * scope, `scopePrefix` + region: the region alone for the own account, `<account id>/<region>` with several accounts.
 */
export async function discoverFleet(
  selection: RegionSelection,
  apiFor: (region: string) => Ec2Api,
  options: DiscoverRegionOptions,
  scopePrefix = '',
): Promise<Fleet> {
  let regions: readonly string[];
  if ('all' in selection) {
    const timeoutMs = options.listingTimeoutMs ?? DEFAULT_LISTING_TIMEOUT_MS;
    const list = await listEnabledRegions(apiFor(REGION_LIST_HOME), {
      ...(selection.cache ? { cache: selection.cache } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      deadline: { signal: (options.startDeadline ?? AbortSignal.timeout)(timeoutMs), timeoutMs },
    });
    if (!list.ok) {
      const failed = { scope: scopePrefix + ALL_REGIONS, ok: false as const, error: list.error, ...(list.code ? { code: list.code } : {}) };
      return { instances: [], images: new Map(), failed: [failed], listings: [failed] };
    }
    regions = list.regions;
  } else {
    regions = selection;
  }
  const results = await Promise.all(regions.map((region) => discoverRegion(apiFor(region), scopePrefix + region, options)));
  const images = new Map<string, ImageInfo>();
  const instances: DiscoveredInstance[] = [];
  for (const r of results) {
    if (!r.ok) continue;
    instances.push(...r.instances);
    for (const [id, image] of r.images) images.set(id, image);
  }
  return { instances, images, failed: results.filter((r) => !r.ok), listings: results };
}

/** Every instance a scope listed more than once (merged by discoverRegion), once each: for a warning per instance. */
export function listedTwice(regions: readonly ScopeListing[]): { readonly region: string; readonly instance: string }[] {
  return regions.flatMap((r) => (r.ok ? (r.duplicates ?? []).map((instance) => ({ region: r.scope, instance })) : []));
}
