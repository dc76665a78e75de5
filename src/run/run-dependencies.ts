import type { Config } from '../config/config.js';
import type { AccountAccess } from '../discover/account-directory.js';
import type { Ec2Api } from '../discover/ec2-client.js';
import type { KeySource } from '../enrich/keys/key-types.js';
import type { Logger } from '../shared/logger.js';
import type { GuacamoleDatabase } from '../store/database.js';
import type { SchemaFacts } from '../store/schema-check.js';
import type { RunMemory } from './run-memory.js';

export interface RunDependencies {
  readonly config: Config;
  readonly database: GuacamoleDatabase;
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

export interface RunOptions {
  readonly dryRun: boolean;
  /** Shutdown: the run stops before its transaction begins. */
  readonly signal?: AbortSignal;
}
