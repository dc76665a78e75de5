import { checkKsmConfig } from './ksm-config.js';
import { configField, readFirst, settingGroup, splitField, type ConfigEntry } from './config-entry.js';
import { DATABASE } from './database-settings.js';
import { EVENTS_SCHEDULE, parseEventsQueueUrl } from './events-queue.js';
import { parseFilters } from './filters.js';
import { LOG_LEVELS } from '../shared/log-levels.js';
import { setting, type SettingDefinition } from './setting.js';
import { absolutePath, boolean, checked, guacamoleName, host, integer, listOf, matching, oneOf, text, trimmed, url } from './setting-kinds.js';
import { accountFolder, cronSchedule, folderPath, parseRegions, parseRoles } from './setting-parsers.js';
import { ADDRESS_KINDS, DEFAULT_ADDRESS_ORDER, DEFAULT_LISTING_TIMEOUT_MS } from './setting-values.js';

/**
 * Every setting the program reads, declared once: its documented environment name (its guacamole.properties key is
 * derived from it), whether it is a secret, its parser and its default. The environment reader (env.ts), the
 * properties-file reader (config-sources.ts), parseConfig (config.ts) and the documentation checks all read this table.
 *
 * Entries are in the order parseConfig reports problems, which is also the order of Config's fields.
 */

export { DATABASE_PREFIXES, type DatabaseField } from './database-settings.js';
export { propertyNameOf, type SettingDefinition } from './setting.js';

const ACCESS_KEY_ID = text('AWS_DISCOVERY_ACCESS_KEY_ID');
const SECRET_KEY = text('AWS_DISCOVERY_SECRET_KEY', { secret: true });

/** Static AWS keys, both or neither: neither means the SDK's default credential chain. */
const AWS_KEYS = settingGroup([ACCESS_KEY_ID, SECRET_KEY], (raw, problems) => {
  const awsAccessKeyId = ACCESS_KEY_ID.read(raw, problems);
  const awsSecretKey = SECRET_KEY.read(raw, problems);
  const pair = (missing: string, present: string) =>
    `${missing}: missing while ${present} is set (set both, or neither for the default credential chain)`;
  if (awsAccessKeyId === undefined && awsSecretKey !== undefined) problems.push(pair(ACCESS_KEY_ID.name, SECRET_KEY.name));
  if (awsSecretKey === undefined && awsAccessKeyId !== undefined) problems.push(pair(SECRET_KEY.name, ACCESS_KEY_ID.name));
  return { secrets: { awsAccessKeyId: awsAccessKeyId ?? '', awsSecretKey: awsSecretKey ?? '' } };
});

const EVENTS_QUEUE_URL = checked('AWS_DISCOVERY_EVENTS_QUEUE_URL', parseEventsQueueUrl);
const SCHEDULE = cronSchedule('AWS_DISCOVERY_SCHEDULE', '* * * * *');

/** Event mode's queue, and the schedule of full listings: hourly by default when events keep the connections current. */
const EVENTS_AND_SCHEDULE = settingGroup([EVENTS_QUEUE_URL, SCHEDULE], (raw, problems) => {
  const eventsQueue = EVENTS_QUEUE_URL.read(raw, problems);
  const scheduleGiven = trimmed(raw[SCHEDULE.name]) !== undefined;
  const schedule = SCHEDULE.read(raw, problems);
  return {
    config: {
      ...(eventsQueue === undefined ? {} : { eventsQueue }),
      schedule: eventsQueue !== undefined && !scheduleGiven ? EVENTS_SCHEDULE : schedule,
    },
  };
});

const HEALTH_MAX_AGE_SECONDS = integer('AWS_DISCOVERY_HEALTH_MAX_AGE', 10, 7 * 24 * 3600, 600);
/**
 * The default in event mode with the hourly default schedule: one failed full listing is followed by an hour without
 * one, which 600 s would call unhealthy at once; two hours tolerate one failed listing.
 */
export const EVENT_MODE_HEALTH_MAX_AGE = 7200;

/**
 * How long /healthz tolerates failing runs (or a failing events queue); `status` reads it too (the queue's verdict).
 * Only the presence of the queue URL and the schedule is read here (not their values): `status` checks neither.
 */
export const HEALTH_MAX_AGE: ConfigEntry = settingGroup([HEALTH_MAX_AGE_SECONDS], (raw, problems) => {
  const given = trimmed(raw[HEALTH_MAX_AGE_SECONDS.name]) !== undefined;
  const value = HEALTH_MAX_AGE_SECONDS.read(raw, problems);
  const hourly = trimmed(raw[EVENTS_QUEUE_URL.name]) !== undefined && trimmed(raw[SCHEDULE.name]) === undefined;
  return { config: { healthMaxAgeSeconds: !given && hourly ? EVENT_MODE_HEALTH_MAX_AGE : value } };
});

const OWNER_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Whose connections and runs these are; `status` reads it too. */
export const OWNER: ConfigEntry = configField(
  'ownerId',
  matching('AWS_DISCOVERY_OWNER_ID', OWNER_ID, 'letters, digits, ".", "_" or "-", at most 64', 'default'),
);

export const SETTINGS_TABLE: readonly ConfigEntry[] = [
  AWS_KEYS,
  // The roles have always been checked before the regions and endpoints, though Config lists the accounts after them.
  readFirst(
    splitField(setting('AWS_DISCOVERY_ASSUME_ROLES', parseRoles), (roles) => ({
      config: { accounts: roles?.accounts },
      secrets: roles === undefined || Object.keys(roles.externalIds).length === 0 ? {} : { externalIds: roles.externalIds },
    })),
    [
      splitField(setting('AWS_DISCOVERY_REGIONS', parseRegions), (value) => ({ config: value })),
      configField('ec2Endpoint', url('AWS_DISCOVERY_EC2_ENDPOINT')),
      configField('stsEndpoint', url('AWS_DISCOVERY_STS_ENDPOINT')),
      configField('iamEndpoint', url('AWS_DISCOVERY_IAM_ENDPOINT')),
    ],
  ),
  configField('accountFolder', accountFolder('AWS_DISCOVERY_ACCOUNT_FOLDER')),
  configField('basePath', folderPath('AWS_DISCOVERY_INSTANCE_BASE_PATH', 'Amazon EC2')),
  configField('adminGroup', guacamoleName('AWS_DISCOVERY_ADMIN_GROUP', 'AWS EC2 Administrators')),
  configField('recordByDefault', boolean('AWS_DISCOVERY_RECORD_CONNECTIONS_BY_DEFAULT', false)),
  configField('keysDir', absolutePath('AWS_DISCOVERY_KEYS_DIR', '/etc/guacamole/cloud-connector-secrets/aws')),
  OWNER,
  configField('pageSize', integer('AWS_DISCOVERY_PAGE_SIZE', 5, 1000, 1000)),
  configField('listingTimeoutSeconds', integer('AWS_DISCOVERY_LISTING_TIMEOUT', 10, 3600, DEFAULT_LISTING_TIMEOUT_MS / 1000)),
  DATABASE,
  configField('logLevel', oneOf('AWS_DISCOVERY_LOG_LEVEL', LOG_LEVELS, 'info')),
  configField('logFormat', oneOf('AWS_DISCOVERY_LOG_FORMAT', ['json', 'text'] as const)),
  splitField(checked('AWS_DISCOVERY_KSM_CONFIG', ksmConfigValue, { secret: true }), (ksmConfig) => ({
    config: { keeperVault: ksmConfig !== undefined },
    secrets: ksmConfig === undefined ? {} : { ksmConfig },
  })),
  EVENTS_AND_SCHEDULE,
  configField('metricsPort', integer('AWS_DISCOVERY_METRICS_PORT', 1, 65535)),
  configField('metricsAddress', host('AWS_DISCOVERY_METRICS_ADDRESS', '127.0.0.1')),
  HEALTH_MAX_AGE,
  configField('policy', oneOf('AWS_DISCOVERY_POLICY', ['sync', 'upsert-only', 'create-only'] as const, 'sync')),
  configField('maxDeletePercent', integer('AWS_DISCOVERY_MAX_DELETE_PERCENT', 0, 100, 50)),
  configField('maxDeleteCount', integer('AWS_DISCOVERY_MAX_DELETE_COUNT', 0, 10_000_000)),
  configField('allowMassDelete', boolean('AWS_DISCOVERY_ALLOW_MASS_DELETE', false)),
  configField('addressOrder', listOf('AWS_DISCOVERY_ADDRESS', ADDRESS_KINDS, DEFAULT_ADDRESS_ORDER)),
  configField('filters', checked('AWS_DISCOVERY_FILTERS', filtersValue)),
  configField('pinHostKeys', boolean('AWS_DISCOVERY_PIN_HOST_KEYS', false)),
  configField('trustHostnameTag', boolean('AWS_DISCOVERY_TRUST_HOSTNAME_TAG', false)),
  configField('dbLockTimeoutSeconds', integer('AWS_DISCOVERY_DB_LOCK_TIMEOUT', 1, 3600, 30)),
];

/** The KSM configuration, checked for shape without calling Keeper; the problem never quotes it (it is a secret). */
function ksmConfigValue(value: string): { value: string } | { problem: string } {
  const problem = checkKsmConfig(value);
  return problem === undefined ? { value } : { problem };
}

function filtersValue(value: string) {
  const parsed = parseFilters(value);
  return 'problem' in parsed ? parsed : { value: parsed.filters };
}

/** Every setting, ours in table order and then Guacamole's database settings: what the readers look for, in this order. */
export const ALL_SETTINGS: readonly SettingDefinition[] = [
  ...SETTINGS_TABLE.filter((entry) => entry !== DATABASE).flatMap((entry) => entry.settings),
  ...DATABASE.settings,
];

/** Setting name by property name, for every setting. */
export function settingsByPropertyName(): ReadonlyMap<string, string> {
  return new Map(ALL_SETTINGS.map(({ name, property }) => [property, name]));
}

