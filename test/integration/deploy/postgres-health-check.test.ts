import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { interpolate, readComposeFile } from '../../support/deploy-files.js';
import { freePort } from '../../support/free-port.js';
import { findDebianPostgres } from '../../support/servers/binaries.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';

/**
 * docker-compose.yml's postgres health check against a real PostgreSQL: a fresh database without Guacamole's tables
 * must fail it and one with them must pass it. First its SQL alone, then its whole command as the container runs it
 * (`/bin/sh -c`, psql, the POSTGRES_* variables of the postgres service), which must also fail while nothing listens
 * on TCP, as during the image's first-start schema load.
 */

const test = readComposeFile('docker-compose.yml').services.postgres?.healthcheck?.test;
if (!Array.isArray(test) || test[0] !== 'CMD-SHELL') throw new Error('docker-compose.yml: postgres has no CMD-SHELL health check');
/** What the container's shell gets: Compose has turned `$$` into `$`. */
const command = interpolate(test[1] as string);
const query = /-tAc '([^']+)'/.exec(command)?.[1];
if (query === undefined) throw new Error(`no -tAc '<sql>' in the health check: ${command}`);

/** psql from the PostgreSQL the test servers come from, else from PATH. */
function psqlFolder(): string | undefined {
  const debian = findDebianPostgres();
  if (debian !== undefined && existsSync(join(debian.bin, 'psql'))) return debian.bin;
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => dir !== '' && existsSync(join(dir, 'psql')));
  return onPath;
}

/** The health check's exit status, run the way Docker runs it, against `database` (on `port` if given). */
function runCheck(folder: string, database: TestDatabase, port?: number): Promise<{ code: number; stderr: string }> {
  const env = {
    PATH: `${folder}:/usr/bin:/bin`,
    PGPORT: String(port ?? database.env.POSTGRESQL_PORT),
    POSTGRES_USER: database.env.POSTGRESQL_USERNAME,
    POSTGRES_DB: database.env.POSTGRESQL_DATABASE,
    POSTGRES_PASSWORD: database.env.POSTGRESQL_PASSWORD,
  };
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { env, encoding: 'utf8' }, (error, _stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stderr });
    });
  });
}

describe("docker-compose.yml: postgres' health check on a real PostgreSQL", function () {
  let empty: TestDatabase | undefined;
  let loaded: TestDatabase | undefined;

  before(async function () {
    if (!DIALECTS.includes('postgres')) this.skip();
    empty = await createTestDatabase('postgres', { schema: false });
    loaded = await createTestDatabase('postgres');
  });

  after(async () => {
    await empty?.drop();
    await loaded?.drop();
  });

  it(`its SQL (${query}) fails without Guacamole's tables and passes with them`, async () => {
    const failure = await sql.raw(query).execute(empty!.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(failure)).to.match(/relation "guacamole_connection" does not exist/);
    const passed = await sql.raw(query).execute(loaded!.db);
    expect(passed.rows).to.deep.equal([]);
  });

  it('its command, as the container runs it: 1 without the tables, 0 with them, not 0 while nothing listens on TCP', async function () {
    const folder = psqlFolder();
    if (folder === undefined) this.skip();
    const host = empty!.env.POSTGRESQL_HOSTNAME;
    // The command connects to 127.0.0.1 as in the container; a server elsewhere cannot be reached that way.
    if (host !== '127.0.0.1' && host !== 'localhost') this.skip();

    const without = await runCheck(folder as string, empty!);
    expect(without.code, without.stderr).to.equal(1);
    expect(without.stderr).to.include('guacamole_connection');

    const withTables = await runCheck(folder as string, loaded!);
    expect(withTables.code, withTables.stderr).to.equal(0);

    const noListener = await runCheck(folder as string, loaded!, await freePort());
    expect(noListener.code, noListener.stderr).to.equal(2);
  });
});
