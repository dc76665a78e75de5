import type { Ec2Api } from '../discover/ec2-client.js';
import type { RegionDiscovery } from '../discover/instance.js';
import { loadImageCache, saveNewImages, type ImageCache } from '../store/image-cache.js';
import type { Config } from '../config/config.js';
import type { GuacamoleDatabase } from '../store/database.js';
import type { SchemaFacts } from '../store/schema-check.js';
import type { Logger } from '../shared/logger.js';
import type { KeyLookup, KeySource } from '../enrich/keys/key-types.js';
import { loadStoredHostKeys, loadStoredPasswords } from '../store/load-stored-parameters.js';
import { windowsPasswords } from '../enrich/passwords/windows-passwords.js';
import { NO_HOST_KEYS, pinHostKeys } from '../enrich/host-keys/pin-host-keys.js';
import { RunMemory } from './run-memory.js';
import { classifyInstance } from '../discover/classify-instance.js';
import { toDesiredConnections } from '../desired/to-desired-connections.js';
import { formatPlan } from '../plan/format-plan.js';
import { ALL_REGIONS, type RegionListCache } from '../discover/enabled-regions.js';
import { listFleet } from '../discover/list-fleet.js';
import { listedTwice } from '../discover/discover-fleet.js';
import type { AccountAccess, ReadableAccount } from '../discover/account-directory.js';
import { renderAccountFolder } from '../desired/account-folder.js';
import { failedScopeMatcher } from '../plan/failed-scopes.js';
import { adoptKeyedMap } from '../plan/adopt-account-scopes.js';
import { logChanges } from './log-changes.js';
import { planAndWrite, planOnly } from './write-step.js';
import { describeError } from '../shared/errors.js';
import { collectProblems, type Problem } from '../status/problems.js';
import { recordRun } from '../status/record-run.js';

export { RunMemory } from './run-memory.js'; // where the runtime and the tests import it from

export interface RunDependencies {
  readonly config: Config;
  readonly database: GuacamoleDatabase;
  readonly schema: SchemaFacts;
  /** The EC2 client of a scope (`region`, or `<account id>/<region>` with AWS_DISCOVERY_ASSUME_ROLES). */
  readonly ec2For: (scope: string) => Ec2Api;
  /** The accounts of AWS_DISCOVERY_ASSUME_ROLES (see aws/account-directory.ts); unset: the own account only. */
  readonly accounts?: { resolve(): Promise<AccountAccess[]> };
  readonly readKeys: KeySource;
  readonly logger: Logger;
  readonly memory?: RunMemory;
}

export interface RunReport {
  readonly ok: boolean;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly conflicts: number;
  /** Scopes whose listing failed: regions, `<account id>/<region>`, `<account id>/*` (a whole account) or `*`. */
  readonly failedRegions: readonly string[];
  /** Accounts that could not be read (AssumeRole refused, no region listed…): nothing of theirs was changed. */
  readonly failedAccounts: readonly string[];
  /** Why deletions were held back this run (deletion brake), if they were. */
  readonly deletionBrake?: string;
  readonly instances: number;
  /** Instances listed per region; regions whose listing failed are absent. */
  readonly instancesByRegion: Readonly<Record<string, number>>;
  /** GetPasswordData calls made this run. */
  readonly passwordFetches: number;
  /** GetConsoleOutput calls made this run (host key pinning). */
  readonly consoleReads: number;
  /** Instances left out by `kcm:ignore`. */
  readonly ignored: number;
  /** Skipped instances by category (`no_address`, `too_long`, `charset`, `rejected`). */
  readonly skippedByReason: Readonly<Record<string, number>>;
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
export async function runOnce(deps: RunDependencies, options: RunOptions): Promise<RunReport> {
  const startedAt = new Date();
  if (options.dryRun) return reconcile(deps, options, { problems: undefined });
  const found: { problems: Problem[] | undefined } = { problems: undefined };
  try {
    const report = await reconcile(deps, options, found);
    const result = report.ok ? 'success' : 'partial';
    const { plan: _plan, ...summary } = report;
    await record(deps, { ownerId: deps.config.ownerId, startedAt, durationMs: report.durationMs, result, summary, ...(found.problems ? { problems: found.problems } : {}) });
    return report;
  } catch (err) {
    // The run's transaction rolled back; say so in the status (when the database still answers).
    const summary = { error: describeError(err) };
    await record(deps, { ownerId: deps.config.ownerId, startedAt, durationMs: Date.now() - startedAt.getTime(), result: 'failure', summary, ...(found.problems ? { problems: found.problems } : {}) });
    throw err;
  }
}

export interface RunOptions {
  readonly dryRun: boolean;
  readonly signal?: AbortSignal;
  /** `--allow-mass-delete`: the deletion brake is off for this run. */
  readonly allowMassDelete?: boolean;
}

/** The run status is a convenience: failing to write it never fails the run. */
async function record(deps: RunDependencies, run: Parameters<typeof recordRun>[1]): Promise<void> {
  try {
    await recordRun(deps.database.db, run);
  } catch (err) {
    deps.logger.warn('could not record the run for `status`', { error: describeError(err) });
  }
}

async function reconcile(deps: RunDependencies, options: RunOptions, found: { problems: Problem[] | undefined }): Promise<RunReport> {
  const started = Date.now();
  const { config, logger, database } = deps;
  const imageCache = await readImageCache(deps);
  const charset = database.dialect === 'mysql' ? 'utf8mb3' : 'utf8mb4';
  const template = config.accountFolder;
  const folderOf = template === undefined ? undefined : (account: ReadableAccount) => renderAccountFolder(template, account, charset);
  const sources = { config, ec2For: deps.ec2For, regionLists: deps.memory?.regionLists ?? new Map<string, RegionListCache>(), ...(folderOf ? { folderOf } : {}) } as const;
  const fleet = await listFleet({ ...sources, ...(deps.accounts ? { accounts: deps.accounts } : {}) }, {
    pageSize: config.pageSize,
    knownImages: new Map([...imageCache].map(([region, images]) => [region, new Set(images.keys())])),
    ...(config.filters === undefined ? {} : { filters: config.filters.map((f) => ({ Name: f.Name, Values: [...f.Values] })) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.signal?.throwIfAborted(); // shutdown: stop before writing (an aborted listing is not a failed region)
  for (const f of fleet.failed) {
    if (f.region.endsWith(ALL_REGIONS) && config.accounts !== undefined) logger.error('account could not be read; its connections are left unchanged', { scope: f.region, error: f.error, code: f.code });
    else logger.error('region listing failed; its connections are left unchanged', { region: f.region, error: f.error, code: f.code });
  }
  for (const d of listedTwice(fleet.regions)) logger.warn('instance listed more than once by DescribeInstances; merged into one (the last listing kept)', d);
  if (!options.dryRun) await rememberImages(deps, imageCache, fleet.regions);
  const images = new Map([...[...imageCache.values()].flatMap((byId) => [...byId]), ...fleet.images]);

  const kept = fleet.instances.filter((i) => classifyInstance(i).kept);
  const keys = await deps.readKeys([...new Set(kept.flatMap((i) => (i.keyName === undefined ? [] : [i.keyName])))]);
  logKeyNotes(logger, keys);

  const memory = deps.memory ?? new RunMemory();
  const calls = { ec2For: deps.ec2For, now: Date.now, ...(options.signal ? { signal: options.signal } : {}) };
  const storedPasswords = async () => adoptKeyedMap(await loadStoredPasswords(database.db, { ownerId: config.ownerId, ...deps.schema }), fleet.selfAccountId);
  const storedHostKeys = async () => adoptKeyedMap(await loadStoredHostKeys(database.db, { ownerId: config.ownerId, ...deps.schema }), fleet.selfAccountId);
  const windows = await windowsPasswords(kept, keys, config.trustHostnameTag, { ...calls, stored: storedPasswords, memory: memory.passwords });
  const passwords = windows.outcomes;
  const hostKeys = config.pinHostKeys ? await pinHostKeys(kept, { ...calls, stored: storedHostKeys, memory: memory.consoles }) : NO_HOST_KEYS;

  const mapping = toDesiredConnections(
    { instances: fleet.instances, images, keys, passwords, hostKeys: hostKeys.outcomes },
    {
      basePath: config.basePath,
      recordByDefault: config.recordByDefault,
      charset,
      parameterValueLimit: deps.schema.parameterValueLimit,
      addressOrder: config.addressOrder,
      trustHostnameTag: config.trustHostnameTag,
      ...(fleet.scopeFolders === undefined ? {} : { scopeFolders: fleet.scopeFolders }),
    },
  );
  for (const w of mapping.warnings) logger.warn(w.message, { instance: w.key });
  for (const s of mapping.skipped) logger.warn(`instance skipped: ${s.reason}`, { instance: s.key });

  // A failed region list leaves every region (of its account, or of all) unknown: nothing of it is changed.
  const failedScopes = failedScopeMatcher(fleet.failed.map((f) => f.region));
  const listedScopes = new Set(fleet.regions.filter((r) => r.ok).map((r) => r.region));
  found.problems = collectProblems({ failedRegions: fleet.failed, skipped: mapping.skipped, warnings: mapping.warnings });
  const writeContext = { config, database, schema: deps.schema, logger, selfAccountId: fleet.selfAccountId, allowMassDelete: config.allowMassDelete || options.allowMassDelete === true };
  const wanted = { desired: mapping.connections, skipped: mapping.skipped, failedScopes, listedScopes };
  // A dry run only reads; a real run reads, plans and writes in one transaction (all or nothing).
  options.signal?.throwIfAborted(); // last point to stop: once the transaction has begun, it runs to its end
  const written = options.dryRun ? await planOnly(writeContext, wanted) : await planAndWrite(writeContext, wanted);
  const { changes, brake, rejected } = written;
  if (written.adminGroupDisabled) logger.warn('the admin user group is disabled in Guacamole: its members see none of the connections', { group: config.adminGroup });
  for (const r of rejected) logger.warn(`instance skipped: ${r.reason}`, { instance: r.key });
  for (const p of written.applied.sharingProfilesDeleted) logger.warn('sharing profile deleted with its connection', { sharingProfile: p.name, sharingProfileId: p.id, connection: p.connectionName, connectionId: p.connectionId });
  for (const g of written.applied.keptGroups) logger.warn('folder not deleted: it holds something the daemon does not own', { folder: g.displayPath, holds: g.holds });
  const revoked = written.revoked;
  if (revoked !== undefined && revoked.connections + revoked.groups + revoked.forgotten + revoked.adopted > 0) logger.info('READ grants of the daemon reconciled (revoked: old admin group, emptied hand-made folders)', { ...revoked });
  const skipped = [...mapping.skipped, ...rejected];

  found.problems = collectProblems({ failedRegions: fleet.failed, skipped, warnings: mapping.warnings, changes });
  logChanges(logger, changes, { dryRun: options.dryRun, adminGroup: config.adminGroup });
  if (brake !== undefined) logger.error(brake);
  const report: RunReport = {
    // A held deletion needs the operator's decision: the run reports failure until it is made.
    // A refused write leaves its instance behind: partial, like a failed listing.
    ok: fleet.failed.length === 0 && brake === undefined && rejected.length === 0,
    created: changes.createConnections.length,
    updated: changes.updateConnections.length,
    deleted: changes.deleteConnections.length,
    unchanged: changes.unchanged,
    skipped: skipped.length,
    conflicts: changes.conflicts.length,
    failedRegions: fleet.failed.map((f) => f.region),
    failedAccounts: fleet.failedAccounts,
    ...(brake === undefined ? {} : { deletionBrake: brake }),
    instances: fleet.instances.length,
    instancesByRegion: Object.fromEntries(fleet.regions.flatMap((r) => (r.ok ? [[r.region, r.instances.length]] : []))),
    passwordFetches: windows.fetches,
    consoleReads: hostKeys.reads,
    ignored: mapping.ignored,
    skippedByReason: countBy(skipped.map((s) => s.code ?? 'other')),
    durationMs: Date.now() - started,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    dryRun: options.dryRun,
    ...(options.dryRun ? { plan: formatPlan(changes, written.revokes) } : {}),
  };
  const { plan: _plan, ...summary } = report;
  logger.info(options.dryRun ? 'dry run finished; nothing was written' : 'run finished', summary);
  return report;
}

/** The DescribeImages cache is an optimisation: when it cannot be read, every AMI is described as before. */
async function readImageCache(deps: RunDependencies): Promise<ImageCache> {
  try {
    return await loadImageCache(deps.database.db);
  } catch (err) {
    deps.logger.warn('could not read the image cache; describing every AMI', { error: describeError(err) });
    return new Map();
  }
}

async function rememberImages(deps: RunDependencies, cache: ImageCache, regions: readonly RegionDiscovery[]): Promise<void> {
  try {
    const listed = regions.flatMap((r) => (r.ok ? [r] : []));
    await saveNewImages(
      deps.database.db,
      cache,
      new Map(listed.map((r) => [r.region, r.images])),
      new Map(listed.map((r) => [r.region, r.missingImages ?? []])),
    );
  } catch (err) {
    deps.logger.warn('could not store newly described images; they are described again next run', { error: describeError(err) });
  }
}

/** Per key, once per run: warnings that do not stop its use (file permissions) and passphrase notes. */
function logKeyNotes(logger: Logger, keys: ReadonlyMap<string, KeyLookup>): void {
  for (const [name, lookup] of keys) {
    if (lookup.status !== 'found') continue;
    for (const warning of lookup.warnings ?? []) logger.warn(warning, { keyPair: name });
    if (lookup.key.encrypted) logger.info('key has a passphrase: Guacamole asks for it at connect time (SSH); it cannot decrypt Windows passwords', { keyPair: name });
  }
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
