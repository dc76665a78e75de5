/** Guacamole's limit for connection and group names (characters). */
export const NAME_LIMIT = 128;

export type CharacterSet = 'utf8mb4' | 'utf8mb3';

/** Only U+0020–U+007E: one code unit per character, no accents, no special case rules. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Two spaces or more (the only runs of white space printable ASCII can hold). */
const SPACE_RUNS = / {2,}/g;
/** A surrogate, paired or lone: without one, a string has one code point per code unit. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A name Guacamole can store: composed (NFC, so `e` + accent and `é` are one name), control characters become spaces,
 * runs of spaces collapse, surrounding spaces go,
 * 4-byte characters are replaced on MySQL/MariaDB (their utf8mb3 tables reject them), and the result is cut to
 * `limit` characters without splitting a character.
 */
export function cleanName(text: string, charset: CharacterSet, limit = NAME_LIMIT): string {
  if (!PRINTABLE_ASCII.test(text)) return cleanNameUnicode(text, charset, limit);
  // Printable ASCII: NFC changes nothing, there is no control or 4-byte character, the only white space is ' ',
  // and one character is one code unit, so cutting code units is cutting code points.
  const name = text.replace(SPACE_RUNS, ' ').trim();
  return (name.length <= limit ? name : name.slice(0, limit)).trimEnd();
}

/**
 * The general path of `cleanName`, for any text. Internal: exported only so that a test can check the ASCII fast
 * path against it.
 */
export function cleanNameUnicode(text: string, charset: CharacterSet, limit = NAME_LIMIT): string {
  let name = text.normalize('NFC').replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/gu, ' ').trim();
  if (charset === 'utf8mb3') name = name.replace(/[\u{10000}-\u{10FFFF}]/gu, '\uFFFD');
  return truncate(name, limit).trimEnd();
}

/** Cuts to `limit` code points (what varchar counts on both databases), never halving a surrogate pair. */
export function truncate(text: string, limit: number): string {
  // Never more code points than code units: a string short in code units is short enough.
  if (text.length <= limit) return text;
  if (!SURROGATE.test(text)) return text.slice(0, limit);
  const chars = [...text];
  return chars.length <= limit ? text : chars.slice(0, limit).join('');
}

export function length(text: string): number {
  return SURROGATE.test(text) ? [...text].length : text.length;
}

/**
 * The key under which two names count as the same in one folder. MySQL's utf8mb3_general_ci ignores case, accents
 * and trailing spaces, and folds a few letters more (`ß` = `s`, `ſ` = `s`, `ı` = `i`, `µ` = `μ`); we apply the same
 * rule on both databases so names do not depend on the database. It may fold more than MySQL (`ﬁ` = `fi`): that only
 * costs a disambiguating suffix, where folding less would hit the unique key.
 */
export function nameKey(name: string): string {
  // Printable ASCII has no marks and nothing NFKD decomposes, and every character upper-cases to one character,
  // so the fold below comes down to lower case; the only trailing white space it can hold is ' '.
  return PRINTABLE_ASCII.test(name) ? name.toLowerCase().trimEnd() : nameKeyUnicode(name);
}

/**
 * The general path of `nameKey`, for any name. Internal: exported only so that a test can check the ASCII fast path
 * against it.
 */
export function nameKeyUnicode(name: string): string {
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
