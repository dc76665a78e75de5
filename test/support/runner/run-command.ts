import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface CommandResult {
  /** The exit status, 128 + the signal's number when a signal ended it. */
  readonly status: number;
  /** The end of what it printed on stdout (for mocha's closing counts). */
  readonly tail: string;
}

let running: ChildProcess | undefined;

/** Runs a test command with no stdin, stdout copied through (and kept), stderr inherited. */
export function runCommand(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    running = child;
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString()).slice(-20_000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = undefined;
      resolve({ status: code ?? 128 + (signal === null ? 0 : constants.signals[signal]), tail });
    });
  });
}

/** Ends the command that is running, if any (SIGTERM, then SIGKILL after 15 s). */
export async function stopRunningCommand(): Promise<void> {
  const child = running;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await closed;
  clearTimeout(timer);
}
