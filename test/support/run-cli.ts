import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, run as a user would run it. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON log lines (non-JSON lines are skipped). */
  readonly logs: readonly Record<string, unknown>[];
}

export async function runCli(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], env);
}

/**
 * `command` run directly (an installed `guacamole-ec2-discovery`, say), with the settings `runCli` gives; this node's
 * folder leads PATH, so a `#!/usr/bin/env node` script runs on the node running the tests.
 */
export async function runCommand(command: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const path = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  const child = spawn(command, args, {
    env: { PATH: path, AWS_EC2_METADATA_DISABLED: 'true', AWS_DISCOVERY_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject); // not started (no such file, not executable)
    child.on('close', resolve);
  });
  const logs = stdout.split('\n').flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  return { code, stdout, stderr, logs };
}

/** The `run finished` summary line of a run. */
export function summaryOf(result: CliResult): Record<string, unknown> {
  const line = result.logs.find((l) => l.message === 'run finished' || l.message === 'dry run finished; nothing was written');
  if (line === undefined) throw new Error(`no summary line in output:\n${result.stdout}\n${result.stderr}`);
  return line;
}

/** A daemon started from the built CLI, with its JSON log lines collected as they arrive. */
export interface DaemonProcess {
  readonly child: ChildProcess;
  /** Parsed JSON log lines so far (grows while the daemon runs). */
  readonly logs: readonly Record<string, unknown>[];
  /** Everything written to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Lines whose `message` equals `message`. */
  count(message: string): number;
  /** Resolves when `condition(logs)` holds; rejects when the daemon exits first or after `timeoutMs` (a safety net, 2 min). */
  waitFor(condition: (logs: readonly Record<string, unknown>[]) => boolean, timeoutMs?: number): Promise<void>;
  /** The first log line (already seen or still to come) matching `predicate`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit status (or the signal name when killed by one). */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs` so a test never hangs. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | NodeJS.Signals | null>;
}

export function startDaemon(env: Readonly<Record<string, string>>, args: readonly string[] = []): DaemonProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', AWS_DISCOVERY_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let text = '';
  let partial = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    text += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = parseLogLine(line);
      if (parsed !== undefined) logs.push(parsed);
    }
    notify();
  });
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  let done = false;
  void exited.then(() => {
    done = true;
    notify();
  });

  const waitFor = (condition: (l: readonly Record<string, unknown>[]) => boolean, timeoutMs = 120_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (condition(logs)) finish();
        else if (done) finish(new Error(`the daemon exited before the awaited log line:\n${text}`));
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for a log line:\n${text}`)), timeoutMs);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (err === undefined) resolve();
        else reject(err);
      };
      waiters.add(check);
      check();
    });

  return {
    child,
    logs,
    output: () => text,
    count: (message) => logs.filter((l) => l.message === message).length,
    waitFor,
    async waitForLog(predicate, timeoutMs) {
      await waitFor((l) => l.some(predicate), timeoutMs);
      return logs.find(predicate) as Record<string, unknown>;
    },
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (!done) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
