import { REGION_NAME } from '../../config/setting-values.js';
import { INSTANCE_STATES, STATE_CHANGE, TAG_CHANGE, type InstanceState } from './event-patterns.js';
import type { AcceptedScopes, IgnoreReason, InstanceEvent, ParsedMessage } from './instance-event.js';

/**
 * Pure: one SQS message body → the instance event it carries, or why it is ignored. Never throws, whatever the body.
 *
 * The body is an EventBridge event as a rule with no input transformer delivers it. Only the instance, its account and
 * region, and the event's id and time are read: whatever else it says (state, tags) may be stale or out of order, so
 * the instance is described again to know what it is now.
 */

/** EventBridge refuses events over 256 KB; anything longer did not come from it. */
export const MAX_EVENT_CHARS = 256 * 1024;
const ACCOUNT_ID = /^\d{12}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** `arn:<partition>:ec2:<region>:<account>:instance/<id>` */
const INSTANCE_ARN = /^arn:aws(?:-[a-z]+)*:ec2:([^:]*):([^:]*):instance\/(.*)$/;

type Json = Readonly<Record<string, unknown>>;

interface Envelope {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly account: string;
  readonly region: string;
  readonly time: number;
  readonly detail: Json;
  readonly resources: readonly unknown[];
}

export function parseEventMessage(body: string, accepted: AcceptedScopes): ParsedMessage {
  if (body.length > MAX_EVENT_CHARS) return ignored('too-large');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return ignored('malformed-json'); // also a nesting too deep for the parser
  }
  const envelope = envelopeOf(value);
  if (envelope === undefined) return ignored('not-eventbridge');
  const instance = instanceOf(envelope);
  if ('reason' in instance) return ignored(instance.reason);
  if (!REGION_NAME.test(envelope.region)) return ignored('invalid-region');
  const regions = accepted.get(envelope.account);
  if (regions === undefined) return ignored('foreign-account');
  if (regions !== 'all' && !regions.has(envelope.region)) return ignored('region-not-configured');
  const event: InstanceEvent = {
    account: envelope.account,
    region: envelope.region,
    instanceId: instance.instanceId,
    kind: instance.kind,
    time: envelope.time,
    eventId: envelope.id,
    ...(instance.state === undefined ? {} : { state: instance.state }),
  };
  return { ok: true, event };
}

function ignored(reason: IgnoreReason): ParsedMessage {
  return { ok: false, reason };
}

/** The fields every EventBridge event has, checked for type; undefined when any is missing or malformed. */
function envelopeOf(value: unknown): Envelope | undefined {
  if (!isObject(value)) return undefined;
  const { id, source, account, region, time, detail, resources } = value;
  const detailType = value['detail-type'];
  if (![id, source, detailType, region, time].every((v) => typeof v === 'string' && v !== '')) return undefined;
  if (typeof account !== 'string' || !ACCOUNT_ID.test(account) || !isObject(detail)) return undefined;
  const at = Date.parse(time as string);
  if (Number.isNaN(at)) return undefined;
  return {
    id: id as string,
    source: source as string,
    detailType: detailType as string,
    account,
    region: region as string,
    time: at,
    detail,
    resources: Array.isArray(resources) ? resources : [],
  };
}

type Instance = { readonly instanceId: string; readonly kind: InstanceEvent['kind']; readonly state?: InstanceState } | { readonly reason: IgnoreReason };

function instanceOf(envelope: Envelope): Instance {
  const { source, detailType, detail } = envelope;
  if (source === STATE_CHANGE.source && detailType === STATE_CHANGE.detailType) {
    const id = detail['instance-id'];
    if (typeof id !== 'string' || !INSTANCE_ID.test(id)) return { reason: 'invalid-instance-id' };
    const state = INSTANCE_STATES.find((s) => s === detail.state);
    return { instanceId: id, kind: 'state', ...(state === undefined ? {} : { state }) };
  }
  if (source === TAG_CHANGE.source && detailType === TAG_CHANGE.detailType) {
    if (detail.service !== TAG_CHANGE.service || detail['resource-type'] !== TAG_CHANGE.resourceType) return { reason: 'not-an-instance' };
    return taggedInstance(envelope);
  }
  return { reason: 'unknown-event' };
}

/** A tag change names its resource only by ARN, in `resources`: the instance's, in the event's account and region. */
function taggedInstance(envelope: Envelope): Instance {
  const arns = envelope.resources.filter((r): r is string => typeof r === 'string');
  const match = arns.length === 1 ? INSTANCE_ARN.exec(arns[0] as string) : null;
  if (match === null) return { reason: 'not-an-instance' };
  const [, region, account, id = ''] = match;
  if (!INSTANCE_ID.test(id)) return { reason: 'invalid-instance-id' };
  if (region !== envelope.region || account !== envelope.account) return { reason: 'inconsistent-resource' };
  return { instanceId: id, kind: 'tags' };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
