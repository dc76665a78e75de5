import type { TestDialect } from '../test-databases.js';

/** Which server a pass needs for a dialect: the main one (Debian's, or TEST_*_URL's), or PostgreSQL from npm. */
export type ServerChoice = 'main' | 12 | 18;

/** One run of mocha (or TEST_COMMAND) against a set of servers. */
export interface Pass {
  readonly name: string;
  /** What it covers, for the banner and the summary; the servers' versions are added when they are known. */
  readonly title: string;
  readonly servers: Partial<Record<TestDialect, ServerChoice>>;
  /** Extra environment for the command (TEST_DIALECTS is set from `servers`). */
  readonly env: Readonly<Record<string, string>>;
  readonly args: readonly string[];
}

/** The suites that run the real CLI `--once` end to end: run again on the other versions users have. */
export const ONCE_SUITE = ['dist/test/integration/once/*.test.js'];

export const PASS_NAMES = ['main', 'pg12', 'pg18', 'mariadb-uca1400'] as const;

export interface PassInput {
  /** The test command's arguments, passed on to mocha. */
  readonly args: readonly string[];
  readonly dialects: readonly TestDialect[];
  /** TEST_PASSES: a comma-separated subset of PASS_NAMES. */
  readonly selected: string | undefined;
  /** TEST_COMMAND runs instead of mocha: then only the main pass. */
  readonly testCommand: string | undefined;
}

/**
 * The passes of one test command. By default the main suite, then (when no test file is named and no TEST_COMMAND
 * is given) the once suite on PostgreSQL 12 and 18 and on MariaDB with uca1400 tables; TEST_DIALECTS leaves out the
 * passes of a dialect it leaves out; TEST_PASSES picks passes by name.
 */
export function planPasses(input: PassInput): Pass[] {
  const namesFile = input.args.some((arg) => /\.test\.js$/.test(arg));
  const wanted = selectedNames(input.selected) ?? (namesFile || input.testCommand !== undefined ? ['main'] : [...PASS_NAMES]);
  const onceArgs = namesFile ? input.args : [...input.args, ...ONCE_SUITE];
  const onceTitle = namesFile ? 'named tests' : 'once suite';
  const has = (dialect: TestDialect): boolean => input.dialects.includes(dialect);
  const passes: Pass[] = [];
  if (wanted.includes('main')) {
    const servers: Partial<Record<TestDialect, ServerChoice>> = {};
    for (const dialect of input.dialects) servers[dialect] = 'main';
    passes.push({ name: 'main', title: input.testCommand ?? 'main suite', servers, env: {}, args: input.args });
  }
  if (input.testCommand !== undefined) return passes;
  for (const major of [12, 18] as const) {
    if (wanted.includes(`pg${major}`) && has('postgres')) {
      passes.push({ name: `pg${major}`, title: onceTitle, servers: { postgres: major }, env: {}, args: onceArgs });
    }
  }
  if (wanted.includes('mariadb-uca1400') && has('mysql')) {
    const env = { TEST_MYSQL_COLLATION: 'utf8mb4_uca1400_ai_ci' };
    passes.push({ name: 'mariadb-uca1400', title: `${onceTitle}, uca1400 collation`, servers: { mysql: 'main' }, env, args: onceArgs });
  }
  return passes;
}

function selectedNames(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const names = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !(PASS_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`TEST_PASSES: unknown pass ${unknown.join(', ')} (use ${PASS_NAMES.join(', ')})`);
  return names;
}

export interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Mocha's closing counts (spec reporter: `N passing`, `N failing`, `N pending`), or undefined when it printed none. */
export function mochaCounts(output: string): Counts | undefined {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (word: string): number | undefined => {
    const matches = [...plain.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    const last = matches[matches.length - 1];
    return last === undefined ? undefined : Number(last[1]);
  };
  const passed = count('passing');
  if (passed === undefined) return undefined;
  return { passed, failed: count('failing') ?? 0, skipped: count('pending') ?? 0 };
}

export function formatCounts(counts: Counts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}
