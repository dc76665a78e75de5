import { REGION_NAME } from './setting-values.js';

/**
 * Pure parsing of `AWS_DISCOVERY_EVENTS_QUEUE_URL`: the SQS queue EventBridge fills with instance events (event mode).
 * The SDK sends every call to the host of the queue URL, so the URL also says where SQS is (a VPC endpoint, a test
 * fake); the signing region is read from the host.
 */

export interface EventsQueueConfig {
  /** The queue URL as given: `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
  readonly url: string;
  /** The queue's region, from the host (us-east-1 for a loopback test endpoint). */
  readonly region: string;
  /** The queue's account and name, from the path. */
  readonly accountId: string;
  readonly name: string;
}

/** When the queue URL is set and AWS_DISCOVERY_SCHEDULE is not, the full listing (the safety net) runs hourly. */
export const EVENTS_SCHEDULE = '0 * * * *';

const QUEUE_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,75}(?:\.fifo)?|[A-Za-z0-9_-]{1,80})$/;
/** `sqs.<region>.amazonaws.com[.cn]`, `sqs-fips.<region>…`, a VPC endpoint `vpce-….sqs.<region>.vpce.amazonaws.com`. */
const SQS_HOST = /(?:^|\.)sqs(?:-fips)?\.([a-z0-9-]+)\./;
/** The legacy `<region>.queue.amazonaws.com`. */
const LEGACY_HOST = /^([a-z0-9-]+)\.queue\.amazonaws\.com$/;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
const EXPECTED = 'expected https://sqs.<region>.amazonaws.com/<account id>/<queue name>';

/** The queue, or a problem (without the setting's name). The problem never quotes the value: a URL can hold a password. */
export function parseEventsQueueUrl(text: string): { value: EventsQueueConfig } | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `not a URL; ${EXPECTED}` };
  }
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return { problem: `must use https (plain http only for a loopback test endpoint); ${EXPECTED}` };
  }
  if (url.username !== '' || url.password !== '') return { problem: 'must not hold a user name or password' };
  if (url.search !== '' || url.hash !== '') return { problem: `must not have a query or fragment; ${EXPECTED}` };
  const path = QUEUE_PATH.exec(url.pathname);
  if (path === null) return { problem: `the path is not /<12-digit account id>/<queue name>; ${EXPECTED}` };
  const region = loopback ? 'us-east-1' : regionOfHost(url.hostname);
  if (region === undefined) return { problem: `cannot tell the queue's region from its host; ${EXPECTED}` };
  return { value: { url: text, region, accountId: path[1] as string, name: path[2] as string } };
}

function regionOfHost(host: string): string | undefined {
  if (host === 'queue.amazonaws.com') return 'us-east-1';
  const region = SQS_HOST.exec(host)?.[1] ?? LEGACY_HOST.exec(host)?.[1];
  return region !== undefined && REGION_NAME.test(region) ? region : undefined;
}
