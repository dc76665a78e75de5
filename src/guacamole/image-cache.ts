import type { Kysely } from 'kysely';
import type { ImageInfo } from '../aws/instance.js';
import { chunks } from './chunks.js';
import type { Database } from './tables.js';

/** Cached DescribeImages answers: per region, AMI id → image. */
export type ImageCache = ReadonlyMap<string, ReadonlyMap<string, ImageInfo>>;

const INFO_LIMIT = 2000;

/** Every cached image (one query; a few hundred rows for a large estate). */
export async function loadImageCache(db: Kysely<Database>): Promise<ImageCache> {
  const rows = await db.selectFrom('ec2_discovery_image').select(['region', 'image_id', 'info']).execute();
  const cache = new Map<string, Map<string, ImageInfo>>();
  for (const row of rows) {
    const info = parseInfo(row.image_id, row.info);
    if (info === undefined) continue; // unreadable: described again
    let images = cache.get(row.region);
    if (images === undefined) cache.set(row.region, (images = new Map()));
    images.set(row.image_id, info);
  }
  return cache;
}

/** Stores images not cached yet (an AMI's description does not change, so cached rows are never rewritten). */
export async function saveNewImages(db: Kysely<Database>, cache: ImageCache, described: ReadonlyMap<string, ReadonlyMap<string, ImageInfo>>): Promise<number> {
  const seenAt = new Date();
  const rows = [...described].flatMap(([region, images]) =>
    [...images.values()]
      .filter((image) => cache.get(region)?.has(image.imageId) !== true)
      .map((image) => ({ region, image_id: image.imageId, info: JSON.stringify(image), seen_at: seenAt }))
      .filter((row) => row.info.length <= INFO_LIMIT), // longer than AWS's own field limits allow: left uncached
  );
  for (const chunk of chunks(rows, 500)) await db.insertInto('ec2_discovery_image').values(chunk).execute();
  return rows.length;
}

function parseInfo(imageId: string, text: string): ImageInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<ImageInfo> | null;
    return value !== null && typeof value === 'object' && value.imageId === imageId ? (value as ImageInfo) : undefined;
  } catch {
    return undefined;
  }
}
