export interface CliArgs {
  /** One run, then exit; without it the program runs as a daemon on AWS_DISCOVERY_SCHEDULE. */
  readonly once: boolean;
  readonly dryRun: boolean;
  /** The deletion brake is off for this one run. */
  readonly allowMassDelete: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: guacamole-ec2-discovery [--once [--dry-run]]

Discovers AWS EC2 instances and keeps them as connections in Apache Guacamole's database.

Without --once it runs as a daemon: one run at start, then one on every tick of AWS_DISCOVERY_SCHEDULE
(cron, UTC; default every minute), until SIGTERM or SIGINT (exit status 0).

  --once       run one reconciliation and exit (0 success or another runner active, 1 failure, 2 configuration error)
  --dry-run    with --once: print what would be created, updated and removed; write nothing
  --allow-mass-delete
               with --once: let this run delete more than the deletion brake allows
  --help       show this help
  --version    show the version

Settings come from the environment (AWS_DISCOVERY_*, POSTGRESQL_* or MYSQL_*); see README.md.`;

/** Strict: unknown flags and incompatible combinations are rejected before anything else happens. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args = { once: false, dryRun: false, allowMassDelete: false, help: false, version: false };
  for (const arg of argv) {
    if (arg === '--once') args.once = true;
    else if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--allow-mass-delete') args.allowMassDelete = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--version' || arg === '-V') args.version = true;
    else throw new UsageError(`unknown argument: ${arg}`);
  }
  if (args.help || args.version) return args;
  if (args.allowMassDelete && !args.once) throw new UsageError('--allow-mass-delete needs --once (it is meant for one deliberate run)');
  if (args.dryRun && !args.once) throw new UsageError('--dry-run needs --once (the daemon always writes)');
  return args;
}
