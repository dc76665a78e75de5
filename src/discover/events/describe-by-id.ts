import type { Filter } from '@aws-sdk/client-ec2';
import type { AccountAccess, ReadableAccount } from '../account-directory.js';
import { chunksOf, discoverRegion, type DiscoverRegionOptions } from '../discover-region.js';
import { MAX_FILTER_VALUES, type Ec2Api } from '../ec2-client.js';
import { ALL_REGIONS } from '../enabled-regions.js';
import { instanceKey, type DiscoveredInstance, type ImageInfo, type ScopeListing } from '../instance.js';
import type { FleetSources, ListedFleet } from '../list-fleet.js';
import { mergeDuplicateInstances } from '../merge-duplicates.js';
import type { DescribeTarget } from './event-batch.js';

/**
 * An event run's read of EC2: only the instances of a batch, per account and region, with the clients, accounts,
 * filters and mapping of the full listing (discoverRegion with one more filter), so an instance comes out exactly as
 * a full listing would give it. AWS and transport errors never throw: a scope whose describe failed is a failed
 * scope, as a failed listing is, and nothing of it changes.
 */

/** The instances of a batch as EC2 shows them now: a ListedFleet with `onlyKeys`, and the targets no setting covers. */
export interface DescribedFleet extends ListedFleet {
  readonly onlyKeys: ReadonlySet<string>;
  /** Targets of an account or region the daemon does not read (the parser should have left them out): not described. */
  readonly outside: readonly DescribeTarget[];
}

const ID_FILTER = 'instance-id';

/** The scope of a target's instances: `<account id>/<region>` with AWS_DISCOVERY_ASSUME_ROLES, else the region. */
export function targetScope(target: Pick<DescribeTarget, 'account' | 'region'>, withAccounts: boolean): string {
  return withAccounts ? `${target.account}/${target.region}` : target.region;
}

/**
 * Describes the targets' instances by id (DescribeInstances with the `instance-id` filter, at most 200 ids a call:
 * an id EC2 does not know is simply absent). AWS_DISCOVERY_FILTERS apply as in a full listing: an instance they no
 * longer match is absent too, and so gone. Without AWS_DISCOVERY_ASSUME_ROLES the targets are taken to be the own
 * account's (the caller accepted only its events); with it, a target's account must be one of the configured ones.
 */
export async function describeById(sources: FleetSources, targets: readonly DescribeTarget[], options: DiscoverRegionOptions): Promise<DescribedFleet> {
  const { config } = sources;
  const withAccounts = config.accounts !== undefined && sources.accounts !== undefined;
  const accesses = withAccounts && sources.accounts !== undefined ? await sources.accounts.resolve() : [];
  const listingOptions = { listingTimeoutMs: config.listingTimeoutSeconds * 1000, ...options };
  const readsRegion = (region: string) => config.allRegions || config.regions.includes(region);

  const outside: DescribeTarget[] = [];
  const onlyKeys = new Set<string>();
  const failedAccounts = new Set<string>();
  const scopeFolders = new Map<string, readonly string[]>();
  const work: Promise<ScopeListing>[] = [];
  for (const target of targets) {
    const scope = targetScope(target, withAccounts);
    const reader = withAccounts ? accountReader(accesses, target.account) : { api: sources.ec2For } as const;
    if (!readsRegion(target.region) || reader === undefined) {
      outside.push(target);
      continue;
    }
    for (const id of target.instanceIds) onlyKeys.add(instanceKey(scope, id));
    if ('failed' in reader) {
      if (!failedAccounts.has(target.account)) work.push(Promise.resolve(reader.failed)); // one failed scope per account
      failedAccounts.add(target.account);
      continue;
    }
    if (reader.account !== undefined && sources.folderOf !== undefined) scopeFolders.set(scope, sources.folderOf(reader.account));
    work.push(describeScope(reader.api(target.region), scope, target.instanceIds, listingOptions));
  }
  const listings = await Promise.all(work);
  const self = accesses.find((a): a is Extract<AccountAccess, { ok: true }> => a.ok && a.account.self === true);
  return {
    ...combine(listings),
    failedAccounts: [...failedAccounts],
    ...(withAccounts ? { scopeFolders } : {}),
    ...(self === undefined ? {} : { selfAccountId: self.account.id }),
    onlyKeys,
    outside,
  };
}

type Reader = { readonly api: (region: string) => Ec2Api; readonly account?: ReadableAccount } | { readonly failed: ScopeListing };

/** How to read an account's regions: its clients, or why it cannot be read (as discoverAccounts names it); undefined: not configured. */
function accountReader(accesses: readonly AccountAccess[], accountId: string): Reader | undefined {
  for (const access of accesses) {
    if (access.ok && access.account.id === accountId) return { api: access.account.ec2For, account: access.account };
  }
  // A failure of the own account's GetCallerIdentity leaves its id unknown: it may be this very account.
  const failure = accesses.find((a) => !a.ok && a.accountId === accountId) ?? accesses.find((a) => !a.ok && a.accountId === undefined);
  if (failure === undefined || failure.ok) return undefined;
  const failed = { scope: `${accountId}/${ALL_REGIONS}`, ok: false as const, error: failure.error, ...(failure.code ? { code: failure.code } : {}) };
  return { failed };
}

/**
 * One scope's asked instances, 200 ids a call, each call a bounded listing of its own (discoverRegion). The first
 * failed call fails the scope. An id the `instance-id` filter of AWS_DISCOVERY_FILTERS excludes is not asked about:
 * the filters' own `instance-id` would otherwise meet ours (and a full listing would not list it either).
 */
async function describeScope(api: Ec2Api, scope: string, ids: readonly string[], options: DiscoverRegionOptions): Promise<ScopeListing> {
  const { byId, others } = splitIdFilter(options.filters);
  const asked = byId === undefined ? ids : ids.filter((id) => byId.Values?.some((pattern) => filterValueMatches(pattern, id)) === true);
  const known = new Set(options.knownImages?.get(scope) ?? []);
  const parts: Extract<ScopeListing, { ok: true }>[] = [];
  for (const chunk of chunksOf(asked, MAX_FILTER_VALUES)) {
    const filters: Filter[] = [...others, { Name: ID_FILTER, Values: chunk }];
    const part = await discoverRegion(api, scope, { ...options, filters, knownImages: new Map([[scope, known]]) });
    if (!part.ok) return part;
    parts.push(part);
    for (const id of [...part.images.keys(), ...(part.missingImages ?? [])]) known.add(id); // each AMI described once per scope
  }
  // Only what was asked: an endpoint answering with other instances cannot make the run touch them.
  const wanted = new Set(asked);
  const { instances, duplicates } = mergeDuplicateInstances(parts.flatMap((p) => p.instances.filter((i) => wanted.has(i.instanceId))));
  const allDuplicates = [...new Set([...parts.flatMap((p) => p.duplicates ?? []), ...duplicates])];
  return {
    scope,
    ok: true,
    instances,
    images: new Map(parts.flatMap((p) => [...p.images])),
    missingImages: parts.flatMap((p) => p.missingImages ?? []),
    ...(allDuplicates.length === 0 ? {} : { duplicates: allDuplicates }),
    calls: {
      describeInstances: parts.reduce((n, p) => n + p.calls.describeInstances, 0),
      describeImages: parts.reduce((n, p) => n + p.calls.describeImages, 0),
    },
  };
}

function combine(listings: readonly ScopeListing[]): Pick<ListedFleet, 'instances' | 'images' | 'failed' | 'listings'> {
  const instances: DiscoveredInstance[] = [];
  const images = new Map<string, ImageInfo>();
  for (const listing of listings) {
    if (!listing.ok) continue;
    for (const instance of listing.instances) instances.push(instance);
    for (const [id, image] of listing.images) images.set(id, image);
  }
  return { instances, images, failed: listings.filter((l) => !l.ok), listings };
}

/** AWS_DISCOVERY_FILTERS without its `instance-id` filter, and that filter (if any). */
function splitIdFilter(filters: readonly Filter[] | undefined): { byId?: Filter; others: Filter[] } {
  const byId = filters?.find((f) => f.Name === ID_FILTER);
  return { ...(byId === undefined ? {} : { byId }), others: (filters ?? []).filter((f) => f.Name !== ID_FILTER) };
}

/** EC2's filter value matching: `*` any run of characters, `?` one character, `\` takes the next one literally. */
export function filterValueMatches(pattern: string, value: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i] as string);
    else if (c === '*') source += '[^]*';
    else if (c === '?') source += '[^]';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`).test(value);
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
