import type { ConfigWithoutDatabase } from '../config/config.js';
import type { CharacterSet } from '../desired/names.js';
import type { Ec2Api } from '../discover/ec2-client.js';
import type { KeySource } from '../enrich/keys/key-types.js';
import { formatFirstLook } from '../plan/format-first-look.js';
import type { Logger } from '../shared/logger.js';
import type { SchemaFacts } from '../store/schema-check.js';
import { readFleet } from './fleet-step.js';
import { logWritten } from './log-changes.js';
import type { PipelineDependencies } from './run-dependencies.js';
import { reportSummary, runReport, type RunReport } from './run-report.js';
import type { Runtime } from './runtime.js';
import { planFirstRun } from './write-step.js';

/**
 * What a first look assumes of the Guacamole it cannot see: no bookkeeping yet, the `parameter_value` length of
 * Guacamole up to 1.6.0 (the smaller one: a key that fits here fits every version), and names compared as the
 * planner does when the collation is not read. The version is unknown, so no recording warning.
 */
const UNSEEN_SCHEMA: SchemaFacts = {
  parameterValueLimit: 4096,
  hasBookkeeping: false,
  hasSecretDigest: false,
  hasGrantRecords: false,
  auditPermission: undefined,
};

/** PostgreSQL's: names keep every character (on MySQL/MariaDB a 4-byte character in a name would become U+FFFD). */
const UNSEEN_CHARSET: CharacterSet = 'utf8mb4';

export interface FirstLookSetup {
  readonly config: ConfigWithoutDatabase;
  readonly logger: Logger;
  readonly ec2For: (scope: string) => Ec2Api;
  readonly accounts?: PipelineDependencies['accounts'];
  readonly readKeys: KeySource;
}

/**
 * A first look: `--once --dry-run` with no database configured. The real steps (discover → enrich → desired) read
 * EC2 and the keys exactly as a dry run does (DescribeImages without a cache, GetPasswordData for Windows passwords),
 * then the plan is made against an empty Guacamole: what a first run would create. No database is opened.
 */
export async function firstLook(setup: FirstLookSetup, signal?: AbortSignal): Promise<RunReport> {
  const started = Date.now();
  const { config, logger } = setup;
  logger.info('no database configured: a first look at what a first run would create; no database is contacted');
  const deps: PipelineDependencies = { ...setup, schema: UNSEEN_SCHEMA };
  const options = { dryRun: true, ...(signal === undefined ? {} : { signal }) };
  const { discovery, enrichment, mapping, wanted } = await readFleet(deps, options, UNSEEN_CHARSET);
  const { fleet } = discovery;
  const written = planFirstRun({ config, schema: UNSEEN_SCHEMA, allowMassDelete: config.allowMassDelete }, wanted);
  logWritten(logger, written, { dryRun: true, adminGroup: config.adminGroup });

  const plan = formatFirstLook({
    changes: written.changes,
    instances: fleet.instances,
    skipped: mapping.skipped,
    failed: fleet.failed,
    keys: enrichment.keys,
    passwords: enrichment.passwords.outcomes,
    keeperVault: config.keeperVault,
    adminGroup: config.adminGroup,
    keysDir: config.keysDir,
  });
  const report = runReport({ fleet, enrichment, mapping, written, skipped: mapping.skipped, durationMs: Date.now() - started, dryRun: true, plan });
  logger.info('dry run finished; nothing was written', { ...reportSummary(report), database: 'none' });
  return report;
}

/** The runtime of a first look: dry runs only, nothing to prepare or close (the EC2 clients belong to the caller). */
export function createFirstLookRuntime(setup: FirstLookSetup): Runtime {
  return {
    async run({ dryRun, signal }) {
      if (!dryRun) throw new Error('without a database only a dry run is possible');
      return { locked: false, report: await firstLook(setup, signal) };
    },
    runEvents: async () => {
      throw new Error('event mode needs a database');
    },
    recordEventQueue: async () => {
      throw new Error('event mode needs a database');
    },
    close: async () => {},
  };
}
