import type { KyselyPlugin, LogEvent } from 'kysely';
import type { Ec2Api } from '../discover/ec2-client.js';
import type { Config, Secrets } from '../config/config.js';
import { describeError } from '../shared/errors.js';
import { openDatabase, type GuacamoleDatabase } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { checkSchema, checkWritePrivileges, type SchemaFacts } from '../store/schema-check.js';
import type { Logger } from '../shared/logger.js';
import type { KeySource } from '../enrich/keys/key-types.js';
import { withRunLock } from '../store/run-lock.js';
import type { DescribeTarget } from '../discover/events/event-batch.js';
import { warnOfRecordingSchema } from './desired-step.js';
import { runEventBatch, type EventRunOptions, type EventRunResult } from './event-run.js';
import { runOnce } from './run-once.js';
import type { RunReport } from './run-report.js';
import type { RunDependencies } from './run-dependencies.js';
import { RunMemory } from './run-memory.js';
import { recordEventQueue, type EventQueueRecord } from '../status/event-queue-status.js';

export interface RuntimeSetup {
  readonly config: Config;
  readonly secrets: Pick<Secrets, 'databasePassword'>;
  readonly logger: Logger;
  /** The EC2 client of a scope (`region`, or `<account id>/<region>` with AWS_DISCOVERY_ASSUME_ROLES). */
  readonly ec2For: (scope: string) => Ec2Api;
  /** The accounts of AWS_DISCOVERY_ASSUME_ROLES; unset: the own account only. */
  readonly accounts?: RunDependencies['accounts'];
  readonly readKeys: KeySource;
  /** Observers of the runtime (the benchmark's); none given, nothing changes. */
  readonly hooks?: RuntimeHooks;
}

/**
 * What an observer may see of the runtime without changing what it does: the benchmark runs the real runtime through
 * these to count and time SQL and to tell the setup apart from the run.
 */
export interface RuntimeHooks {
  /** Every SQL statement: `observe` is Kysely's log callback (BEGIN and COMMIT included), `plugin` sees each result. */
  readonly sql?: { readonly observe?: (event: LogEvent) => void; readonly plugin?: KyselyPlugin };
  /** Called as each step starts and ends; a step that has nothing to do (already prepared) is not reported. */
  readonly onStep?: (step: RuntimeStep, edge: 'start' | 'end') => void;
}

/** `prepare`: the schema check, and before a real run the write privileges and the migrations. */
export type RuntimeStep = 'prepare';

/** A run that happened, or one skipped because another runner (same owner id) holds the lock. */
export type RunAttempt = { readonly locked: false; readonly report: RunReport } | { readonly locked: true };

/** What `--once` and the daemon share: one pool, one schema check and migration, then any number of runs. */
export interface Runtime {
  /**
   * One reconciliation. The first call that gets that far checks the schema and (unless a dry run) migrates the
   * bookkeeping tables; a failure there (database unreachable, wrong schema) throws and the next call tries again.
   * A real run holds the owner's run lock throughout; a dry run only reads and takes no lock.
   */
  run(options: { readonly dryRun: boolean; readonly signal?: AbortSignal }): Promise<RunAttempt>;
  /**
   * One batch of events (see event-run.ts): prepared as a real run is (schema check, migrations), then applied under
   * the same run lock. Throws as `run` does when the database cannot be prepared or the run fails.
   */
  runEvents(targets: readonly DescribeTarget[], options?: EventRunOptions): Promise<EventRunResult>;
  /**
   * Event mode: records the queue's state for `status`, in a short transaction of its own (never inside a run's), once
   * the bookkeeping tables are migrated. Throws when the database cannot be reached; the caller tries again later.
   */
  recordEventQueue(record: EventQueueRecord): Promise<void>;
  /** Ends the pool. */
  close(): Promise<void>;
}

export function createRuntime(setup: RuntimeSetup): Runtime {
  const { config, logger, hooks } = setup;
  const onError = (err: Error) => logger.warn('database connection lost', { error: describeError(err) });
  const database = observed(openDatabase(config.database, setup.secrets.databasePassword, onError, hooks?.sql?.observe), hooks?.sql?.plugin);
  let prepared: { schema: SchemaFacts; migrated: boolean } | undefined;
  const memory = new RunMemory(); // lives as long as the daemon

  // One preparation at a time: the event loop records the queue's state beside the runs, and two checks racing a
  // migration could leave the facts of the schema as it was before it (no bookkeeping tables seen).
  let preparing: Promise<unknown> = Promise.resolve();
  const prepare = (migrate: boolean): Promise<SchemaFacts> => {
    const next = preparing.then(() => prepareOnce(migrate));
    preparing = next.catch(() => undefined);
    return next;
  };
  const prepareOnce = async (migrate: boolean): Promise<SchemaFacts> => {
    if (prepared !== undefined && (prepared.migrated || !migrate)) return prepared.schema;
    hooks?.onStep?.('prepare', 'start');
    try {
      return await prepareNow(migrate);
    } finally {
      hooks?.onStep?.('prepare', 'end');
    }
  };
  const prepareNow = async (migrate: boolean): Promise<SchemaFacts> => {
    let schema = await checkSchema(database.db, database.dialect, config.database);
    if (migrate) {
      await checkWritePrivileges(database.db, database.dialect); // before the migration writes anything
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) {
        logger.info('bookkeeping tables created or updated', { migrations: applied });
        schema = await checkSchema(database.db, database.dialect);
      }
    }
    if (prepared === undefined) {
      warnOfUncheckedCollations(logger, schema);
      warnOfRecordingSchema({ schema, logger, memory }, config.recordByDefault, { setting: 'AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT' });
    }
    prepared = { schema, migrated: migrate };
    return schema;
  };

  const dependencies = (schema: SchemaFacts): RunDependencies => ({
    config,
    database,
    schema,
    ec2For: setup.ec2For,
    readKeys: setup.readKeys,
    logger,
    memory,
    ...(setup.accounts ? { accounts: setup.accounts } : {}),
  });
  const reconcile = async (dryRun: boolean, signal: AbortSignal | undefined): Promise<RunReport> => {
    const schema = await prepare(!dryRun);
    signal?.throwIfAborted();
    return runOnce(dependencies(schema), { dryRun, ...(signal === undefined ? {} : { signal }) });
  };

  return {
    async run({ dryRun, signal }) {
      // The first contact is the schema check, outside the lock: an unreachable or wrong database is named plainly.
      await prepare(false);
      if (dryRun) return { locked: false, report: await reconcile(true, signal) };
      const outcome = await withRunLock(database.db, database.dialect, config.ownerId, logger, () => reconcile(false, signal));
      return outcome.acquired ? { locked: false, report: outcome.value } : { locked: true };
    },
    async runEvents(targets, options = {}) {
      // Usually a full run has migrated already; if not, Kysely's migrator takes its own lock for the migrations.
      const schema = await prepare(true);
      options.signal?.throwIfAborted();
      return runEventBatch(dependencies(schema), targets, options);
    },
    async recordEventQueue(record) {
      await prepare(true);
      await recordEventQueue(database.db, record);
    },
    close: () => closeDatabase(database),
  };
}

/** The database with the observer's plugin on every query (the same pool: `destroy()` still ends it). */
function observed(database: GuacamoleDatabase, plugin: KyselyPlugin | undefined): GuacamoleDatabase {
  return plugin === undefined ? database : { ...database, db: database.db.withPlugin(plugin) };
}

async function closeDatabase(database: GuacamoleDatabase): Promise<void> {
  await database.db.destroy().catch(() => undefined);
}

/** A name collation our keys were not checked against (a language tailoring, MySQL 8's 0900): names may still clash. */
function warnOfUncheckedCollations(logger: Logger, schema: SchemaFacts): void {
  for (const [column, collation] of Object.entries(schema.nameCollations ?? {})) {
    if (!collation.covered) {
      logger.warn(
        'the collation of a name column is not one the daemon was checked against: two names it counts as equal may be refused (reported per instance)',
        { column, collation: collation.name },
      );
    }
  }
}
