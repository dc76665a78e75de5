import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';
import type { EventsQueueConfig } from '../../config/events-queue.js';

/** The longest long poll SQS allows (s); a receive waits this long for a first message. */
export const LONG_POLL_SECONDS = 20;

/** The SDK, loaded by the queue at its first call (event-queue.ts): importing this module loads none of it. */
export type SqsSdk = typeof import('@aws-sdk/client-sqs');

export interface SqsClientOptions {
  readonly queue: EventsQueueConfig;
  /** The daemon's own credentials (the queue lives in its account); omitted: the SDK's default chain. */
  readonly credentials?: SQSClientConfig['credentials'];
  /** Attempts per call including the first; default 3. */
  readonly maxAttempts?: number;
}

/**
 * One client for the events queue. Calls go to the host of the queue URL (a VPC endpoint or a test fake as well as
 * AWS's own), signed for the region read from it; naming the endpoint keeps the SDK from warning that the queue URL's
 * host differs from the region's endpoint. A long poll holds a request open for 20 s: the request timeout is above it.
 */
export function createSqsClient(sdk: SqsSdk, options: SqsClientOptions): SQSClient {
  // As for EC2 (ec2-client.ts): the SDK's once-per-process Node version notice is not the operator's concern here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const requestTimeout = (LONG_POLL_SECONDS + 10) * 1000;
  return new sdk.SQSClient({
    region: options.queue.region,
    endpoint: new URL(options.queue.url).origin,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: { connectionTimeout: 10_000, requestTimeout, socketTimeout: requestTimeout + 1000, throwOnRequestTimeout: true },
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}
