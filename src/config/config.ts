import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import cron from 'node-cron';
import { ConfigError } from '../shared/errors.js';
import { parseFilters, type InstanceFilter } from './filters.js';
import { checkKsmConfig } from './ksm-config.js';
import { ADDRESS_KINDS, DEFAULT_ADDRESS_ORDER, DEFAULT_LISTING_TIMEOUT_MS, type AddressKind, type Policy } from './setting-values.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../shared/logger.js';
import { DATABASE_PREFIXES, type DatabaseField } from './settings.js';
import { parseAccountFolder, parseAssumeRoles, type AccountSpec, type FolderTemplate } from './accounts.js';
import type { RawSettings } from './env.js';

export type Dialect = keyof typeof DATABASE_PREFIXES;

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
  /** node-cron expression for the daemon's runs (validated). */
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

export interface Secrets {
  /** Static AWS keys; both empty means the SDK's default credential chain (see src/aws/credentials.ts). */
  readonly awsAccessKeyId: string;
  readonly awsSecretKey: string;
  readonly databasePassword: string;
  /** Keeper Secrets Manager configuration (base64 JSON), when keys come from a vault. */
  readonly ksmConfig?: string;
  /** External ids by role ARN (`AWS_DISCOVERY_ASSUME_ROLES` entries `ARN|external-id`). */
  readonly externalIds?: Readonly<Record<string, string>>;
}

export const DEFAULTS = {
  basePath: 'Amazon EC2',
  adminGroup: 'AWS EC2 Administrators',
  keysDir: '/etc/guacamole/cloud-connector-secrets/aws',
  ownerId: 'default',
  pageSize: 1000,
  listingTimeoutSeconds: DEFAULT_LISTING_TIMEOUT_MS / 1000,
  schedule: '* * * * *',
  metricsAddress: '127.0.0.1',
  healthMaxAgeSeconds: 600,
  maxDeletePercent: 50,
  dbLockTimeoutSeconds: 30,
} as const;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const OWNER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const NAME_LIMIT = 128;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** Pure: validates raw settings, applies defaults, and reports every problem at once by setting name. */
export function parseConfig(raw: RawSettings, readProblems: readonly string[] = []): { config: Config; secrets: Secrets } {
  const problems = [...readProblems];
  const p = new Parser(raw, problems);

  const accessKeyId = p.text('AWS_DISCOVERY_ACCESS_KEY_ID');
  const secretKey = p.text('AWS_DISCOVERY_SECRET_KEY');
  // Both or neither: neither means the SDK's default credential chain.
  if (accessKeyId === undefined && secretKey !== undefined) {
    problems.push('AWS_DISCOVERY_ACCESS_KEY_ID: missing while AWS_DISCOVERY_SECRET_KEY is set (set both, or neither for the default credential chain)');
  }
  if (secretKey === undefined && accessKeyId !== undefined) {
    problems.push('AWS_DISCOVERY_SECRET_KEY: missing while AWS_DISCOVERY_ACCESS_KEY_ID is set (set both, or neither for the default credential chain)');
  }

  const allRegions = ['*', 'all'].includes(raw.AWS_DISCOVERY_REGIONS?.trim().toLowerCase() ?? '');
  const roles = p.assumeRoles();
  const config = {
    regions: allRegions ? [] : p.regions(),
    allRegions,
    ec2Endpoint: p.url('AWS_DISCOVERY_EC2_ENDPOINT'),
    stsEndpoint: p.url('AWS_DISCOVERY_STS_ENDPOINT'),
    iamEndpoint: p.url('AWS_DISCOVERY_IAM_ENDPOINT'),
    accounts: roles?.accounts,
    accountFolder: p.accountFolder(),
    basePath: p.basePath(),
    adminGroup: p.name('AWS_DISCOVERY_ADMIN_GROUP', DEFAULTS.adminGroup),
    recordByDefault: p.boolean('AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT', false),
    keysDir: p.absolutePath('AWS_DISCOVERY_KEYS_DIR') ?? DEFAULTS.keysDir,
    ownerId: p.matching('AWS_DISCOVERY_OWNER_ID', OWNER_ID, 'letters, digits, ".", "_" or "-", at most 64') ?? DEFAULTS.ownerId,
    pageSize: p.integer('AWS_DISCOVERY_PAGE_SIZE', 5, 1000) ?? DEFAULTS.pageSize,
    listingTimeoutSeconds: p.integer('AWS_DISCOVERY_LISTING_TIMEOUT', 10, 3600) ?? DEFAULTS.listingTimeoutSeconds,
    database: p.database(),
    logLevel: p.oneOf('AWS_DISCOVERY_LOG_LEVEL', LOG_LEVELS) ?? 'info',
    logFormat: p.oneOf('AWS_DISCOVERY_LOG_FORMAT', ['json', 'text'] as const),
    keeperVault: p.ksmConfig() !== undefined,
    schedule: p.schedule(),
    metricsPort: p.integer('AWS_DISCOVERY_METRICS_PORT', 1, 65535),
    metricsAddress: p.host('AWS_DISCOVERY_METRICS_ADDRESS') ?? DEFAULTS.metricsAddress,
    healthMaxAgeSeconds: p.integer('AWS_DISCOVERY_HEALTH_MAX_AGE', 10, 7 * 24 * 3600) ?? DEFAULTS.healthMaxAgeSeconds,
    policy: p.oneOf('AWS_DISCOVERY_POLICY', ['sync', 'upsert-only', 'create-only'] as const) ?? 'sync',
    maxDeletePercent: p.integer('AWS_DISCOVERY_MAX_DELETE_PERCENT', 0, 100) ?? DEFAULTS.maxDeletePercent,
    maxDeleteCount: p.integer('AWS_DISCOVERY_MAX_DELETE_COUNT', 0, 10_000_000),
    allowMassDelete: p.boolean('AWS_DISCOVERY_ALLOW_MASS_DELETE', false),
    addressOrder: p.list('AWS_DISCOVERY_ADDRESS', ADDRESS_KINDS) ?? DEFAULT_ADDRESS_ORDER,
    filters: p.filters(),
    pinHostKeys: p.boolean('AWS_DISCOVERY_PIN_HOST_KEYS', false),
    trustHostnameTag: p.boolean('AWS_DISCOVERY_TRUST_HOSTNAME_TAG', false),
    dbLockTimeoutSeconds: p.integer('AWS_DISCOVERY_DB_LOCK_TIMEOUT', 1, 3600) ?? DEFAULTS.dbLockTimeoutSeconds,
  };
  if (problems.length > 0 || config.database === undefined) throw new ConfigError(problems);
  return {
    config: { ...config, database: config.database },
    secrets: {
      awsAccessKeyId: accessKeyId ?? '',
      awsSecretKey: secretKey ?? '',
      databasePassword: raw[`${DATABASE_PREFIXES[config.database.dialect]}_PASSWORD`] ?? '',
      ...(config.keeperVault ? { ksmConfig: p.text('AWS_DISCOVERY_KSM_CONFIG') as string } : {}),
      ...(roles === undefined || Object.keys(roles.externalIds).length === 0 ? {} : { externalIds: roles.externalIds }),
    },
  };
}

/** Reads one setting at a time, recording problems instead of stopping at the first. */
class Parser {
  constructor(
    private readonly raw: RawSettings,
    private readonly problems: string[],
  ) {}

  /** A trimmed value; empty counts as unset. */
  text(name: string): string | undefined {
    const value = this.raw[name]?.trim();
    return value === '' ? undefined : value;
  }

  regions(): string[] {
    const name = 'AWS_DISCOVERY_REGIONS';
    const value = this.text(name);
    if (value === undefined) {
      this.problems.push(`${name}: required (comma-separated AWS regions, e.g. us-east-1,eu-west-1, or * for every enabled region)`);
      return [];
    }
    const regions = [...new Set(value.split(',').map((r) => r.trim()).filter((r) => r !== ''))];
    const bad = regions.filter((r) => !REGION.test(r));
    if (bad.length > 0) this.problems.push(`${name}: not a region name: ${bad.join(', ')} (expected e.g. us-east-1)`);
    if (regions.length === 0) this.problems.push(`${name}: names no region`);
    return regions;
  }

  assumeRoles(): { accounts: AccountSpec[]; externalIds: Record<string, string> } | undefined {
    const name = 'AWS_DISCOVERY_ASSUME_ROLES';
    const value = this.text(name);
    if (value === undefined) return undefined;
    const parsed = parseAssumeRoles(name, value);
    if ('problems' in parsed) {
      this.problems.push(...parsed.problems);
      return undefined;
    }
    return parsed;
  }

  accountFolder(): FolderTemplate | undefined {
    const name = 'AWS_DISCOVERY_ACCOUNT_FOLDER';
    // An explicitly empty value is a mistake worth naming, not the default.
    const raw = this.raw[name];
    const parsed = parseAccountFolder(name, raw);
    if ('problems' in parsed) {
      this.problems.push(...parsed.problems);
      return undefined;
    }
    return parsed.template;
  }

  schedule(): string {
    const name = 'AWS_DISCOVERY_SCHEDULE';
    const value = this.text(name);
    if (value === undefined) return DEFAULTS.schedule;
    if (cron.validate(value)) return value;
    this.problems.push(`${name}: not a cron expression: "${value}" (e.g. "*/5 * * * *" for every five minutes)`);
    return DEFAULTS.schedule;
  }

  url(name: string): string | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: not an http(s) URL: ${value}`);
    return undefined;
  }

  basePath(): string[] {
    const name = 'AWS_DISCOVERY_INSTANCE_BASE_PATH';
    const segments = (this.raw[name] ?? DEFAULTS.basePath).split('/').map((s) => s.trim()).filter((s) => s !== '');
    if (segments.length === 0) {
      this.problems.push(`${name}: must name at least one folder (Guacamole does not keep names unique at ROOT)`);
    }
    for (const segment of segments) {
      if ([...segment].length > NAME_LIMIT) this.problems.push(`${name}: folder "${segment.slice(0, 20)}…" is longer than ${NAME_LIMIT} characters`);
      if (/\p{Cc}/u.test(segment)) this.problems.push(`${name}: contains a control character`);
    }
    return segments;
  }

  name(name: string, fallback: string): string {
    const value = this.text(name) ?? fallback;
    if ([...value].length > NAME_LIMIT) this.problems.push(`${name}: longer than ${NAME_LIMIT} characters`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', 'yes', '1', 'on'].includes(value)) return true;
    if (['false', 'no', '0', 'off'].includes(value)) return false;
    this.problems.push(`${name}: expected true or false, got "${value}"`);
    return fallback;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
    return undefined;
  }

  /** A path that does not depend on the working folder the daemon happens to start in. */
  absolutePath(name: string): string | undefined {
    const value = this.text(name);
    if (value === undefined || isAbsolute(value)) return value;
    this.problems.push(`${name}: expected an absolute path, got "${value}"`);
    return undefined;
  }

  /**
   * A host name or an IP address (a pasted URL, `user@host` or `host:port` is a mistake worth naming); for PostgreSQL
   * also a socket folder (an absolute path), which node-postgres accepts as its host.
   */
  host(name: string): string | undefined {
    const value = this.text(name);
    if (value === undefined || isIP(value) !== 0 || HOST_NAME.test(value)) return value;
    if (name.startsWith('POSTGRESQL_') && isAbsolute(value)) return value;
    this.problems.push(`${name}: expected a host name or IP address, got "${value}"`);
    return undefined;
  }

  matching(name: string, pattern: RegExp, description: string): string | undefined {
    const value = this.text(name);
    if (value === undefined || pattern.test(value)) return value;
    this.problems.push(`${name}: expected ${description}`);
    return undefined;
  }

  /** The KSM configuration, checked for shape; problems never quote it (it is a secret). */
  ksmConfig(): string | undefined {
    const name = 'AWS_DISCOVERY_KSM_CONFIG';
    const value = this.text(name);
    if (value === undefined) return undefined;
    const problem = checkKsmConfig(value);
    if (problem !== undefined) this.problems.push(`${name}: ${problem}`);
    return value;
  }

  filters(): InstanceFilter[] | undefined {
    const name = 'AWS_DISCOVERY_FILTERS';
    const value = this.text(name);
    if (value === undefined) return undefined;
    const parsed = parseFilters(value);
    if ('problem' in parsed) {
      this.problems.push(`${name}: ${parsed.problem}`);
      return undefined;
    }
    return parsed.filters;
  }

  /** A comma-separated list of distinct allowed words, in the given order. */
  list<T extends string>(name: string, values: readonly T[]): T[] | undefined {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return undefined;
    const items = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
    const bad = items.filter((v) => !(values as readonly string[]).includes(v));
    if (bad.length > 0 || items.length === 0) {
      this.problems.push(`${name}: expected a comma-separated list of ${values.join(', ')}${bad.length > 0 ? `; unknown: ${bad.join(', ')}` : ''}`);
      return undefined;
    }
    return [...new Set(items)] as T[];
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return undefined;
    if ((values as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name}: expected one of ${values.join(', ')}, got "${value}"`);
    return undefined;
  }

  database(): DatabaseConfig | undefined {
    const configured = (Object.keys(DATABASE_PREFIXES) as Dialect[]).filter((dialect) =>
      ['HOSTNAME', 'PORT', 'DATABASE', 'USERNAME', 'PASSWORD'].some((f) => this.raw[`${DATABASE_PREFIXES[dialect]}_${f}`] !== undefined),
    );
    if (configured.length !== 1) {
      this.problems.push(
        configured.length === 0
          ? 'POSTGRESQL_* or MYSQL_*: no database configured (set POSTGRESQL_DATABASE, POSTGRESQL_USERNAME, POSTGRESQL_PASSWORD, … or the MYSQL_ ones)'
          : 'POSTGRESQL_* and MYSQL_*: both databases are configured; set only the one Guacamole uses',
      );
      return undefined;
    }
    const dialect = configured[0] as Dialect;
    const prefix = DATABASE_PREFIXES[dialect];
    const field = (f: DatabaseField) => `${prefix}_${f}`;
    const database = this.text(field('DATABASE'));
    const user = this.text(field('USERNAME'));
    if (database === undefined) this.problems.push(`${field('DATABASE')}: required`);
    if (user === undefined) this.problems.push(`${field('USERNAME')}: required`);
    if (this.raw[field('PASSWORD')] === undefined) this.problems.push(`${field('PASSWORD')}: required`);
    const port = this.integer(field('PORT'), 1, 65535) ?? (dialect === 'postgres' ? 5432 : 3306);
    return { dialect, host: this.host(field('HOSTNAME')) ?? 'localhost', port, database: database ?? '', user: user ?? '' };
  }
}
