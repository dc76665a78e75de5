/** How long to wait before trying a failing queue again: `initialMs`, doubling after each failure, at most `maxMs`. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** The events queue (and the accounts it is checked against): 1 s, 2 s, 4 s … up to 5 minutes. */
export const QUEUE_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 5 * 60_000 };

/** Pure: the pause after the `failures`-th failure in a row (1 = the first). */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30); // 2^30 s is far past any cap: no overflow to Infinity
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}
