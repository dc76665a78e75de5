import type { Kysely } from 'kysely';
import { HISTORY_PATH_TOKEN } from '../desired/parameters.js';
import type { SchemaFacts } from './schema-check.js';
import type { Database } from './tables.js';

/**
 * Recordings go to `${HISTORY_PATH}`, which Guacamole resolves only from 1.5.0 on and only with the
 * guacamole-history-recording-storage extension. The database shows 1.6.0 (the AUDIT permission) but not 1.5.0:
 * 1.0.0 to 1.5.5 share one schema, so on an older schema the operator is asked to check.
 */
export const RECORDING_SCHEMA_WARNING =
  'recording is requested, and recordings go to ${HISTORY_PATH}, which only Guacamole 1.5.0 or later resolves, with the ' +
  "guacamole-history-recording-storage extension installed; this database's schema is from Guacamole 1.5.x or earlier and " +
  'cannot tell which: check that Guacamole is 1.5.0 or later and that the extension is installed';

/**
 * Pure: the warning when recording is requested and the schema predates 1.6.0; none with a 1.6.0 schema or when the
 * schema's version could not be read. Only ever a warning: nothing changes what a run does.
 */
export function recordingSchemaWarning(schema: Pick<SchemaFacts, 'auditPermission'>, recordingRequested: boolean): string | undefined {
  return recordingRequested && schema.auditPermission === false ? RECORDING_SCHEMA_WARNING : undefined;
}

/**
 * How many connections of `ownerId` record into `${HISTORY_PATH}` (their `recording-path` holds it). The token's `_` is
 * a LIKE wildcard: it could only also match a letter in its place, which no path holds (and escaping differs by server).
 */
export async function countRecordingConnections(db: Kysely<Database>, ownerId: string): Promise<number> {
  const row = await db
    .selectFrom('ec2_discovery_owned_object as o')
    .innerJoin('guacamole_connection_parameter as p', 'p.connection_id', 'o.guacamole_id')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('o.owner_id', '=', ownerId)
    .where('o.object_type', '=', 'connection')
    .where('p.parameter_name', '=', 'recording-path')
    .where('p.parameter_value', 'like', `%${HISTORY_PATH_TOKEN}%`)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
