import { ConfigError } from '../shared/errors.js';
import type { Config, ConfigWithoutDatabase, Secrets, SecretsWithoutDatabase } from './config-shape.js';
import type { ConfigEntry } from './config-entry.js';
import { DATABASE } from './database-settings.js';
import type { RawSettings } from './setting.js';
import { HEALTH_MAX_AGE, OWNER, SETTINGS_TABLE } from './settings.js';

export { databaseConfigured } from './database-settings.js';

export type { Config, ConfigWithoutDatabase, DatabaseConfig, Dialect, Secrets, SecretsWithoutDatabase } from './config-shape.js';
export type { EventsQueueConfig } from './events-queue.js';

/**
 * Pure: validates raw settings, applies defaults, and reports every problem at once by setting name. Each entry of the
 * settings table (settings.ts) reads its settings and fills its part of Config and Secrets, in table order.
 */
export function parseConfig(raw: RawSettings, readProblems: readonly string[] = []): { config: Config; secrets: Secrets } {
  return parseEntries(SETTINGS_TABLE, raw, [...readProblems]) as { config: Config; secrets: Secrets };
}

/**
 * Like parseConfig, without the database settings: for a first look (`--once --dry-run` when no database setting is
 * given at all, see databaseConfigured). Every other setting is checked as for a run, and every read problem counts.
 */
export function parseConfigWithoutDatabase(
  raw: RawSettings,
  readProblems: readonly string[] = [],
): { config: ConfigWithoutDatabase; secrets: SecretsWithoutDatabase } {
  const entries = SETTINGS_TABLE.filter((entry) => entry !== DATABASE);
  return parseEntries(entries, raw, [...readProblems]) as { config: ConfigWithoutDatabase; secrets: SecretsWithoutDatabase };
}

/**
 * What `status` reads: the database, the owner id and the health max age (how long a failing events queue is
 * tolerated), nothing about AWS, keys or the schedule.
 */
export interface StatusConfig {
  readonly config: Pick<Config, 'database' | 'ownerId' | 'healthMaxAgeSeconds'>;
  readonly secrets: Pick<Secrets, 'databasePassword'>;
}

const STATUS_ENTRIES: readonly ConfigEntry[] = [OWNER, HEALTH_MAX_AGE, DATABASE];

/** Names (current and legacy) of the settings status does not read. */
const STATUS_UNUSED_NAMES: readonly string[] = SETTINGS_TABLE.filter((entry) => !STATUS_ENTRIES.includes(entry)).flatMap((entry) =>
  entry.settings.flatMap((s) => [s.name, ...s.legacyNames]),
);

/**
 * Like parseConfig, for `status`: only the database and owner-id settings are checked. A read problem about another
 * setting (an unreadable `AWS_DISCOVERY_SECRET_KEY_FILE`, say) does not stop status: it comes back as a warning.
 */
export function parseStatusConfig(raw: RawSettings, readProblems: readonly string[] = []): StatusConfig & { warnings: string[] } {
  const aboutUnused = (problem: string) => STATUS_UNUSED_NAMES.some((name) => problem.startsWith(`${name}:`) || problem.startsWith(`${name}_FILE:`));
  const warnings = readProblems.filter(aboutUnused).map((problem) => `${problem} (not used by status)`);
  const parsed = parseEntries(STATUS_ENTRIES, raw, readProblems.filter((problem) => !aboutUnused(problem)));
  return { config: parsed.config as StatusConfig['config'], secrets: parsed.secrets as StatusConfig['secrets'], warnings };
}

function parseEntries(entries: readonly ConfigEntry[], raw: RawSettings, problems: string[]): { config: Partial<Config>; secrets: Partial<Secrets> } {
  const parts = entries.map((entry) => entry.read(raw, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    config: Object.assign({}, ...parts.map((part) => part.config)) as Partial<Config>,
    secrets: Object.assign({}, ...parts.map((part) => part.secrets)) as Partial<Secrets>,
  };
}
