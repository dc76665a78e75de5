import { createEc2Client, sdkEc2Api, type Ec2Api } from '../aws/ec2-client.js';
import type { Config, Secrets } from '../config/config.js';
import { runOnce } from '../daemon/run-once.js';
import { describeError } from '../errors.js';
import { openDatabase } from '../guacamole/database.js';
import { migrateToLatest } from '../guacamole/migrate.js';
import { checkSchema } from '../guacamole/schema-check.js';
import { readKeyFiles } from '../keys/key-files.js';
import { createLogger } from '../logger.js';

/** The composition root: wires configuration to AWS, the key folder and the database, runs once, cleans up. */
export async function runWithConfig(
  parsed: { config: Config; secrets: Secrets; warnings: readonly string[] },
  options: { dryRun: boolean; version: string },
): Promise<number> {
  const { config, secrets } = parsed;
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) });
  for (const w of parsed.warnings) logger.warn(w);
  // Config holds no secret by construction; the secrets live apart in `secrets`.
  logger.info('starting', { version: options.version, dryRun: options.dryRun, config });

  const database = openDatabase(config.database, secrets.databasePassword, (err) => logger.warn('database connection lost', { error: describeError(err) }));
  const clients = new Map<string, Ec2Api>();
  const ec2For = (region: string): Ec2Api => {
    let api = clients.get(region);
    if (api === undefined) {
      const credentials = { accessKeyId: secrets.awsAccessKeyId, secretAccessKey: secrets.awsSecretKey };
      api = sdkEc2Api(createEc2Client({ region, credentials, ...(config.ec2Endpoint ? { endpoint: config.ec2Endpoint } : {}) }));
      clients.set(region, api);
    }
    return api;
  };
  try {
    let schema = await checkSchema(database.db, database.dialect);
    if (!options.dryRun) {
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) logger.info('bookkeeping tables created or updated', { migrations: applied });
      schema = { ...schema, hasBookkeeping: true };
    }
    const report = await runOnce(
      { config, database, schema, ec2For, readKeys: (names) => readKeyFiles(config.keysDir, names), logger },
      { dryRun: options.dryRun },
    );
    if (report.plan !== undefined) process.stdout.write(`${report.plan}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    logger.error('run failed; nothing was changed', { error: describeError(err) });
    return 1;
  } finally {
    await database.db.destroy().catch(() => undefined);
    await new Promise<void>((resolve) => logger.on('finish', resolve).end());
  }
}
