import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely';
import { createConnection, createPool } from 'mysql2';
import pg from 'pg';
import { findDebianPostgres, findMariadb } from './servers/binaries.js';
import { startMariadb } from './servers/mariadb-server.js';
import { startPostgres } from './servers/postgres-server.js';
import type { TestDatabase, TestDialect } from './test-databases.js';

/**
 * A PostgreSQL or MariaDB server of the test's own, in a temporary folder on a free loopback port, started from the
 * installed (Debian) binaries by the code that starts the test runner's servers (test/support/servers/).
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

/** Why a throwaway server cannot be started here, or undefined when the binaries are installed. */
export function throwawayUnavailable(dialect: TestDialect): string | undefined {
  if (dialect === 'postgres') return findDebianPostgres() === undefined ? 'PostgreSQL server binaries (initdb, postgres) are not installed' : undefined;
  try {
    return findMariadb() === undefined ? 'MariaDB server binaries (mariadbd, mariadb-install-db) are not installed' : undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export async function startThrowawayServer(dialect: TestDialect): Promise<ThrowawayServer> {
  const binaries = dialect === 'postgres' ? findDebianPostgres() : findMariadb();
  if (binaries === undefined) throw new Error(throwawayUnavailable(dialect));
  const server = 'bin' in binaries ? await startPostgres(binaries) : await startMariadb(binaries);
  return {
    dialect,
    port: server.port,
    createDatabase: () => createDatabase(dialect, server.port),
    start: () => server.start(),
    stop: () => server.stop(),
    destroy: () => server.destroy(),
  };
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
      env: {
        POSTGRESQL_HOSTNAME: '127.0.0.1',
        POSTGRESQL_PORT: String(port),
        POSTGRESQL_DATABASE: name,
        POSTGRESQL_USERNAME: 'postgres',
        POSTGRESQL_PASSWORD: '',
      },
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
