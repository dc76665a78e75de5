import { Kysely, type LogEvent } from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import type { SqlDialect } from './dialect/dialect.js';
import { dialectFor } from './dialect/dialect-for.js';
import type { Database } from './tables.js';

export interface GuacamoleDatabase {
  readonly db: Kysely<Database>;
  /** Everything that differs between PostgreSQL and MySQL/MariaDB, chosen when the database was opened. */
  readonly dialect: SqlDialect;
}

/**
 * Opens a small pool on Guacamole's database. `destroy()` on `db` ends it. `observe`, when given, is Kysely's `log`
 * callback: it sees every statement executed, BEGIN and COMMIT included (the benchmark counts round trips with it).
 */
export function openDatabase(config: DatabaseConfig, password: string, onError: (err: Error) => void, observe?: (event: LogEvent) => void): GuacamoleDatabase {
  const log = observe === undefined ? {} : { log: observe };
  const dialect = dialectFor(config.dialect);
  const target = { host: config.host, port: config.port, database: config.database, user: config.user, password };
  return { db: new Kysely<Database>({ dialect: dialect.connect(target, onError), ...log }), dialect };
}
