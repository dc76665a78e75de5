export interface CliArgs {
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: guacamole-ec2-discovery --once [--dry-run]

Discovers AWS EC2 instances and keeps them as connections in Apache Guacamole's database.

  --once       run one reconciliation and exit (0 success, 1 failure, 2 configuration error)
  --dry-run    with --once: print what would be created, updated and removed; write nothing
  --help       show this help
  --version    show the version

Settings come from the environment (AWS_DISCOVERY_*, POSTGRESQL_* or MYSQL_*); see README.md.`;

/** Strict: unknown flags and incompatible combinations are rejected before anything else happens. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args = { once: false, dryRun: false, help: false, version: false };
  for (const arg of argv) {
    if (arg === '--once') args.once = true;
    else if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--version' || arg === '-V') args.version = true;
    else throw new UsageError(`unknown argument: ${arg}`);
  }
  if (args.help || args.version) return args;
  if (args.dryRun && !args.once) throw new UsageError('--dry-run needs --once');
  if (!args.once) throw new UsageError('the scheduled daemon mode is not available yet: run with --once (e.g. from a systemd timer or cron)');
  return args;
}
