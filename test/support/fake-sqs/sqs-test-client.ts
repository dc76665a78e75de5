/** A real SQSClient pointed at a FakeSqs, for the fake's own wire tests. */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FakeSqs } from './fake-sqs.js';

// Never let the SDK probe instance metadata for credentials or region.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const SQS_TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** `endpoint` set to the fake's, so the SDK neither warns about the queue URL's host nor needs it to be AWS's. */
export function fakeSqsClient(fake: FakeSqs, options: { maxAttempts?: number; region?: string } = {}): SQSClient {
  return new SQSClient({
    region: options.region ?? 'us-east-1',
    endpoint: fake.endpoint,
    credentials: SQS_TEST_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
  });
}

/** Resolves once `condition` holds (checked on each turn of the event loop); for "the request has arrived". */
export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let turns = 0; turns < 10_000; turns++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`gave up waiting for ${what}`);
}
