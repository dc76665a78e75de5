/** The fake EC2's operations: parameters in (URLSearchParams of the Query body), XML body out. */
import type { FakeImage, FakeInstance } from './fake-ec2.js';
import { el, imageXml, list, regionXml, reservationXml } from './fake-ec2-xml.js';

/** Thrown by an operation; becomes an EC2 error response. */
export class FakeEc2Error extends Error {
  override readonly name = 'FakeEc2Error';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface FakeFleet {
  readonly instances: readonly FakeInstance[];
  readonly images: readonly FakeImage[];
  readonly regions: readonly string[] | undefined;
  /** How DescribeInstances misbehaves with NextToken in the request's region; undefined: it pages correctly. */
  readonly paging?: PagingFault;
  /** `same-token`: DescribeImages answers every call with a NextToken, the one it was asked with once there is one. */
  readonly imagePaging?: 'same-token';
}

/**
 * DescribeInstances paging faults (for bounded-listing tests):
 * - `same-token`: every page answers with a NextToken; a page asked with a NextToken answers with that same token
 *   (so the listing never ends, whatever the fleet's size);
 * - `cycle`: pages as usual, but the last page points back to the second page's token;
 * - `endless`: every page answers with a new, never repeated NextToken, past the end of the fleet (empty pages).
 */
export type PagingFault = 'same-token' | 'cycle' | 'endless';

interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

const MAX_FILTER_VALUES = 200;
const INSTANCES_PER_RESERVATION = 3;

const instanceFilters: Readonly<Record<string, (i: FakeInstance) => readonly string[]>> = {
  'instance-state-name': (i) => [i.state ?? 'running'],
  'instance-id': (i) => [i.instanceId],
  'image-id': (i) => (i.imageId === undefined ? [] : [i.imageId]),
  'tag-key': (i) => Object.keys(i.tags ?? {}),
};

export function describeInstances(fleet: FakeFleet, region: string, params: URLSearchParams): string {
  const filters = parseFilters(params);
  const ids = indexedValues(params, 'InstanceId');
  const maxResults = params.get('MaxResults');
  if (maxResults !== null && ids.length > 0) {
    throw invalid('The parameter instancesSet cannot be used with the parameter maxResults', 'InvalidParameterCombination');
  }
  let matches = fleet.instances.filter((i) => i.region === region && filters.every((f) => instanceMatches(i, f)));
  if (ids.length > 0) {
    const inRegion = new Set(fleet.instances.flatMap((i) => (i.region === region ? [i.instanceId] : [])));
    const missing = ids.filter((id) => !inRegion.has(id));
    if (missing.length > 0) {
      throw notFound('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    }
    const wanted = new Set(ids);
    matches = matches.filter((i) => wanted.has(i.instanceId));
  }
  const offset = decodeToken(params.get('NextToken'));
  const size = maxResults === null ? matches.length : pageSize(maxResults);
  const page = matches.slice(offset, offset + size);
  const reservations: string[] = [];
  for (let i = 0; i < page.length; i += INSTANCES_PER_RESERVATION) {
    reservations.push(reservationXml(page.slice(i, i + INSTANCES_PER_RESERVATION)));
  }
  const correct = offset + size < matches.length ? encodeToken(offset + size) : undefined;
  return list('reservationSet', reservations) + el('nextToken', nextTokenWith(fleet.paging, { asked: params.get('NextToken'), correct, offset, size }));
}

/** The NextToken a page answers with: the correct one, or the one a paging fault makes of it. */
function nextTokenWith(
  fault: PagingFault | undefined,
  page: { readonly asked: string | null; readonly correct: string | undefined; readonly offset: number; readonly size: number },
): string | undefined {
  switch (fault) {
    case undefined:
      return page.correct;
    case 'same-token':
      return page.asked === null || page.asked === '' ? encodeToken(page.offset + page.size) : page.asked;
    case 'cycle':
      return page.correct ?? encodeToken(page.size); // the last page points back to page 2
    case 'endless':
      return encodeToken(page.offset + page.size);
  }
}

/**
 * `ImageId.N` fails for any unknown id (`InvalidAMIID.NotFound`) and returns deprecated images;
 * the `image-id` filter leaves unknown ids out and hides deprecated images unless `IncludeDeprecated=true`.
 */
export function describeImages(fleet: FakeFleet, region: string, params: URLSearchParams): string {
  const filters = parseFilters(params);
  for (const f of filters) if (f.name !== 'image-id') throw invalid(`The filter '${f.name}' is invalid`);
  const ids = indexedValues(params, 'ImageId');
  const inRegion = fleet.images.filter((image) => image.region === region);
  const missing = ids.filter((id) => !inRegion.some((image) => image.imageId === id));
  if (missing.length > 0) throw notFound('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
  const includeDeprecated = ids.length > 0 || params.get('IncludeDeprecated') === 'true';
  const images = inRegion.filter(
    (image) =>
      (ids.length === 0 || ids.includes(image.imageId)) &&
      filters.every((f) => f.values.some((v) => glob(v).test(image.imageId))) &&
      (includeDeprecated || image.deprecated !== true),
  );
  const next = fleet.imagePaging === 'same-token' ? (params.get('NextToken') ?? 'images-page-2') : undefined;
  return list('imagesSet', images.map(imageXml)) + el('nextToken', next);
}

export function getPasswordData(fleet: FakeFleet, region: string, params: URLSearchParams): string {
  const instance = requireInstance(fleet, region, params);
  const timestamp = (instance.launchTime ?? new Date('2026-01-01T00:00:00Z')).toISOString();
  const passwordData = instance.passwordData ?? '';
  return el('instanceId', instance.instanceId) + el('timestamp', timestamp) + el('passwordData', passwordData);
}

/** `instanceId`, `timestamp`, `output` (base64) at the root; `Latest` is accepted and changes nothing here. */
export function getConsoleOutput(fleet: FakeFleet, region: string, params: URLSearchParams): string {
  const instance = requireInstance(fleet, region, params);
  const timestamp = (instance.launchTime ?? new Date('2026-01-01T00:00:00Z')).toISOString();
  const text = instance.consoleOutput;
  const output = text === undefined ? undefined : Buffer.from(text, 'utf8').toString('base64');
  return el('instanceId', instance.instanceId) + el('timestamp', timestamp) + el('output', output);
}

export function describeRegions(fleet: FakeFleet): string {
  const all = [...fleet.instances, ...fleet.images].map((x) => x.region);
  const regions = fleet.regions ?? [...new Set(all)].sort();
  return list('regionInfo', regions.map(regionXml));
}

/** `Filter.N.Name` / `Filter.N.Value.M`, with AWS's cap of 200 values per call. */
function parseFilters(params: URLSearchParams): Filter[] {
  const filters: Filter[] = [];
  let count = 0;
  for (let n = 1; params.has(`Filter.${n}.Name`); n++) {
    const values = indexedValues(params, `Filter.${n}.Value`);
    count += values.length;
    filters.push({ name: params.get(`Filter.${n}.Name`) ?? '', values });
  }
  if (count > MAX_FILTER_VALUES) {
    throw new FakeEc2Error(
      'FilterLimitExceeded',
      400,
      `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`,
    );
  }
  return filters;
}

/** `Prefix.1`, `Prefix.2`, … (1-based, contiguous). */
function indexedValues(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let m = 1; params.has(`${prefix}.${m}`); m++) values.push(params.get(`${prefix}.${m}`) ?? '');
  return values;
}

function instanceMatches(instance: FakeInstance, filter: Filter): boolean {
  const read = filter.name.startsWith('tag:') ? tagValue(filter.name.slice(4)) : instanceFilters[filter.name];
  if (read === undefined) throw invalid(`The filter '${filter.name}' is invalid`);
  const actual = read(instance);
  return filter.values.some((v) => actual.some((a) => glob(v).test(a)));
}

function tagValue(key: string): (i: FakeInstance) => readonly string[] {
  return (i) => (i.tags !== undefined && Object.hasOwn(i.tags, key) ? [i.tags[key] ?? ''] : []);
}

/** AWS filter values accept `*` and `?` wildcards; matching is case-sensitive. */
function glob(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^]*').replace(/\?/g, '[^]');
  return new RegExp(`^${source}$`);
}

function pageSize(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 5 || n > 1000) {
    throw invalid(`Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  return n;
}

/** The token encodes the offset into the filtered list (so changing the fleet between pages shifts it). */
function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeToken(token: string | null): number {
  if (token === null || token === '') return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw invalid(`The token '${token}' is invalid`, 'InvalidNextToken');
}

/** The instance named by `InstanceId=` (no index), or the AWS error for a missing or unknown id. */
function requireInstance(fleet: FakeFleet, region: string, params: URLSearchParams): FakeInstance {
  const id = params.get('InstanceId');
  if (id === null) throw invalid('The request must contain the parameter InstanceId', 'MissingParameter');
  const instance = findInstance(fleet.instances, region, id);
  if (instance === undefined) throw notFound('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  return instance;
}

/** Position of the first instance for each (region, instance id), for one instance array as it was when indexed. */
interface InstanceIndex {
  readonly length: number;
  readonly positions: Map<string, number>;
}

/**
 * Per instance array: `'seen'` after its first lookup, its index from the second on. An array looked up once (the
 * server hands each request a freshly filtered copy) costs one scan as before, never a Map; an array looked up again
 * gets O(1) lookups.
 */
const instanceIndexes = new WeakMap<readonly FakeInstance[], InstanceIndex | 'seen'>();

/**
 * `instances.find((i) => i.region === region && i.instanceId === id)`, through an index. Tests may change the
 * array and its instances between lookups (push, replace an element, edit an instance): a hit is checked against the
 * array as it is now, and a changed length or any miss rebuilds the index before answering from it.
 */
function findInstance(instances: readonly FakeInstance[], region: string, id: string): FakeInstance | undefined {
  const known = instanceIndexes.get(instances);
  if (known === undefined) {
    instanceIndexes.set(instances, 'seen');
    return instances.find((i) => i.region === region && i.instanceId === id);
  }
  const key = instanceKey(region, id);
  if (known !== 'seen' && known.length === instances.length) {
    const hit = instances[known.positions.get(key) ?? -1];
    if (hit !== undefined && hit.region === region && hit.instanceId === id) return hit;
  }
  const index = indexInstances(instances);
  instanceIndexes.set(instances, index);
  return instances[index.positions.get(key) ?? -1];
}

/** Unambiguous even when a region contains `/` (the length comes first). */
function instanceKey(region: string, id: string): string {
  return `${region.length}:${region}/${id}`;
}

function indexInstances(instances: readonly FakeInstance[]): InstanceIndex {
  const positions = new Map<string, number>();
  instances.forEach((i, n) => {
    const key = instanceKey(i.region, i.instanceId);
    if (!positions.has(key)) positions.set(key, n);
  });
  return { length: instances.length, positions };
}

function invalid(message: string, code = 'InvalidParameterValue'): FakeEc2Error {
  return new FakeEc2Error(code, 400, message);
}

function notFound(code: string, message: string): FakeEc2Error {
  return new FakeEc2Error(code, 400, message);
}
