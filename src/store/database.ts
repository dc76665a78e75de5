import { Kysely, MysqlDialect, PostgresDialect, type LogEvent } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import type { DatabaseConfig, Dialect } from '../config/config.js';
import type { Database } from './tables.js';

export interface GuacamoleDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
}

/**
 * Opens a small pool on Guacamole's database. `destroy()` on `db` ends it. `observe`, when given, is Kysely's `log`
 * callback: it sees every statement executed, BEGIN and COMMIT included (the benchmark counts round trips with it).
 */
export function openDatabase(config: DatabaseConfig, password: string, onError: (err: Error) => void, observe?: (event: LogEvent) => void): GuacamoleDatabase {
  const log = observe === undefined ? {} : { log: observe };
  const common = { host: config.host, port: config.port, database: config.database, user: config.user, password };
  if (config.dialect === 'postgres') {
    const pool = new pg.Pool({ ...common, max: 4, application_name: 'guacamole-ec2-discovery', connectionTimeoutMillis: 15_000 });
    pool.on('error', onError); // an idle client lost its connection: report it instead of crashing
    // A client in use has no pool listener: a backend terminated mid-query (pg_terminate_backend, a server shutdown)
    // would otherwise emit an unhandled 'error' after its query failed, and end the process.
    pool.on('connect', (client) => client.on('error', onError));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...log }), dialect: 'postgres' };
  }
  const pool = createPool({ ...common, connectionLimit: 4, charset: 'utf8mb4', connectTimeout: 15_000, supportBigNumbers: true });
  pool.on('connection', (conn) => conn.on('error', onError));
  return { db: new Kysely<Database>({ dialect: new MysqlDialect({ pool }), ...log }), dialect: 'mysql' };
}
