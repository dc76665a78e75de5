import type { Migration } from 'kysely';
import * as ownedObjects from './2026-11-28-01-owned-objects.js';
import * as secretDigest from './2026-11-28-02-secret-digest.js';
import * as runStatus from './2026-11-28-03-run-status.js';
import * as imageCache from './2026-11-28-04-image-cache.js';
import * as adminGrants from './2026-12-06-07-admin-grants.js';
import * as eventQueue from './2026-12-07-08-event-queue.js';

/** Every migration, by name (applied in name order). Never edit one that has been released; add a new one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '2026-11-28-01-owned-objects': ownedObjects,
  '2026-11-28-02-secret-digest': secretDigest,
  '2026-11-28-03-run-status': runStatus,
  '2026-11-28-04-image-cache': imageCache,
  '2026-12-06-07-admin-grants': adminGrants,
  '2026-12-07-08-event-queue': eventQueue,
};
