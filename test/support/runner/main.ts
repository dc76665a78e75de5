import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, findProgram } from '../servers/binaries.js';
import { DIALECTS, type TestDialect } from '../test-databases.js';
import { formatCounts, mochaCounts, planPasses, type Counts, type Pass } from './passes.js';
import { runCommand, stopRunningCommand } from './run-command.js';
import { ServerPool, type PassServer } from './server-pool.js';

/**
 * The test command's runner (scripts/test.sh builds, then hands over to it): starts the database servers each pass
 * needs, runs mocha (or TEST_COMMAND) per pass, stops exactly the servers it started, and exits with the first failing
 * pass's status (or TEST_BUILD_STATUS, the build's, when every pass passed). Arguments go to mocha. See planPasses.
 */

const log = (line: string): void => console.log(`test: ${line}`);

interface PassResult {
  readonly pass: Pass;
  readonly label: string;
  readonly status: number;
  readonly counts: Counts | undefined;
  readonly seconds: number;
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error('no package.json above the runner');
    dir = dirname(dir);
  }
  return dir;
}

const root = repositoryRoot();
const pool = new ServerPool(root, log);
let stopping = false;

async function stopAndExit(status: number): Promise<never> {
  await stopRunningCommand();
  await pool.stopAll();
  process.exit(status);
}

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    void stopAndExit(status);
  });
}

function commandOf(pass: Pass): [string, string[]] {
  const testCommand = process.env.TEST_COMMAND?.trim();
  if (testCommand !== undefined && testCommand !== '' && pass.name === 'main') {
    const [cmd, ...words] = testCommand.split(/\s+/);
    return [cmd!, [...words, ...pass.args]];
  }
  return [process.execPath, [join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...pass.args]];
}

async function runPass(pass: Pass, index: number, total: number): Promise<PassResult> {
  const began = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, ...pass.env, TEST_DIALECTS: Object.keys(pass.servers).join(',') };
  if (process.stdout.isTTY && env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1'; // mocha's output is piped through us
  const labels: string[] = [];
  for (const [dialect, choice] of Object.entries(pass.servers) as [TestDialect, NonNullable<Pass['servers'][TestDialect]>][]) {
    const server: PassServer = await pool.server(dialect, choice);
    env[dialect === 'postgres' ? 'TEST_POSTGRES_URL' : 'TEST_MYSQL_URL'] = server.url;
    labels.push(server.label);
  }
  const label = `${pass.title} on ${labels.join(' and ')}`;
  const [cmd, args] = commandOf(pass);
  if (stopping) throw new Error('stopped');
  console.log(`\n==== test pass ${index}/${total} (${pass.name}): ${label} ====`);
  log(`running ${cmd === process.execPath ? 'mocha' : cmd} ${args.slice(cmd === process.execPath ? 1 : 0).join(' ')}`.trimEnd());
  const result = await runCommand(cmd, args, env);
  await pool.endPass();
  return { pass, label, status: result.status, counts: mochaCounts(result.tail), seconds: (Date.now() - began) / 1000 };
}

function printSummary(results: readonly PassResult[]): void {
  console.log('\n==== test passes ====');
  for (const r of results) {
    const counts = r.counts === undefined ? 'no counts' : formatCounts(r.counts);
    const status = r.status === 0 ? '' : `, status ${r.status}`;
    console.log(`${r.status === 0 ? 'ok  ' : 'FAIL'} ${r.pass.name}: ${r.label}: ${counts}, ${r.seconds.toFixed(0)} s${status}`);
  }
  const counted = results.flatMap((r) => (r.counts === undefined ? [] : [r.counts]));
  if (counted.length > 0) {
    const sum = (key: keyof Counts): number => counted.reduce((n, c) => n + c[key], 0);
    console.log(`total: ${formatCounts({ passed: sum('passed'), failed: sum('failed'), skipped: sum('skipped') })}`);
  }
}

async function main(): Promise<number> {
  const passes = planPasses({
    args: process.argv.slice(2),
    dialects: DIALECTS,
    selected: process.env.TEST_PASSES,
    testCommand: process.env.TEST_COMMAND?.trim() || undefined,
  });
  if (passes.length === 0) throw new Error('TEST_PASSES and TEST_DIALECTS leave no pass to run');
  // The key tests generate OpenSSH-format keys with ssh-keygen, as users do.
  if (findProgram(['ssh-keygen']) === undefined) aptInstall(['openssh-client'], log);
  const results: PassResult[] = [];
  for (const [i, pass] of passes.entries()) {
    if (stopping) break;
    results.push(await runPass(pass, i + 1, passes.length));
  }
  if (passes.length > 1 || process.env.TEST_COMMAND === undefined) printSummary(results);
  const failed = results.find((r) => r.status !== 0)?.status ?? 0;
  const build = Number(process.env.TEST_BUILD_STATUS ?? 0);
  if (failed === 0 && build !== 0) {
    log('tests passed but the build failed');
    return build;
  }
  return failed;
}

try {
  const status = await main();
  if (!stopping) await stopAndExit(status);
} catch (error) {
  if (!stopping) {
    console.error(`test: error: ${error instanceof Error ? error.message : String(error)}`);
    await stopAndExit(1);
  }
}
