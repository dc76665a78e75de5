import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Static keys from `AWS_DISCOVERY_ACCESS_KEY_ID` / `AWS_DISCOVERY_SECRET_KEY`. */
export interface StaticKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** One link of the credential chain, tagged with the words the log uses for it. */
interface TaggedProvider {
  readonly source: string;
  readonly provide: AwsCredentialIdentityProvider;
}

/** Credentials are renewed this long before they expire, so no call is signed with credentials about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * The credentials shared by every AWS client: static keys when configured, otherwise the SDK's default chain in its
 * order (environment, shared profile incl. SSO and credential_process, web identity token, ECS container, EC2 instance
 * metadata). `onSource` is told once which source answered (never the secret); the result is cached and renewed
 * before it expires.
 */
export function createCredentialProvider(options: {
  readonly staticKeys?: StaticKeys;
  readonly env?: NodeJS.ProcessEnv;
  readonly onSource: (source: string) => void;
  /** The clock expiry is judged by (tests); Date.now by default. */
  readonly now?: () => number;
}): AwsCredentialIdentityProvider {
  const { staticKeys } = options;
  let chain: Promise<readonly TaggedProvider[]> | undefined; // made at the first request: static keys never load it
  const links = async (): Promise<readonly TaggedProvider[]> =>
    staticKeys === undefined
      ? (chain ??= defaultChain(options.env ?? process.env))
      : [{ source: 'static keys (AWS_DISCOVERY_ACCESS_KEY_ID)', provide: async () => ({ ...staticKeys }) }];
  let reported: string | undefined;
  return memoizeUntilExpiry(async () => {
    const { source, credentials } = await firstAnswer(await links());
    if (reported !== source) options.onSource(source);
    reported = source;
    return credentials;
  }, options.now);
}

/** The SDK's providers, loaded with it (@aws-sdk/credential-providers) when first asked for. */
async function defaultChain(env: NodeJS.ProcessEnv): Promise<TaggedProvider[]> {
  const { fromContainerMetadata, fromEnv, fromIni, fromInstanceMetadata, fromProcess, fromTokenFile } = await import('@aws-sdk/credential-providers');
  const profile = env.AWS_PROFILE?.trim() || 'default';
  const chain: TaggedProvider[] = [
    { source: 'environment', provide: fromEnv() },
    // fromIni also follows SSO sessions, credential_process, role_arn and web identity settings inside the profile.
    { source: `shared profile "${profile}"`, provide: fromIni({ profile }) },
    { source: `credential_process of profile "${profile}"`, provide: fromProcess({ profile }) },
    { source: 'web identity', provide: fromTokenFile() },
  ];
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    chain.push({ source: 'container', provide: fromContainerMetadata() });
  } else if (env.AWS_EC2_METADATA_DISABLED?.trim().toLowerCase() !== 'true') {
    chain.push({ source: 'instance metadata', provide: fromInstanceMetadata() });
  }
  return chain;
}

/** Tries each link in order; a link that does not apply (the SDK's `tryNextLink`) hands over to the next one. */
async function firstAnswer(links: readonly TaggedProvider[]): Promise<{ source: string; credentials: AwsCredentialIdentity }> {
  const skipped: string[] = [];
  for (const link of links) {
    try {
      return { source: link.source, credentials: await link.provide() };
    } catch (err) {
      if ((err as { tryNextLink?: boolean }).tryNextLink === false) throw err;
      skipped.push(link.source);
    }
  }
  throw new CredentialsNotFoundError(skipped);
}

class CredentialsNotFoundError extends Error {
  override readonly name = 'CredentialsNotFoundError';
  constructor(readonly tried: readonly string[]) {
    super(
      `no AWS credentials found (tried ${tried.join(', ')}); set AWS_DISCOVERY_ACCESS_KEY_ID and AWS_DISCOVERY_SECRET_KEY or configure the default chain`,
    );
  }
}

/**
 * Caches credentials until `REFRESH_MARGIN_MS` before their expiry, judged by `now`; concurrent callers share one
 * request. The SDK clients keep their own cache in front of this one (wall clock, also 5 minutes before expiry), so in
 * production both renew together; credentials the wall clock already counts as expired make the SDK ask here each time.
 */
export function memoizeUntilExpiry(
  provide: () => Promise<AwsCredentialIdentity>,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity) => c.expiration === undefined || c.expiration.getTime() - REFRESH_MARGIN_MS > now();
  return async () => {
    if (cached !== undefined && fresh(cached)) return cached;
    pending ??= provide()
      .then((c) => (cached = c))
      .finally(() => (pending = undefined));
    return pending;
  };
}
