import type { StatusConfig } from '../config/config.js';
import { describeError } from '../shared/errors.js';
import { openDatabase, type GuacamoleDatabase } from '../store/database.js';
import { checkSchema } from '../store/schema-check.js';
import { formatStatus } from '../status/format-status.js';
import { readStatus, type StatusView } from '../status/read-status.js';
import { readStatusWarnings } from '../status/status-warnings.js';
import { readEventQueue } from '../status/event-queue-status.js';

/**
 * `guacamole-ec2-discovery status [--json] [--runs N]`: what the last runs did and which instances have a problem,
 * read from the database (works while the daemon runs, from any host that reaches the database).
 * Exit status: 0 when the last run succeeded, 1 when it failed, was partial or none is recorded, or when event mode's
 * queue has been failing longer than AWS_DISCOVERY_HEALTH_MAX_AGE (as /healthz turns 503), 2 when the database cannot
 * be read (a configuration problem: wrong host, credentials or database). Needs only the database
 * and owner-id settings. Warnings (the schema's, for recording) go to stderr beside the configuration warnings, and in
 * `--json` to `warnings` too; they never change the exit status.
 */
export async function statusCommand(
  parsed: StatusConfig,
  options: { json: boolean; runs: number },
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const { config } = parsed;
  const database = openDatabase(config.database, parsed.secrets.databasePassword, () => undefined);
  let status: StatusView;
  try {
    const schema = await checkSchema(database.db, database.dialect, config.database);
    const view = schema.hasBookkeeping ? await readStatusOrEmpty(database, config.ownerId, options.runs) : emptyStatus(config.ownerId);
    const eventQueue = schema.hasBookkeeping ? await readEventQueueIfAny(database, config.ownerId) : undefined;
    status = { ...view, ...(eventQueue === undefined ? {} : { eventQueue }), warnings: await readStatusWarnings(database.db, schema, config.ownerId) };
  } catch (err) {
    process.stderr.write(`guacamole-ec2-discovery: cannot read the status from the database: ${describeError(err)}\n`);
    return 2;
  } finally {
    await database.db.destroy();
  }
  for (const w of status.warnings) process.stderr.write(`guacamole-ec2-discovery: warning: ${w}\n`);
  out(options.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`);
  const queue = status.eventQueue;
  const queueDown = queue?.state === 'failing' && Date.now() - Date.parse(queue.since) > config.healthMaxAgeSeconds * 1000;
  return status.runs[0]?.result === 'success' && !queueDown ? 0 : 1;
}

/** A database migrated by an older version has the ownership table but not yet the run tables. */
async function readStatusOrEmpty(database: GuacamoleDatabase, ownerId: string, runs: number): Promise<Omit<StatusView, 'warnings'>> {
  try {
    return await readStatus(database.db, ownerId, runs);
  } catch (err) {
    if (database.dialect.isMissingTable(err)) return emptyStatus(ownerId);
    throw err;
  }
}

/** A database not yet migrated for event mode has no queue table: no queue to show. */
async function readEventQueueIfAny(database: GuacamoleDatabase, ownerId: string) {
  try {
    return await readEventQueue(database.db, ownerId);
  } catch (err) {
    if (database.dialect.isMissingTable(err)) return undefined;
    throw err;
  }
}

function emptyStatus(ownerId: string): Omit<StatusView, 'warnings'> {
  return { ownerId, runs: [], problems: [], managedConnections: 0 };
}
