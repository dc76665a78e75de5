import type { Filter, Image, Instance } from '@aws-sdk/client-ec2';
import { MAX_FILTER_VALUES } from './ec2-client.js';
import { awsErrorHint, errorCode, oneLine, unreadableAnswer } from './aws-errors.js';
import type { Ec2Api, InstancePage } from './ec2-client.js';
import type { DiscoveredInstance, ImageInfo, ScopeListing } from './instance.js';
import { DEFAULT_LISTING_TIMEOUT_MS } from '../config/setting-values.js';
import { beforeDeadline, describeAbandonment, ListingAbandonedError, maxPagesFor, PageGuard } from './listing-bounds.js';
import { mergeDuplicateInstances } from './merge-duplicates.js';
import { toDiscoveredInstance, toImageInfo } from './to-discovered-instance.js';

export interface DiscoverRegionOptions {
  /** DescribeInstances `MaxResults` (AWS accepts 5–1000); default 1000. */
  readonly pageSize?: number;
  /** Aborting ends the listing with `ok: false` (code `AbortError`): the region is then unknown, not empty. */
  readonly signal?: AbortSignal;
  /** DescribeInstances filters: the filtering happens in AWS. */
  readonly filters?: readonly Filter[];
  /** AMI ids already described, per region (cached across runs): DescribeImages asks only about the others. */
  readonly knownImages?: ReadonlyMap<string, ReadonlySet<string>>;
  /** The scope's deadline (ms) for all its DescribeInstances pages and DescribeImages calls together; default 60 s. */
  readonly listingTimeoutMs?: number;
  /** Starts a scope's deadline: a signal that aborts after `ms`. Default `AbortSignal.timeout`; tests pass their own. */
  readonly startDeadline?: (ms: number) => AbortSignal;
  /** DescribeInstances page cap; default maxPagesFor(pageSize) (pages for 1,000,000 instances). */
  readonly maxPages?: number;
}

const DEFAULT_PAGE_SIZE = 1000;

type Calls = { describeInstances: number; describeImages: number };

/**
 * Lists every instance of one region (all states, every page) and the images they were launched from.
 * AWS and transport errors never throw: they give `{ ok: false }` with a one-line, secret-free message,
 * so a failed region is never mistaken for an empty one. Only programming errors throw.
 *
 * The listing is bounded (listing-bounds.ts): a repeated NextToken, more pages than the cap, or the scope's deadline
 * passing also give `{ ok: false }`. An instance id listed more than once is kept once (mergeDuplicateInstances).
 */
export async function discoverRegion(
  api: Ec2Api,
  scope: string,
  options: DiscoverRegionOptions = {},
): Promise<ScopeListing> {
  const { pageSize = DEFAULT_PAGE_SIZE, signal, filters } = options;
  const bounds = startBounds(options, pageSize);
  // Past the deadline, whatever the call threw (the SDK's AbortError) is the deadline's doing, unless it was a shutdown.
  const failed = (operation: string, err: unknown) =>
    failure(
      scope,
      operation,
      bounds.deadline.aborted && signal?.aborted !== true && !(err instanceof ListingAbandonedError) ? bounds.overdue(operation) : err,
    );
  const calls: Calls = { describeInstances: 0, describeImages: 0 };

  // Calls first, mapping after: an error inside the try can only come from the API or a bound, never from our own code.
  const rawInstances: Instance[] = [];
  let pages: AsyncIterator<InstancePage> | undefined;
  try {
    signal?.throwIfAborted();
    pages = api.describeInstancePages({ pageSize, signal: bounds.listing, ...(filters === undefined ? {} : { filters }) })[Symbol.asyncIterator]();
    for (let page = await bounds.call('DescribeInstances', pages.next()); page.done !== true; page = await bounds.call('DescribeInstances', pages.next())) {
      calls.describeInstances += 1;
      rawInstances.push(...page.value.instances);
      bounds.guard.next(page.value.nextToken);
    }
  } catch (err) {
    pages?.return?.().catch(() => undefined); // stop the paginator (never awaited: it may still be in its last call)
    return failed('DescribeInstances', err);
  }

  const listed: DiscoveredInstance[] = [];
  for (const raw of rawInstances) {
    const instance = toDiscoveredInstance(scope, raw);
    if (instance === undefined) {
      const error = `DescribeInstances failed in ${scope}: MalformedResponse: an instance without InstanceId`;
      return { scope, ok: false, error, code: 'MalformedResponse' };
    }
    listed.push(instance);
  }
  const { instances, duplicates } = mergeDuplicateInstances(listed);

  const known = options.knownImages?.get(scope);
  const imageIds = [...new Set(instances.flatMap((i) => (i.imageId === undefined || known?.has(i.imageId) === true ? [] : [i.imageId])))].sort();
  const rawImages: Image[] = [];
  try {
    for (const chunk of chunksOf(imageIds, MAX_FILTER_VALUES)) {
      signal?.throwIfAborted();
      calls.describeImages += 1;
      rawImages.push(...(await bounds.call('DescribeImages', api.describeImages(chunk, { signal: bounds.listing }))));
    }
  } catch (err) {
    return failed('DescribeImages', err);
  }

  const images = toImageMap(rawImages);
  const missingImages = imageIds.filter((id) => !images.has(id));
  return { scope, ok: true, instances, images, missingImages, ...(duplicates.length === 0 ? {} : { duplicates }), calls };
}

/** The bounds of one scope's listing, its deadline started now. */
function startBounds(options: DiscoverRegionOptions, pageSize: number) {
  const timeoutMs = options.listingTimeoutMs ?? DEFAULT_LISTING_TIMEOUT_MS;
  const deadline = (options.startDeadline ?? AbortSignal.timeout)(timeoutMs);
  const guard = new PageGuard('DescribeInstances', options.maxPages ?? maxPagesFor(pageSize));
  const overdue = (operation: string) => new ListingAbandonedError({ kind: 'deadline', operation, timeoutMs, pages: guard.pages });
  return {
    deadline,
    guard,
    overdue,
    /** What the calls are aborted by: a shutdown or the deadline. */
    listing: options.signal === undefined ? deadline : AbortSignal.any([options.signal, deadline]),
    /** One call, given up the moment the deadline passes. */
    call: <T>(operation: string, work: Promise<T>): Promise<T> => beforeDeadline(work, deadline, () => overdue(operation)),
  };
}

function toImageMap(rawImages: readonly Image[]): ReadonlyMap<string, ImageInfo> {
  const images = new Map<string, ImageInfo>();
  for (const raw of rawImages) {
    const image = toImageInfo(raw);
    if (image !== undefined) images.set(image.imageId, image);
  }
  return images;
}

function failure(scope: string, operation: string, err: unknown): ScopeListing {
  if (err instanceof ListingAbandonedError) return { scope, ok: false, error: describeAbandonment(err.reason, scope), code: err.code };
  const unreadable = unreadableAnswer(err);
  const code = unreadable?.code ?? errorCode(err);
  const message = oneLine(unreadable?.detail ?? (err instanceof Error ? err.message : String(err)));
  const detail = code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
  const hint = awsErrorHint(code, operation, scope);
  return {
    scope,
    ok: false,
    error: `${operation} failed in ${scope}: ${detail || 'unknown error'}${hint === undefined ? '' : `; ${hint}`}`,
    ...(code === undefined ? {} : { code }),
  };
}

export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
