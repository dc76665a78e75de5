import type { Ec2Api } from '../aws/ec2-client.js';
import type { Config } from '../config/config.js';
import type { GuacamoleDatabase } from '../guacamole/database.js';
import { applyChangeSet } from '../guacamole/apply-change-set.js';
import { loadCurrentState } from '../guacamole/load-current-state.js';
import type { SchemaFacts } from '../guacamole/schema-check.js';
import type { Logger } from '../logger.js';
import type { KeyLookup } from '../mapping/keys.js';
import { KEPT_STATES, toDesiredConnections } from '../mapping/to-desired-connections.js';
import { isEmptyChangeSet, type ChangeSet } from '../plan/change-set.js';
import { formatPlan } from '../plan/format-plan.js';
import { planChanges } from '../plan/plan-changes.js';
import { discoverFleet } from './discover-fleet.js';
import { logChanges } from './log-changes.js';

export interface RunDependencies {
  readonly config: Config;
  readonly database: GuacamoleDatabase;
  readonly schema: SchemaFacts;
  readonly ec2For: (region: string) => Ec2Api;
  readonly readKeys: (keyNames: readonly string[]) => Promise<ReadonlyMap<string, KeyLookup>>;
  readonly logger: Logger;
}

export interface RunReport {
  readonly ok: boolean;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly conflicts: number;
  readonly failedRegions: readonly string[];
  readonly instances: number;
  readonly durationMs: number;
  /** Peak resident memory of the process so far (MB). */
  readonly peakRssMb: number;
  readonly dryRun: boolean;
  /** The readable plan (dry run only). */
  readonly plan?: string;
}

/**
 * One reconciliation: list EC2, compute the desired connections, read Guacamole's state, plan, and write the plan
 * in one transaction (or, in a dry run, only describe it). Used by `--once`, the schedule and the tests.
 */
export async function runOnce(deps: RunDependencies, options: { dryRun: boolean; signal?: AbortSignal }): Promise<RunReport> {
  const started = Date.now();
  const { config, logger, database } = deps;
  const fleet = await discoverFleet(config.regions, deps.ec2For, { pageSize: config.pageSize, ...(options.signal ? { signal: options.signal } : {}) });
  for (const f of fleet.failed) logger.error('region listing failed; its connections are left unchanged', { region: f.region, error: f.error, code: f.code });

  const linuxKeyNames = fleet.instances
    .filter((i) => KEPT_STATES.has(i.state) && i.platform?.toLowerCase() !== 'windows' && i.keyName !== undefined)
    .map((i) => i.keyName as string);
  const keys = await deps.readKeys([...new Set(linuxKeyNames)]);
  const mapping = toDesiredConnections(
    { instances: fleet.instances, images: fleet.images, keys },
    {
      basePath: config.basePath,
      recordByDefault: config.recordByDefault,
      charset: database.dialect === 'mysql' ? 'utf8mb3' : 'utf8mb4',
      parameterValueLimit: deps.schema.parameterValueLimit,
    },
  );
  for (const w of mapping.warnings) logger.warn(w.message, { instance: w.key });
  for (const s of mapping.skipped) logger.warn(`instance skipped: ${s.reason}`, { instance: s.key });

  const failedScopes = new Set(fleet.failed.map((f) => f.region));
  const plan = async (db: typeof database.db): Promise<ChangeSet> => {
    const current = await loadCurrentState(db, {
      dialect: database.dialect,
      ownerId: config.ownerId,
      adminGroup: config.adminGroup,
      hasBookkeeping: deps.schema.hasBookkeeping,
    });
    const changes = planChanges({ desired: mapping.connections, skipped: mapping.skipped, failedScopes, current });
    if (!options.dryRun && !isEmptyChangeSet(changes)) {
      await applyChangeSet(db, changes, {
        dialect: database.dialect,
        ownerId: config.ownerId,
        adminGroup: config.adminGroup,
        adminEntityId: current.adminGroup?.entityId,
      });
    }
    if (current.adminGroup?.disabled === true) logger.warn('the admin user group is disabled in Guacamole: its members see none of the connections', { group: config.adminGroup });
    return changes;
  };
  // A dry run only reads; a real run reads, plans and writes in one transaction (all or nothing).
  const changes = options.dryRun ? await plan(database.db) : await database.db.transaction().execute(plan);

  logChanges(logger, changes, { dryRun: options.dryRun, adminGroup: config.adminGroup });
  const report: RunReport = {
    ok: fleet.failed.length === 0,
    created: changes.createConnections.length,
    updated: changes.updateConnections.length,
    deleted: changes.deleteConnections.length,
    unchanged: changes.unchanged,
    skipped: mapping.skipped.length,
    conflicts: changes.conflicts.length,
    failedRegions: fleet.failed.map((f) => f.region),
    instances: fleet.instances.length,
    durationMs: Date.now() - started,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    dryRun: options.dryRun,
    ...(options.dryRun ? { plan: formatPlan(changes) } : {}),
  };
  const { plan: _plan, ...summary } = report;
  logger.info(options.dryRun ? 'dry run finished; nothing was written' : 'run finished', summary);
  return report;
}
