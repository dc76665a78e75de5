import { describeError } from '../../shared/errors.js';
import type { KeyLookup, KeySource } from './key-types.js';

/**
 * Two key sources as one: the primary (the Keeper vault) wins, the fallback (the keys folder) fills its gaps.
 * The fallback is asked only for the names the primary did not settle.
 *
 * | primary       | fallback             | answer                                                               |
 * |---------------|----------------------|----------------------------------------------------------------------|
 * | `found`       | (not asked)          | the primary's key                                                    |
 * | `invalid`     | (not asked)          | the primary's `invalid`: an ambiguous or broken vault record is an   |
 * |               |                      | error to fix, not a reason to use another key silently               |
 * | `missing`     | `found`              | the fallback's key                                                   |
 * | `missing`     | `missing`            | `missing`, both reasons in one message                               |
 * | `missing`     | `invalid`            | `invalid`, both reasons (the fallback's first)                       |
 * | `missing`     | `unavailable`        | `unavailable`, both reasons (the fallback's first)                   |
 * | `unavailable` | `found`              | the fallback's key, warning that the primary was unavailable         |
 * | `unavailable` | anything else        | the primary's `unavailable`: Guacamole keeps the key it has          |
 *
 * A source that throws (against the `KeySource` contract) counts as `unavailable` for every name it was asked; a name
 * the primary leaves unanswered goes to the fallback alone.
 */
export function combineKeySources(primary: KeySource, fallback: KeySource): KeySource {
  return async (keyNames) => {
    const names = [...new Set(keyNames)];
    const first = await ask(primary, names);
    const open = names.filter((name) => {
      const status = first.get(name)?.status;
      return status === undefined || status === 'missing' || status === 'unavailable';
    });
    const second = open.length > 0 ? await ask(fallback, open) : new Map<string, KeyLookup>();
    return new Map(names.map((name) => [name, combine(first.get(name), second.get(name))]));
  };
}

function combine(primary: KeyLookup | undefined, fallback: KeyLookup | undefined): KeyLookup {
  if (primary === undefined) return fallback ?? { status: 'missing', reason: 'no key source answered' };
  if (primary.status === 'found' || primary.status === 'invalid' || fallback === undefined) return primary;
  if (fallback.status === 'found') {
    if (primary.status === 'missing') return fallback;
    const warning = `${primary.reason}; used this key instead`;
    return { ...fallback, warnings: [...(fallback.warnings ?? []), warning] };
  }
  if (primary.status === 'unavailable') return primary;
  // Both missing: the primary's reason first (where the key was looked for first); else the fallback's problem leads.
  const reasons = fallback.status === 'missing' ? [primary.reason, fallback.reason] : [fallback.reason, primary.reason];
  return { status: fallback.status, reason: reasons.join('; ') };
}

async function ask(source: KeySource, names: readonly string[]): Promise<ReadonlyMap<string, KeyLookup>> {
  try {
    return await source(names);
  } catch (err) {
    const lookup: KeyLookup = { status: 'unavailable', reason: `key source failed: ${describeError(err)}` };
    return new Map(names.map((name) => [name, lookup]));
  }
}
