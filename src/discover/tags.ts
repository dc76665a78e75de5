/** The per-instance tags the product reads: the reference product's names, and our overrides. */
export const TAGS = {
  name: 'Name',
  username: 'kcm:username',
  organize: 'kcm:organize',
  record: 'kcm:record',
  ignore: 'kcm:ignore',
  protocol: 'kcm:protocol',
  port: 'kcm:port',
  hostname: 'kcm:hostname',
} as const;

/**
 * `kcm:record`: `true`/`false` in any case override the default; absent or empty keeps it. Anything else keeps the
 * default too, and is reported in `problems` (the value is not echoed: it may be anything).
 */
export function recordingWanted(tagValue: string | undefined, byDefault: boolean, problems: string[] = []): boolean {
  const value = tagValue?.trim().toLowerCase();
  if (value === undefined || value === '') return byDefault;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problems.push(`${TAGS.record} is neither true nor false; recording stays ${byDefault ? 'on' : 'off'} (the default)`);
  return byDefault;
}

/** `kcm:ignore=true` (any case) leaves the instance out: a managed connection for it is removed. */
export function ignored(tags: Readonly<Record<string, string>>): boolean {
  return tags[TAGS.ignore]?.trim().toLowerCase() === 'true';
}

/** A tag value for a log line: control characters made visible, and cut short. */
export function printableTagValue(value: string): string {
  const shown = value.replace(/\p{Cc}/gu, '?');
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}
