import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createConnection } from 'mysql2';
import type { MariadbBinaries } from './binaries.js';
import { startDatabaseServer, type DatabaseServer, type ServerKind } from './database-server.js';
import { isRoot, stopProcess, waitUntilReady } from './processes.js';

/**
 * MariaDB from `binaries` on 127.0.0.1, root with an empty password over TCP, the default (strict) sql_mode, utf8mb4
 * server defaults as in Debian's packaged configuration (which --no-defaults skips), binary log and doublewrite off.
 */
export function startMariadb(binaries: MariadbBinaries): Promise<DatabaseServer> {
  return startDatabaseServer(mariadbKind(binaries));
}

function mariadbKind(binaries: MariadbBinaries): ServerKind {
  // Only root may pass --user, and mariadbd must be told explicitly to run as root.
  const user = isRoot ? ['--user=root'] : [];
  const data = (work: string): string => join(work, 'data');
  const log = (work: string): string => join(work, 'server.log');
  return {
    dialect: 'mysql',
    label: `MariaDB ${binaries.version}`,
    url: (port) => `mysql://root@127.0.0.1:${port}/`,
    init(work) {
      // 'normal' gives root@localhost, root@127.0.0.1 and root@::1 an empty password; 'socket' would refuse TCP.
      const args = ['--no-defaults', ...user, `--datadir=${data(work)}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'];
      const result = spawnSync(binaries.installDb, args, { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`mariadb-install-db failed: ${result.stderr}${result.stdout}${String(result.error ?? '')}`);
    },
    launch(work, port) {
      const args = [
        '--no-defaults', ...user, `--datadir=${data(work)}`, `--port=${port}`, '--bind-address=127.0.0.1',
        `--socket=${join(work, 'mysqld.sock')}`, `--pid-file=${join(work, 'mysqld.pid')}`, `--log-error=${log(work)}`,
        '--skip-name-resolve', '--skip-log-bin', '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0',
        '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
      ];
      // Its own process group: a Ctrl-C in the terminal reaches the runner, which stops the server in order.
      return spawn(binaries.server, args, { stdio: 'ignore', detached: true });
    },
    waitReady(work, port, child) {
      // A real query as root over TCP, not just a ping: checks the empty password works.
      return waitUntilReady(`MariaDB ${binaries.version} on port ${port}`, child, log(work), () => selectOne(port));
    },
    stop(_work, child) {
      return stopProcess(child, child.pid!, 'SIGTERM');
    },
  };
}

function selectOne(port: number): Promise<void> {
  const connection = createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
  connection.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    connection.query('SELECT 1', (error) => {
      connection.destroy();
      if (error) reject(error);
      else resolve();
    });
  });
}
