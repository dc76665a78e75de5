import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import type { TestDialect } from '../test-databases.js';

/** A database server of our own: a temporary folder, a free loopback port, trust/empty-password admin access. */
export interface DatabaseServer {
  readonly dialect: TestDialect;
  /** e.g. `PostgreSQL 12.22` or `MariaDB 10.11.19`. */
  readonly label: string;
  readonly port: number;
  /** The admin URL, as TEST_POSTGRES_URL / TEST_MYSQL_URL take it. */
  readonly url: string;
  /** Fast shutdown (PostgreSQL SIGINT, MariaDB SIGTERM): open sessions are cut, uncommitted work rolled back. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  destroy(): Promise<void>;
}

/** What differs between PostgreSQL and MariaDB: how to create, launch, probe and stop one. */
export interface ServerKind {
  readonly dialect: TestDialect;
  readonly label: string;
  /** Creates the data folder (initdb, mariadb-install-db). */
  init(work: string): void;
  launch(work: string, port: number): ChildProcess;
  /** Resolves once the server answers a query; throws (with the log) when it exits or does not within 30 s. */
  waitReady(work: string, port: number, child: ChildProcess): Promise<void>;
  stop(work: string, child: ChildProcess): Promise<void>;
  url(port: number): string;
}

export async function startDatabaseServer(kind: ServerKind): Promise<DatabaseServer> {
  const work = mkdtempSync(join(tmpdir(), `ged-${kind.dialect}-`));
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    kind.init(work);
    const server: DatabaseServer = {
      dialect: kind.dialect,
      label: kind.label,
      port,
      url: kind.url(port),
      async start() {
        if (child !== undefined) return;
        child = kind.launch(work, port);
        await kind.waitReady(work, port, child);
      },
      async stop() {
        if (child === undefined) return;
        const running = child;
        child = undefined;
        await kind.stop(work, running);
      },
      async destroy() {
        await server.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
    await server.start();
    return server;
  } catch (error) {
    if (child !== undefined) await kind.stop(work, child).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}
