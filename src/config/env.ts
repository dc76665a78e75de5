import { readFileSync } from 'node:fs';
import { mergeSources, readPropertiesFile, unknownEnvironmentNames, type FileReader, type SettingSource } from './config-sources.js';
import type { RawSettings } from './setting.js';
import { ALL_SETTINGS } from './settings.js';

export type { FileReader, SettingSource } from './config-sources.js';

export type { RawSettings } from './setting.js';

export interface RawRead {
  readonly settings: RawSettings;
  /** Deprecation notes (legacy names in use), unknown names (probable typos), overrides worth a look. */
  readonly warnings: readonly string[];
  /** Problems found while reading (unreadable `_FILE` or guacamole.properties, a name given twice, bad syntax). */
  readonly problems: readonly string[];
  /** Where each setting that has a value came from; safe to log (names only). */
  readonly sources: Readonly<Record<string, SettingSource>>;
  /** The guacamole.properties file that was read, if any. */
  readonly propertiesFile?: string;
}

const readFromDisk: FileReader = (path) => readFileSync(path);

/**
 * The only reader of the environment. Each setting may come as `NAME` or `NAME_FILE` (the file's content with one
 * trailing newline removed, for Docker secrets), under a legacy name, or from Guacamole's `guacamole.properties`
 * (`$GUACAMOLE_HOME`, else `/etc/guacamole`) as `aws-discovery-…` or Guacamole's own `postgresql-…`/`mysql-…`
 * properties. The environment wins over the file, per setting. Never logs values.
 */
export function readEnvironment(env: NodeJS.ProcessEnv, readFile: FileReader = readFromDisk): RawRead {
  const fromEnvironment = readVariables(env, readFile);
  const fromFile = readPropertiesFile(env, readFile);
  const merged = mergeSources(fromEnvironment.settings, fromFile);
  return {
    settings: merged.settings,
    warnings: [...fromEnvironment.warnings, ...unknownEnvironmentNames(env), ...fromFile.warnings, ...merged.warnings],
    problems: [...fromEnvironment.problems, ...fromFile.problems],
    sources: merged.sources,
    ...(fromFile.path === undefined ? {} : { propertiesFile: fromFile.path }),
  };
}

function readVariables(env: NodeJS.ProcessEnv, readFile: FileReader) {
  const settings: Record<string, string | undefined> = {};
  const warnings: string[] = [];
  const problems: string[] = [];

  for (const { name, legacyNames } of ALL_SETTINGS) {
    const direct = readOne(name, env, readFile, problems);
    if (direct !== undefined) {
      settings[name] = direct;
      for (const legacy of legacyNames) {
        if (isSet(env, legacy)) warnings.push(`${legacy} is ignored because ${name} is set`);
      }
      continue;
    }
    for (const legacy of legacyNames) {
      const value = readOne(legacy, env, readFile, problems);
      if (value === undefined) continue;
      settings[name] = value;
      warnings.push(`${legacy} is deprecated: use ${name}`);
      break;
    }
  }
  return { settings, warnings, problems };
}

function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  return env[name] !== undefined || env[`${name}_FILE`] !== undefined;
}

function readOne(name: string, env: NodeJS.ProcessEnv, readFile: FileReader, problems: string[]): string | undefined {
  const value = env[name];
  const file = env[`${name}_FILE`];
  if (value !== undefined && file !== undefined) {
    problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
    return value;
  }
  if (file === undefined) return value;
  try {
    const content = readFile(file);
    return (typeof content === 'string' ? content : Buffer.from(content).toString('utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    problems.push(`${name}_FILE: cannot read ${file} (${code})`);
    return undefined;
  }
}
