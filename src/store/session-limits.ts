import type { Kysely } from 'kysely';
import type { DatabaseFaultKind, SqlDialect } from './dialect/dialect.js';

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

/** Applies the limits at the start of the run's transaction (see `SqlDialect.limitTransaction`), in whole seconds. */
export async function applySessionLimits(trx: Kysely<any>, dialect: SqlDialect, limits: SessionLimits): Promise<void> {
  const lockSeconds = Math.max(1, Math.round(limits.lockTimeoutSeconds));
  await dialect.limitTransaction(trx, { lockSeconds, statementSeconds: lockSeconds * STATEMENT_FACTOR });
}

/** What went wrong with the database during a run, in words an operator can act on; the original error is the cause. */
export class DatabaseFaultError extends Error {
  override readonly name = 'DatabaseFaultError';
  constructor(
    message: string,
    readonly kind: DatabaseFaultKind,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Wraps a failure of the run's transaction in a `DatabaseFaultError` saying what happened and that nothing was
 * written; other errors are returned as they are. The server has rolled the transaction back in every case here.
 */
export function explainTransactionFailure(err: unknown, limits: SessionLimits, dialect: SqlDialect): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  const text = `${err.message}${typeof code === 'string' && !err.message.includes(code) ? ` (${code})` : ''}`;
  const rolledBack = "the run's transaction was rolled back and the next run tries again";
  const lock = `${limits.lockTimeoutSeconds} s`;
  const kind = dialect.faultKind(err);
  if (kind === undefined) return err;
  const messages: Readonly<Record<DatabaseFaultKind, string>> = {
    'lock-timeout': `another database session held a lock the run needed for more than ${lock} (AWS_DISCOVERY_DB_LOCK_TIMEOUT); ${rolledBack}: ${text}`,
    'statement-timeout':
      `a database statement of the run took longer than ${limits.lockTimeoutSeconds * STATEMENT_FACTOR} s (4 × AWS_DISCOVERY_DB_LOCK_TIMEOUT); ` +
      `${rolledBack}: ${text}`,
    deadlock: `the database chose the run as the victim of a deadlock with another session; ${rolledBack}: ${text}`,
    'connection-lost':
      `the database connection was lost during the run's transaction; the server rolls back what was not committed and the next run tries again: ${text}`,
  };
  return new DatabaseFaultError(messages[kind], kind, { cause: err });
}
