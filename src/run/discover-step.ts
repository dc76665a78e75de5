import type { ReadableAccount } from '../discover/account-directory.js';
import { listedTwice } from '../discover/discover-fleet.js';
import { ALL_REGIONS, type RegionListCache } from '../discover/enabled-regions.js';
import type { ImageInfo } from '../discover/instance.js';
import { listFleet, type ListedFleet } from '../discover/list-fleet.js';
import { renderAccountFolder } from '../desired/account-folder.js';
import type { CharacterSet } from '../desired/names.js';
import { readImageCache, rememberImages } from './image-cache-step.js';
import type { PipelineDependencies, RunOptions } from './run-dependencies.js';

export interface Discovery {
  readonly fleet: ListedFleet;
  /** Every image known this run, by AMI id: the cached ones and those described now. */
  readonly images: ReadonlyMap<string, ImageInfo>;
}

/**
 * Lists every configured account and region, asking DescribeImages only about AMIs the cache does not hold, and logs
 * what could not be listed. A real run stores the newly described images; a dry run writes nothing. Without a
 * database (a first look) there is no cache: every AMI is described.
 */
export async function discover(deps: PipelineDependencies, options: RunOptions, charset: CharacterSet): Promise<Discovery> {
  const { config, logger, database } = deps;
  const imageCache = database === undefined ? new Map() : await readImageCache(database, logger);
  const template = config.accountFolder;
  const folderOf = template === undefined ? undefined : (account: ReadableAccount) => renderAccountFolder(template, account, charset);
  const regionLists = deps.memory?.regionLists ?? new Map<string, RegionListCache>();
  const sources = { config, ec2For: deps.ec2For, regionLists, ...(folderOf ? { folderOf } : {}), ...(deps.accounts ? { accounts: deps.accounts } : {}) };
  const fleet = await (options.readFleet ?? listFleet)(sources, {
    pageSize: config.pageSize,
    knownImages: new Map([...imageCache].map(([region, images]) => [region, new Set(images.keys())])),
    ...(config.filters === undefined ? {} : { filters: config.filters.map((f) => ({ Name: f.Name, Values: [...f.Values] })) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.signal?.throwIfAborted(); // shutdown: stop before writing (an aborted listing is not a failed region)
  // An event run read only its batch: only the batch's connections of a failed scope are at stake.
  const theirs = fleet.onlyKeys === undefined ? 'its connections are' : "the batch's connections there are";
  for (const f of fleet.failed) {
    if (f.scope.endsWith(ALL_REGIONS) && config.accounts !== undefined) {
      logger.error(`account could not be read; ${theirs} left unchanged`, { scope: f.scope, error: f.error, code: f.code });
    } else {
      const what = fleet.onlyKeys === undefined ? 'region listing failed' : 'describing the batch failed in a region';
      logger.error(`${what}; ${theirs} left unchanged`, { region: f.scope, error: f.error, code: f.code });
    }
  }
  for (const d of listedTwice(fleet.listings)) logger.warn('instance listed more than once by DescribeInstances; merged into one (the last listing kept)', d);
  if (!options.dryRun && database !== undefined) await rememberImages(database, logger, imageCache, fleet.listings);
  return { fleet, images: new Map([...[...imageCache.values()].flatMap((byId) => [...byId]), ...fleet.images]) };
}
