#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { readEnvironment } from '../config/env.js';
import { parseConfig } from '../config/config.js';
import { ConfigError, describeError } from '../shared/errors.js';
import { parseArgs, UsageError, USAGE } from './args.js';
import { runWithConfig } from './run-with-config.js';
import { statusCommand } from './status-command.js';

/**
 * Exit codes: 0 success or clean stop (daemon), 1 failure at run time (`--once`), 2 usage or configuration error,
 * including a /healthz listener that cannot bind (systemd: RestartPreventExitStatus=2). A forced stop exits 130/143
 * (second signal) or 1 (shutdown over 8 s); see daemon/shutdown.ts.
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
  let parsed;
  const raw = readEnvironment(process.env);
  try {
    parsed = { ...parseConfig(raw.settings, raw.problems), warnings: raw.warnings };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // No logger without a valid configuration: the warnings (a typo may be the cause) go with the error.
    for (const w of raw.warnings) process.stderr.write(`guacamole-ec2-discovery: warning: ${w}\n`);
    process.stderr.write(`guacamole-ec2-discovery: ${err.message}\n`);
    return 2;
  }
  if (args.command === 'status') return statusCommand({ config: parsed.config, secrets: parsed.secrets }, { json: args.json, runs: args.runs });
  if (args.allowMassDelete) parsed = { ...parsed, config: { ...parsed.config, allowMassDelete: true } };
  return runWithConfig(parsed, { once: args.once, dryRun: args.dryRun, version: version() });
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
