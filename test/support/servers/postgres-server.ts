import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { accountCanRead, type PostgresBinaries } from './binaries.js';
import { startDatabaseServer, type DatabaseServer, type ServerKind } from './database-server.js';
import { asAccount, postgresAccount, stopProcess, waitUntilReady } from './processes.js';

export interface PostgresOptions {
  /** max_connections (PostgreSQL's default is 100). */
  readonly maxConnections?: number;
}

/**
 * PostgreSQL from `binaries` on 127.0.0.1, trust authentication for `postgres`, durability off (fsync, synchronous
 * commit, full page writes: a crash of a test server loses nothing of value). As root it runs as the `postgres` account.
 */
export function startPostgres(binaries: PostgresBinaries, options: PostgresOptions = {}): Promise<DatabaseServer> {
  return startDatabaseServer(postgresKind(binaries, options));
}

function postgresKind(binaries: PostgresBinaries, options: PostgresOptions): ServerKind {
  const account = postgresAccount();
  let bin = binaries.bin;
  const data = (work: string): string => join(work, 'data');
  const run = (cmd: string, args: string[]): [string, string[]] => asAccount(account, join(bin, cmd), args);
  return {
    dialect: 'postgres',
    label: `PostgreSQL ${binaries.version}`,
    url: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`,
    init(work) {
      mkdirSync(join(work, 'sock'));
      if (account !== undefined) {
        for (const dir of [work, join(work, 'sock')]) chownSync(dir, account.uid, account.gid);
        if (!accountCanRead(account, work)) throw new Error(`the ${account.name} account cannot reach ${work}: set TMPDIR to a folder it can traverse`);
        if (!accountCanRead(account, join(bin, 'postgres'))) {
          // Binaries inside a checkout the account cannot enter (e.g. under /root): use a copy of them.
          cpSync(join(bin, '..'), join(work, 'pg'), { recursive: true, verbatimSymlinks: true });
          bin = join(work, 'pg', 'bin');
        }
      }
      const initdb = ['-D', data(work), '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=trust', '--no-sync'];
      const [cmd, args] = run('initdb', initdb);
      // Run from the work folder: the account may not be allowed into the current one.
      const result = spawnSync(cmd, args, { cwd: work, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr}${result.stdout}${String(result.error ?? '')}`);
    },
    launch(work, port) {
      const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
      if (options.maxConnections !== undefined) settings.push(`max_connections=${options.maxConnections}`);
      const [cmd, args] = run('postgres', ['-D', data(work), '-p', String(port), '-k', join(work, 'sock'), ...settings.flatMap((s) => ['-c', s])]);
      const out = openSync(join(work, 'server.log'), 'a');
      // Its own process group: a Ctrl-C in the terminal reaches the runner, which stops the server in order.
      const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', out, out], detached: true });
      closeSync(out);
      return child;
    },
    waitReady(work, port, child) {
      return waitUntilReady(`PostgreSQL ${binaries.version} on port ${port}`, child, join(work, 'server.log'), async () => {
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        client.on('error', () => undefined);
        await client.connect();
        await client.end();
      });
    },
    async stop(work, child) {
      // The postmaster's own pid (the child may be runuser waiting for it); SIGINT is PostgreSQL's fast shutdown.
      const pidFile = join(data(work), 'postmaster.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
      await stopProcess(child, Number.isInteger(pid) && pid > 0 ? pid : child.pid!, 'SIGINT');
    },
  };
}
