import type { CharacterSet } from '../desired/names.js';
import type { MappingResult } from '../desired/to-desired-connections.js';
import { desire } from './desired-step.js';
import { discover, type Discovery } from './discover-step.js';
import { enrich, type Enrichment } from './enrich-step.js';
import type { PipelineDependencies, RunOptions } from './run-dependencies.js';
import type { Wanted } from './write-step.js';

/** What the fleet is and what it should have in Guacamole, before Guacamole's state is read. */
export interface ReadFleet {
  readonly discovery: Discovery;
  readonly enrichment: Enrichment;
  readonly mapping: MappingResult;
  readonly wanted: Wanted;
}

/** discover → enrich (keys, passwords, host keys) → desired: the front of every run, and all of a first look but the plan. */
export async function readFleet(deps: PipelineDependencies, options: RunOptions, charset: CharacterSet): Promise<ReadFleet> {
  const discovery = await discover(deps, options, charset);
  const enrichment = await enrich(deps, discovery.fleet, options.signal);
  const { mapping, wanted } = desire(deps, discovery, enrichment, charset);
  return { discovery, enrichment, mapping, wanted };
}
