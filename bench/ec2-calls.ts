/**
 * The EC2 calls of one scenario, from the fake's request log, checked against what the issue allows:
 * one DescribeInstances per page per region, DescribeImages only for AMIs not seen before, GetPasswordData only for
 * Windows instances whose connection has no password yet.
 */
import { instanceKey } from '../src/discover/instance.js';
import type { FakeInstance, FakeRequest } from '../test/support/fake-ec2.js';
import { KEY_NAMES } from './fleet.js';

/** AWS's cap on `image-id` filter values per call. */
const IMAGE_IDS_PER_CALL = 200;
const KEPT_STATES = new Set(['pending', 'running', 'stopping', 'stopped']);

export interface Ec2Check {
  readonly byAction: Record<string, number>;
  readonly describeInstances: { readonly calls: number; readonly expected: number; readonly repeatedPages: number };
  readonly describeImages: { readonly calls: number; readonly expected: number; readonly amisRequested: number; readonly knownAmisRequested: number };
  readonly getPasswordData: {
    readonly calls: number;
    readonly missingBefore: number;
    readonly forStored: number;
    readonly repeated: number;
    readonly deferred: number;
  };
  /** Why the target fails for this scenario; empty when it holds. */
  readonly failures: readonly Ec2Failure[];
}

export interface Ec2Failure {
  readonly check:
    | 'DescribeInstances not once per page'
    | 'DescribeImages for AMIs already seen'
    | 'GetPasswordData for a stored password'
    | 'GetPasswordData repeated';
  readonly detail: string;
}

export interface Ec2Context {
  readonly instances: readonly FakeInstance[];
  readonly pageSize: number;
  /** AMI ids per region that the previous scenario already listed (empty for the first run). */
  readonly knownAmis: ReadonlyMap<string, ReadonlySet<string>>;
  /** Instance keys whose connection held a password before the run. */
  readonly storedPasswords: ReadonlySet<string>;
}

export function checkEc2Calls(requests: readonly FakeRequest[], ctx: Ec2Context): Ec2Check {
  const byAction: Record<string, number> = {};
  for (const r of requests) byAction[r.action] = (byAction[r.action] ?? 0) + 1;
  const failures: Ec2Failure[] = [];

  const listing = requests.filter((r) => r.action === 'DescribeInstances');
  const pages = new Set(listing.map((r) => `${r.region} ${r.params.get('NextToken') ?? ''}`));
  const perRegion = countBy(ctx.instances.map((i) => i.region));
  const expectedPages = [...new Set([...perRegion.keys(), ...listing.map((r) => r.region)])].reduce(
    (sum, region) => sum + Math.max(1, Math.ceil((perRegion.get(region) ?? 0) / ctx.pageSize)),
    0,
  );
  const describeInstances = { calls: listing.length, expected: expectedPages, repeatedPages: listing.length - pages.size };
  if (listing.length !== expectedPages)
    failures.push({ check: 'DescribeInstances not once per page', detail: `${listing.length} calls for ${expectedPages} pages` });

  const images = requests.filter((r) => r.action === 'DescribeImages');
  const requested = images.flatMap((r) => imageIdsOf(r.params).map((id) => ({ region: r.region, id })));
  const knownRequested = requested.filter(({ region, id }) => ctx.knownAmis.get(region)?.has(id) === true).length;
  const unknownPerRegion = [...amisByRegion(ctx.instances)].map(([region, ids]) => [...ids].filter((id) => ctx.knownAmis.get(region)?.has(id) !== true).length);
  const expectedImages = unknownPerRegion.reduce((sum, n) => sum + Math.ceil(n / IMAGE_IDS_PER_CALL), 0);
  const describeImages = { calls: images.length, expected: expectedImages, amisRequested: requested.length, knownAmisRequested: knownRequested };
  if (knownRequested > 0)
    failures.push({
      check: 'DescribeImages for AMIs already seen',
      detail: `${knownRequested} of ${requested.length} AMIs asked for were known; ${images.length} calls, ${expectedImages} needed`,
    });

  const fetches = requests.filter((r) => r.action === 'GetPasswordData').map((r) => instanceKey(r.region, r.params.get('InstanceId') ?? ''));
  const missing = ctx.instances.filter(
    (i) =>
      i.platform === 'windows' &&
      KEPT_STATES.has(i.state ?? 'running') &&
      i.keyName === KEY_NAMES.windows &&
      !ctx.storedPasswords.has(instanceKey(i.region, i.instanceId)),
  );
  const forStored = fetches.filter((key) => ctx.storedPasswords.has(key)).length;
  const repeated = fetches.length - new Set(fetches).size;
  const getPasswordData = {
    calls: fetches.length,
    missingBefore: missing.length,
    forStored,
    repeated,
    deferred: Math.max(0, missing.length - new Set(fetches).size),
  };
  if (forStored > 0) failures.push({ check: 'GetPasswordData for a stored password', detail: `${forStored} calls` });
  if (repeated > 0) failures.push({ check: 'GetPasswordData repeated', detail: `${repeated} repeated calls` });

  return { byAction, describeInstances, describeImages, getPasswordData, failures };
}

/** AMI ids per region of the listed instances, to become the next scenario's `knownAmis`. */
export function amisByRegion(instances: readonly FakeInstance[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const i of instances) {
    if (i.imageId === undefined) continue;
    let ids = map.get(i.region);
    if (ids === undefined) map.set(i.region, (ids = new Set()));
    ids.add(i.imageId);
  }
  return map;
}

function imageIdsOf(params: URLSearchParams): string[] {
  const ids: string[] = [];
  for (const [name, value] of params) if (/^(ImageId\.\d+|Filter\.\d+\.Value\.\d+)$/.test(name)) ids.push(value);
  return ids;
}

function countBy(items: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}
