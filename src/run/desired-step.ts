import type { CharacterSet } from '../desired/names.js';
import { toDesiredConnections, type MappingResult } from '../desired/to-desired-connections.js';
import { recordsIntoHistoryPath } from '../desired/parameters.js';
import { failedScopeMatcher } from '../plan/failed-scopes.js';
import { recordingSchemaWarning } from '../store/recording-schema.js';
import type { Discovery } from './discover-step.js';
import type { Enrichment } from './enrich-step.js';
import type { PipelineDependencies } from './run-dependencies.js';
import type { Wanted } from './write-step.js';

/** The connections the fleet should have (warnings and skipped instances logged), and what the planner needs of the listing. */
export function desire(
  deps: PipelineDependencies,
  discovery: Discovery,
  enrichment: Enrichment,
  charset: CharacterSet,
): { mapping: MappingResult; wanted: Wanted } {
  const { config, logger } = deps;
  const { fleet, images } = discovery;
  const mapping = toDesiredConnections(
    { instances: fleet.instances, images, keys: enrichment.keys, passwords: enrichment.passwords.outcomes, hostKeys: enrichment.hostKeys.outcomes },
    {
      basePath: config.basePath,
      recordByDefault: config.recordByDefault,
      charset,
      parameterValueLimit: deps.schema.parameterValueLimit,
      addressOrder: config.addressOrder,
      trustHostnameTag: config.trustHostnameTag,
      ...(fleet.scopeFolders === undefined ? {} : { scopeFolders: fleet.scopeFolders }),
    },
  );
  for (const w of mapping.warnings) logger.warn(w.message, { instance: w.key });
  for (const s of mapping.skipped) logger.warn(`instance skipped: ${s.reason}`, { instance: s.key });
  const recording = mapping.connections.filter((c) => recordsIntoHistoryPath(c.parameters)).length;
  warnOfRecordingSchema(deps, config.recordByDefault || recording > 0, { recordingConnections: recording });

  // A failed region list leaves every region (of its account, or of all) unknown: nothing of it is changed.
  const failedScopes = failedScopeMatcher(fleet.failed.map((f) => f.scope));
  const listedScopes = new Set(fleet.listings.filter((r) => r.ok).map((r) => r.scope));
  const onlyKeys = fleet.onlyKeys === undefined ? {} : { onlyKeys: fleet.onlyKeys };
  return { mapping, wanted: { desired: mapping.connections, skipped: mapping.skipped, failedScopes, listedScopes, ...onlyKeys } };
}

/**
 * Recording requested (by default, or by a tag on a kept instance) on a schema older than 1.6.0: a warning, once per
 * process (the runtime may have said it already at its schema check). It changes nothing the run does.
 */
export function warnOfRecordingSchema(
  deps: Pick<PipelineDependencies, 'schema' | 'logger' | 'memory'>,
  requested: boolean,
  meta: Record<string, unknown>,
): void {
  const warning = recordingSchemaWarning(deps.schema, requested);
  if (warning !== undefined && (deps.memory?.firstTime(warning) ?? true)) deps.logger.warn(warning, meta);
}
