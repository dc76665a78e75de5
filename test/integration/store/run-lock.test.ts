import { expect } from 'chai';
import { Kysely, MysqlDialect, PostgresDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { dialectFor } from '../../../src/store/dialect/dialect-for.js';
import { mysqlLockName, postgresLockKey } from '../../../src/store/dialect/run-lock-names.js';
import { withRunLock } from '../../../src/store/run-lock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/test-databases.js';

const logger = createLogger({ level: 'error' });

/** A second, independent pool on the same database: another daemon, as far as the server can tell. */
function otherPool(database: TestDatabase): Kysely<any> {
  const env = database.env;
  if (database.dialect === 'postgres') {
    const pool = new pg.Pool({
      host: env.POSTGRESQL_HOSTNAME,
      port: Number(env.POSTGRESQL_PORT),
      database: env.POSTGRESQL_DATABASE,
      user: env.POSTGRESQL_USERNAME,
      password: env.POSTGRESQL_PASSWORD,
    });
    return new Kysely({ dialect: new PostgresDialect({ pool }) });
  }
  const pool = createPool({
    host: env.MYSQL_HOSTNAME,
    port: Number(env.MYSQL_PORT),
    database: env.MYSQL_DATABASE,
    user: env.MYSQL_USERNAME,
    password: env.MYSQL_PASSWORD,
  });
  return new Kysely({ dialect: new MysqlDialect({ pool }) });
}

/** Holds the owner's lock on one raw session until `release` is called, the way the daemon's key or name says. */
async function holdLockElsewhere(
  db: Kysely<any>,
  dialect: 'postgres' | 'mysql',
  ownerId: string,
  dbName?: string,
): Promise<{ release: () => void; done: Promise<unknown> }> {
  let release: () => void = () => undefined;
  let held: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const done = db.connection().execute(async (conn) => {
    const query =
      dialect === 'postgres'
        ? sql`SELECT pg_advisory_lock(${postgresLockKey(ownerId)}::bigint)`
        : sql`SELECT GET_LOCK(${mysqlLockName(String(dbName), ownerId)}, 5)`;
    await query.execute(conn);
    held();
    await new Promise<void>((resolve) => (release = resolve));
    // Ending the session (the pool is destroyed by the caller) is what releases it; nothing is unlocked here.
  });
  await holding;
  return { release: () => release(), done };
}

describe('run lock keys', function () {
  it('PostgreSQL key: a stable signed 64-bit integer per owner id', function () {
    expect(postgresLockKey('default')).to.equal(postgresLockKey('default'));
    expect(postgresLockKey('default')).to.not.equal(postgresLockKey('prod'));
    const key = BigInt(postgresLockKey('default'));
    expect(key >= -(2n ** 63n) && key < 2n ** 63n).to.equal(true);
  });
  it('MySQL name: the database and owner id, readable when short, hashed to 64 characters when long', function () {
    expect(mysqlLockName('guacamole_db', 'default')).to.equal('guacamole-ec2-discovery:guacamole_db/default');
    expect(mysqlLockName('other_db', 'default')).to.not.equal(mysqlLockName('guacamole_db', 'default'));
    const long = mysqlLockName('guacamole_db', 'x'.repeat(64));
    expect(long).to.have.length(64);
    expect(long).to.match(/^guacamole-ec2-discovery:#[0-9a-f]+$/);
    expect(mysqlLockName('guacamole_db', 'y'.repeat(64))).to.not.equal(long);
    expect(mysqlLockName('other_db', 'x'.repeat(64))).to.not.equal(long);
  });
});

for (const dialect of DIALECTS) {
  describe(`withRunLock on ${dialect}`, function () {
    const sqlDialect = dialectFor(dialect);
    let database: TestDatabase;
    let other: Kysely<any>;

    beforeEach(async function () {
      database = await createTestDatabase(dialect, { schema: false });
      other = otherPool(database);
    });
    afterEach(async function () {
      await other.destroy();
      await database.drop();
    });

    it('one runner per owner id at a time, across pools and within one pool', async function () {
      let inner: unknown;
      const outer = await withRunLock(database.db, sqlDialect, 'team-a', logger, async () => {
        inner = {
          otherPool: await withRunLock(other, sqlDialect, 'team-a', logger, async () => 'ran'),
          samePool: await withRunLock(database.db, sqlDialect, 'team-a', logger, async () => 'ran'),
          otherOwner: await withRunLock(other, sqlDialect, 'team-b', logger, async () => 'ran'),
        };
        return 'outer';
      });
      expect(outer).to.deep.equal({ acquired: true, value: 'outer' });
      expect(inner).to.deep.equal({ otherPool: { acquired: false }, samePool: { acquired: false }, otherOwner: { acquired: true, value: 'ran' } });
      // Released at the end: the other pool gets it now.
      expect(await withRunLock(other, sqlDialect, 'team-a', logger, async () => 'again')).to.deep.equal({ acquired: true, value: 'again' });
    });

    it('the same owner id in two databases on one server: both run at once', async function () {
      const second = await createTestDatabase(dialect, { schema: false });
      try {
        const outer = await withRunLock(database.db, sqlDialect, 'default', logger, async () =>
          withRunLock(second.db, sqlDialect, 'default', logger, async () => 'ran'),
        );
        expect(outer).to.deep.equal({ acquired: true, value: { acquired: true, value: 'ran' } });
      } finally {
        await second.drop();
      }
    });

    it('is released when the run throws', async function () {
      const error = await withRunLock(database.db, sqlDialect, 'team-a', logger, async () => {
        throw new Error('run failed');
      }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect((error as Error).message).to.equal('run failed');
      expect(await withRunLock(other, sqlDialect, 'team-a', logger, async () => 1)).to.deep.equal({ acquired: true, value: 1 });
    });

    it('a lock held by a session that ends is released by the server', async function () {
      const holderDb = otherPool(database);
      const holder = await holdLockElsewhere(holderDb, dialect, 'team-a', database.env.MYSQL_DATABASE);
      expect(await withRunLock(database.db, sqlDialect, 'team-a', logger, async () => 1)).to.deep.equal({ acquired: false });
      holder.release();
      await holder.done;
      await holderDb.destroy(); // the session ends without unlocking
      // The server cleans up the ended session a moment after the socket closes (longer on a busy machine: the bound
      // of 20 s is only a safety net).
      let attempt = await withRunLock(database.db, sqlDialect, 'team-a', logger, async () => 1);
      for (let i = 0; i < 400 && !attempt.acquired; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        attempt = await withRunLock(database.db, sqlDialect, 'team-a', logger, async () => 1);
      }
      expect(attempt).to.deep.equal({ acquired: true, value: 1 });
    });
  });
}
