import type { Logger } from '../shared/logger.js';
import type { ChangeSet } from '../plan/change-set.js';
import { groupBy } from '../shared/group-by.js';

/** One info line per change (names and places, never parameter values), one warn line per conflict. */
export function logChanges(logger: Logger, changes: ChangeSet, context: { dryRun: boolean; adminGroup: string }): void {
  const verb = (done: string, planned: string) => (context.dryRun ? planned : done);
  if (changes.adminGroup === 'create' || changes.adminGroup === 'add-user-group') {
    logger.warn(`${verb('created', 'would create')} the user group "${context.adminGroup}": add the people who may use these connections to it`, {
      group: context.adminGroup,
    });
  }
  for (const g of changes.createGroups) logger.info(`${verb('created', 'would create')} folder`, { folder: g.displayPath });
  for (const c of changes.createConnections) {
    logger.info(`${verb('created', 'would create')} connection`, { connection: c.name, folder: c.displayPath, instance: c.key, protocol: c.protocol });
  }
  for (const c of changes.updateConnections) {
    logger.info(`${verb('updated', 'would update')} connection`, { connection: c.name, folder: c.displayPath, instance: c.key, changed: c.changed });
  }
  for (const c of changes.deleteConnections) {
    logger.info(`${verb('deleted', 'would delete')} connection`, { connection: c.name, folder: c.displayPath, instance: c.key });
  }
  for (const g of changes.deleteGroups) logger.info(`${verb('deleted', 'would delete')} empty folder`, { folder: g.displayPath });
  for (const c of changes.conflicts) logger.warn(c.message, { instance: c.key });
  // One line per reason, not per connection: a held region or a brake can keep thousands.
  for (const [reason, kept] of groupBy(changes.kept, (k) => k.reason)) {
    const keys = kept.map((k) => k.key);
    const fields = keys.length === 1 ? { instance: keys[0] } : { count: keys.length, instances: keys.slice(0, 10) };
    logger.warn(`${keys.length === 1 ? 'connection' : `${keys.length} connections`} kept unchanged: ${reason}`, fields);
  }
}
