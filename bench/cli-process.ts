/**
 * The whole process of the real CLI (dist/src/cli/main.js), as an operator or systemd runs it: spawned with the
 * benchmark's settings in its environment, timed from spawn to exit, with its CPU time read by a preload
 * (process-usage-preload.ts). Start-up (loading the SDKs and drivers), the schema check and the pool's shutdown count.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../test/support/run-cli.js';
import type { ProcessUsage } from './process-usage-preload.js';

const PRELOAD = new URL('./process-usage-preload.js', import.meta.url).href;
/** BENCH_CLI: another build's main.js (e.g. an older commit's), to compare its process time with this one's. */
const CLI_PATH = process.env.BENCH_CLI ?? CLI;
const STDERR_KEPT = 8_000;

export interface ProcessTime {
  /** Spawn to exit, as seen by the benchmark (ms). */
  readonly wallMs: number;
  /** user + system CPU time of the process (ms). */
  readonly cpuMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** Node's own uptime at exit: the wall time less the executable's loading and the exit itself (ms). */
  readonly uptimeMs: number;
  readonly peakRssMb: number;
}

/** Runs the CLI with `args`; `settings` become its environment (with PATH and AWS_EC2_METADATA_DISABLED). Throws unless it exits 0. */
export async function timeCli(args: readonly string[], settings: Readonly<Record<string, string>>): Promise<ProcessTime> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const usageFile = join(folder, 'usage.json');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      // The daemon's JSON log lines go to /dev/null, as in the scenario workers.
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...settings,
        NODE_OPTIONS: `--import=${PRELOAD}`,
        BENCH_PROCESS_USAGE_FILE: usageFile,
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_KEPT)));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, signal) => resolve(c ?? (signal === null ? null : 128)));
    });
    const wallMs = Math.round(performance.now() - started);
    if (code !== 0) throw new Error(`guacamole-ec2-discovery ${args.join(' ')} exited ${code}:\n${stderr}`);
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as ProcessUsage;
    return { wallMs, cpuMs: usage.userMs + usage.systemMs, ...usage };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
