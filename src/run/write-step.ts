import type { Config, ConfigWithoutDatabase } from '../config/config.js';
import { rekeyRegionRows } from '../store/rekey-owned-rows.js';
import { listAdminGrantRevokes, type RevokedGrants } from '../store/admin-grants.js';
import { applyChangeSet, reconcileRunGrants, type ApplyContext, type ApplyResult } from '../store/apply-change-set.js';
import type { GuacamoleDatabase } from '../store/database.js';
import { findRejectedWrites } from '../store/find-rejected-writes.js';
import { loadCurrentState } from '../store/load-current-state.js';
import { inSavepoint } from '../store/savepoint.js';
import type { SchemaFacts } from '../store/schema-check.js';
import { applySessionLimits, explainTransactionFailure } from '../store/session-limits.js';
import type { Logger } from '../shared/logger.js';
import type { DesiredConnection, SkippedInstance } from '../desired/desired-connection.js';
import { DEFAULT_NAME_KEYS, nameKeyFor, type NameKeys } from '../desired/name-fold.js';
import { adoptRegionKeys, storedKeyForms } from '../plan/adopt-account-scopes.js';
import { isEmptyChangeSet, type ChangeSet } from '../plan/change-set.js';
import { EMPTY_GUACAMOLE, type CurrentState } from '../plan/current-state.js';
import type { GrantRevokePlan } from '../plan/plan-grant-revokes.js';
import type { ScopeMatcher } from '../plan/plan-changes.js';
import { planSafely } from '../plan/plan-safely.js';

export interface WriteContext {
  readonly config: Config;
  readonly database: GuacamoleDatabase;
  readonly schema: SchemaFacts;
  readonly logger: Logger;
  /** The own account's id with AWS_DISCOVERY_ASSUME_ROLES (single-account rows are adopted as its own). */
  readonly selfAccountId: string | undefined;
  readonly allowMassDelete: boolean;
}

/** What planning alone needs (no database): the settings, the facts of the schema, the brake's switch. */
export interface PlanContext {
  readonly config: ConfigWithoutDatabase;
  readonly schema: SchemaFacts;
  readonly allowMassDelete: boolean;
}

/** What the run wants, from EC2: the planner's input without Guacamole's state. */
export interface Wanted {
  readonly desired: readonly DesiredConnection[];
  readonly skipped: readonly SkippedInstance[];
  readonly failedScopes: ScopeMatcher;
  readonly listedScopes: ReadonlySet<string>;
  /** An event run: the keys of the instances it asked about; every other connection is outside the run (see planChanges). */
  readonly onlyKeys?: ReadonlySet<string>;
}

export interface Written {
  readonly changes: ChangeSet;
  /** Why deletions were held back (deletion brake), if they were. */
  readonly brake?: string;
  /** How many connections the deletion brake kept from deletion (0 when it held nothing). */
  readonly deletionsHeld: number;
  /** Instances whose write the database refused this run: left as they were, reported, tried again next run. */
  readonly rejected: readonly SkippedInstance[];
  readonly adminGroupDisabled: boolean;
  /** What the write found that the plan did not foresee (folders that stay, sharing profiles that went). */
  readonly applied: ApplyResult;
  /** READ the daemon had granted and took back (old admin group, emptied hand-made folders); a real run. */
  readonly revoked?: RevokedGrants;
  /** What a real run would take back; a dry run. */
  readonly revokes?: GrantRevokePlan;
}

const NOTHING_APPLIED: ApplyResult = { keptGroups: [], sharingProfilesDeleted: [] };

/** Refusals pinned and left out, then the plan written again: a few rounds at most, never without end. */
const MAX_ROUNDS = 3;

/** A dry run: read Guacamole's state and plan; nothing is written. */
export async function planOnly(ctx: WriteContext, wanted: Wanted): Promise<Written> {
  const { database, config, schema } = ctx;
  const current = await loadState(ctx, database.db, false, wanted.onlyKeys);
  const revokes = await listAdminGrantRevokes(database.db, {
    dialect: database.dialect,
    ownerId: config.ownerId,
    adminEntityId: current.adminGroup?.entityId,
    hasGrantRecords: schema.hasGrantRecords,
  });
  return { ...plan(ctx, wanted, current, new Map(), new Set()), applied: NOTHING_APPLIED, revokes };
}

/** A first look: no database, so the plan is against an empty Guacamole (everything a first run would create). Pure. */
export function planFirstRun(ctx: PlanContext, wanted: Wanted): Written {
  return { ...plan(ctx, wanted, EMPTY_GUACAMOLE, new Map(), new Set()), applied: NOTHING_APPLIED };
}

/**
 * Reads Guacamole's state, plans and writes in one transaction (all or nothing). When the database refuses a write,
 * that transaction is gone; a second one finds the instances whose writes are refused (find-rejected-writes.ts),
 * plans without them and writes the rest: every other instance is synced in the same run, the refused ones keep
 * what they had. A fault of the database itself (connection, lock, timeout) is not retried here.
 */
export async function planAndWrite(ctx: WriteContext, wanted: Wanted): Promise<Written> {
  try {
    return await inRunTransaction(ctx, async (trx) => {
      const current = await loadState(ctx, trx, true, wanted.onlyKeys);
      const planned = plan(ctx, wanted, current, new Map(), new Set());
      return { ...planned, ...(await write(ctx, trx, planned.changes, current)) };
    });
  } catch (err) {
    if (!ctx.database.dialect.isRejectedWrite(err)) throw err;
    ctx.logger.warn('the database refused a write of this run; finding the instances it belongs to and syncing the others');
    return inRunTransaction(ctx, (trx) => writeAroundRefusals(ctx, wanted, trx));
  }
}

async function writeAroundRefusals(ctx: WriteContext, wanted: Wanted, trx: GuacamoleDatabase['db']): Promise<Written> {
  const current = await loadState(ctx, trx, true, wanted.onlyKeys);
  const apply = applyContext(ctx, current);
  const refused = new Map<string, string>();
  const keptGroups = new Set<number>();
  for (let round = 1; ; round++) {
    const planned = plan(ctx, wanted, current, refused, keptGroups);
    try {
      const written = await inSavepoint(trx, () => write(ctx, trx, planned.changes, current));
      return { ...planned, ...written };
    } catch (err) {
      if (!ctx.database.dialect.isRejectedWrite(err) || round === MAX_ROUNDS) throw err;
      const found = await findRejectedWrites(trx, planned.changes, apply);
      if (found.instances.size === 0 && found.groupDeletes.size === 0) throw err; // a run-wide step: nothing to leave out
      for (const [key, why] of found.instances) refused.set(key, why);
      for (const [id, why] of found.groupDeletes) {
        keptGroups.add(id);
        ctx.logger.warn('the database refused to delete a folder; it stays this run', { folderId: id, error: why });
      }
    }
  }
}

/**
 * Writes the change set; with nothing to change, READ granted earlier may still have to go (the new admin group
 * already held READ; an upgraded installation's grants to adopt; another daemon's objects left a hand-made folder).
 */
async function write(
  ctx: WriteContext,
  trx: GuacamoleDatabase['db'],
  changes: ChangeSet,
  current: CurrentState,
): Promise<Pick<Written, 'applied' | 'revoked'>> {
  if (!isEmptyChangeSet(changes)) {
    const { revoked, ...applied } = await applyChangeSet(trx, changes, applyContext(ctx, current));
    return { applied, revoked };
  }
  if (current.adminGroup === undefined) return { applied: NOTHING_APPLIED };
  return { applied: NOTHING_APPLIED, revoked: await reconcileRunGrants(trx, applyContext(ctx, current), current.adminGroup.entityId) };
}

function plan(
  ctx: PlanContext,
  wanted: Wanted,
  current: CurrentState,
  refused: ReadonlyMap<string, string>,
  keepGroups: ReadonlySet<number>,
): Omit<Written, 'applied'> {
  const { config } = ctx;
  const rejected = rejectedInstances(wanted, refused);
  const safe = planSafely(
    {
      desired: refused.size === 0 ? wanted.desired : wanted.desired.filter((d) => !refused.has(d.key)),
      skipped: [...wanted.skipped, ...rejected],
      failedScopes: wanted.failedScopes,
      listedScopes: wanted.listedScopes,
      ...(wanted.onlyKeys === undefined ? {} : { onlyKeys: wanted.onlyKeys }),
      current,
      ...(keepGroups.size === 0 ? {} : { keepGroups }),
      nameKeys: nameKeys(ctx),
    },
    {
      policy: config.policy,
      maxDeletePercent: config.maxDeletePercent,
      ...(config.maxDeleteCount === undefined ? {} : { maxDeleteCount: config.maxDeleteCount }),
      allowMassDelete: ctx.allowMassDelete,
    },
  );
  return {
    changes: safe.changes,
    ...(safe.brake === undefined ? {} : { brake: safe.brake }),
    deletionsHeld: safe.deletionsHeld,
    rejected,
    adminGroupDisabled: current.adminGroup?.disabled === true,
  };
}

/** Refused instances as skipped ones: their connections are kept as they are, and they are named in `status`. */
function rejectedInstances(wanted: Wanted, refused: ReadonlyMap<string, string>): SkippedInstance[] {
  if (refused.size === 0) return [];
  const byKey = new Map(wanted.desired.map((d) => [d.key, d]));
  return [...refused].map(([key, why]) => {
    const d = byKey.get(key);
    const scope = d?.scope ?? key.slice(0, key.lastIndexOf('/'));
    const instanceId = d?.instanceId ?? key.slice(key.lastIndexOf('/') + 1);
    return {
      key,
      scope,
      instanceId,
      code: 'rejected' as const,
      reason: `the database refused its write: ${why}; it keeps what it had and is tried again next run`,
    };
  });
}

/** Guacamole's state; for an event run (`onlyKeys`), only its instances' connections in full (see loadCurrentState). */
async function loadState(ctx: WriteContext, db: GuacamoleDatabase['db'], writing: boolean, onlyKeys: ReadonlySet<string> | undefined): Promise<CurrentState> {
  const { config, schema, selfAccountId } = ctx;
  const loaded = await loadCurrentState(db, {
    dialect: ctx.database.dialect,
    ownerId: config.ownerId,
    adminGroup: config.adminGroup,
    hasBookkeeping: schema.hasBookkeeping,
    hasSecretDigest: schema.hasSecretDigest,
    ...(onlyKeys === undefined ? {} : { instanceKeys: storedKeyForms(onlyKeys, selfAccountId) }),
  });
  // Turning AWS_DISCOVERY_ASSUME_ROLES on: the single-account rows are the own account's, kept rather than recreated.
  if (selfAccountId === undefined) return loaded;
  const { current, adopted } = adoptRegionKeys(loaded, selfAccountId);
  if (adopted > 0 && writing) {
    await rekeyRegionRows(db, config.ownerId, selfAccountId);
    ctx.logger.info('connections of the single-account setup adopted as the own account', { account: selfAccountId, connections: adopted });
  }
  return current;
}

function applyContext(ctx: WriteContext, current: CurrentState): ApplyContext {
  return {
    dialect: ctx.database.dialect,
    ownerId: ctx.config.ownerId,
    adminGroup: ctx.config.adminGroup,
    adminEntityId: current.adminGroup?.entityId,
    nameKeys: nameKeys(ctx),
    ...(current.managedConnections === undefined ? {} : { partialRun: true }),
  };
}

/** Names compared the way the database's name columns compare them (today's general_ci rule when not read). */
function nameKeys(ctx: PlanContext): NameKeys {
  const collations = ctx.schema.nameCollations;
  return collations === undefined ? DEFAULT_NAME_KEYS : { connection: nameKeyFor(collations.connection), group: nameKeyFor(collations.group) };
}

/** The run's transaction, with bounded lock waits; a database fault comes out as a `DatabaseFaultError` saying what happened. */
async function inRunTransaction<T>(ctx: WriteContext, work: (trx: GuacamoleDatabase['db']) => Promise<T>): Promise<T> {
  const limits = { lockTimeoutSeconds: ctx.config.dbLockTimeoutSeconds };
  try {
    return await ctx.database.db.transaction().execute(async (trx) => {
      await applySessionLimits(trx, ctx.database.dialect, limits);
      return work(trx);
    });
  } catch (err) {
    throw explainTransactionFailure(err, limits, ctx.database.dialect);
  }
}
