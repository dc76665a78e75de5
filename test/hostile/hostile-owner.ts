import { randomBytes } from 'node:crypto';

/**
 * An owner id of its own for each hostile suite: MySQL's run lock is server-wide per owner id, so suites of other
 * people running on the same server at the same time would otherwise make a run skip for "lock held".
 */
export function hostileOwnerSettings(): Record<string, string> {
  return { AWS_DISCOVERY_OWNER_ID: `hostile-${process.pid}-${randomBytes(4).toString('hex')}` };
}
