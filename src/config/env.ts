import { readFileSync } from 'node:fs';
import { ALL_SETTINGS, legacyNamesFor } from './settings.js';

/** Raw setting values by canonical name: strings as given, nothing parsed yet. */
export type RawSettings = Readonly<Record<string, string | undefined>>;

export interface RawRead {
  readonly settings: RawSettings;
  /** Deprecation notes (legacy names in use). */
  readonly warnings: readonly string[];
  /** Problems found while reading (unreadable `_FILE`, a name given twice). */
  readonly problems: readonly string[];
}

export type FileReader = (path: string) => string;

const readUtf8: FileReader = (path) => readFileSync(path, 'utf8');

/**
 * The only reader of the environment. Each setting may come as `NAME` or `NAME_FILE` (the file's content with one
 * trailing newline removed, for Docker secrets), or under a legacy name. Never logs values.
 */
export function readEnvironment(env: NodeJS.ProcessEnv, readFile: FileReader = readUtf8): RawRead {
  const settings: Record<string, string | undefined> = {};
  const warnings: string[] = [];
  const problems: string[] = [];

  for (const { name } of ALL_SETTINGS) {
    const direct = readOne(name, env, readFile, problems);
    if (direct !== undefined) {
      settings[name] = direct;
      for (const legacy of legacyNamesFor(name)) {
        if (isSet(env, legacy)) warnings.push(`${legacy} is ignored because ${name} is set`);
      }
      continue;
    }
    for (const legacy of legacyNamesFor(name)) {
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
    return readFile(file).replace(/\r?\n$/, '');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    problems.push(`${name}_FILE: cannot read ${file} (${code})`);
    return undefined;
  }
}
