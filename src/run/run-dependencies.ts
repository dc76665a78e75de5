import type { Config, ConfigWithoutDatabase } from '../config/config.js';
import type { AccountAccess } from '../discover/account-directory.js';
import type { DiscoverRegionOptions } from '../discover/discover-region.js';
import type { Ec2Api } from '../discover/ec2-client.js';
import type { FleetSources, ListedFleet } from '../discover/list-fleet.js';
import type { KeySource } from '../enrich/keys/key-types.js';
import type { Logger } from '../shared/logger.js';
import type { GuacamoleDatabase } from '../store/database.js';
import type { SchemaFacts } from '../store/schema-check.js';
import type { RunMemory } from './run-memory.js';

/**
 * What the steps before the plan (discover, enrich, desired) need. Guacamole's database is optional there: they read
 * only caches and the secrets Guacamole already holds, and a first look, which has no database, starts them empty.
 */
export interface PipelineDependencies {
  readonly config: ConfigWithoutDatabase;
  /** Unset: no database (a first look): no image cache, no stored passwords or host keys. */
  readonly database?: GuacamoleDatabase;
  readonly schema: SchemaFacts;
  /** The EC2 client of a scope (`region`, or `<account id>/<region>` with AWS_DISCOVERY_ASSUME_ROLES). */
  readonly ec2For: (scope: string) => Ec2Api;
  /** The accounts of AWS_DISCOVERY_ASSUME_ROLES (see discover/account-directory.ts); unset: the own account only. */
  readonly accounts?: { resolve(): Promise<AccountAccess[]> };
  readonly readKeys: KeySource;
  readonly logger: Logger;
  /** Unset: the run remembers nothing from earlier runs. */
  readonly memory?: RunMemory;
}

/** A run against Guacamole's database: the same steps, then the plan against its state and the write. */
export interface RunDependencies extends PipelineDependencies {
  readonly config: Config;
  readonly database: GuacamoleDatabase;
}

export interface RunOptions {
  readonly dryRun: boolean;
  /** Shutdown: the run stops before its transaction begins. */
  readonly signal?: AbortSignal;
  /** How the run reads EC2; default the full listing (listFleet). An event run describes its batch (see event-run.ts). */
  readonly readFleet?: FleetReader;
}

/** Reads the fleet from EC2: every configured scope, or (with `onlyKeys` in the result) only some instances. */
export type FleetReader = (sources: FleetSources, options: DiscoverRegionOptions) => Promise<ListedFleet>;
