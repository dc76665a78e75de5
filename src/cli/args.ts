export interface CliArgs {
  /** `run` (the default: daemon or `--once`) or `status` (print the last runs and problems from the database). */
  readonly command: 'run' | 'status';
  /** `status --json`: machine-readable output. */
  readonly json: boolean;
  /** `status --runs N`: how many recent runs to show (default 10). */
  readonly runs: number;
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

export const USAGE = `Usage: guacamole-ec2-discovery [--once [--dry-run] [--allow-mass-delete]]
       guacamole-ec2-discovery status [--json] [--runs N]

Discovers AWS EC2 instances and keeps them as connections in Apache Guacamole's database.

Without --once it runs as a daemon: one run at start, then one on every tick of AWS_DISCOVERY_SCHEDULE
(cron, UTC; default every minute), until SIGTERM or SIGINT (exit status 0).

  --once       run one reconciliation and exit (0 success or another runner active, 1 failure, 2 configuration error)
  --dry-run    with --once: print what would be created, updated and removed; write nothing. With no database
               setting at all (no POSTGRESQL_*, MYSQL_*): a first look at what a first run would create, from EC2 alone
  --allow-mass-delete
               with --once: let this run delete more than the deletion brake allows
  --help       show this help
  --version    show the version

status prints, from the database, the last runs (time, result, counts) and every instance with a problem
(no key, undecryptable password, name collision, skipped input). Exit status: 0 when the last run succeeded,
1 when it failed or was partial (or none is recorded), 2 configuration error.
  --json       the same as JSON, for scripts
  --runs N     how many recent runs to show (1-1000, default 10)

Settings come from the environment (AWS_DISCOVERY_*, POSTGRESQL_* or MYSQL_*); see README.md.`;

/** Strict: unknown flags and incompatible combinations are rejected before anything else happens. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args = { command: 'run' as CliArgs['command'], json: false, runs: 10, once: false, dryRun: false, allowMassDelete: false, help: false, version: false };
  const rest = [...argv];
  if (rest[0] === 'status') {
    args.command = 'status';
    rest.shift();
  }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--once') args.once = true;
    else if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--allow-mass-delete') args.allowMassDelete = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--runs' || arg.startsWith('--runs=')) {
      const value = arg === '--runs' ? rest[++i] : arg.slice('--runs='.length);
      args.runs = runCount(value);
    } else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--version' || arg === '-V') args.version = true;
    else throw new UsageError(`unknown argument: ${arg}`);
  }
  if (args.help || args.version) return args;
  if (args.command === 'status') {
    const runOnly = args.once ? '--once' : args.dryRun ? '--dry-run' : args.allowMassDelete ? '--allow-mass-delete' : undefined;
    if (runOnly !== undefined) throw new UsageError(`${runOnly} does not apply to status`);
    return args;
  }
  if (args.json) throw new UsageError('--json applies to status only');
  if (rest.some((a) => a === '--runs' || a.startsWith('--runs='))) throw new UsageError('--runs applies to status only');
  if (args.allowMassDelete && !args.once) throw new UsageError('--allow-mass-delete needs --once (it is meant for one deliberate run)');
  if (args.dryRun && !args.once) throw new UsageError('--dry-run needs --once (the daemon always writes)');
  return args;
}

function runCount(value: string | undefined): number {
  const n = value === undefined || !/^\d{1,4}$/.test(value) ? NaN : Number(value);
  if (!(n >= 1 && n <= 1000)) throw new UsageError(`--runs needs a number from 1 to 1000, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  return n;
}
