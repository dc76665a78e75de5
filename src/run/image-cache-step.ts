import type { ScopeListing } from '../discover/instance.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { GuacamoleDatabase } from '../store/database.js';
import { loadImageCache, saveNewImages, type ImageCache } from '../store/image-cache.js';

/**
 * The DescribeImages cache is an optimisation: when it cannot be read, every AMI is described as before. A dry run on
 * a database the migrations have not touched yet has no cache table: that is an empty cache, not a problem to warn of.
 */
export async function readImageCache(database: GuacamoleDatabase, logger: Logger): Promise<ImageCache> {
  try {
    return await loadImageCache(database.db);
  } catch (err) {
    if (database.dialect.isMissingTable(err)) {
      logger.debug('no image cache table yet (created by the first run that writes); describing every AMI');
      return new Map();
    }
    logger.warn('could not read the image cache; describing every AMI', { error: describeError(err) });
    return new Map();
  }
}

/** Stores what the listed regions described anew (or found missing); a failure only costs the calls again next run. */
export async function rememberImages(database: GuacamoleDatabase, logger: Logger, cache: ImageCache, regions: readonly ScopeListing[]): Promise<void> {
  try {
    const listed = regions.flatMap((r) => (r.ok ? [r] : []));
    await saveNewImages(
      database.db,
      cache,
      new Map(listed.map((r) => [r.scope, r.images])),
      new Map(listed.map((r) => [r.scope, r.missingImages ?? []])),
    );
  } catch (err) {
    logger.warn('could not store newly described images; they are described again next run', { error: describeError(err) });
  }
}
