import { createCredentialProvider, type StaticKeys } from '../discover/credentials.js';
import { createEc2Client, sdkEc2Api, type Ec2Api } from '../discover/ec2-client.js';
import { AccountDirectory } from '../discover/account-directory.js';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Config, ConfigWithoutDatabase, Secrets, SecretsWithoutDatabase } from '../config/config.js';
import { createFirstLookRuntime } from '../run/first-look.js';
import { createRuntime, type Runtime, type RuntimeHooks } from '../run/runtime.js';
import { handleShutdownSignals } from '../daemon/shutdown.js';
import { describeError } from '../shared/errors.js';
import { createKeySource } from '../enrich/keys/key-source.js';
import { createLogger, type Logger } from '../shared/logger.js';

/**
 * The composition root: wires configuration to AWS, the key source and the database, then runs once (`--once`) or as a
 * daemon, and releases everything. Returns the exit status.
 */
export async function runWithConfig(
  parsed: { config: Config; secrets: Secrets; warnings: readonly string[] },
  options: { once: boolean; dryRun: boolean; version: string },
): Promise<number> {
  const { config, secrets } = parsed;
  const logger = startLogging(config, parsed.warnings, { version: options.version, mode: options.once ? 'once' : 'daemon', dryRun: options.dryRun });
  const shutdown = handleShutdownSignals({ logger });
  const { runtime, close, aws } = buildRuntime(config, secrets, logger);
  try {
    if (!options.once) {
      const { runDaemon } = await import('../daemon/daemon.js'); // the schedule, and metrics when served: daemon mode only
      const { eventsQueue } = config;
      const { createEventSource } = await import('./event-source.js');
      const events = eventsQueue === undefined ? undefined : createEventSource({ ...config, eventsQueue }, aws.credentials, aws.accounts);
      return await runDaemon({ config, runtime, logger, signal: shutdown.signal, ...(events === undefined ? {} : { events }) });
    }
    return await runOnceAndExit(runtime, logger, { dryRun: options.dryRun, signal: shutdown.signal });
  } finally {
    await close();
    shutdown.dispose();
    await stopLogging(logger);
  }
}

/**
 * `--once --dry-run` with no database setting at all: a first look at what a first run would create, from EC2 and the
 * keys alone. No database is opened; the exit status is a dry run's (0, or 1 when a listing failed).
 */
export async function firstLookWithConfig(
  parsed: { config: ConfigWithoutDatabase; secrets: SecretsWithoutDatabase; warnings: readonly string[] },
  options: { version: string },
): Promise<number> {
  const { config, secrets } = parsed;
  const logger = startLogging(config, parsed.warnings, { version: options.version, mode: 'once', dryRun: true, database: 'none (first look)' });
  const shutdown = handleShutdownSignals({ logger });
  const ec2 = ec2Clients(config, secrets, undefined, (source) => logger.info(`credentials from ${source}`), (message, meta) => logger.warn(message, meta));
  const runtime = createFirstLookRuntime({
    config,
    logger,
    ec2For: ec2.apiFor,
    ...(ec2.accounts === undefined ? {} : { accounts: ec2.accounts }),
    readKeys: createKeySource(config, secrets, logger),
  });
  try {
    return await runOnceAndExit(runtime, logger, { dryRun: true, signal: shutdown.signal });
  } finally {
    ec2.close();
    shutdown.dispose();
    await stopLogging(logger);
  }
}

/** The logger, the configuration warnings and the `starting` line (Config holds no secret by construction). */
function startLogging(config: ConfigWithoutDatabase, warnings: readonly string[], fields: Record<string, unknown>): Logger {
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) });
  for (const w of warnings) logger.warn(w);
  logger.info('starting', { ...fields, config });
  return logger;
}

/** Every line written before the process exits. */
async function stopLogging(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => logger.on('finish', resolve).end());
}

/** The runtime hooks, and `wrapEc2`: wraps each EC2 client as it is made (the benchmark times the calls). */
export interface BuildHooks extends RuntimeHooks {
  readonly wrapEc2?: (api: Ec2Api, region: string) => Ec2Api;
}

/**
 * The runtime `--once` and the daemon run, built from the configuration: EC2 clients, the key source, the database.
 * `close` ends the pool, then the EC2 clients. `hooks` let the benchmark observe this very runtime.
 */
export function buildRuntime(
  config: Config,
  secrets: Secrets,
  logger: Logger,
  hooks?: BuildHooks,
): { runtime: Runtime; close: () => Promise<void>; aws: { credentials: AwsCredentialIdentityProvider; accounts?: AccountDirectory } } {
  const { wrapEc2, ...runtimeHooks } = hooks ?? {};
  const ec2 = ec2Clients(config, secrets, wrapEc2, (source) => logger.info(`credentials from ${source}`), (message, meta) => logger.warn(message, meta));
  const runtime = createRuntime({
    config,
    secrets,
    logger,
    ec2For: ec2.apiFor,
    ...(ec2.accounts === undefined ? {} : { accounts: ec2.accounts }),
    readKeys: createKeySource(config, secrets, logger),
    ...(hooks === undefined ? {} : { hooks: runtimeHooks }),
  });
  const close = async () => {
    await runtime.close();
    ec2.close();
  };
  return { runtime, close, aws: { credentials: ec2.credentials, ...(ec2.accounts === undefined ? {} : { accounts: ec2.accounts }) } };
}

/** `--once`: 0 when the run succeeded or another runner holds the lock (it does the work), 1 when it failed. */
async function runOnceAndExit(runtime: Runtime, logger: Logger, options: { dryRun: boolean; signal: AbortSignal }): Promise<number> {
  try {
    const attempt = await runtime.run(options);
    if (attempt.locked) {
      logger.warn('another runner holds the lock; skipping this run');
      return 0;
    }
    if (attempt.report.plan !== undefined) process.stdout.write(`${attempt.report.plan}\n`);
    return attempt.report.ok ? 0 : 1;
  } catch (err) {
    const message = options.signal.aborted ? 'run stopped by the shutdown before writing; nothing was changed' : 'run failed; nothing was changed';
    logger.error(message, { error: describeError(err) });
    return 1;
  }
}

/**
 * One EC2 client per region, made on first use and closed at the end; `wrap` lets the benchmark time calls. All clients
 * share one credential provider (static keys or the default chain, cached until shortly before expiry). With
 * AWS_DISCOVERY_ASSUME_ROLES, `accounts` reads each account with its own credentials and `apiFor` takes scopes
 * (`<account id>/<region>`). `credentials` are the daemon's own (event mode's queue and STS use them).
 */
export function ec2Clients(
  config: ConfigWithoutDatabase,
  secrets: SecretsWithoutDatabase,
  wrap: (api: Ec2Api, region: string) => Ec2Api = (api) => api,
  onCredentialSource: (source: string) => void = () => {},
  onWarning: (message: string, meta: Record<string, unknown>) => void = () => {},
  /** The clock credentials are renewed by; tests pass their own. */
  now: () => number = Date.now,
): { apiFor: (scope: string) => Ec2Api; accounts?: AccountDirectory; credentials: AwsCredentialIdentityProvider; close: () => void } {
  const clients = new Map<string, { api: Ec2Api; destroy: () => void }>();
  const credentials = createCredentialProvider({ staticKeys: staticKeysOf(secrets), onSource: onCredentialSource, now });
  const makeEc2 = (accountCredentials: AwsCredentialIdentityProvider, region: string) => {
    const client = createEc2Client({ region, credentials: accountCredentials, ...(config.ec2Endpoint ? { endpoint: config.ec2Endpoint } : {}) });
    return { api: wrap(sdkEc2Api(client), region), destroy: () => client.destroy() };
  };
  const close = () => {
    for (const entry of clients.values()) entry.destroy();
    clients.clear();
  };
  if (config.accounts !== undefined) {
    const accounts = new AccountDirectory({
      accounts: config.accounts,
      ...(secrets.externalIds ? { externalIds: secrets.externalIds } : {}),
      baseCredentials: credentials,
      makeEc2,
      ...(config.stsEndpoint ? { stsEndpoint: config.stsEndpoint } : {}),
      ...(config.iamEndpoint ? { iamEndpoint: config.iamEndpoint } : {}),
      readAliases: config.accountFolder?.some((segment) => segment.includes('{alias}')) === true,
      onWarning,
      now,
    });
    return { apiFor: (scope) => accounts.ec2ForScope(scope), accounts, credentials, close: () => accounts.close() };
  }
  return {
    apiFor: (region) => {
      let entry = clients.get(region);
      if (entry === undefined) clients.set(region, (entry = makeEc2(credentials, region)));
      return entry.api;
    },
    credentials,
    close,
  };
}

/** Both keys set: static keys; neither (empty): undefined, the default chain. parseConfig rejects one without the other. */
function staticKeysOf(secrets: SecretsWithoutDatabase): StaticKeys | undefined {
  if (secrets.awsAccessKeyId === '' || secrets.awsSecretKey === '') return undefined;
  return { accessKeyId: secrets.awsAccessKeyId, secretAccessKey: secrets.awsSecretKey };
}
