import { DEFAULT_ACCOUNT_FOLDER, parseAccountFolder, parseAssumeRoles, type AccountSpec, type FolderTemplate } from './accounts.js';
import { nodeCron } from './node-cron.js';
import { setting, type Parse, type Setting } from './setting.js';
import { trimmed } from './setting-kinds.js';
import { REGION_NAME } from './setting-values.js';

/** Parsers of the settings that are of no common kind (see setting-kinds.ts for those). Pure. */

const NAME_LIMIT = 128;

/** `us-east-1,eu-west-1`, or `*` / `all` for every region enabled for the account. Required. */
export const parseRegions: Parse<{ regions: string[]; allRegions: boolean }> = (value, name, problems) => {
  if (['*', 'all'].includes(value?.trim().toLowerCase() ?? '')) return { regions: [], allRegions: true };
  const text = trimmed(value);
  if (text === undefined) {
    problems.push(`${name}: required (comma-separated AWS regions, e.g. us-east-1,eu-west-1, or * for every enabled region)`);
    return { regions: [], allRegions: false };
  }
  const regions = [...new Set(text.split(',').map((r) => r.trim()).filter((r) => r !== ''))];
  const bad = regions.filter((r) => !REGION_NAME.test(r));
  if (bad.length > 0) problems.push(`${name}: not a region name: ${bad.join(', ')} (expected e.g. us-east-1)`);
  if (regions.length === 0) problems.push(`${name}: names no region`);
  return { regions, allRegions: false };
};

/** Folder names from ROOT, `/` separated; an empty value is a mistake (not the default). */
export function folderPath(name: string, fallback: string): Setting<string[]> {
  const parse: Parse<string[]> = (value, _name, problems) => {
    const segments = (value ?? fallback).split('/').map((s) => s.trim()).filter((s) => s !== '');
    if (segments.length === 0) {
      problems.push(`${name}: must name at least one folder (Guacamole does not keep names unique at ROOT)`);
    }
    for (const segment of segments) {
      if ([...segment].length > NAME_LIMIT) problems.push(`${name}: folder "${segment.slice(0, 20)}…" is longer than ${NAME_LIMIT} characters`);
      if (/\p{Cc}/u.test(segment)) problems.push(`${name}: contains a control character`);
    }
    return segments;
  };
  return setting(name, parse, { documentedDefault: fallback });
}

/** A node-cron expression, validated. */
export function cronSchedule(name: string, fallback: string): Setting<string> {
  const parse: Parse<string> = (value, _name, problems) => {
    const text = trimmed(value);
    if (text === undefined) return fallback;
    if (nodeCron().validate(text)) return text;
    problems.push(`${name}: not a cron expression: "${text}" (e.g. "*/5 * * * *" for every five minutes)`);
    return fallback;
  };
  return setting(name, parse, { documentedDefault: fallback });
}

/** Accounts and their external ids (see accounts.ts); unset: undefined (the credentials' own account only). */
export const parseRoles: Parse<{ accounts: AccountSpec[]; externalIds: Record<string, string> } | undefined> = (value, name, problems) => {
  const text = trimmed(value);
  if (text === undefined) return undefined;
  const parsed = parseAssumeRoles(name, text);
  if ('problems' in parsed) {
    problems.push(...parsed.problems);
    return undefined;
  }
  return parsed;
};

/** The account folder template (default `{alias}`); the raw value, since an explicitly empty one is a mistake worth naming. */
export function accountFolder(name: string): Setting<FolderTemplate | undefined> {
  const parse: Parse<FolderTemplate | undefined> = (value, _name, problems) => {
    const parsed = parseAccountFolder(name, value);
    if ('problems' in parsed) {
      problems.push(...parsed.problems);
      return undefined;
    }
    return parsed.template;
  };
  return setting(name, parse, { documentedDefault: DEFAULT_ACCOUNT_FOLDER });
}
