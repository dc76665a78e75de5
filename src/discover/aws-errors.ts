/**
 * Pure: what an AWS error code means for the operator, in one phrase. The message keeps the exact AWS error code and,
 * for a refused call, names the IAM permission to grant. Never includes anything from the credentials.
 */

/** The IAM permission each EC2 call the daemon makes needs. */
export const IAM_PERMISSIONS: Readonly<Record<string, string>> = {
  DescribeInstances: 'ec2:DescribeInstances',
  DescribeImages: 'ec2:DescribeImages',
  GetPasswordData: 'ec2:GetPasswordData',
  GetConsoleOutput: 'ec2:GetConsoleOutput',
  DescribeRegions: 'ec2:DescribeRegions',
  GetCallerIdentity: 'sts:GetCallerIdentity',
  ListAccountAliases: 'iam:ListAccountAliases',
};

const REFUSED = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'UnauthorizedAccess']);
const BAD_CREDENTIALS = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
]);
const EXPIRED = new Set(['RequestExpired', 'ExpiredToken', 'ExpiredTokenException']);
const THROTTLED = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED']);
const NO_SUCH_HOST = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * A hint for an AWS error code from `operation` in `region`, or undefined when the code speaks for itself.
 * `UnauthorizedOperation` from DescribeImages → "grant ec2:DescribeImages to the discovery credentials".
 */
export function awsErrorHint(code: string | undefined, operation: string, region: string): string | undefined {
  if (code === undefined) return undefined;
  if (REFUSED.has(code)) return `grant ${IAM_PERMISSIONS[operation] ?? `ec2:${operation}`} to the discovery credentials`;
  if (BAD_CREDENTIALS.has(code))
    return `the AWS credentials were not accepted in ${region}: check the access key id and secret key (an AuthFailure in one region only can also ` +
      `mean ${region} is not enabled for the account)`;
  if (EXPIRED.has(code)) return 'the credentials or their session token have expired (or the clock is off by more than 5 minutes): refresh them';
  if (code === 'OptInRequired') return `the region ${region} is not enabled for this account: enable it or remove it from AWS_DISCOVERY_REGIONS`;
  if (NO_SUCH_HOST.has(code)) return `no EC2 endpoint answers for ${region}: check the region name in AWS_DISCOVERY_REGIONS (or AWS_DISCOVERY_EC2_ENDPOINT)`;
  if (THROTTLED.has(code)) return 'AWS kept throttling after the retries; the next run tries again';
  if (TIMED_OUT.has(code)) return 'the EC2 endpoint did not answer in time; the next run tries again';
  if (code === MALFORMED_RESPONSE) return 'the answer was cut or unreadable (network, proxy); the next run tries again';
  return undefined;
}

export const MALFORMED_RESPONSE = 'MalformedResponse';

/** The SDK's error for an answer it could not parse (truncated or garbled XML) carries no code of its own. */
export function isUnreadableResponse(err: unknown): boolean {
  return err instanceof Error && /Deserialization error|XML parse error/i.test(err.message);
}


/** A hint for a failed STS call that decides whether an account can be read at all. */
export function accountErrorHint(code: string | undefined, operation: 'AssumeRole' | 'GetCallerIdentity', roleArn?: string): string | undefined {
  if (code === undefined) return undefined;
  if (operation === 'AssumeRole' && REFUSED.has(code)) {
    return `grant sts:AssumeRole on ${roleArn ?? 'the role'} to the daemon's credentials and trust the daemon's principal in the role's trust policy (with ` +
      `the external id, if one is set)`;
  }
  if (BAD_CREDENTIALS.has(code)) return "the daemon's own AWS credentials were not accepted by STS: check them";
  if (code === 'RegionDisabledException')
    return 'STS is not activated in this region for the account: activate it (IAM, Account settings) or set AWS_DISCOVERY_STS_ENDPOINT';
  return awsErrorHint(code, operation, 'STS');
}
