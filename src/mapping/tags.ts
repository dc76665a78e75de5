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

/** `kcm:record`: `true`/`false` in any case override the default; anything else (or absent) keeps it. */
export function recordingWanted(tagValue: string | undefined, byDefault: boolean): boolean {
  const value = tagValue?.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return byDefault;
}

/** `kcm:ignore=true` (any case) leaves the instance out: a managed connection for it is removed. */
export function ignored(tags: Readonly<Record<string, string>>): boolean {
  return tags[TAGS.ignore]?.trim().toLowerCase() === 'true';
}
