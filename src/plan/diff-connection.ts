import type { DesiredConnection } from '../desired/desired-connection.js';
import type { CurrentConnection } from './current-state.js';

export interface ConnectionDiff {
  readonly changed: readonly string[];
  readonly setParameters: Readonly<Record<string, string>>;
  readonly removeParameters: readonly string[];
  readonly secretDigest?: string;
}

/**
 * What differs between a managed connection and its desired state; undefined when nothing does. The daemon owns
 * every parameter of a managed connection, so one an administrator added by hand is removed.
 */
export function diffConnection(
  current: CurrentConnection,
  desired: Pick<DesiredConnection, 'name' | 'protocol' | 'parameters' | 'preserve' | 'secretDigest'>,
  desiredParentId: number | undefined,
): ConnectionDiff | undefined {
  const changed: string[] = [];
  if (current.name !== desired.name) changed.push('name');
  if (desiredParentId === undefined || current.parentId !== desiredParentId) changed.push('folder');
  if (current.protocol !== desired.protocol) changed.push('protocol');

  const have = current.parameters ?? {};
  const setParameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(desired.parameters)) {
    if (have[name] !== value) {
      setParameters[name] = value;
      changed.push(`parameter ${name}`);
    }
  }
  const preserved = new Set(desired.preserve ?? []);
  const removeParameters = Object.keys(have).filter((name) => !(name in desired.parameters) && !preserved.has(name));
  for (const name of removeParameters) changed.push(`parameter ${name}`);
  const newDigest = desired.secretDigest !== undefined && desired.secretDigest !== current.owner?.secretDigest;
  if (newDigest) changed.push('password digest');
  if (changed.length === 0) return undefined;
  return { changed, setParameters, removeParameters, ...(newDigest ? { secretDigest: desired.secretDigest } : {}) };
}
