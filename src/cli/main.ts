#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { readEnvironment, type RawRead } from '../config/env.js';
import { databaseConfigured, parseConfig, parseConfigWithoutDatabase, parseStatusConfig } from '../config/config.js';
import { ConfigError, describeError } from '../shared/errors.js';
import { parseArgs, UsageError, USAGE } from './args.js';

/**
 * Exit codes: 0 success or clean stop (daemon), 1 failure at run time (`--once`), 2 usage or configuration error,
 * including a /healthz listener that cannot bind (systemd: RestartPreventExitStatus=2). A forced stop exits 130/143
 * (second signal) or 1 (shutdown over 8 s); see daemon/shutdown.ts. `status`: 0 the last run succeeded, 1 it did not
 * (or none is recorded), 2 usage or configuration (including a database it cannot read).
 *
 * Start-up loads what the command uses, no more: this module imports only the arguments and the settings, and a
 * command's own modules (with the SDKs and drivers they bring) are imported once the configuration is read, with
 * `await import()`. `--help` and `--version` load neither; `status` no AWS SDK (README, "Start-up loads what is used").
 */
async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`guacamole-ec2-discovery: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const raw = readEnvironment(process.env);
  if (args.command === 'status') return statusWithConfig(raw, { json: args.json, runs: args.runs });
  // A dry run with no database setting at all is a first look: what a first run would create, from EC2 alone.
  if (args.dryRun && !databaseConfigured(raw.settings)) {
    const parsed = configOrExit(raw, () => parseConfigWithoutDatabase(raw.settings, raw.problems));
    if (parsed === undefined) return 2;
    const { firstLookWithConfig } = await import('./run-with-config.js');
    return firstLookWithConfig({ ...parsed, warnings: raw.warnings }, { version: version() });
  }
  let parsed = configOrExit(raw, () => parseConfig(raw.settings, raw.problems));
  if (parsed === undefined) {
    if (!databaseConfigured(raw.settings)) {
      process.stderr.write('guacamole-ec2-discovery: hint: --once --dry-run works without a database: it shows what a first run would create\n');
    }
    return 2;
  }
  if (args.allowMassDelete) parsed = { ...parsed, config: { ...parsed.config, allowMassDelete: true } };
  const { runWithConfig } = await import('./run-with-config.js');
  return runWithConfig({ ...parsed, warnings: raw.warnings }, { once: args.once, dryRun: args.dryRun, version: version() });
}

/** The parsed configuration; or undefined after printing the problems (and the warnings: a typo may be the cause). */
function configOrExit<T>(raw: RawRead, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // No logger without a valid configuration: the warnings go with the error.
    printWarnings(raw.warnings);
    process.stderr.write(`guacamole-ec2-discovery: ${err.message}\n`);
    return undefined;
  }
}

/**
 * `status` needs only the database and owner-id settings (AWS ones may be absent or wrong), and shows on stderr the
 * configuration warnings the daemon logs at startup, typos included.
 */
async function statusWithConfig(raw: RawRead, options: { json: boolean; runs: number }): Promise<number> {
  let parsed;
  try {
    parsed = parseStatusConfig(raw.settings, raw.problems);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    printWarnings(raw.warnings);
    process.stderr.write(`guacamole-ec2-discovery: ${err.message}\n`);
    return 2;
  }
  printWarnings([...raw.warnings, ...parsed.warnings]);
  const { statusCommand } = await import('./status-command.js');
  return statusCommand(parsed, options);
}

function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`guacamole-ec2-discovery: warning: ${w}\n`);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`guacamole-ec2-discovery: unexpected failure: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
