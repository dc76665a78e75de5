import { createRequire } from 'node:module';
import type { NodeCron } from 'node-cron';

const require = createRequire(import.meta.url);
let loaded: NodeCron | undefined;

/**
 * node-cron, loaded at its first use: only a configured AWS_DISCOVERY_SCHEDULE (validated while the settings are read)
 * and the daemon's schedule need it, so `status` and `--once` with the default schedule never load it. Required, not
 * imported: the settings parsers are synchronous. The scheduler takes this same copy.
 */
export function nodeCron(): NodeCron {
  return (loaded ??= (require('node-cron') as { nodeCron: NodeCron }).nodeCron);
}
