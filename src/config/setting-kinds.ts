import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { setting, type Parse, type Setting, type SettingOptions } from './setting.js';

/**
 * Small typed helpers that declare a setting of a common kind. Each parser trims the value and treats an empty one as
 * unset; a problem names the setting and the value is then the default (or undefined), so parsing goes on. A helper
 * given a default documents it (`String` of it: `1000`, `false`, `private-ip,public-ip`).
 */

const NAME_LIMIT = 128;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

/** A trimmed value; empty counts as unset. */
export function trimmed(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === '' ? undefined : text;
}

/** A setting whose value is `fallback` where `parse` gives undefined (unset or invalid); the fallback is documented. */
function defaulted<T, D>(name: string, parse: Parse<T | undefined>, fallback: D, options: SettingOptions): Setting<T | D> {
  const documented = fallback === undefined ? {} : { documentedDefault: String(fallback) };
  return setting(name, (value, _name, problems) => parse(value, name, problems) ?? fallback, { ...documented, ...options });
}

/** Any text. */
export function text(name: string, options: SettingOptions = {}): Setting<string | undefined> {
  return setting(name, (value) => trimmed(value), options);
}

/** Text that must be given (a database name, a user name). */
export function requiredText(name: string, options: SettingOptions = {}): Setting<string> {
  return setting(
    name,
    (value, _name, problems) => {
      const text = trimmed(value);
      if (text === undefined) problems.push(`${name}: required`);
      return text ?? '';
    },
    options,
  );
}

/** A name Guacamole stores (at most 128 characters). */
export function guacamoleName(name: string, fallback: string, options: SettingOptions = {}): Setting<string> {
  return setting(
    name,
    (value, _name, problems) => {
      const text = trimmed(value) ?? fallback;
      if ([...text].length > NAME_LIMIT) problems.push(`${name}: longer than ${NAME_LIMIT} characters`);
      return text;
    },
    { documentedDefault: fallback, ...options },
  );
}

export function boolean(name: string, fallback: boolean, options: SettingOptions = {}): Setting<boolean> {
  const parse: Parse<boolean | undefined> = (value, _name, problems) => {
    const text = trimmed(value)?.toLowerCase();
    if (text === undefined) return undefined;
    if (['true', 'yes', '1', 'on'].includes(text)) return true;
    if (['false', 'no', '0', 'off'].includes(text)) return false;
    problems.push(`${name}: expected true or false, got "${text}"`);
    return undefined;
  };
  return defaulted(name, parse, fallback, options);
}

/** A whole number from `min` to `max`; without a fallback, unset is undefined. */
export function integer<D extends number | undefined = undefined>(
  name: string,
  min: number,
  max: number,
  fallback?: D,
  options: SettingOptions = {},
): Setting<number | D> {
  const parse: Parse<number | undefined> = (value, _name, problems) => {
    const text = trimmed(value);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${text}"`);
    return undefined;
  };
  return defaulted(name, parse, fallback as D, options);
}

/** One of `values`, case-insensitive. */
export function oneOf<T extends string, D extends T | undefined = undefined>(name: string, values: readonly T[], fallback?: D): Setting<T | D> {
  const parse: Parse<T | undefined> = (value, _name, problems) => {
    const text = trimmed(value)?.toLowerCase();
    if (text === undefined) return undefined;
    if ((values as readonly string[]).includes(text)) return text as T;
    problems.push(`${name}: expected one of ${values.join(', ')}, got "${text}"`);
    return undefined;
  };
  return defaulted(name, parse, fallback as D, {});
}

/** A comma-separated list of distinct words among `values`, in the given order. */
export function listOf<T extends string>(name: string, values: readonly T[], fallback: readonly T[]): Setting<readonly T[]> {
  const parse: Parse<T[] | undefined> = (value, _name, problems) => {
    const text = trimmed(value)?.toLowerCase();
    if (text === undefined) return undefined;
    const items = text.split(',').map((v) => v.trim()).filter((v) => v !== '');
    const bad = items.filter((v) => !(values as readonly string[]).includes(v));
    if (bad.length > 0 || items.length === 0) {
      problems.push(`${name}: expected a comma-separated list of ${values.join(', ')}${bad.length > 0 ? `; unknown: ${bad.join(', ')}` : ''}`);
      return undefined;
    }
    return [...new Set(items)] as T[];
  };
  return defaulted<readonly T[], readonly T[]>(name, parse, fallback, {});
}

/** An http(s) URL; unset is undefined. */
export function url(name: string): Setting<string | undefined> {
  return setting(name, (value, _name, problems) => {
    const text = trimmed(value);
    if (text === undefined) return undefined;
    try {
      const parsed = new URL(text);
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return text;
    } catch {
      // reported below
    }
    problems.push(`${name}: not an http(s) URL: ${text}`);
    return undefined;
  });
}

/** A path that does not depend on the working folder the daemon happens to start in. */
export function absolutePath(name: string, fallback: string): Setting<string> {
  const parse: Parse<string | undefined> = (value, _name, problems) => {
    const text = trimmed(value);
    if (text === undefined || isAbsolute(text)) return text;
    problems.push(`${name}: expected an absolute path, got "${text}"`);
    return undefined;
  };
  return defaulted(name, parse, fallback, {});
}

/**
 * A host name or an IP address (a pasted URL, `user@host` or `host:port` is a mistake worth naming); with
 * `socketFolder` also an absolute path, which node-postgres accepts as its host.
 */
export function host(name: string, fallback: string, options: SettingOptions & { socketFolder?: boolean } = {}): Setting<string> {
  const { socketFolder = false, ...rest } = options;
  const parse: Parse<string | undefined> = (value, _name, problems) => {
    const text = trimmed(value);
    if (text === undefined || isIP(text) !== 0 || HOST_NAME.test(text)) return text;
    if (socketFolder && isAbsolute(text)) return text;
    problems.push(`${name}: expected a host name or IP address, got "${text}"`);
    return undefined;
  };
  return defaulted(name, parse, fallback, rest);
}

/** Text matching `pattern`, described in the problem as `expected <description>` (without quoting the value). */
export function matching(name: string, pattern: RegExp, description: string, fallback: string): Setting<string> {
  const parse: Parse<string | undefined> = (value, _name, problems) => {
    const text = trimmed(value);
    if (text === undefined || pattern.test(text)) return text;
    problems.push(`${name}: expected ${description}`);
    return undefined;
  };
  return defaulted(name, parse, fallback, {});
}

/** A setting whose value is checked by `check` (a problem without the name, or undefined); unset is undefined. */
export function checked<T>(name: string, check: (text: string) => { value: T } | { problem: string }, options: SettingOptions = {}): Setting<T | undefined> {
  return setting(
    name,
    (value, _name, problems) => {
      const text = trimmed(value);
      if (text === undefined) return undefined;
      const result = check(text);
      if ('value' in result) return result.value;
      problems.push(`${name}: ${result.problem}`);
      return undefined;
    },
    options,
  );
}
