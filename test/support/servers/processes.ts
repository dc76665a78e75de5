import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Root may install packages; PostgreSQL refuses to run as root, MariaDB must be told it may. */
export const isRoot = process.getuid?.() === 0;

/** The unprivileged account PostgreSQL runs as when we are root: Debian's `postgres` when present, else `nobody`. */
export function postgresAccount(): { name: string; uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error("running as root but there is neither a 'postgres' nor a 'nobody' account to run PostgreSQL as");
}

/** [command, args] that run `cmd` as `account` (runuser) when one is given, else as we are. */
export function asAccount(account: { name: string } | undefined, cmd: string, args: readonly string[]): [string, string[]] {
  return account === undefined ? [cmd, [...args]] : ['runuser', ['-u', account.name, '--', cmd, ...args]];
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal` to `pid`, then waits for `child` to end; SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, pid: number, signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    for (const target of [pid, child.pid]) {
      try {
        if (target !== undefined) process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `probe` every 100 ms until it resolves; fails with the log's tail when the server exits or time runs out. */
export async function waitUntilReady(what: string, child: ChildProcess, log: string, probe: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (hasExited(child) || Date.now() > deadline) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '(no log)';
        throw new Error(`${what} did not start: ${String(error)}\n${tail}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
