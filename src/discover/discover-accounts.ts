import type { AccountAccess, ReadableAccount } from './account-directory.js';
import type { DiscoverRegionOptions } from './discover-region.js';
import { ALL_REGIONS } from './enabled-regions.js';
import type { ImageInfo, ScopeListing } from './instance.js';
import { discoverFleet, type Fleet, type RegionSelection } from './discover-fleet.js';

export interface AccountsFleet extends Fleet {
  /** Accounts that could not be read at all (id, or `self` when even the id is unknown). */
  readonly failedAccounts: readonly string[];
  /** Folder segments below the base path, per scope listed. */
  readonly scopeFolders: ReadonlyMap<string, readonly string[]>;
  /** The own account's id, when `self` is configured and could be read. */
  readonly selfAccountId?: string;
}

/**
 * Lists every readable account's regions, each under the scope `<account id>/<region>`. An account that cannot be
 * read becomes the failed scope `<account id>/*` (all its regions unknown), or `*` when its id is unknown (the own
 * account whose GetCallerIdentity failed: nothing of this daemon can then be told apart from it).
 */
export async function discoverAccounts(
  accesses: readonly AccountAccess[],
  options: DiscoverRegionOptions & {
    readonly regionsOf: (accountId: string) => RegionSelection;
    readonly folderOf: (account: ReadableAccount) => readonly string[];
  },
): Promise<AccountsFleet> {
  const failedAccounts: ScopeListing[] = [];
  const readable: ReadableAccount[] = [];
  for (const access of accesses) {
    if (access.ok) readable.push(access.account);
    else
      failedAccounts.push({
        scope: access.accountId === undefined ? ALL_REGIONS : `${access.accountId}/${ALL_REGIONS}`,
        ok: false,
        error: access.error,
        ...(access.code ? { code: access.code } : {}),
      });
  }
  const fleets = await Promise.all(readable.map((account) => discoverFleet(options.regionsOf(account.id), account.ec2For, options, `${account.id}/`)));
  const images = new Map<string, ImageInfo>();
  const scopeFolders = new Map<string, readonly string[]>();
  for (const [i, fleet] of fleets.entries()) {
    for (const [id, image] of fleet.images) images.set(id, image);
    const folder = options.folderOf(readable[i] as ReadableAccount);
    for (const listing of fleet.listings) scopeFolders.set(listing.scope, folder);
  }
  // An account none of whose regions could be listed is named as well (its regions are all in `failed`).
  const unlisted = readable.filter((_, i) => fleets[i]!.listings.length > 0 && fleets[i]!.listings.every((r) => !r.ok)).map((a) => a.id);
  return {
    instances: fleets.flatMap((f) => f.instances),
    images,
    failed: [...failedAccounts, ...fleets.flatMap((f) => f.failed)] as Fleet['failed'],
    listings: [...failedAccounts, ...fleets.flatMap((f) => f.listings)],
    failedAccounts: [...accesses.flatMap((a) => (a.ok ? [] : [a.accountId ?? 'self'])), ...unlisted],
    scopeFolders,
    ...(readable.some((a) => a.self === true) ? { selfAccountId: readable.find((a) => a.self === true)!.id } : {}),
  };
}
