import { PropertiesSyntaxError, readPropertyEntries } from './properties.js';
import { ALL_SETTINGS, DATABASE_PREFIXES, propertyNameOf, settingsByPropertyName } from './settings.js';

/**
 * The second source of settings on a Linux install: Guacamole's own `guacamole.properties`, where the database
 * settings already live (`postgresql-hostname`, …) and ours may join them (`aws-discovery-regions`, …). Environment
 * variables win over the file, setting by setting. Messages name settings, files and lines, never values.
 */

/** Guacamole's configuration folder when GUACAMOLE_HOME is not set. */
const DEFAULT_GUACAMOLE_HOME = '/etc/guacamole';
const PROPERTIES_FILE_NAME = 'guacamole.properties';

/** Reads a whole file; throws the `fs` error (with its `code`) when it cannot. */
export type FileReader = (path: string) => string | Uint8Array;

/** Where a setting's value came from, for the startup log (never the value itself). */
export type SettingSource = 'environment' | 'guacamole.properties';

export interface PropertiesRead {
  /** The file that was read; undefined when there was none. */
  readonly path?: string;
  /** Values of our settings found in the file, by setting name. */
  readonly settings: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  readonly problems: readonly string[];
}

/** `$GUACAMOLE_HOME/guacamole.properties` (Guacamole's own variable), else `/etc/guacamole/guacamole.properties`. */
export function propertiesFilePath(env: NodeJS.ProcessEnv): { path: string; fromGuacamoleHome: boolean } {
  const home = env.GUACAMOLE_HOME?.trim();
  const fromGuacamoleHome = home !== undefined && home !== '';
  const folder = fromGuacamoleHome ? home.replace(/\/+$/, '') : DEFAULT_GUACAMOLE_HOME;
  return { path: `${folder}/${PROPERTIES_FILE_NAME}`, fromGuacamoleHome };
}

/**
 * Reads our settings from guacamole.properties. A missing file is fine (a warning if GUACAMOLE_HOME names a folder
 * without one); an unreadable or malformed file is a problem. Keys of Guacamole and its other extensions are ignored;
 * unknown `aws-discovery-*` keys get a warning.
 */
export function readPropertiesFile(env: NodeJS.ProcessEnv, readFile: FileReader): PropertiesRead {
  const { path, fromGuacamoleHome } = propertiesFilePath(env);
  let content: string | Uint8Array;
  try {
    content = readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const warnings = fromGuacamoleHome ? [`GUACAMOLE_HOME is set but ${path} does not exist; settings come from the environment only`] : [];
      return { settings: {}, warnings, problems: [] };
    }
    const hint = code === 'EACCES' || code === 'EPERM' ? "; give the daemon's user read access (e.g. group guacamole, mode 0640)" : '';
    return { path, settings: {}, warnings: [], problems: [`${path}: cannot read (${code})${hint}`] };
  }
  try {
    return { path, ...settingsFromProperties(decodeProperties(content), path), problems: [] };
  } catch (err) {
    if (!(err instanceof PropertiesSyntaxError)) throw err;
    return { path, settings: {}, warnings: [], problems: [`${path}, line ${err.line}: ${err.detail}`] };
  }
}

/**
 * Java reads guacamole.properties as ISO-8859-1 (non-Latin-1 characters as `\uXXXX`). Text that is valid UTF-8 is
 * read as UTF-8, which gives the same result for every ASCII or escaped file and the expected one for a UTF-8 file.
 */
export function decodeProperties(content: string | Uint8Array): string {
  if (typeof content === 'string') return content;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return Buffer.from(content).toString('latin1');
  }
}

/** Our settings from parsed text; warnings for unknown `aws-discovery-*` keys and our keys given twice. */
function settingsFromProperties(text: string, path: string): { settings: Record<string, string>; warnings: string[] } {
  const known = settingsByPropertyName();
  const settings: Record<string, string> = {};
  const seenAt = new Map<string, number>();
  const warnings: string[] = [];
  for (const { key, value, line } of readPropertyEntries(text)) {
    const name = known.get(key);
    if (name !== undefined) {
      const earlier = seenAt.get(key);
      if (earlier !== undefined) warnings.push(`${path}: ${key} is set on lines ${earlier} and ${line}; line ${line} wins`);
      seenAt.set(key, line);
      settings[name] = value;
    } else if (/^aws[-_.]?discovery/i.test(key)) {
      warnings.push(unknownNameWarning(`${path}, line ${line}: unknown property "${key}" is ignored`, key, [...known.keys()], propertyNameOf));
    }
  }
  return { settings, warnings };
}

/** Warnings for `AWS_DISCOVERY_*` environment variables that are not settings (`NAME_FILE` of a known NAME is fine). */
export function unknownEnvironmentNames(env: NodeJS.ProcessEnv): string[] {
  const known = ALL_SETTINGS.filter((s) => s.name.startsWith('AWS_DISCOVERY_')).flatMap((s) => [s.name, `${s.name}_FILE`]);
  const knownSet = new Set(known);
  const toEnvName = (name: string) => name.toUpperCase().replaceAll('-', '_');
  return Object.keys(env)
    .filter((name) => /^aws_discovery_/i.test(name) && !knownSet.has(name))
    .sort()
    .map((name) => unknownNameWarning(`${name} is not a setting and is ignored`, name, known, toEnvName));
}

function unknownNameWarning(message: string, name: string, known: readonly string[], normalise: (n: string) => string): string {
  const closest = closestName(normalise(name), known);
  return closest === undefined ? message : `${message}; probably a typo of "${closest}"`;
}

/** The known name nearest to `name` by edit distance, if near enough to be a typo of it. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.name.length / 8)) ? best.name : undefined;
}

/** Levenshtein distance (insert, delete, substitute). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Environment over file, setting by setting. One exception keeps the database choice whole: when the environment
 * configures one database (any POSTGRESQL_* or MYSQL_*) and not the other, the file's settings for the other are
 * dropped, so a file naming one database and an environment naming the other do not add up to "both".
 */
export function mergeSources(
  fromEnvironment: Readonly<Record<string, string | undefined>>,
  fromFile: PropertiesRead,
): { settings: Record<string, string>; sources: Record<string, SettingSource>; warnings: string[] } {
  const settings: Record<string, string> = {};
  const sources: Record<string, SettingSource> = {};
  const warnings: string[] = [];
  const dropped = databasePrefixesOverridden(fromEnvironment, fromFile.settings);
  for (const prefix of dropped) {
    warnings.push(
      `${fromFile.path ?? PROPERTIES_FILE_NAME}: ${propertyNameOf(prefix)}-* settings are ignored because the environment configures the other database`,
    );
  }
  for (const { name, property } of ALL_SETTINGS) {
    const env = fromEnvironment[name];
    const file = dropped.some((prefix) => name.startsWith(`${prefix}_`)) ? undefined : fromFile.settings[name];
    if (env !== undefined) {
      settings[name] = env;
      sources[name] = 'environment';
      if (env === '' && file !== undefined && file !== '') {
        warnings.push(`${name} is set but empty in the environment; it overrides ${property} in ${fromFile.path ?? PROPERTIES_FILE_NAME}`);
      }
    } else if (file !== undefined) {
      settings[name] = file;
      sources[name] = 'guacamole.properties';
    }
  }
  // The account folder only exists with several accounts: without roles it would silently do nothing.
  if (settings.AWS_DISCOVERY_ACCOUNT_FOLDER !== undefined && (settings.AWS_DISCOVERY_ASSUME_ROLES ?? '').trim() === '') {
    warnings.push('AWS_DISCOVERY_ACCOUNT_FOLDER is ignored: it applies only with AWS_DISCOVERY_ASSUME_ROLES (list self to keep the own account)');
  }
  return { settings, sources, warnings };
}

function databasePrefixesOverridden(env: Readonly<Record<string, string | undefined>>, file: Readonly<Record<string, string>>): string[] {
  const prefixes = Object.values(DATABASE_PREFIXES);
  const inEnv = prefixes.filter((prefix) => Object.keys(env).some((name) => name.startsWith(`${prefix}_`) && env[name] !== undefined));
  if (inEnv.length !== 1) return [];
  return prefixes.filter((prefix) => !inEnv.includes(prefix) && Object.keys(file).some((name) => name.startsWith(`${prefix}_`)));
}
