import {
  DescribeRegionsCommand,
  EC2Client,
  GetConsoleOutputCommand,
  GetPasswordDataCommand,
  paginateDescribeImages,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import type { EC2ClientConfig, Filter, Image, Instance } from '@aws-sdk/client-ec2';
import { PageGuard } from './listing-bounds.js';

export interface Ec2ClientOptions {
  readonly region: string;
  /** Custom endpoint (tests, VPC endpoints); plain `http://` is accepted. */
  readonly endpoint?: string;
  /** Static keys or a provider; omitted means the SDK's default chain. */
  readonly credentials?: EC2ClientConfig['credentials'];
  /** Attempts per call including the first; default 5. */
  readonly maxAttempts?: number;
  /** Longest wait for one attempt's answer (ms); default 30 s. A silent endpoint fails the attempt, never hangs the run. */
  readonly requestTimeoutMs?: number;
  /** Longest wait for the TCP/TLS connection (ms); default 10 s. */
  readonly connectionTimeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;

/** One client per region; throttling (`RequestLimitExceeded`) is retried with adaptive client-side rate limiting. */
export function createEc2Client(options: Ec2ClientOptions): EC2Client {
  // The SDK warns once per process on Node < 22 (see aws-ec2.md §1); respect an explicit setting.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return new EC2Client({
    region: options.region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
    // Bounded per attempt, so a call lasts at most about maxAttempts × (timeout + backoff). requestTimeout runs until
    // the response headers arrive; the socket's idle timeout then bounds a body that stops coming (set a second later
    // so it never pre-empts requestTimeout). A scope's whole listing has a deadline on top (discover-region.ts).
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout,
      socketTimeout: requestTimeout + 1000,
      throwOnRequestTimeout: true,
    },
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
}

/** One page of DescribeInstances, reduced to what discovery reads. */
export interface InstancePage {
  readonly instances: readonly Instance[];
  /** The NextToken this page answered with (absent on the last page), so the caller can refuse a token it has seen. */
  readonly nextToken?: string;
}

export interface PasswordData {
  readonly instanceId: string;
  /** Base64 ciphertext; empty until Windows has generated the password (up to ~15 minutes after launch). */
  readonly passwordData: string;
  readonly timestamp?: Date;
}

export interface ConsoleOutput {
  readonly instanceId: string;
  /** The console text decoded from base64 (UTF-8); empty when AWS has none for the instance. */
  readonly output: string;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** The subset of EC2 the daemon uses, so tests above the adapter can supply an in-memory fake. */
export interface Ec2Api {
  /**
   * Every page of DescribeInstances in order (`pageSize` becomes `MaxResults`, 5–1000). The next page is asked for
   * only when the caller asks the iterator for it, so a caller that stops iterating stops the listing.
   */
  describeInstancePages(
    options: CallOptions & { readonly pageSize: number; readonly filters?: readonly Filter[] },
  ): AsyncIterable<InstancePage>;
  /**
   * Images for at most 200 ids, read with the `image-id` filter including deprecated and disabled
   * images: unknown, deregistered or unshared ids are simply absent instead of failing the call. A NextToken that
   * repeats, or more than 200 pages, fails the call with ListingAbandonedError.
   */
  describeImages(imageIds: readonly string[], options?: CallOptions): Promise<readonly Image[]>;
  getPasswordData(instanceId: string, options?: CallOptions): Promise<PasswordData>;
  /**
   * The most recent console output (`Latest=true`: up to the last 64 KB, read live on Nitro instances; AWS
   * documents the option for Nitro instance types only), e.g. for the SSH host keys cloud-init prints.
   */
  getConsoleOutput(instanceId: string, options?: CallOptions): Promise<ConsoleOutput>;
  /** The regions enabled for the account (DescribeRegions without AllRegions: opted-in or opt-in not required). */
  describeRegions?(options?: CallOptions): Promise<readonly string[]>;
}

/** The `image-id` filter accepts at most this many values per call. */
export const MAX_FILTER_VALUES = 200;

/** `Ec2Api` over the real SDK client (bound to one region). */
export function sdkEc2Api(client: EC2Client): Ec2Api {
  return {
    async *describeInstancePages({ pageSize, filters, signal }) {
      const input = filters === undefined ? {} : { Filters: [...filters] };
      const pages = paginateDescribeInstances({ client, pageSize }, input, sendOptions(signal));
      for await (const page of pages) {
        const instances = (page.Reservations ?? []).flatMap((r) => r.Instances ?? []);
        yield page.NextToken === undefined ? { instances } : { instances, nextToken: page.NextToken };
      }
    },

    async describeImages(imageIds, options = {}) {
      if (imageIds.length === 0) return [];
      if (imageIds.length > MAX_FILTER_VALUES) {
        throw new RangeError(`describeImages takes at most ${MAX_FILTER_VALUES} ids, got ${imageIds.length}`);
      }
      const input = {
        Filters: [{ Name: 'image-id', Values: [...imageIds] }],
        IncludeDeprecated: true,
        IncludeDisabled: true,
      };
      // No MaxResults is sent, so AWS answers in one page; the paginator still follows a NextToken if one comes, but
      // never one it has seen, nor past 200 pages (as many as there can be images).
      const images: Image[] = [];
      const guard = new PageGuard('DescribeImages', MAX_FILTER_VALUES);
      for await (const page of paginateDescribeImages({ client }, input, sendOptions(options.signal))) {
        images.push(...(page.Images ?? []));
        guard.next(page.NextToken);
      }
      return images;
    },

    async getPasswordData(instanceId, options = {}) {
      const command = new GetPasswordDataCommand({ InstanceId: instanceId });
      const out = await client.send(command, sendOptions(options.signal));
      return {
        instanceId: out.InstanceId ?? instanceId,
        passwordData: (out.PasswordData ?? '').trim(),
        ...(out.Timestamp === undefined ? {} : { timestamp: out.Timestamp }),
      };
    },

    async getConsoleOutput(instanceId, options = {}) {
      const command = new GetConsoleOutputCommand({ InstanceId: instanceId, Latest: true });
      const out = await client.send(command, sendOptions(options.signal));
      const output = Buffer.from(out.Output ?? '', 'base64').toString('utf8');
      return { instanceId: out.InstanceId ?? instanceId, output };
    },

    async describeRegions(options = {}) {
      const out = await client.send(new DescribeRegionsCommand({}), sendOptions(options.signal));
      return (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : [])).sort();
    },
  };
}

function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}
