/** Forks scenario-worker.js for one scenario and waits for its result and its exit. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerJob, WorkerResult } from './scenario-worker.js';

const WORKER = fileURLToPath(new URL('./scenario-worker.js', import.meta.url));
const STDERR_KEPT = 8_000;

type Message = { ok: true; result: WorkerResult } | { ok: false; error: string };

export async function runWorker(job: WorkerJob): Promise<{ result: WorkerResult; processMs: number }> {
  const started = performance.now();
  // The daemon's JSON log lines go to /dev/null: formatting them is part of the run, reading them is not.
  // BENCH_CPU_PROFILE=<folder>: a V8 CPU profile of each scenario (open in Chrome DevTools) to find what is slow.
  const profile = process.env.BENCH_CPU_PROFILE;
  const child = fork(WORKER, [JSON.stringify(job)], {
    ...(profile ? { execArgv: ['--cpu-prof', '--cpu-prof-dir', profile] } : {}),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_KEPT)));
  let message: Message | undefined;
  child.on('message', (m) => (message = m as Message));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, signal) => resolve(c ?? (signal === null ? null : 128)));
  });
  const processMs = Math.round(performance.now() - started);
  if (message === undefined) throw new Error(`the scenario worker exited (${code}) without a result:\n${stderr}`);
  if (!message.ok) throw new Error(`the scenario failed: ${message.error}\n${stderr}`);
  return { result: message.result, processMs };
}
