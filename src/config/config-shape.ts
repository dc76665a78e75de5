import type { InstanceFilter } from './filters.js';
import type { AddressKind, Policy } from './setting-values.js';
import type { LogFormat, LogLevel } from '../shared/log-levels.js';
import type { AccountSpec, FolderTemplate } from './accounts.js';
import type { EventsQueueConfig } from './events-queue.js';

/** What parseConfig returns: the configuration (safe to log) and the secrets (never logged). */

/** Guacamole's two database engines, by the name of their Kysely dialect. */
export type Dialect = 'postgres' | 'mysql';

export interface DatabaseConfig {
  readonly dialect: Dialect;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** Everything but secrets: safe to log as it is. */
export interface Config {
  /** Empty when `allRegions` is set. */
  readonly regions: readonly string[];
  /** `AWS_DISCOVERY_REGIONS=*` (or `all`): every region enabled for the account, from DescribeRegions. */
  readonly allRegions: boolean;
  readonly ec2Endpoint?: string;
  /** STS and IAM endpoint URLs (tests, VPC endpoints); unset: AWS's own. */
  readonly stsEndpoint?: string;
  readonly iamEndpoint?: string;
  /**
   * `AWS_DISCOVERY_ASSUME_ROLES`: the accounts to read; undefined (unset): only the credentials' own account, with
   * region scopes and `region/id` keys as before accounts existed.
   */
  readonly accounts?: readonly AccountSpec[];
  /** `AWS_DISCOVERY_ACCOUNT_FOLDER` split into segments; undefined: `none` (applies only with `accounts`). */
  readonly accountFolder?: FolderTemplate;
  /** Folder names from ROOT under which every connection is placed. */
  readonly basePath: readonly string[];
  readonly adminGroup: string;
  readonly recordByDefault: boolean;
  readonly keysDir: string;
  /** Tags this daemon's objects in its bookkeeping so several daemons can share one database. */
  readonly ownerId: string;
  readonly pageSize: number;
  /** Deadline (s) for listing one region of one account: every DescribeInstances page and DescribeImages call. */
  readonly listingTimeoutSeconds: number;
  readonly database: DatabaseConfig;
  readonly logLevel: LogLevel;
  /** Undefined: text on a terminal, JSON otherwise. */
  readonly logFormat?: LogFormat;
  /** Keys are looked up in a Keeper vault first (AWS_DISCOVERY_KSM_CONFIG is set; the value itself is a secret). */
  readonly keeperVault: boolean;
  /**
   * Event mode (`AWS_DISCOVERY_EVENTS_QUEUE_URL`): the SQS queue EventBridge sends instance events to; undefined: off.
   */
  readonly eventsQueue?: EventsQueueConfig;
  /** node-cron expression for the daemon's full runs (validated); hourly by default in event mode. */
  readonly schedule: string;
  /** Port of the /healthz and /metrics listener; undefined: no listener. */
  readonly metricsPort?: number;
  readonly metricsAddress: string;
  /** /healthz stays healthy this many seconds after the last successful run, even if later runs fail. */
  readonly healthMaxAgeSeconds: number;
  /** What a run may do: `sync` (default), `upsert-only` (never delete), `create-only` (never update or delete). */
  readonly policy: Policy;
  /** Deletion brake: a run deleting more than this share (percent) or count of managed connections deletes none. */
  readonly maxDeletePercent: number;
  readonly maxDeleteCount?: number;
  /** Turns the deletion brake off (also `--allow-mass-delete` for one run). */
  readonly allowMassDelete: boolean;
  /** Which instance address becomes the connection's hostname, in order of preference. */
  readonly addressOrder: readonly AddressKind[];
  /** DescribeInstances filters (`AWS_DISCOVERY_FILTERS`): instances outside them are not managed. */
  readonly filters?: readonly InstanceFilter[];
  /** Pin SSH host keys read from the instances' console output (`host-key`). */
  readonly pinHostKeys: boolean;
  /**
   * Attach private keys and Windows passwords to a `kcm:hostname` that is not the instance's own address (off by
   * default: anyone who may edit EC2 tags could then send them to any host).
   */
  readonly trustHostnameTag: boolean;
  /** Longest wait for a database lock inside a run's transaction (s); statements and idle gaps are bounded from it. */
  readonly dbLockTimeoutSeconds: number;
}

/** Everything but the database: what a first look (`--once --dry-run` with no database setting) runs with. */
export type ConfigWithoutDatabase = Omit<Config, 'database'>;

export interface Secrets {
  /** Static AWS keys; both empty means the SDK's default credential chain (see src/discover/credentials.ts). */
  readonly awsAccessKeyId: string;
  readonly awsSecretKey: string;
  readonly databasePassword: string;
  /** Keeper Secrets Manager configuration (base64 JSON), when keys come from a vault. */
  readonly ksmConfig?: string;
  /** External ids by role ARN (`AWS_DISCOVERY_ASSUME_ROLES` entries `ARN|external-id`). */
  readonly externalIds?: Readonly<Record<string, string>>;
}

export type SecretsWithoutDatabase = Omit<Secrets, 'databasePassword'>;
