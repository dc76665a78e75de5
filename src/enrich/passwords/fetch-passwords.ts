import type { Ec2Api } from '../../discover/ec2-client.js';
import { mapConcurrently } from '../../shared/concurrency.js';
import { awsErrorHint, errorCode } from '../../discover/aws-errors.js';
import { decryptWindowsPassword } from './decrypt-password.js';
import { passwordDigest, type PasswordFetch, type PasswordOutcome } from './password-plan.js';

export interface FetchOptions {
  /** Calls in flight at once per run; the SDK's adaptive retry absorbs throttling beyond that. */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

/**
 * Calls GetPasswordData for each planned instance and decrypts the answer. Never throws for AWS or key problems:
 * each instance gets an outcome. Empty password data means EC2 has not generated the password yet.
 */
export async function fetchPasswords(
  fetches: readonly PasswordFetch[],
  ec2For: (region: string) => Ec2Api,
  options: FetchOptions,
): Promise<Map<string, PasswordOutcome>> {
  const outcomes = await mapConcurrently(fetches, options.concurrency, (f) => fetchOne(f, ec2For(f.region), options.signal));
  return new Map(fetches.map((f, i) => [f.key, outcomes[i] as PasswordOutcome]));
}

async function fetchOne(fetch: PasswordFetch, api: Ec2Api, signal: AbortSignal | undefined): Promise<PasswordOutcome> {
  let data: string;
  try {
    data = (await api.getPasswordData(fetch.instanceId, signal === undefined ? {} : { signal })).passwordData;
  } catch (err) {
    return { status: 'unavailable', reason: passwordCallFailure(err, fetch.region), callFailed: true };
  }
  if (data === '') {
    return {
      status: 'unavailable',
      reason: 'EC2 has not generated the Administrator password yet (a few minutes after launch); a later run adds it',
      pending: true,
    };
  }
  const result = decryptWindowsPassword(data, fetch.privateKey);
  if (!result.ok) return { status: 'unavailable', reason: `key pair "${fetch.keyName}": ${result.reason}` };
  return { status: 'obtained', password: result.password, digest: passwordDigest(fetch.privateKey, fetch.key, result.password), fetched: true };
}

function passwordCallFailure(err: unknown, region: string): string {
  const code = errorCode(err);
  const hint = awsErrorHint(code, 'GetPasswordData', region);
  const message = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 200) : String(err);
  return `GetPasswordData failed (${code ?? 'error'}): ${message}${hint === undefined ? '' : `; ${hint}`}`;
}
