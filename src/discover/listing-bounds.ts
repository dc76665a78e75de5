/**
 * Bounds on one scope's listing, so that no endpoint can keep a run listing for ever: a NextToken seen before, more
 * pages than any real region has, or a listing past its deadline abandons the scope (`ok: false`: nothing of it
 * changes this run). The errors carry data; discover-region.ts words them with the scope.
 */
/**
 * A region is never expected to hold more instances than this. DescribeInstances pages cover at most `pageSize`
 * instances each, so `ceil(LISTABLE_INSTANCES / pageSize)` pages (1,000 at the default 1000 per page) is far above any
 * real region; a listing still asking for more is following tokens that lead nowhere.
 */
const LISTABLE_INSTANCES = 1_000_000;

/** The page cap for a DescribeInstances listing at `pageSize`. */
export function maxPagesFor(pageSize: number): number {
  return Math.ceil(LISTABLE_INSTANCES / pageSize);
}

export type AbandonReason =
  /** A page answered with the NextToken of an earlier page of the same listing (the paginator would loop). */
  | { readonly kind: 'repeated-token'; readonly operation: string; readonly page: number; readonly firstSeenAt: number }
  /** The listing reached its page cap and AWS still answered with a NextToken. */
  | { readonly kind: 'page-limit'; readonly operation: string; readonly maxPages: number }
  /** The scope's deadline passed while `operation` was still running. */
  | { readonly kind: 'deadline'; readonly operation: string; readonly timeoutMs: number; readonly pages: number };

const CODES = { 'repeated-token': 'RepeatedNextToken', 'page-limit': 'TooManyPages', deadline: 'ListingTimeout' } as const;

/** The listing of a scope was abandoned by one of its bounds; `code` is the stable name reported with the failure. */
export class ListingAbandonedError extends Error {
  override readonly name = 'ListingAbandonedError';
  readonly code: (typeof CODES)[AbandonReason['kind']];
  constructor(readonly reason: AbandonReason) {
    super(describeAbandonment(reason, 'the scope'));
    this.code = CODES[reason.kind];
  }
}

/** One line for the log and `status`, naming what happened (with its code) and that nothing of the scope changes. */
export function describeAbandonment(reason: AbandonReason, scope: string): string {
  const outcome = `the listing is abandoned and nothing in ${scope} changes this run`;
  switch (reason.kind) {
    case 'repeated-token':
      return `${reason.operation} in ${scope} returned the NextToken of an earlier page (RepeatedNextToken: page ${reason.page} repeats the token of ` +
        `page ${reason.firstSeenAt}): ${outcome}`;
    case 'page-limit':
      return `${reason.operation} in ${scope} still returned a NextToken after ${reason.maxPages} pages (TooManyPages: the page cap, far above any real ` +
        `region): ${outcome}`;
    case 'deadline':
      return `listing ${scope} did not finish within ${formatSeconds(reason.timeoutMs)} (ListingTimeout, AWS_DISCOVERY_LISTING_TIMEOUT; ${reason.operation} ` +
        `was still waiting for AWS, ${reason.pages} DescribeInstances page(s) read): ${outcome}; the next run tries again`;
  }
}

/**
 * Follows one paginated listing: call `next(nextToken)` after each page. Throws ListingAbandonedError when a page
 * repeats the NextToken of any earlier page, or when a NextToken comes after the last page allowed.
 */
export class PageGuard {
  readonly #seen = new Map<string, number>();
  #pages = 0;

  constructor(
    private readonly operation: string,
    private readonly maxPages: number,
  ) {}

  get pages(): number {
    return this.#pages;
  }

  next(nextToken: string | undefined): void {
    this.#pages += 1;
    if (nextToken === undefined || nextToken === '') return;
    const firstSeenAt = this.#seen.get(nextToken);
    if (firstSeenAt !== undefined) throw new ListingAbandonedError({ kind: 'repeated-token', operation: this.operation, page: this.#pages, firstSeenAt });
    if (this.#pages >= this.maxPages) throw new ListingAbandonedError({ kind: 'page-limit', operation: this.operation, maxPages: this.maxPages });
    this.#seen.set(nextToken, this.#pages);
  }
}

/**
 * Settles as `work` does, or rejects with `onDeadline()` the moment `deadline` aborts, even when `work` does not
 * honour its abort signal (an SDK retry pause, an in-memory fake): the deadline holds whatever the call does.
 */
export function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal, onDeadline: () => Error): Promise<T> {
  if (deadline.aborted) {
    work.catch(() => undefined);
    return Promise.reject(onDeadline());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onDeadline());
    deadline.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        deadline.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        deadline.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
