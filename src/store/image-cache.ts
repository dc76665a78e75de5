import type { Kysely } from 'kysely';
import type { ImageInfo } from '../discover/instance.js';
import { chunks } from './chunks.js';
import type { Database } from './tables.js';
import { groupBy } from '../shared/group-by.js';

/** Cached DescribeImages answers: per region, AMI id → image (only its id when AWS did not return it). */
export type ImageCache = ReadonlyMap<string, ReadonlyMap<string, ImageInfo>>;

const INFO_LIMIT = 2000;
/**
 * How long "AWS did not return this AMI" is believed. Deregistered AMI ids are never reused, but an unshared AMI can be
 * shared again: it is asked about once a day rather than on every run.
 */
const MISSING_IMAGE_TTL_MS = 24 * 60 * 60 * 1000;

/** Every cached image (one query; a few hundred rows for a large estate). Stale "missing" rows are left out. */
export async function loadImageCache(db: Kysely<Database>, now = Date.now()): Promise<ImageCache> {
  const rows = await db.selectFrom('ec2_discovery_image').select(['region', 'image_id', 'info', 'seen_at']).execute();
  const cache = new Map<string, Map<string, ImageInfo>>();
  for (const row of rows) {
    const entry = parseInfo(row.image_id, row.info);
    if (entry === undefined) continue; // unreadable: described again
    if (entry.missing && now - new Date(row.seen_at).getTime() > MISSING_IMAGE_TTL_MS) continue; // asked about again
    let images = cache.get(row.region);
    if (images === undefined) cache.set(row.region, (images = new Map()));
    images.set(row.image_id, entry.info);
  }
  return cache;
}

/**
 * Stores what DescribeImages answered that is not cached yet: images (their description never changes, so cached rows
 * are never rewritten) and ids it did not return. A row already there for the same AMI (a stale "missing", or one
 * another daemon stored meanwhile) is replaced.
 */
export async function saveNewImages(
  db: Kysely<Database>,
  cache: ImageCache,
  described: ReadonlyMap<string, ReadonlyMap<string, ImageInfo>>,
  missing: ReadonlyMap<string, readonly string[]> = new Map(),
): Promise<number> {
  const seenAt = new Date();
  const found = [...described].flatMap(([region, images]) =>
    [...images.values()]
      .filter((image) => cache.get(region)?.has(image.imageId) !== true)
      .map((image) => ({ region, image_id: image.imageId, info: JSON.stringify(image), seen_at: seenAt }))
      .filter((row) => row.info.length <= INFO_LIMIT), // longer than AWS's own field limits allow: left uncached
  );
  const absent = [...missing].flatMap(([region, ids]) =>
    ids
      .filter((id) => cache.get(region)?.has(id) !== true && id.length <= 64)
      .map((id) => ({ region, image_id: id, info: JSON.stringify({ imageId: id, missing: true }), seen_at: seenAt })),
  );
  const rows = [...found, ...absent];
  for (const [region, regionRows] of groupBy(rows, (r) => r.region)) {
    for (const chunk of chunks(regionRows, 500)) {
      await db.deleteFrom('ec2_discovery_image').where('region', '=', region).where('image_id', 'in', chunk.map((r) => r.image_id)).execute();
      await db.insertInto('ec2_discovery_image').values(chunk).execute();
    }
  }
  return rows.length;
}

function parseInfo(imageId: string, text: string): { info: ImageInfo; missing: boolean } | undefined {
  try {
    const value = JSON.parse(text) as (Partial<ImageInfo> & { missing?: unknown }) | null;
    if (value === null || typeof value !== 'object' || value.imageId !== imageId) return undefined;
    if (value.missing === true) return { info: { imageId }, missing: true };
    return { info: value as ImageInfo, missing: false };
  } catch {
    return undefined;
  }
}
