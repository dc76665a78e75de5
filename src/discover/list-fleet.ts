import type { AccountAccess, ReadableAccount } from './account-directory.js';
import type { DiscoverRegionOptions } from './discover-region.js';
import type { Ec2Api } from './ec2-client.js';
import type { RegionListCache } from './enabled-regions.js';
import type { Config } from '../config/config.js';
import { discoverAccounts } from './discover-accounts.js';
import { discoverFleet, type Fleet } from './discover-fleet.js';

export interface ListedFleet extends Fleet {
  readonly failedAccounts: readonly string[];
  readonly scopeFolders?: ReadonlyMap<string, readonly string[]>;
  readonly selfAccountId?: string;
  /**
   * Set when only some instances were read (an event run, discover/events/describe-by-id.ts): the keys of the
   * instances asked about, found or not. Whatever else the daemon manages is outside the run. Unset: a full listing.
   */
  readonly onlyKeys?: ReadonlySet<string>;
}

export interface FleetSources {
  readonly config: Pick<Config, 'regions' | 'allRegions' | 'accounts' | 'listingTimeoutSeconds'>;
  /** Scope → EC2 client of the own account (no AWS_DISCOVERY_ASSUME_ROLES). */
  readonly ec2For: (scope: string) => Ec2Api;
  /** The configured accounts, resolved for this run (AWS_DISCOVERY_ASSUME_ROLES). */
  readonly accounts?: { resolve(): Promise<AccountAccess[]> };
  /** `AWS_DISCOVERY_REGIONS=*`: region lists by account id (`''` for the own account without roles). */
  readonly regionLists: Map<string, RegionListCache>;
  /** The folder of an account's connections (AWS_DISCOVERY_ACCOUNT_FOLDER, rendered by the desired step); unset: none. */
  readonly folderOf?: (account: ReadableAccount) => string[];
}

/** Every configured region of every configured account: the own account by region, or each account by `<id>/<region>`. */
export async function listFleet(sources: FleetSources, discoverOptions: DiscoverRegionOptions): Promise<ListedFleet> {
  const { config } = sources;
  const options = { listingTimeoutMs: config.listingTimeoutSeconds * 1000, ...discoverOptions };
  const regionsOf = (accountId: string) => (config.allRegions ? { all: true as const, cache: regionListOf(sources.regionLists, accountId) } : config.regions);
  if (config.accounts === undefined || sources.accounts === undefined) {
    return { ...(await discoverFleet(regionsOf(''), sources.ec2For, options)), failedAccounts: [] };
  }
  const folderOf = sources.folderOf ?? (() => []);
  return discoverAccounts(await sources.accounts.resolve(), { ...options, regionsOf, folderOf });
}

function regionListOf(lists: Map<string, RegionListCache>, accountId: string): RegionListCache {
  let cache = lists.get(accountId);
  if (cache === undefined) lists.set(accountId, (cache = {}));
  return cache;
}
