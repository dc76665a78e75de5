import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect } from 'kysely';
import { createConnection, createPool } from 'mysql2';
import type { Connection as MysqlConnection, Pool as MysqlPool } from 'mysql2';
import pg from 'pg';
import { repositoryRoot } from './repository-root.js';

/**
 * Throwaway databases on real servers for DB tests: one uniquely named database per call,
 * loaded with our Guacamole 1.6-compatible test schema (test/support/schema/) unless asked
 * not to. Servers come from TEST_POSTGRES_URL / TEST_MYSQL_URL, which ./scripts/test.sh sets.
 */

export type TestDialect = 'postgres' | 'mysql';

export interface TestDatabase {
  readonly dialect: TestDialect;
  /** The database name. */
  readonly name: string;
  /** Connected to that database. */
  readonly db: Kysely<any>;
  /** Environment variables that point the real CLI at this database, named the way Guacamole's docker image names them:
   * POSTGRESQL_HOSTNAME/PORT/DATABASE/USERNAME/PASSWORD or MYSQL_HOSTNAME/PORT/DATABASE/USERNAME/PASSWORD. */
  readonly env: Readonly<Record<string, string>>;
  /** Run raw SQL text (several statements) against this database. */
  exec(sqlText: string): Promise<void>;
  /** Destroys the pool and drops the database. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Load our Guacamole schema and the guacadmin seed (default true). */
  readonly schema?: boolean;
  /**
   * Which Guacamole schema: '1.6' (default), or '1.5', the same without the system permission AUDIT that 1.6.0 added
   * (what Guacamole 1.0.0 to 1.5.5 create: their schemas are identical).
   */
  readonly guacamole?: GuacamoleSchema;
}

export type GuacamoleSchema = '1.6' | '1.5';

const DIALECT_ALIASES: Readonly<Record<string, TestDialect>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  pg: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

function parseDialects(value: string | undefined): readonly TestDialect[] {
  if (value === undefined || value.trim() === '') return ['postgres', 'mysql'];
  const names = value.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '');
  const dialects = names.map((name) => {
    const dialect = DIALECT_ALIASES[name];
    if (dialect === undefined) {
      throw new Error(`TEST_DIALECTS: unknown dialect "${name}" (use postgres and/or mysql, comma-separated)`);
    }
    return dialect;
  });
  return [...new Set(dialects)];
}

/** Both dialects by default; TEST_DIALECTS=postgres or TEST_DIALECTS=mysql keeps one. */
export const DIALECTS: readonly TestDialect[] = Object.freeze(parseDialects(process.env.TEST_DIALECTS));

const URL_VARIABLES: Readonly<Record<TestDialect, string>> = {
  postgres: 'TEST_POSTGRES_URL',
  mysql: 'TEST_MYSQL_URL',
};

function serverUrl(dialect: TestDialect): URL {
  const variable = URL_VARIABLES[dialect];
  const value = process.env[variable];
  if (value === undefined || value.trim() === '') {
    throw new Error(
      `${variable} is not set. Run the tests with ./scripts/test.sh, which starts throwaway database servers, ` +
        `or set ${variable} to a server where databases may be created and dropped.`,
    );
  }
  return new URL(value);
}

/** The same server URL pointing at another database. */
function withDatabase(url: URL, database: string): string {
  const copy = new URL(url.href);
  copy.pathname = `/${database}`;
  return copy.href;
}

/** The repository (tests run compiled from dist/test/support/; schema files and deploy/ stay in the source tree). */
const SCHEMA_FILES: Readonly<Record<TestDialect, readonly string[]>> = {
  postgres: ['postgresql.sql', 'postgresql-seed.sql'],
  mysql: ['mysql.sql', 'mysql-seed.sql'],
};

const schemaCache = new Map<TestDialect, string>();

function schemaSql(dialect: TestDialect, guacamole: GuacamoleSchema = '1.6'): string {
  let text = schemaCache.get(dialect);
  if (text === undefined) {
    const folder = join(repositoryRoot(), 'test', 'support', 'schema');
    text = SCHEMA_FILES[dialect].map((file) => readFileSync(join(folder, file), 'utf8')).join('\n');
    schemaCache.set(dialect, text);
  }
  return guacamole === '1.6' ? text : withoutAuditPermission(text);
}

/** The schema before 1.6.0: AUDIT leaves the system permission enum (exactly once, or the variant would be wrong). */
function withoutAuditPermission(text: string): string {
  const parts = text.split("'CREATE_USER_GROUP', 'AUDIT', 'ADMINISTER'");
  if (parts.length !== 2) throw new Error('the test schema no longer lists the system permissions as expected: update withoutAuditPermission');
  return parts.join("'CREATE_USER_GROUP', 'ADMINISTER'");
}

let counter = 0;

/** ged_test_<pid>_<counter>_<random>: unique across processes sharing one server. */
function uniqueName(kind: 'test' | 'tpl'): string {
  counter += 1;
  return `ged_${kind}_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

function cliEnv(prefix: 'POSTGRESQL' | 'MYSQL', url: URL, database: string, defaultPort: number): Record<string, string> {
  return {
    [`${prefix}_HOSTNAME`]: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    [`${prefix}_PORT`]: url.port === '' ? String(defaultPort) : url.port,
    [`${prefix}_DATABASE`]: database,
    [`${prefix}_USERNAME`]: decodeURIComponent(url.username),
    [`${prefix}_PASSWORD`]: decodeURIComponent(url.password),
  };
}

export async function createTestDatabase(
  dialect: TestDialect,
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const schema = (options.schema ?? true) ? (options.guacamole ?? '1.6') : undefined;
  return dialect === 'postgres' ? createPostgresDatabase(schema) : createMysqlDatabase(schema);
}

// ---------------------------------------------------------------- PostgreSQL ----

/** Runs fn with a single connection to the server's own database (the one in the URL). */
async function withPgClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function pgQuote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

async function pgDropDatabase(admin: pg.Client, name: string): Promise<void> {
  const version = Number((await admin.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v);
  // WITH (FORCE) (PostgreSQL 13+) ends sessions a test may have leaked.
  const force = version >= 130000 ? ' WITH (FORCE)' : '';
  await admin.query(`DROP DATABASE IF EXISTS ${pgQuote(name)}${force}`);
}

// Each schema is loaded once per process into a template database, and each test database
// is a clone of it (CREATE DATABASE ... TEMPLATE), which is much faster than loading DDL.
const pgTemplates = new Map<GuacamoleSchema, Promise<string>>();
// Clones are serialised: a template must have no other session while it is copied.
let pgCloneQueue: Promise<unknown> = Promise.resolve();

function postgresTemplate(server: URL, guacamole: GuacamoleSchema): Promise<string> {
  let template = pgTemplates.get(guacamole);
  if (template === undefined) {
    const building = buildPostgresTemplate(server, guacamole);
    pgTemplates.set(guacamole, (template = building));
    building.catch(() => {
      if (pgTemplates.get(guacamole) === building) pgTemplates.delete(guacamole);
    });
  }
  return template;
}

async function buildPostgresTemplate(server: URL, guacamole: GuacamoleSchema): Promise<string> {
  const name = uniqueName('tpl');
  await withPgClient(server.href, (admin) => admin.query(`CREATE DATABASE ${pgQuote(name)}`));
  try {
    await withPgClient(withDatabase(server, name), (client) => client.query(schemaSql('postgres', guacamole)));
  } catch (error) {
    await withPgClient(server.href, (admin) => pgDropDatabase(admin, name));
    throw error;
  }
  // beforeExit fires when mocha has finished and the event loop is empty; it allows async work.
  process.once('beforeExit', () => {
    withPgClient(server.href, (admin) => pgDropDatabase(admin, name)).catch((error: unknown) => {
      console.warn(`could not drop the template database ${name}: ${String(error)}`);
    });
  });
  return name;
}

/** `schema`: which Guacamole schema to clone; undefined: an empty database. */
async function createPostgresDatabase(schema: GuacamoleSchema | undefined): Promise<TestDatabase> {
  const server = serverUrl('postgres');
  const name = uniqueName('test');
  const template = schema === undefined ? undefined : await postgresTemplate(server, schema);
  const create = pgCloneQueue.then(() =>
    withPgClient(server.href, (admin) =>
      admin.query(`CREATE DATABASE ${pgQuote(name)}${template === undefined ? '' : ` TEMPLATE ${pgQuote(template)}`}`),
    ),
  );
  pgCloneQueue = create.catch(() => undefined);
  await create;

  const pool = new pg.Pool({ connectionString: withDatabase(server, name) });
  // The drop below terminates idle connections; without a listener that error would crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  let dropped = false;
  return {
    dialect: 'postgres',
    name,
    db,
    env: Object.freeze(cliEnv('POSTGRESQL', server, name, 5432)),
    async exec(sqlText: string): Promise<void> {
      // Without parameters node-postgres uses the simple protocol, which allows several statements.
      await pool.query(sqlText);
    },
    async drop(): Promise<void> {
      if (dropped) return;
      dropped = true;
      await db.destroy();
      await withPgClient(server.href, (admin) => pgDropDatabase(admin, name));
    },
  };
}

// ------------------------------------------------------------ MySQL / MariaDB ----

function mysqlQuote(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

function mysqlQuery(target: MysqlConnection | MysqlPool, sqlText: string): Promise<void> {
  return new Promise((resolve, reject) => {
    target.query(sqlText, (error) => (error ? reject(error) : resolve()));
  });
}

async function withMysqlConnection<T>(uri: string, fn: (connection: MysqlConnection) => Promise<T>): Promise<T> {
  const connection = createConnection({ uri, multipleStatements: true });
  try {
    return await fn(connection);
  } finally {
    await new Promise<void>((resolve) => connection.end(() => resolve()));
  }
}

/**
 * TEST_MYSQL_COLLATION (default utf8mb4_general_ci) is the new databases' default collation. Any other collation also
 * goes to Guacamole's tables, in its utf8mb3 form (utf8mb4_uca1400_ai_ci → utf8mb3_uca1400_ai_ci), as MariaDB 11.5+
 * gives them by default: their DDL names only the character set, and before 11.2 that alone picks utf8mb3_general_ci.
 */
function mysqlCollation(): string {
  const value = process.env.TEST_MYSQL_COLLATION?.trim() || 'utf8mb4_general_ci';
  if (!/^utf8mb4_[a-z0-9_]+$/.test(value)) throw new Error(`TEST_MYSQL_COLLATION: "${value}" is not a utf8mb4 collation name`);
  return value;
}

function mysqlSchemaSql(collation: string, guacamole: GuacamoleSchema): string {
  const sql = schemaSql('mysql', guacamole);
  if (collation === 'utf8mb4_general_ci') return sql;
  const utf8 = collation.replace(/^utf8mb4_/, 'utf8mb3_');
  return sql.replace(/DEFAULT CHARSET=utf8;/g, `DEFAULT CHARSET=utf8 COLLATE=${utf8};`);
}

/** `schema`: which Guacamole schema to load; undefined: an empty database. */
async function createMysqlDatabase(schema: GuacamoleSchema | undefined): Promise<TestDatabase> {
  const server = serverUrl('mysql');
  const name = uniqueName('test');
  const collation = mysqlCollation();
  await withMysqlConnection(server.href, async (admin) => {
    // An explicit default so tables created without a charset (our bookkeeping tables)
    // do not depend on the server's configuration. Guacamole's tables set utf8 themselves.
    await mysqlQuery(admin, `CREATE DATABASE ${mysqlQuote(name)} CHARACTER SET utf8mb4 COLLATE ${collation}`);
  });
  const uri = withDatabase(server, name);
  const pool = createPool({ uri, multipleStatements: true });
  const db = new Kysely<any>({ dialect: new MysqlDialect({ pool }) });
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    await db.destroy();
    // Kysely ends only a pool it has used; the schema was loaded through the raw pool.
    await new Promise<void>((resolve) => pool.end(() => resolve()));
    await withMysqlConnection(server.href, (admin) => mysqlQuery(admin, `DROP DATABASE IF EXISTS ${mysqlQuote(name)}`));
  };
  if (schema !== undefined) {
    try {
      await mysqlQuery(pool, mysqlSchemaSql(collation, schema));
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return {
    dialect: 'mysql',
    name,
    db,
    env: Object.freeze(cliEnv('MYSQL', server, name, 3306)),
    exec: (sqlText: string) => mysqlQuery(pool, sqlText),
    drop,
  };
}
