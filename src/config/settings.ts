/**
 * Every setting the program reads, by its documented environment name. `secret` settings are kept out of the
 * logged configuration. The database names are the ones Guacamole's own Docker image uses.
 */
export interface SettingDefinition {
  readonly name: string;
  readonly secret?: boolean;
}

export const AWS_SETTINGS = [
  { name: 'AWS_DISCOVERY_ACCESS_KEY_ID' },
  { name: 'AWS_DISCOVERY_SECRET_KEY', secret: true },
  { name: 'AWS_DISCOVERY_REGIONS' },
  { name: 'AWS_DISCOVERY_INSTANCE_BASE_PATH' },
  { name: 'AWS_DISCOVERY_ADMIN_GROUP' },
  { name: 'AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT' },
  { name: 'AWS_DISCOVERY_KEYS_DIR' },
  { name: 'AWS_DISCOVERY_EC2_ENDPOINT' },
  { name: 'AWS_DISCOVERY_STS_ENDPOINT' },
  { name: 'AWS_DISCOVERY_IAM_ENDPOINT' },
  { name: 'AWS_DISCOVERY_ASSUME_ROLES' },
  { name: 'AWS_DISCOVERY_ACCOUNT_FOLDER' },
  { name: 'AWS_DISCOVERY_OWNER_ID' },
  { name: 'AWS_DISCOVERY_PAGE_SIZE' },
  { name: 'AWS_DISCOVERY_LISTING_TIMEOUT' },
  { name: 'AWS_DISCOVERY_LOG_LEVEL' },
  { name: 'AWS_DISCOVERY_LOG_FORMAT' },
  { name: 'AWS_DISCOVERY_KSM_CONFIG', secret: true },
  { name: 'AWS_DISCOVERY_SCHEDULE' },
  { name: 'AWS_DISCOVERY_METRICS_PORT' },
  { name: 'AWS_DISCOVERY_METRICS_ADDRESS' },
  { name: 'AWS_DISCOVERY_HEALTH_MAX_AGE' },
  { name: 'AWS_DISCOVERY_POLICY' },
  { name: 'AWS_DISCOVERY_MAX_DELETE_PERCENT' },
  { name: 'AWS_DISCOVERY_MAX_DELETE_COUNT' },
  { name: 'AWS_DISCOVERY_ALLOW_MASS_DELETE' },
  { name: 'AWS_DISCOVERY_ADDRESS' },
  { name: 'AWS_DISCOVERY_FILTERS' },
  { name: 'AWS_DISCOVERY_PIN_HOST_KEYS' },
  { name: 'AWS_DISCOVERY_TRUST_HOSTNAME_TAG' },
  { name: 'AWS_DISCOVERY_DB_LOCK_TIMEOUT' },
] as const satisfies readonly SettingDefinition[];

const DB_FIELDS = ['HOSTNAME', 'PORT', 'DATABASE', 'USERNAME', 'PASSWORD'] as const;
export type DatabaseField = (typeof DB_FIELDS)[number];

export const DATABASE_PREFIXES = { postgres: 'POSTGRESQL', mysql: 'MYSQL' } as const;

export const DATABASE_SETTINGS: readonly SettingDefinition[] = Object.values(DATABASE_PREFIXES).flatMap((prefix) =>
  DB_FIELDS.map((field) => ({ name: `${prefix}_${field}`, secret: field === 'PASSWORD' })),
);

export const ALL_SETTINGS: readonly SettingDefinition[] = [...AWS_SETTINGS, ...DATABASE_SETTINGS];

/**
 * Older names still accepted (with a deprecation warning), as Guacamole's image accepts them:
 * the whole `POSTGRES_` prefix, `POSTGRESQL_USER` and `MYSQL_USER`.
 */
export function legacyNamesFor(name: string): readonly string[] {
  const names: string[] = [];
  if (name.startsWith('POSTGRESQL_')) names.push(`POSTGRES_${name.slice('POSTGRESQL_'.length)}`);
  if (name === 'POSTGRESQL_USERNAME') names.push('POSTGRESQL_USER', 'POSTGRES_USER');
  if (name === 'MYSQL_USERNAME') names.push('MYSQL_USER');
  return names;
}

export function isSecretSetting(name: string): boolean {
  return ALL_SETTINGS.some((s) => s.name === name && s.secret === true);
}

/**
 * The `guacamole.properties` name of a setting: lower case, `_` → `-`. `AWS_DISCOVERY_REGIONS` is
 * `aws-discovery-regions`; the database names come out as Guacamole's own JDBC properties (`postgresql-hostname`,
 * `mysql-username`, …). Derived, so a setting added to the lists above gets its property name for free.
 */
export function propertyNameOf(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/** Setting name by property name, for every setting in ALL_SETTINGS. */
export function settingsByPropertyName(): ReadonlyMap<string, string> {
  return new Map(ALL_SETTINGS.map(({ name }) => [propertyNameOf(name), name]));
}
