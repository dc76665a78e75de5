import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, openSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely';
import { createConnection, createPool } from 'mysql2';
import pg from 'pg';
import type { TestDatabase, TestDialect } from './test-databases.js';

/**
 * A PostgreSQL or MariaDB server of the test's own, in a temporary folder on a free loopback port, started from the
 * installed binaries the way scripts/test.sh starts its servers (as root, PostgreSQL runs as the `postgres` user).
 * Only for tests that stop and restart the server: never the shared servers.
 */
export interface ThrowawayServer {
  readonly dialect: TestDialect;
  readonly port: number;
  /** A database on this server loaded with the test Guacamole schema. */
  createDatabase(): Promise<TestDatabase>;
  /** Fast shutdown (PostgreSQL SIGINT, MariaDB SIGTERM): open sessions are cut, uncommitted work rolled back. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/** Why a throwaway server cannot be started here, or undefined when the binaries are installed. */
export function throwawayUnavailable(dialect: TestDialect): string | undefined {
  if (dialect === 'postgres') return findPostgresBin() === undefined ? 'PostgreSQL server binaries (initdb, postgres) are not installed' : undefined;
  return findFirst(['mariadbd']) === undefined || findFirst(['mariadb-install-db']) === undefined ? 'MariaDB server binaries (mariadbd, mariadb-install-db) are not installed' : undefined;
}

export async function startThrowawayServer(dialect: TestDialect): Promise<ThrowawayServer> {
  const work = mkdtempSync(join(tmpdir(), `ged-throwaway-${dialect}-`));
  const port = await freePort();
  const server = dialect === 'postgres' ? postgresServer(work, port) : mariadbServer(work, port);
  server.init();
  let child: ChildProcess | undefined;
  const api: ThrowawayServer = {
    dialect,
    port,
    createDatabase: () => createDatabase(dialect, port),
    async start() {
      child = server.launch();
      await waitReady(dialect, port, child, server.log);
    },
    async stop() {
      if (child === undefined) return;
      const running = child;
      child = undefined;
      await server.stop(running);
    },
    async destroy() {
      await api.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  await api.start();
  return api;
}

interface ServerKind {
  init(): void;
  launch(): ChildProcess;
  stop(child: ChildProcess): Promise<void>;
  readonly log: string;
}

const isRoot = process.getuid?.() === 0;

function postgresServer(work: string, port: number): ServerKind {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error('PostgreSQL server binaries not found');
  const data = join(work, 'data');
  const socket = join(work, 'sock');
  const log = join(work, 'server.log');
  // PostgreSQL refuses to run as root: run it as the postgres user on folders it owns.
  const asUser = (cmd: string, args: string[]): [string, string[]] => (isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  return {
    log,
    init() {
      mkdirSync(socket);
      if (isRoot) {
        const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
        const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
        for (const dir of [work, socket]) chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
      }
      const [cmd, args] = asUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--auth-local=trust', '--auth-host=trust', '--no-sync']);
      const result = spawnSync(cmd, args, { cwd: work, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr}${result.stdout}`);
    },
    launch() {
      const [cmd, args] = asUser(join(bin, 'postgres'), [
        '-D', data, '-p', String(port), '-k', socket,
        '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      ]);
      const out = openSync(log, 'a');
      const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', out, out] });
      closeSync(out);
      return child;
    },
    async stop(child) {
      // The postmaster's own pid (the child may be runuser waiting for it); SIGINT is PostgreSQL's fast shutdown.
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGINT');
      await exitOf(child);
    },
  };
}

function mariadbServer(work: string, port: number): ServerKind {
  const server = findFirst(['mariadbd']);
  const install = findFirst(['mariadb-install-db']);
  if (server === undefined || install === undefined) throw new Error('MariaDB server binaries not found');
  const data = join(work, 'data');
  const log = join(work, 'server.log');
  const user = isRoot ? ['--user=root'] : [];
  return {
    log,
    init() {
      const result = spawnSync(install, ['--no-defaults', ...user, `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`mariadb-install-db failed: ${result.stderr}${result.stdout}`);
    },
    launch() {
      return spawn(
        server,
        [
          '--no-defaults', ...user, `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1',
          `--socket=${join(work, 'mysqld.sock')}`, `--pid-file=${join(work, 'mysqld.pid')}`, `--log-error=${log}`,
          '--skip-name-resolve', '--skip-log-bin', '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0',
          '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
        ],
        { stdio: 'ignore' },
      );
    },
    async stop(child) {
      child.kill('SIGTERM');
      await exitOf(child);
    },
  };
}

async function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function waitReady(dialect: TestDialect, port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      if (dialect === 'postgres') {
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        await client.connect();
        await client.end();
      } else {
        await mysqlRun({ host: '127.0.0.1', port, user: 'root' }, 'SELECT 1');
      }
      return;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const text = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
        throw new Error(`throwaway ${dialect} server on port ${port} did not start: ${String(err)}\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let counter = 0;

async function createDatabase(dialect: TestDialect, port: number): Promise<TestDatabase> {
  counter += 1;
  const name = `ged_throwaway_${process.pid}_${counter}`;
  const schema = schemaSql(dialect);
  if (dialect === 'postgres') {
    const admin = { host: '127.0.0.1', port, user: 'postgres' };
    await pgRun({ ...admin, database: 'postgres' }, `CREATE DATABASE "${name}"`);
    await pgRun({ ...admin, database: name }, schema);
    const pool = new pg.Pool({ ...admin, database: name });
    pool.on('error', () => undefined); // the server is stopped under it on purpose
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return {
      dialect,
      name,
      db,
      env: { POSTGRESQL_HOSTNAME: '127.0.0.1', POSTGRESQL_PORT: String(port), POSTGRESQL_DATABASE: name, POSTGRESQL_USERNAME: 'postgres', POSTGRESQL_PASSWORD: '' },
      exec: async (text) => void (await pool.query(text)),
      drop: () => db.destroy(), // the whole server goes with destroy()
    };
  }
  const admin = { host: '127.0.0.1', port, user: 'root' };
  await mysqlRun(admin, `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  await mysqlRun({ ...admin, database: name }, schema);
  const pool = createPool({ ...admin, database: name, multipleStatements: true });
  const db = new Kysely<any>({ dialect: new MysqlDialect({ pool }) });
  return {
    dialect,
    name,
    db,
    env: { MYSQL_HOSTNAME: '127.0.0.1', MYSQL_PORT: String(port), MYSQL_DATABASE: name, MYSQL_USERNAME: 'root', MYSQL_PASSWORD: '' },
    exec: (text) => new Promise((resolve, reject) => pool.query(text, (err) => (err ? reject(err) : resolve()))),
    drop: () => db.destroy(),
  };
}

async function pgRun(options: pg.ClientConfig, text: string): Promise<void> {
  const client = new pg.Client(options);
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function mysqlRun(options: { host: string; port: number; user: string; database?: string }, text: string): Promise<void> {
  const connection = createConnection({ ...options, multipleStatements: true });
  return new Promise((resolve, reject) => {
    connection.query(text, (err) => {
      connection.end(() => (err ? reject(err) : resolve()));
    });
  });
}

function schemaSql(dialect: TestDialect): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  const folder = join(dir, 'test', 'support', 'schema');
  const files = dialect === 'postgres' ? ['postgresql.sql', 'postgresql-seed.sql'] : ['mysql.sql', 'mysql-seed.sql'];
  return files.map((f) => readFileSync(join(folder, f), 'utf8')).join('\n');
}

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function findFirst(names: readonly string[]): string | undefined {
  for (const name of names) {
    for (const dir of ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin']) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return undefined;
}

