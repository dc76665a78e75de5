import { nameKey } from './names.js';
import { UCA_FOLD_DATA } from './uca-folds.js';

/**
 * How the database compares connection or group names, as far as the unique key (name, parent) is concerned.
 * `readNameCollation` (src/store/name-collation.ts, with the queries in store/dialect/) reads it; `nameKeyFor` turns it into a key function.
 *
 * - `general`: MySQL/MariaDB `*_general_ci` (`_nopad_`, `_mysql500_`): one weight per character, no expansions.
 * - `unicode`: MySQL/MariaDB `*_unicode_ci`, `*_unicode_520_ci` and the language collations built on them (UCA 4.0
 *   and 5.2), MySQL 8's `*_0900_*` (UCA 9.0), and any other case-insensitive collation we do not know.
 * - `uca`: MariaDB `*_uca1400_*` (UCA 14.0; `ai`/`as`, `ci`/`cs`, `nopad`).
 * - `binary`: `*_bin`, `binary`: code points compared as they are.
 * - `deterministic`: PostgreSQL with a deterministic collation (libc, C, ICU deterministic): equal means identical.
 * - `nondeterministic`: PostgreSQL ICU collation with `deterministic = false`: equal at the collation's strength.
 */
export type CollationFamily = 'general' | 'unicode' | 'uca' | 'binary' | 'deterministic' | 'nondeterministic';

export interface NameCollation {
  /** As the database names it: `utf8mb3_general_ci`, `utf8mb4_uca1400_ai_ci`, or the PostgreSQL collation's name. */
  readonly name: string;
  readonly family: CollationFamily;
  /** `Web` and `web` are different names. */
  readonly caseSensitive: boolean;
  /** `é` and `e` are different names. */
  readonly accentSensitive: boolean;
  /** Trailing spaces are ignored (MySQL/MariaDB PAD SPACE collations, all but `_nopad_` and MySQL 8's `_0900_`). */
  readonly padSpace: boolean;
  /** Spaces and punctuation weigh nothing (ICU `ka-shifted`, alternate = shifted): `web-1` = `web 1` = `web1`. */
  readonly ignoresPunctuation: boolean;
  /** Every 4-byte character weighs as U+FFFD (MySQL/MariaDB `utf8mb4_general_ci` and `utf8mb4_unicode_ci`). */
  readonly supplementaryAsReplacement: boolean;
  /** The ICU locale of a PostgreSQL collation (`und-u-ks-level1`), when it has one. */
  readonly locale?: string;
  /**
   * Whether the key is known to fold at least as much as this collation (checked against the real servers). False for
   * language tailorings (`utf8mb4_german2_ci`: ä = ae; `da` ICU locales: aa = å) and collations we do not know: their key
   * is the root UCA one, a best effort the caller should warn about.
   */
  readonly covered: boolean;
}

/** Today's rule on both databases: what `nameKey` has always done. */
export const DEFAULT_NAME_COLLATION: NameCollation = Object.freeze({
  name: 'utf8mb3_general_ci',
  family: 'general',
  caseSensitive: false,
  accentSensitive: false,
  padSpace: true,
  ignoresPunctuation: false,
  supplementaryAsReplacement: false,
  covered: true,
});

export type NameKey = (name: string) => string;

/** The keys of both name columns (connections and folders can sit under different collations). */
export interface NameKeys {
  readonly connection: NameKey;
  readonly group: NameKey;
}

/** Today's rule for both columns (what the planner uses when the collations are not known). */
export const DEFAULT_NAME_KEYS: NameKeys = Object.freeze({ connection: nameKey, group: nameKey });

/**
 * The key under which two names count as the same in one folder, for names stored under `collation`: whenever the
 * database counts two names as equal, their keys are equal. The key may fold more than the database (that only costs a
 * disambiguating suffix); folding less would make the unique key (name, parent) stop the run.
 *
 * `general` and `deterministic` keep `nameKey` exactly, so existing names do not change on upgrade (4-byte characters
 * aside, which `utf8mb4_general_ci` counts as one). Every UCA/ICU collation folds as UCA level 1, whatever its
 * strength: `_as_cs` and ICU level 3 give `Web`/`web` a suffix where the database would take both.
 */
export function nameKeyFor(collation: NameCollation): NameKey {
  switch (collation.family) {
    case 'deterministic':
      return nameKey;
    case 'general':
      return collation.supplementaryAsReplacement ? generalKeyUtf8mb4 : nameKey;
    case 'binary':
      return binaryKey;
    default:
      if (collation.ignoresPunctuation) return ucaKeyWithoutPunctuation;
      return collation.supplementaryAsReplacement ? ucaKeyUtf8mb4 : ucaNameKey;
  }
}

/** Only U+0020–U+007E. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SURROGATE = /[\uD800-\uDFFF]/;
const SUPPLEMENTARY = /[\u{10000}-\u{10FFFF}]/gu;
const TRAILING_SPACES = / +$/u;
const MARKS = /\p{M}/gu;
/** What ICU's alternate = shifted makes ignorable (spaces, punctuation; symbols too with `kv-symbol`). */
const PUNCTUATION = /[\p{P}\p{Z}\p{S}\p{Cc}]/gu;
const ASCII_NOT_ALPHANUMERIC = /[^a-z0-9]/g;

function binaryKey(name: string): string {
  return name.replace(TRAILING_SPACES, '');
}

function withReplacement(name: string): string {
  return SURROGATE.test(name) ? name.replace(SUPPLEMENTARY, '\uFFFD') : name;
}

function generalKeyUtf8mb4(name: string): string {
  return nameKey(withReplacement(name));
}

function ucaKeyUtf8mb4(name: string): string {
  return ucaNameKey(withReplacement(name));
}

/** `ucaNameKey` without spaces, punctuation and symbols, for ICU collations with alternate = shifted. */
export function ucaKeyWithoutPunctuation(name: string): string {
  // Printable ASCII keeps its letters and digits only.
  if (PRINTABLE_ASCII.test(name)) return name.toLowerCase().replace(ASCII_NOT_ALPHANUMERIC, '');
  return ucaFold(name).replace(PUNCTUATION, '');
}

/**
 * The UCA level-1 key: case, accents and ignorable characters (U+200B, soft hyphen, variation selectors…) go,
 * expansions expand (ß → ss, æ → ae, ﬁ → fi), compatibility forms and the digits of every script fold, and trailing
 * spaces go. It is the union of what MariaDB's unicode_ci, unicode_520_ci and uca1400_ai_ci and PostgreSQL's ICU
 * root collation at level 1 count as equal (see uca-folds.ts).
 */
export function ucaNameKey(name: string): string {
  // Printable ASCII: no ignorable character, no expansion, every letter's only fold is its case.
  // The only white space printable ASCII holds is ' ', so trimEnd trims spaces.
  return PRINTABLE_ASCII.test(name) ? name.toLowerCase().trimEnd() : ucaNameKeyUnicode(name);
}

/** The general path of `ucaNameKey`. Internal: exported only so that a test can check the ASCII fast path against it. */
export function ucaNameKeyUnicode(name: string): string {
  return ucaFold(name).replace(TRAILING_SPACES, '');
}

/** Characters outside printable ASCII, one code point at a time. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/gu;

function ucaFold(name: string): string {
  // Every fold below is already lower case (checked for every code point), so one toLowerCase after the replacement
  // folds the ASCII letters and changes nothing else.
  return name.replace(NOT_PRINTABLE_ASCII, foldCharacter).toLowerCase();
}

function foldCharacter(ch: string): string {
  return foldTable().get(ch.codePointAt(0) as number) ?? cachedBaseFold(ch);
}

/**
 * The fold of one character before the table: compatibility decomposition (NFKD: ﬁ → fi, ① → 1, fullwidth → ASCII),
 * marks removed, case folded through upper case (ſ → S → s). Exported for the table's generator, which lists only the
 * characters whose key differs from this.
 */
export function baseFold(ch: string): string {
  let out = '';
  for (const x of ch.normalize('NFKD').replace(MARKS, '')) {
    const upper = x.toUpperCase();
    out += (upper.length === 1 ? upper : x).toLowerCase();
  }
  return out;
}

const baseFolds = new Map<string, string>();

function cachedBaseFold(ch: string): string {
  let folded = baseFolds.get(ch);
  if (folded === undefined) {
    folded = baseFold(ch);
    baseFolds.set(ch, folded);
  }
  return folded;
}

let table: Map<number, string> | undefined;

/** Parsed on first use: `hex code point \t key` lines. */
function foldTable(): Map<number, string> {
  if (table === undefined) {
    table = new Map();
    for (const line of UCA_FOLD_DATA.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) table.set(Number.parseInt(line.slice(0, tab), 16), line.slice(tab + 1));
    }
  }
  return table;
}
