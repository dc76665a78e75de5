/**
 * The benchmark of `runOnce` at fleet scale (issue 6). For each database (TEST_DIALECTS) and fleet size, against a
 * throwaway database and a synthetic fleet (bench/fleet.ts: 4 regions, 70% Linux, 20% Windows with password data,
 * 10% odd cases) served by the loopback fake EC2: a first run (everything created), catch-up runs while the first
 * left Windows passwords for later, a run with no change, and a run after 1% of the instances changed, 1% were
 * terminated and 1% launched; beside them, the time the same database takes to insert the first run's rows with
 * plain multi-row INSERTs, the fastest of several batch sizes (bench/plain-insert-limit.ts); and the real CLI's whole
 * `--once` process for the first run and the run with no change, and its `--version` (bench/cli-process.ts).
 *
 * Each scenario runs in a fresh process (bench/scenario-worker.ts), so its peak RSS is its own: the runtime `--once`
 * runs, built by the same function from the same settings, with the benchmark's hooks on it. The fake EC2 and the
 * bookkeeping of the benchmark stay in this process. Prints Markdown tables (runs, rows per table, targets with
 * PASS/FAIL) and writes bench/results/<timestamp>.json and bench/results/latest.json.
 *
 *   npm run bench                      # 1,000, 10,000 and 50,000 instances on PostgreSQL and MariaDB
 *   npm run bench -- 1000 10000        # chosen sizes
 *   TEST_DIALECTS=postgres npm run bench -- 1000
 *   BENCH_LOG_LEVEL=warn …             # the daemon's log level in the runs (default info, as deployed)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeEc2 } from '../test/support/fake-ec2.js';
import { DIALECTS } from '../test/support/test-databases.js';
import { decryptCost, makeBenchKeys } from './bench-keys.js';
import { type ProcessTime, timeCli } from './cli-process.js';
import { formatMarkdown, writeResults } from './report.js';
import type { BenchResults, SizeResult } from './results-model.js';
import { benchSize } from './run-size.js';
import { evaluateTargets, limitRatios } from './targets.js';

const DEFAULT_SIZES = [1000, 10_000, 50_000];
/** `--version` is quick and noisy: a few runs, all kept. */
const VERSION_RUNS = 3;

function parseSizes(args: readonly string[]): number[] {
  const sizes = args.map((a) => Number(a.replace(/[_,]/g, '')));
  const bad = args.filter((_, i) => !Number.isInteger(sizes[i]) || (sizes[i] as number) < 100);
  if (bad.length > 0) throw new Error(`fleet sizes are whole numbers of at least 100, got: ${bad.join(' ')} (e.g. npm run bench -- 1000 10000)`);
  return sizes.length > 0 ? [...new Set(sizes)].sort((a, b) => a - b) : DEFAULT_SIZES;
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package.json above the benchmark');
    dir = parent;
  }
  return dir;
}

function gitCommit(root: string): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !==
      '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const sizes = parseSizes(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
  const keys = makeBenchKeys();
  const decryptMs = await decryptCost(keys);
  const versionProcess: ProcessTime[] = [];
  for (let i = 0; i < VERSION_RUNS; i++) versionProcess.push(await timeCli(['--version'], {}));
  progress(`--version: ${versionProcess.map((p) => `${p.wallMs} ms (CPU ${p.cpuMs} ms)`).join(', ')}`);
  const fake = await FakeEc2.start();
  const results: SizeResult[] = [];
  try {
    for (const dialect of DIALECTS) {
      let baseline: number | undefined;
      for (const size of sizes) {
        const measured = await benchSize({ dialect, size, fake, keys, logLevel: process.env.BENCH_LOG_LEVEL ?? 'info', progress });
        baseline ??= measured.scenarios.find((s) => s.scenario === 'no change')?.sql.statements ?? 0;
        results.push({
          dialect,
          instances: size,
          ...measured,
          targets: evaluateTargets(measured.scenarios, measured.limit, baseline),
          limitRatios: limitRatios(measured.scenarios, measured.limit),
        });
      }
    }
  } finally {
    await fake.close();
    rmSync(keys.dir, { recursive: true, force: true });
  }
  const root = repositoryRoot();
  const commit = gitCommit(root);
  const bench: BenchResults = {
    startedAt,
    finishedAt: new Date().toISOString(),
    ...(commit === undefined ? {} : { commit }),
    node: process.version,
    cpus: cpus().length,
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    sizes,
    dialects: [...DIALECTS],
    decryptMs: Math.round(decryptMs * 1000) / 1000,
    versionProcess,
    results,
  };
  process.stdout.write(`${formatMarkdown(bench)}\n`);
  process.stdout.write(`\nresults written to ${writeResults(root, bench)} and bench/results/latest.json\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
