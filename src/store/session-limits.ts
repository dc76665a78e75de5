import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../config/config.js';

/**
 * Bounds on a run's transaction, so that a lock held by someone else (an administrator's open transaction, a backup
 * taking table locks, another program) makes the run fail after a while instead of waiting forever while it holds
 * locks on Guacamole's tables itself.
 */
export interface SessionLimits {
  /** Longest wait for one lock (row, table or metadata lock). */
  readonly lockTimeoutSeconds: number;
}

/** A single statement, and a pause between two statements of the run, may last this many lock timeouts. */
const STATEMENT_FACTOR = 4;

/**
 * Applies the limits at the start of the run's transaction: transaction-local settings on PostgreSQL; session
 * settings on MySQL/MariaDB (the connection is the daemon's own). `max_statement_time` and `idle_transaction_timeout`
 * exist on MariaDB only and are sent in a MariaDB-only comment; MySQL keeps the two lock waits.
 */
export async function applySessionLimits(trx: Kysely<any>, dialect: Dialect, limits: SessionLimits): Promise<void> {
  const lock = Math.max(1, Math.round(limits.lockTimeoutSeconds));
  const statement = lock * STATEMENT_FACTOR;
  if (dialect === 'postgres') {
    await sql`SELECT set_config('lock_timeout', ${`${lock}s`}, true), set_config('statement_timeout', ${`${statement}s`}, true),
      set_config('idle_in_transaction_session_timeout', ${`${statement}s`}, true)`.execute(trx);
    return;
  }
  // Integers validated above: safe to inline (the MariaDB-only comment cannot carry parameters).
  await sql
    .raw(`SET SESSION innodb_lock_wait_timeout = ${lock}, lock_wait_timeout = ${lock} /*M!100300 , max_statement_time = ${statement}, idle_transaction_timeout = ${statement} */`)
    .execute(trx);
}

/** What went wrong with the database during a run, in words an operator can act on; the original error is the cause. */
export class DatabaseFaultError extends Error {
  override readonly name = 'DatabaseFaultError';
  constructor(
    message: string,
    readonly kind: 'lock-timeout' | 'statement-timeout' | 'deadlock' | 'connection-lost',
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

const LOCK_TIMEOUT = new Set(['55P03', 'ER_LOCK_WAIT_TIMEOUT']);
const STATEMENT_TIMEOUT = new Set(['57014', 'ER_STATEMENT_TIMEOUT', '25P03']);
const DEADLOCK = new Set(['40P01', 'ER_LOCK_DEADLOCK']);
const CONNECTION_LOST = new Set([
  '57P01', // terminated by an administrator (pg_terminate_backend) or a fast shutdown
  '57P02',
  '57P03',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
]);
const CONNECTION_LOST_MESSAGES = /Connection terminated|connection is closed|Client has encountered a connection error|Can't add new command when connection is in closed state/i;

/**
 * Wraps a failure of the run's transaction in a `DatabaseFaultError` saying what happened and that nothing was
 * written; other errors are returned as they are. The server has rolled the transaction back in every case here.
 */
export function explainTransactionFailure(err: unknown, limits: SessionLimits): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  const text = `${err.message}${typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : ''}`;
  const rolledBack = "the run's transaction was rolled back and the next run tries again";
  const lock = `${limits.lockTimeoutSeconds} s`;
  if (typeof code === 'string' && LOCK_TIMEOUT.has(code)) {
    return new DatabaseFaultError(`another database session held a lock the run needed for more than ${lock} (AWS_DISCOVERY_DB_LOCK_TIMEOUT); ${rolledBack}: ${text}`, 'lock-timeout', { cause: err });
  }
  if ((typeof code === 'string' && STATEMENT_TIMEOUT.has(code)) || /max_statement_time|idle_transaction_timeout/i.test(err.message)) {
    return new DatabaseFaultError(`a database statement of the run took longer than ${limits.lockTimeoutSeconds * STATEMENT_FACTOR} s (4 × AWS_DISCOVERY_DB_LOCK_TIMEOUT); ${rolledBack}: ${text}`, 'statement-timeout', { cause: err });
  }
  if (typeof code === 'string' && DEADLOCK.has(code)) {
    return new DatabaseFaultError(`the database chose the run as the victim of a deadlock with another session; ${rolledBack}: ${text}`, 'deadlock', { cause: err });
  }
  if ((typeof code === 'string' && CONNECTION_LOST.has(code)) || CONNECTION_LOST_MESSAGES.test(err.message)) {
    return new DatabaseFaultError(`the database connection was lost during the run's transaction; the server rolls back what was not committed and the next run tries again: ${text}`, 'connection-lost', { cause: err });
  }
  return err;
}
