import { describeError } from '../shared/errors.js';
import type { Ec2Api } from './ec2-client.js';
import { beforeDeadline } from './listing-bounds.js';

/** The scope name a failed region list is reported under: every region of the account is unknown. */
export const ALL_REGIONS = '*';
/** DescribeRegions is asked here (any region answers for the whole account in the `aws` partition). */
export const REGION_LIST_HOME = 'us-east-1';
/** The daemon asks again after this long, so a newly enabled region is picked up without a restart. */
const REGION_LIST_MAX_AGE_MS = 60 * 60 * 1000;

/** The last region list of the account, kept between the daemon's runs. */
export interface RegionListCache {
  value?: { readonly regions: readonly string[]; readonly at: number };
}

export type RegionList = { readonly ok: true; readonly regions: readonly string[] } | { readonly ok: false; readonly error: string; readonly code?: string };

/**
 * Every region enabled for the account, from the cache while it is fresh; a failure is returned as data, never thrown
 * (but a shutdown through `signal` is). `deadline` bounds the call as a scope's listing is bounded (discover-region.ts).
 */
export async function listEnabledRegions(
  api: Ec2Api,
  options: {
    readonly cache?: RegionListCache;
    readonly now?: number;
    readonly signal?: AbortSignal;
    readonly deadline?: { readonly signal: AbortSignal; readonly timeoutMs: number };
  },
): Promise<RegionList> {
  const now = options.now ?? Date.now();
  const cached = options.cache?.value;
  if (cached !== undefined && now - cached.at < REGION_LIST_MAX_AGE_MS) return { ok: true, regions: cached.regions };
  if (api.describeRegions === undefined) return { ok: false, error: 'DescribeRegions is not available' };
  const { deadline } = options;
  const signals = [options.signal, deadline?.signal].filter((x) => x !== undefined);
  try {
    const call = api.describeRegions(signals.length === 0 ? {} : { signal: AbortSignal.any(signals) });
    const regions = await (deadline === undefined ? call : beforeDeadline(call, deadline.signal, () => new Error('deadline')));
    if (regions.length === 0) return { ok: false, error: 'DescribeRegions returned no region' };
    if (options.cache !== undefined) options.cache.value = { regions, at: now };
    return { ok: true, regions };
  } catch (err) {
    options.signal?.throwIfAborted();
    if (deadline?.signal.aborted === true) {
      const error = `DescribeRegions did not answer within ${deadline.timeoutMs / 1000} s (ListingTimeout, AWS_DISCOVERY_LISTING_TIMEOUT): the region list ` +
        `is abandoned and no region of the account changes this run; the next run tries again`;
      return { ok: false, error, code: 'ListingTimeout' };
    }
    const name = (err as { name?: unknown }).name;
    const code = typeof name === 'string' && name !== 'Error' ? name : undefined;
    return {
      ok: false,
      error: `DescribeRegions failed${code === undefined ? '' : ` (${code})`}: ${describeError(err)}`,
      ...(code === undefined ? {} : { code }),
    };
  }
}
