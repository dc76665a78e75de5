import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { repositoryRoot } from './repository-root.js';

/**
 * The deployment files (Dockerfile, docker-compose.yml, deploy/compose/) read the way Docker reads them, as far as a
 * test can without a Docker engine: the compose YAML with merge keys, Compose's `${…}` interpolation with the
 * defaults the files give, and a Dockerfile's instructions with their ARG defaults.
 */

export { repositoryRoot };

export function repositoryFile(path: string): string {
  return readFileSync(join(repositoryRoot(), path), 'utf8');
}

export interface ComposeHealthcheck {
  readonly test?: string | readonly string[];
  readonly disable?: boolean;
}

export interface ComposeDependency {
  readonly condition?: string;
}

/** The service keys the tests look at; Compose allows more. */
export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly args?: Readonly<Record<string, string>> };
  readonly user?: string;
  readonly read_only?: boolean;
  readonly tmpfs?: string | readonly string[];
  readonly cap_drop?: readonly string[];
  readonly security_opt?: readonly string[];
  readonly init?: boolean;
  readonly restart?: string;
  readonly healthcheck?: ComposeHealthcheck;
  readonly depends_on?: readonly string[] | Readonly<Record<string, ComposeDependency>>;
  readonly env_file?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>> | readonly string[];
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
}

export interface ComposeFile {
  readonly header: string;
  readonly services: Readonly<Record<string, ComposeService>>;
}

/** A compose file: YAML 1.2's core schema, as Compose reads it, with merge keys (`<<: *anchor`). */
export function readComposeFile(path: string): ComposeFile {
  const text = repositoryFile(path);
  const parsed = load(text, { schema: CORE_SCHEMA.withTags(mergeTag) }) as { services?: Record<string, ComposeService> };
  if (parsed.services === undefined) throw new Error(`${path}: no services`);
  const lines = text.split('\n');
  const firstCode = lines.findIndex((line) => !line.startsWith('#'));
  return { header: lines.slice(0, firstCode === -1 ? lines.length : firstCode).join('\n'), services: parsed.services };
}

/** Compose's variable syntax: `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`, `$NAME`. */
const VARIABLE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * One value as Compose interpolates it with the variables `env` (none by default: the file's own defaults). A
 * required variable (`:?`) that is missing throws with the file's message, as Compose refuses the file.
 */
export function interpolate(value: string, env: Readonly<Record<string, string | undefined>> = {}): string {
  return value.replace(VARIABLE, (_match, dollar?: string, braced?: string, colon?: string, kind?: string, word?: string, bare?: string) => {
    if (dollar !== undefined) return '$';
    const name = (braced ?? bare) as string;
    const given = env[name];
    if (kind === undefined) return given ?? '';
    const missing = colon === ':' ? given === undefined || given === '' : given === undefined;
    if (!missing) return given as string;
    if (kind === '-') return word ?? '';
    throw new Error(`${name}: ${word ?? 'required'}`);
  });
}

/** A Dockerfile instruction: its keyword in capitals and the rest of its (joined) line. */
export interface DockerfileInstruction {
  readonly keyword: string;
  readonly args: string;
}

/** The instructions of a Dockerfile, continuation lines joined and comments dropped. */
export function readDockerfile(path = 'Dockerfile'): DockerfileInstruction[] {
  const lines = repositoryFile(path)
    .split('\n')
    .filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** `ARG NAME=default` (or several on one line) → their defaults. */
export function argDefaults(instructions: readonly DockerfileInstruction[]): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const { keyword, args } of instructions) {
    if (keyword !== 'ARG') continue;
    for (const part of args.split(/\s+/)) {
      const [name = '', value] = part.split('=', 2);
      if (value !== undefined) defaults[name] = value;
    }
  }
  return defaults;
}
