import type { CharacterSet } from '../desired/names.js';
import { toDesiredConnections, type MappingResult } from '../desired/to-desired-connections.js';
import { failedScopeMatcher } from '../plan/failed-scopes.js';
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

  // A failed region list leaves every region (of its account, or of all) unknown: nothing of it is changed.
  const failedScopes = failedScopeMatcher(fleet.failed.map((f) => f.scope));
  const listedScopes = new Set(fleet.listings.filter((r) => r.ok).map((r) => r.scope));
  return { mapping, wanted: { desired: mapping.connections, skipped: mapping.skipped, failedScopes, listedScopes } };
}
