import type { Kysely } from 'kysely';
import { countRecordingConnections, recordingSchemaWarning } from '../store/recording-schema.js';
import type { SchemaFacts } from '../store/schema-check.js';
import type { Database } from '../store/tables.js';

/**
 * What `status` warns of from the database: connections of this owner that record into `${HISTORY_PATH}` on a schema
 * older than 1.6.0 (the warning the daemon logs at start). Warnings never change the exit status.
 */
export async function readStatusWarnings(db: Kysely<Database>, schema: SchemaFacts, ownerId: string): Promise<string[]> {
  if (!schema.hasBookkeeping || schema.auditPermission !== false) return []; // only an older schema warns: count only then
  const warning = recordingSchemaWarning(schema, (await countRecordingConnections(db, ownerId)) > 0);
  return warning === undefined ? [] : [warning];
}
