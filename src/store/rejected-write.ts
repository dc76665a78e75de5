/**
 * A statement the database refused because of the data it carried (a unique key, a length, a check constraint, a
 * trigger that raised an error), as opposed to a fault of the database itself (lost connection, lock timeout,
 * deadlock, missing privilege or table). Only the first kind can be pinned on one instance and left out of a run.
 */
export function isRejectedWrite(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, sqlState, errno } = err as { code?: unknown; sqlState?: unknown; errno?: unknown };
  // mysql2: `errno` and the SQLSTATE; MySQL/MariaDB give 22 (data), 23 (integrity) and 45 (SIGNAL in a trigger).
  if (typeof errno === 'number' && typeof sqlState === 'string') return MYSQL_CLASSES.has(sqlState.slice(0, 2));
  // pg: `code` is the SQLSTATE.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && POSTGRES_CLASSES.has(code.slice(0, 2));
}

/** PostgreSQL SQLSTATE classes of refused data: triggered action, data exception, integrity, triggered data change, routines, WITH CHECK, PL/pgSQL RAISE. */
const POSTGRES_CLASSES = new Set(['09', '22', '23', '27', '38', '39', '44', 'P0']);
const MYSQL_CLASSES = new Set(['22', '23', '44', '45']);

/** Longest reason kept for one refused write (it reaches logs, `status` and the run record). */
const REASON_LIMIT = 300;

/**
 * The database's own words, on one line and short. Only the message: PostgreSQL's `detail` can quote a whole row
 * ("Failing row contains …"), parameter values (keys, passwords) included, so it is never used.
 */
export function rejectionReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const line = message.replace(/-----BEGIN[\s\S]*/u, '[key material removed]').replace(/[\p{Cc}\s]+/gu, ' ').trim();
  const short = line.length > REASON_LIMIT ? `${line.slice(0, REASON_LIMIT)}…` : line;
  return typeof code === 'string' && !short.includes(code) ? `${short} (${code})` : short;
}
