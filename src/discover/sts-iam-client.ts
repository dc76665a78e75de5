import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { sdkOnFirstCall } from './sdk-on-first-call.js';

/** The STS calls the daemon makes, signed with its own credentials. */
export interface StsApi {
  assumeRole(role: { readonly roleArn: string; readonly externalId?: string }): Promise<AwsCredentialIdentity>;
  /** The account id of the credentials (GetCallerIdentity). */
  callerAccount(): Promise<string>;
  destroy(): void;
}

/** IAM's ListAccountAliases, signed with one account's credentials. */
export interface IamApi {
  accountAlias(): Promise<string | undefined>;
  destroy(): void;
}

/** Shown in CloudTrail of the target account as the session that read it. */
const ROLE_SESSION_NAME = 'guacamole-ec2-discovery';

export interface ClientOptions {
  readonly credentials: AwsCredentialIdentityProvider;
  readonly region: string;
  readonly endpoint?: string;
}

const requestHandler = { connectionTimeout: 10_000, requestTimeout: 30_000, throwOnRequestTimeout: true };

/** The client is made, and @aws-sdk/client-sts loaded, at the first call (only AWS_DISCOVERY_ASSUME_ROLES makes one). */
export function createStsApi(options: ClientOptions): StsApi {
  const sts = sdkOnFirstCall(
    () => import('@aws-sdk/client-sts'),
    (sdk) => new sdk.STSClient({ ...clientConfig(options), requestHandler }),
  );
  return {
    async assumeRole({ roleArn, externalId }) {
      const { sdk, client } = await sts.get();
      const out = await client.send(
        new sdk.AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: ROLE_SESSION_NAME, ...(externalId === undefined ? {} : { ExternalId: externalId }) }),
      );
      const c = out.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken === undefined ? {} : { sessionToken: c.SessionToken }),
        ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
      };
    },
    async callerAccount() {
      const { sdk, client } = await sts.get();
      const out = await client.send(new sdk.GetCallerIdentityCommand({}));
      if (out.Account === undefined) throw new Error('GetCallerIdentity returned no account');
      return out.Account;
    },
    destroy: () => sts.destroy(),
  };
}

/** The client is made, and @aws-sdk/client-iam loaded, at the first call (only a folder template showing `{alias}` calls it). */
export function createIamApi(options: ClientOptions): IamApi {
  const iam = sdkOnFirstCall(
    () => import('@aws-sdk/client-iam'),
    (sdk) => new sdk.IAMClient({ ...clientConfig(options), requestHandler }),
  );
  return {
    async accountAlias() {
      const { sdk, client } = await iam.get();
      const out = await client.send(new sdk.ListAccountAliasesCommand({}));
      return out.AccountAliases?.[0]; // an account has at most one alias
    },
    destroy: () => iam.destroy(),
  };
}

function clientConfig(options: ClientOptions) {
  // As for EC2 (ec2-client.ts): the SDK's once-per-process Node version notice is not the operator's concern here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return {
    region: options.region,
    credentials: options.credentials,
    maxAttempts: 3,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
}

/** STS and IAM answer for a partition from its home region; the partition is read from the role ARN. */
export function homeRegionOf(arn: string | undefined): string {
  const partition = arn?.split(':')[1];
  if (partition === 'aws-cn') return 'cn-north-1';
  if (partition === 'aws-us-gov') return 'us-gov-west-1';
  return 'us-east-1';
}
