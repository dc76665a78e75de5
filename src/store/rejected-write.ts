/**
 * What a refused write says about itself. Whether an error is such a refusal (the data was refused, not the database
 * at fault) is `SqlDialect.isRejectedWrite`: only such a refusal can be pinned on one instance and left out of a run.
 */

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
