/**
 * A loopback fake of EC2 speaking the Query protocol (aws-ec2.md §11), for driving the REAL SDK:
 * `createEc2Client({ region, endpoint: fake.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })`.
 *
 * One endpoint serves every region: the region of a request is read from the SigV4 credential scope
 * (`Credential=AKID/20260101/us-east-1/ec2/aws4_request`), which the SDK fills with the client's region.
 * Instances and images are visible only in their own region.
 *
 * Operations: DescribeInstances (MaxResults/NextToken paging; `InstanceId.N`; filters `instance-state-name`,
 * `instance-id`, `image-id`, `tag:<Key>`, `tag-key`, with `*`/`?` wildcards), DescribeImages (`ImageId.N`,
 * `image-id` filter, IncludeDeprecated), GetPasswordData, GetConsoleOutput, DescribeRegions.
 * Anything else → 400 `InvalidAction`.
 *
 * Accounts: a request's account is read from its access key id (`accountOfAccessKey`: the fake STS issues
 * `ASIA<account id>…` keys, any other key is the own account `111111111111`); each account sees only its own instances
 * (`FakeInstance.account`, default the own account). Images are shared.
 *
 * Fault injection: `failNext` (an EC2 error response), `hangNext` (no answer at all), `truncateNext` (HTTP 200 with
 * the XML cut in half), `stallNext` (the headers and half the body, then silence), each for chosen actions, regions
 * and counts; `pagingFaults` (DescribeInstances NextTokens that
 * repeat or never end, per region). `onRequest` sees each request as it arrives.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeEc2Error,
  describeImages,
  describeInstances,
  describeRegions,
  getConsoleOutput,
  getPasswordData,
} from './fake-ec2-actions.js';
import type { FakeFleet, PagingFault } from './fake-ec2-actions.js';
import { errorXml, readBody, sendXml, successXml } from './fake-ec2-xml.js';

/** The account of every instance without `account`, and of every request not signed with fake STS credentials. */
export const OWN_ACCOUNT = '111111111111';

/** `ASIA222222222222…` (issued by the fake STS) → `222222222222`; anything else → the own account. */
export function accountOfAccessKey(accessKeyId: string | undefined): string {
  return /^ASIA(\d{12})/.exec(accessKeyId ?? '')?.[1] ?? OWN_ACCOUNT;
}

export interface FakeInstance {
  instanceId: string;
  region: string;
  /** The account it lives in; default OWN_ACCOUNT. */
  account?: string;
  /** Default `running`. */
  state?: string;
  imageId?: string;
  keyName?: string;
  /** `windows` as AWS sends it; leave undefined for Linux. */
  platform?: string;
  platformDetails?: string;
  privateIp?: string;
  publicIp?: string;
  /** An empty string is sent as an empty element, as AWS does for instances without DNS names. */
  privateDns?: string;
  publicDns?: string;
  ipv6?: string;
  launchTime?: Date;
  tags?: Record<string, string>;
  /** Base64 ciphertext for GetPasswordData; absent → empty `<passwordData/>` ("not generated yet"). */
  passwordData?: string;
  /** Raw console text for GetConsoleOutput (sent base64-encoded); absent → no `<output>` element. */
  consoleOutput?: string;
}

export interface FakeImage {
  imageId: string;
  region: string;
  name?: string;
  description?: string;
  ownerId?: string;
  ownerAlias?: string;
  platform?: string;
  platformDetails?: string;
  /** Hidden from the `image-id` filter unless IncludeDeprecated=true; `ImageId.N` still finds it. */
  deprecated?: boolean;
}

export interface FakeRequest {
  readonly action: string;
  readonly region: string;
  readonly params: URLSearchParams;
  /** The access key id that signed the request (SigV4 `Credential=`), to check which credentials the client used. */
  readonly accessKeyId?: string;
  /** The account the request was served as (see accountOfAccessKey). */
  readonly account: string;
}

export interface FailureOptions {
  /** AWS error code, e.g. `RequestLimitExceeded` (503), `AuthFailure` (401), `UnauthorizedOperation` (403). */
  readonly code: string;
  readonly status: number;
  readonly message?: string;
  /** How many matching requests fail; default 1. */
  readonly times?: number;
  /** Only requests for this region match; default any. */
  readonly region?: string;
  /** Only requests of this account match; default any. */
  readonly account?: string;
  /** Let this many matching requests succeed first (e.g. 1 to fail the second page); default 0. */
  readonly skip?: number;
}

/** Which requests a `hangNext`/`truncateNext` rule matches (as in FailureOptions). */
export interface MatchOptions {
  readonly times?: number;
  readonly region?: string;
  readonly account?: string;
  readonly skip?: number;
}

/**
 * `error`: an EC2 error response; `hang`: no answer at all; `truncate`: HTTP 200 with the XML cut in half; `stall`:
 * HTTP 200 headers and half the XML, then nothing more (the connection stays open).
 */
type FailureKind = 'error' | 'hang' | 'truncate' | 'stall';

interface FailureRule {
  readonly action: string;
  readonly kind: FailureKind;
  readonly options: FailureOptions | MatchOptions;
  remaining: number;
  toSkip: number;
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/ec2\/aws4_request/;

type Operation = (fleet: FakeFleet, region: string, params: URLSearchParams) => string;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  DescribeInstances: describeInstances,
  DescribeImages: describeImages,
  GetPasswordData: getPasswordData,
  GetConsoleOutput: getConsoleOutput,
  DescribeRegions: (fleet) => describeRegions(fleet),
};

export class FakeEc2 {
  /** The fleet; tests may replace or change it between calls. */
  instances: FakeInstance[] = [];
  images: FakeImage[] = [];
  /** What DescribeRegions returns; undefined → the distinct regions of the fleet. */
  regions: string[] | undefined;
  /** What DescribeRegions returns for one account (account id → regions); else `regions`. */
  regionsByAccount: Record<string, string[]> = {};
  /** DescribeInstances paging faults by region (see PagingFault); cleared by `clearFailures`. */
  pagingFaults: Record<string, PagingFault> = {};
  /** Regions whose DescribeImages answers with the NextToken it was asked with (see FakeFleet); cleared by `clearFailures`. */
  imagePagingFaults: Record<string, 'same-token'> = {};
  /** Called with each request as it arrives (before it is answered, or left unanswered by `hangNext`). */
  onRequest: ((request: FakeRequest) => void) | undefined;
  /** Every request received, in order, including those answered with an injected error. */
  readonly requests: FakeRequest[] = [];
  readonly #failures: FailureRule[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<FakeEc2> {
    let fake: FakeEc2 | undefined;
    const server = createServer((req, res) => {
      if (fake === undefined) throw new Error('FakeEc2 request before start() finished');
      void fake.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeEc2(server, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Makes the next matching request(s) of `action` fail with an EC2 error response. */
  failNext(action: string, options: FailureOptions): void {
    this.#failures.push({ action, kind: 'error', options, remaining: options.times ?? 1, toSkip: options.skip ?? 0 });
  }

  /** The next matching request(s) of `action` get no answer: the connection stays open until the client gives up. */
  hangNext(action: string, options: MatchOptions = {}): void {
    this.#failures.push({ action, kind: 'hang', options, remaining: options.times ?? 1, toSkip: options.skip ?? 0 });
  }

  /** The next matching request(s) of `action` get HTTP 200 with only the first half of the XML. */
  truncateNext(action: string, options: MatchOptions = {}): void {
    this.#failures.push({ action, kind: 'truncate', options, remaining: options.times ?? 1, toSkip: options.skip ?? 0 });
  }

  /** The next matching request(s) of `action` get the headers and half the body, then silence until the client gives up. */
  stallNext(action: string, options: MatchOptions = {}): void {
    this.#failures.push({ action, kind: 'stall', options, remaining: options.times ?? 1, toSkip: options.skip ?? 0 });
  }

  /** Drops every pending injected failure and paging fault (call between tests). */
  clearFailures(): void {
    this.#failures.length = 0;
    this.pagingFaults = {};
    this.imagePagingFaults = {};
  }

  /** Requests of one action (optionally one region), for assertions. */
  requestsFor(action: string, region?: string): FakeRequest[] {
    return this.requests.filter((r) => r.action === action && (region === undefined || r.region === region));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const params = new URLSearchParams(await readBody(req));
      const action = params.get('Action') ?? '';
      const region = CREDENTIAL_SCOPE.exec(req.headers.authorization ?? '')?.[1];
      const accessKeyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1];
      const account = accountOfAccessKey(accessKeyId);
      const request = { action, region: region ?? '', params, account, ...(accessKeyId === undefined ? {} : { accessKeyId }) };
      this.requests.push(request);
      this.onRequest?.(request);
      if (region === undefined) {
        throw new FakeEc2Error('MissingAuthenticationToken', 401, 'Request is missing Authentication Token');
      }
      const injected = this.injectedFailure(action, region, account);
      if (injected === 'hang') return; // never answered; close() ends the connection
      const operation = OPERATIONS[action];
      if (operation === undefined) {
        throw new FakeEc2Error('InvalidAction', 400, `The action ${action} is not valid for this web service.`);
      }
      const fleet = {
        instances: this.instancesOf(account),
        images: this.images,
        regions: this.regionsByAccount[account] ?? this.regions,
        ...(this.pagingFaults[region] === undefined ? {} : { paging: this.pagingFaults[region] }),
        ...(this.imagePagingFaults[region] === undefined ? {} : { imagePaging: this.imagePagingFaults[region] }),
      };
      const body = successXml(action, operation(fleet, region, params));
      if (injected === 'stall') {
        res.writeHead(200, { 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
        res.write(body.slice(0, Math.floor(body.length / 2))); // never ended; close() ends the connection
        return;
      }
      sendXml(res, 200, injected === 'truncate' ? body.slice(0, Math.floor(body.length / 2)) : body);
    } catch (err) {
      if (err instanceof FakeEc2Error) sendXml(res, err.status, errorXml(err.code, err.message));
      else sendXml(res, 500, errorXml('InternalError', `fake EC2 bug: ${String(err)}`));
    }
  }

  /**
   * The instances one account sees. The own account of a fleet without other accounts gets the live array itself (so
   * the actions' instance index stays valid across requests); whether the fleet has other accounts is re-checked when
   * `instances` is replaced or changes length (an element replaced in place by one of another account is not noticed).
   */
  private instancesOf(account: string): FakeInstance[] {
    if (this.#ownOnly?.array !== this.instances || this.#ownOnly.length !== this.instances.length) {
      this.#ownOnly = { array: this.instances, length: this.instances.length, value: this.instances.every((i) => (i.account ?? OWN_ACCOUNT) === OWN_ACCOUNT) };
    }
    if (account === OWN_ACCOUNT && this.#ownOnly.value) return this.instances;
    return this.instances.filter((i) => (i.account ?? OWN_ACCOUNT) === account);
  }
  #ownOnly: { array: FakeInstance[]; length: number; value: boolean } | undefined;

  /** Throws an injected error response, or returns the kind of another injected fault (undefined: none). */
  private injectedFailure(action: string, region: string, account: string): Exclude<FailureKind, 'error'> | undefined {
    const index = this.#failures.findIndex(
      (f) =>
        f.action === action &&
        (f.options.region === undefined || f.options.region === region) &&
        (f.options.account === undefined || f.options.account === account),
    );
    const rule = this.#failures[index];
    if (rule === undefined) return undefined;
    if (rule.toSkip > 0) {
      rule.toSkip -= 1;
      return undefined;
    }
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#failures.splice(index, 1);
    if (rule.kind !== 'error') return rule.kind;
    const { code, status, message = `injected ${code}` } = rule.options as FailureOptions;
    throw new FakeEc2Error(code, status, message);
  }
}
