import type { Ec2Api } from '../../discover/ec2-client.js';
import { mapConcurrently } from '../../shared/concurrency.js';
import { awsErrorHint, errorCode } from '../../discover/aws-errors.js';
import { parseConsoleHostKeys, preferredHostKey } from './console-host-keys.js';
import type { HostKeyOutcome, HostKeyPlan } from './host-key-plan.js';

/**
 * Reads the planned instances' console output (GetConsoleOutput, over AWS's authenticated API) and picks the key
 * guacd will be shown. Never throws for AWS errors: each instance gets an outcome.
 */
export async function readHostKeys(
  reads: HostKeyPlan['reads'],
  ec2For: (region: string) => Ec2Api,
  options: { readonly concurrency: number; readonly signal?: AbortSignal },
): Promise<Map<string, HostKeyOutcome>> {
  const outcomes = await mapConcurrently(reads, options.concurrency, (r) => readOne(ec2For(r.region), r.region, r.instanceId, options.signal));
  return new Map(reads.map((r, i) => [r.key, outcomes[i] as HostKeyOutcome]));
}

async function readOne(api: Ec2Api, region: string, instanceId: string, signal: AbortSignal | undefined): Promise<HostKeyOutcome> {
  let output: string;
  try {
    output = (await api.getConsoleOutput(instanceId, signal === undefined ? {} : { signal })).output;
  } catch (err) {
    const code = errorCode(err);
    const hint = awsErrorHint(code, 'GetConsoleOutput', region);
    return { status: 'unpinned', reason: `SSH host key not pinned: GetConsoleOutput failed (${code ?? 'error'})${hint === undefined ? '' : `: ${hint}`}` };
  }
  const parsed = parseConsoleHostKeys(output);
  if ('problem' in parsed) return { status: 'unpinned', reason: `SSH host key not pinned: ${parsed.problem}` };
  const key = preferredHostKey(parsed.keys);
  if (key === undefined) return { status: 'unpinned', reason: 'SSH host key not pinned: the console output lists only DSA keys, which guacd does not prefer' };
  return { status: 'pinned', key };
}
