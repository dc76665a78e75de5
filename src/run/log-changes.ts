import type { Logger } from '../shared/logger.js';
import type { ChangeSet } from '../plan/change-set.js';
import { groupBy } from '../shared/group-by.js';
import type { Written } from './write-step.js';

/**
 * What the write step found (a disabled admin group, refused instances, sharing profiles gone, folders kept, READ
 * taken back), then the changes and the deletion brake.
 */
export function logWritten(logger: Logger, written: Written, context: { dryRun: boolean; adminGroup: string }): void {
  if (written.adminGroupDisabled) {
    logger.warn('the admin user group is disabled in Guacamole: its members see none of the connections', { group: context.adminGroup });
  }
  for (const r of written.rejected) logger.warn(`instance skipped: ${r.reason}`, { instance: r.key });
  for (const p of written.applied.sharingProfilesDeleted) {
    const fields = { sharingProfile: p.name, sharingProfileId: p.id, connection: p.connectionName, connectionId: p.connectionId };
    logger.warn('sharing profile deleted with its connection', fields);
  }
  for (const g of written.applied.keptGroups) {
    logger.warn('folder not deleted: it holds something the daemon does not own', { folder: g.displayPath, holds: g.holds });
  }
  const revoked = written.revoked;
  if (revoked !== undefined && revoked.connections + revoked.groups + revoked.forgotten + revoked.adopted > 0) {
    logger.info('READ grants of the daemon reconciled (revoked: old admin group, emptied hand-made folders)', { ...revoked });
  }
  logChanges(logger, written.changes, context);
  if (written.brake !== undefined) logger.error(written.brake);
}

/** One info line per change (names and places, never parameter values), one warn line per conflict. */
function logChanges(logger: Logger, changes: ChangeSet, context: { dryRun: boolean; adminGroup: string }): void {
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
