/** The per-instance tags the product reads (the reference product's names). */
export const TAGS = {
  name: 'Name',
  username: 'kcm:username',
  organize: 'kcm:organize',
  record: 'kcm:record',
} as const;

/** `kcm:record`: `true`/`false` in any case override the default; anything else (or absent) keeps it. */
export function recordingWanted(tagValue: string | undefined, byDefault: boolean): boolean {
  const value = tagValue?.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  return byDefault;
}
