import { ConfigError } from '../shared/errors.js';
import type { Config, Secrets } from './config-shape.js';
import type { RawSettings } from './setting.js';
import { SETTINGS_TABLE } from './settings.js';

export type { Config, DatabaseConfig, Dialect, Secrets } from './config-shape.js';

/**
 * Pure: validates raw settings, applies defaults, and reports every problem at once by setting name. Each entry of the
 * settings table (settings.ts) reads its settings and fills its part of Config and Secrets, in table order.
 */
export function parseConfig(raw: RawSettings, readProblems: readonly string[] = []): { config: Config; secrets: Secrets } {
  const problems = [...readProblems];
  const parts = SETTINGS_TABLE.map((entry) => entry.read(raw, problems));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    config: Object.assign({}, ...parts.map((part) => part.config)) as Config,
    secrets: Object.assign({}, ...parts.map((part) => part.secrets)) as Secrets,
  };
}
