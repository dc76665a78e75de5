/**
 * Pure: what an AWS error code means for the operator, in one phrase. The message keeps the exact AWS error code and,
 * for a refused call, names the IAM permission to grant. Never includes anything from the credentials.
 */

/** The IAM permission each AWS call the daemon makes needs (a batch call needs its single action's). */
export const IAM_PERMISSIONS: Readonly<Record<string, string>> = {
  DescribeInstances: 'ec2:DescribeInstances',
  DescribeImages: 'ec2:DescribeImages',
  GetPasswordData: 'ec2:GetPasswordData',
  GetConsoleOutput: 'ec2:GetConsoleOutput',
  DescribeRegions: 'ec2:DescribeRegions',
  GetCallerIdentity: 'sts:GetCallerIdentity',
  ListAccountAliases: 'iam:ListAccountAliases',
  ReceiveMessage: 'sqs:ReceiveMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  GetQueueAttributes: 'sqs:GetQueueAttributes',
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
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'ETIMEDOUT']);
const CONNECTION_LOST = new Set(['ECONNRESET', 'EPIPE']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH']);

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
  if (code === 'ENOTFOUND')
    return `no EC2 endpoint answers for ${region}: its host name does not resolve (DNS); check the region name in AWS_DISCOVERY_REGIONS (or the endpoint)`;
  if (code === 'EAI_AGAIN') return `the DNS lookup of the endpoint for ${region} failed for now (no DNS server answered); the next run tries again`;
  if (code === 'ECONNREFUSED')
    return `the endpoint for ${region} refused the connection (nothing listens there, or a firewall rejects it): check the endpoint setting and any proxy`;
  if (UNREACHABLE.has(code)) return `no network route to the endpoint for ${region}: check the network, proxy or VPC endpoint; the next run tries again`;
  if (THROTTLED.has(code)) return 'AWS kept throttling after the retries; the next run tries again';
  if (TIMED_OUT.has(code)) return 'the EC2 endpoint did not answer in time; the next run tries again';
  if (CONNECTION_LOST.has(code)) return 'the connection was closed before the answer was complete (network, proxy); the next run tries again';
  if (code === MALFORMED_RESPONSE) return 'the answer was cut or unreadable (network, proxy); the next run tries again';
  if (code === ERROR_PAGE)
    return 'the answer was an error page not from AWS (HTML or text, often from a proxy, firewall or load balancer): check the endpoint and proxy';
  return undefined;
}

/** An HTTP 200 answer whose XML could not be read: cut short or garbled. */
export const MALFORMED_RESPONSE = 'MalformedResponse';
/** An HTTP error status whose body is not an AWS XML error (an HTML page from a proxy, a plain-text 502…). */
export const ERROR_PAGE = 'NonAwsErrorPage';

/** The SDK's error for an answer it could not parse (truncated or garbled XML) carries no code of its own. */
export function isUnreadableResponse(err: unknown): boolean {
  return err instanceof Error && /Deserialization error|XML parse error/i.test(err.message);
}

/**
 * For an answer the SDK could not read, the code and a detail that says what came back, e.g. `{ code: 'NonAwsErrorPage',
 * detail: 'HTTP 500' }`; undefined for any other error. An error status with an unparsable body, or one whose body held no
 * AWS error code (the SDK then names the error `Unknown`), is an error page; an unparsable HTTP 200 is a cut answer. An error
 * with a name or code of its own (TimeoutError, ECONNRESET) is left to that name.
 */
export function unreadableAnswer(err: unknown): { code: string; detail: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  // An error with a name or code of its own says more (a body that stopped coming is a TimeoutError, parse message or not).
  const ownCode = (err as { code?: unknown }).code;
  if ((typeof ownCode === 'string' && ownCode !== '') || (err.name !== 'Error' && err.name !== 'Unknown')) return undefined;
  const status = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  const errorStatus = typeof status === 'number' && status >= 300 ? status : undefined;
  if (errorStatus !== undefined && (isUnreadableResponse(err) || err.name === 'Unknown')) {
    return { code: ERROR_PAGE, detail: `HTTP ${errorStatus} with a body that is not an AWS error` };
  }
  if (isUnreadableResponse(err)) return { code: MALFORMED_RESPONSE, detail: err.message };
  return undefined;
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

/**
 * The AWS error code for service errors (`EC2ServiceException.name`, e.g. `AuthFailure`), the Node code for
 * transport errors (`ECONNREFUSED`), or the error's name (`TimeoutError`, `AbortError`).
 */
export function errorCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const nodeCode = (err as { code?: unknown }).code;
  if (typeof nodeCode === 'string' && nodeCode !== '') return nodeCode;
  return err.name !== '' && err.name !== 'Error' ? err.name : undefined;
}

const MAX_MESSAGE_LENGTH = 500;

/** One line of at most 500 characters (UnauthorizedOperation's encoded authorization message can run to kilobytes). */
export function oneLine(text: string): string {
  // Access key ids are not secret, but they identify credentials: keep them out of logs anyway.
  const cleaned = text.replace(/\s+/g, ' ').trim().replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '$1…');
  return cleaned.length > MAX_MESSAGE_LENGTH ? `${cleaned.slice(0, MAX_MESSAGE_LENGTH)}…` : cleaned;
}
