import { sql, type Kysely } from 'kysely';

let counter = 0;

/**
 * Runs `work` inside a savepoint of the current transaction: on success the savepoint is released, on failure the
 * transaction goes back to where it was before `work` (PostgreSQL could not continue otherwise) and the error is
 * rethrown. Same statements on PostgreSQL and MySQL/MariaDB.
 */
export async function inSavepoint<T>(trx: Kysely<any>, work: () => Promise<T>): Promise<T> {
  const name = sql.raw(`ec2_discovery_${++counter}`);
  await sql`SAVEPOINT ${name}`.execute(trx);
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(trx);
    await sql`RELEASE SAVEPOINT ${name}`.execute(trx);
    throw err;
  }
  await sql`RELEASE SAVEPOINT ${name}`.execute(trx);
  return result;
}

/** Runs `work` and then undoes everything it wrote (a probe): the transaction is as it was before. */
export async function thenRollBack<T>(trx: Kysely<any>, work: () => Promise<T>): Promise<T> {
  const name = sql.raw(`ec2_discovery_${++counter}`);
  await sql`SAVEPOINT ${name}`.execute(trx);
  const result = await work(); // on failure the caller ends the whole transaction: nothing to undo here
  await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(trx);
  await sql`RELEASE SAVEPOINT ${name}`.execute(trx);
  return result;
}
