import { sql, type Kysely } from 'kysely';

/**
 * What real servers say about characters under a collation, for the name-fold tests and the fold table's generator:
 * MariaDB's WEIGHT_STRING per code point, and PostgreSQL's classes of equal strings under a nondeterministic collation.
 */

const COLLATION_NAME = /^[A-Za-z0-9_-]+$/;

function checkedName(collation: string): string {
  if (!COLLATION_NAME.test(collation)) throw new Error(`not a collation name: ${collation}`);
  return collation;
}

/** Every code point the checks cover: the BMP but surrogates, the assigned ones of planes 1–3, and the tag/variation-selector block. */
export function codePointsToCheck(options: { readonly bmpOnly?: boolean } = {}): number[] {
  const out: number[] = [];
  for (let cp = 0; cp <= 0xffff; cp++) if (cp < 0xd800 || cp > 0xdfff) out.push(cp);
  if (options.bmpOnly === true) return out;
  for (let cp = 0x10000; cp <= 0x3ffff; cp++) if (/\P{Cn}/u.test(String.fromCodePoint(cp))) out.push(cp);
  for (let cp = 0xe0000; cp <= 0xe01ef; cp++) out.push(cp);
  return out;
}

/** Hex WEIGHT_STRING of each code point alone under a MySQL/MariaDB collation ('' for a character that weighs nothing). */
export async function mysqlWeights(db: Kysely<any>, collation: string, codePoints: readonly number[]): Promise<Map<number, string>> {
  const charset = checkedName(collation).startsWith('utf8mb3') ? 'utf8mb3' : 'utf8mb4';
  const weights = new Map<number, string>();
  for (let i = 0; i < codePoints.length; i += 2000) {
    const part = codePoints.slice(i, i + 2000);
    const columns = part.map(
      (cp, j) => sql`HEX(WEIGHT_STRING(CONVERT(${String.fromCodePoint(cp)} USING ${sql.raw(charset)}) COLLATE ${sql.raw(collation)})) AS ${sql.ref(`w${j}`)}`,
    );
    const { rows } = await sql<Record<string, string | null>>`SELECT ${sql.join(columns)}`.execute(db);
    const row = rows[0] as Record<string, string | null>;
    part.forEach((cp, j) => weights.set(cp, row[`w${j}`] ?? ''));
  }
  return weights;
}

/**
 * Classes of strings a PostgreSQL collation counts as equal: each string's class id (its dense rank in the collation's
 * order, ties being equal strings), and '' for strings equal to the empty string.
 */
export async function postgresClasses(db: Kysely<any>, collation: string, strings: readonly string[]): Promise<Map<string, string>> {
  const name = sql.id(checkedName(collation));
  const classes = new Map<string, string>();
  const { rows } = await sql<{ s: string; r: string; empty: boolean }>`
    SELECT s, dense_rank() OVER (ORDER BY s COLLATE ${name}) AS r, s = '' COLLATE ${name} AS empty
    FROM unnest(${[...new Set(strings)]}::text[]) AS s`.execute(db);
  for (const row of rows) classes.set(row.s, row.empty ? '' : `c${row.r}`);
  return classes;
}

export function groupBy<K, V>(entries: Iterable<readonly [V, K]>): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const [value, key] of entries) {
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [value]);
    else group.push(value);
  }
  return groups;
}

export function describeCodePoints(chars: readonly string[]): string {
  return chars.map((ch) => `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`).join(' ');
}

/**
 * A weight string cut into the weights of single characters, when it is the concatenation of two or more of them
 * (ß = s s, ﬁ = f i): the code points whose weights make it up, else undefined. A weight is never its own piece.
 */
export function parseExpansion(weight: string, weightOwners: ReadonlyMap<string, readonly number[]>): number[] | undefined {
  const units = weight.match(/.{4}/g) ?? [];
  const best: (number[] | undefined)[] = [[]];
  for (let i = 0; i < units.length; i++) {
    const before = best[i];
    if (before === undefined) continue;
    for (let n = 1; n <= 3 && i + n <= units.length; n++) {
      const piece = units.slice(i, i + n).join('');
      const owner = piece === weight ? undefined : weightOwners.get(piece)?.[0];
      if (owner !== undefined && best[i + n] === undefined) best[i + n] = [...before, owner];
    }
  }
  const parsed = best[units.length];
  return parsed !== undefined && parsed.length >= 2 ? parsed : undefined;
}

export interface WeightCheck {
  /** Characters checked, and classes of equal weight among them. */
  readonly characters: number;
  readonly classes: number;
  /** Classes the key splits (the database takes them as equal, the key does not): must be none. */
  readonly split: readonly string[];
  /** Characters equal to a sequence of others (ß = ss), and those whose key is not the sequence's: must be none. */
  readonly expansions: number;
  readonly badExpansions: readonly string[];
  /** Classes of the database that share a key with another class: folded more than the database (allowed). */
  readonly overFolded: number;
}

/**
 * Checks a key function against WEIGHT_STRING per code point: characters of equal weight must share a key, characters
 * that weigh nothing must have the empty key, and a character whose weight is that of a sequence of others must have
 * that sequence's key. Since a string's weight is its characters' weights in a row and the key is per character too,
 * this covers every string of these characters (contractions aside: see the NFD check in the test). Trailing spaces are
 * left to the pair checks.
 */
export function checkWeights(weights: ReadonlyMap<number, string>, nameKey: (name: string) => string): WeightCheck {
  // One character's key inside a name: followed by 'x', so that a space is not trimmed as a trailing one.
  const key = (ch: string): string => nameKey(`${ch}x`).slice(0, -1);
  const owners = groupBy([...weights].map(([cp, w]) => [cp, w] as const));
  const split: string[] = [];
  const keyOfWeight = new Map<string, string>();
  for (const [weight, cps] of owners) {
    const chars = cps.map((cp) => String.fromCodePoint(cp));
    const byKey = groupBy(chars.map((ch) => [ch, key(ch)] as const));
    if (weight === '' && !byKey.has('')) split.push(`weightless ${describeCodePoints(chars.slice(0, 5))} have keys`);
    if (byKey.size > 1) {
      const parts = [...byKey].map(([k, group]) => `${JSON.stringify(k)}: ${describeCodePoints(group.slice(0, 4))}`);
      split.push(`weight ${weight || '(none)'}: ${parts.slice(0, 4).join(' | ')}`);
    }
    keyOfWeight.set(weight, key(chars[0] as string));
  }
  let expansions = 0;
  const badExpansions: string[] = [];
  for (const [weight, cps] of owners) {
    const atoms = parseExpansion(weight, owners);
    if (atoms === undefined) continue;
    const want = atoms.map((cp) => keyOfWeight.get(weights.get(cp) as string)).join('');
    for (const cp of cps) {
      expansions += 1;
      const got = key(String.fromCodePoint(cp));
      if (got !== want) badExpansions.push(`${describeCodePoints([String.fromCodePoint(cp)])} key ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
  const overFolded = countOverFolded([...keyOfWeight.values()]);
  return { characters: weights.size, classes: owners.size, split, expansions, badExpansions, overFolded };
}

export interface ClassCheck {
  readonly strings: number;
  readonly classes: number;
  readonly split: readonly string[];
  readonly overFolded: number;
}

/** Strings of one class (the database counts them equal) must share a key. */
export function checkClasses(classes: ReadonlyMap<string, string>, key: (name: string) => string): ClassCheck {
  const groups = groupBy([...classes]);
  const split: string[] = [];
  const keys: string[] = [];
  for (const [id, strings] of groups) {
    const byKey = groupBy(strings.map((s) => [s, key(s)] as const));
    if (id === '' && !byKey.has('')) split.push(`strings equal to '' have keys: ${JSON.stringify(strings.slice(0, 5))}`);
    if (byKey.size > 1) {
      const parts = [...byKey].map(([k, group]) => `${JSON.stringify(k)}: ${JSON.stringify(group.slice(0, 4))}`);
      split.push(parts.slice(0, 4).join(' | '));
    }
    keys.push(key(strings[0] as string));
  }
  return { strings: classes.size, classes: groups.size, split, overFolded: countOverFolded(keys) };
}

/** How many of the database's classes share their key with an earlier one. */
function countOverFolded(classKeys: readonly string[]): number {
  return classKeys.length - new Set(classKeys).size;
}
