import type { Dialect } from '../../config/config.js';
import type { SqlDialect } from './dialect.js';
import { mysqlDialect } from './mysql-dialect.js';
import { postgresDialect } from './postgres-dialect.js';

const DIALECTS: Readonly<Record<Dialect, SqlDialect>> = { postgres: postgresDialect, mysql: mysqlDialect };

/** The dialect of the configured database: the one place that looks at which database it is. */
export function dialectFor(name: Dialect): SqlDialect {
  return DIALECTS[name];
}
