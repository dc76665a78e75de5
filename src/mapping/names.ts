/** Guacamole's limit for connection and group names (characters). */
export const NAME_LIMIT = 128;

export type CharacterSet = 'utf8mb4' | 'utf8mb3';

/**
 * A name Guacamole can store: composed (NFC, so `e` + accent and `é` are one name), control characters become spaces,
 * runs of spaces collapse, surrounding spaces go,
 * 4-byte characters are replaced on MySQL/MariaDB (their utf8mb3 tables reject them), and the result is cut to
 * `limit` characters without splitting a character.
 */
export function cleanName(text: string, charset: CharacterSet, limit = NAME_LIMIT): string {
  let name = text.normalize('NFC').replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/gu, ' ').trim();
  if (charset === 'utf8mb3') name = name.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
  return truncate(name, limit).trimEnd();
}

/** Cuts to `limit` code points (what varchar counts on both databases), never halving a surrogate pair. */
export function truncate(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : chars.slice(0, limit).join('');
}

export function length(text: string): number {
  return [...text].length;
}

/**
 * The key under which two names count as the same in one folder. MySQL's utf8mb3_general_ci ignores case, accents
 * and trailing spaces, and folds a few letters more (`ß` = `s`, `ſ` = `s`, `ı` = `i`, `µ` = `μ`); we apply the same
 * rule on both databases so names do not depend on the database. It may fold more than MySQL (`ﬁ` = `fi`): that only
 * costs a disambiguating suffix, where folding less would hit the unique key.
 */
export function nameKey(name: string): string {
  // U+0345 alone weighs as ι in MySQL; inside a composed letter (ᾳ) it is an accent, removed with the others.
  const bare = name.replace(/\u0345/gu, 'ι').normalize('NFKD').replace(/\p{M}/gu, '');
  const folded = [...bare].map((c) => (c === 'ß' ? 's' : c.toUpperCase().length === 1 ? c.toUpperCase() : c)).join('');
  return folded.toLowerCase().replace(/ +$/u, '');
}

/** `web (i-0abc…)`: the base cut so that the suffix always fits within the limit. */
export function withSuffix(base: string, suffix: string, limit = NAME_LIMIT): string {
  const tail = ` (${suffix})`;
  return `${truncate(base, Math.max(0, limit - length(tail))).trimEnd()}${tail}`;
}
