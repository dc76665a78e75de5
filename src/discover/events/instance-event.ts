import type { InstanceState } from './event-patterns.js';

/** What one queue message says, once checked: which instance to describe again, and why. */
export interface InstanceEvent {
  /** The account the instance lives in (the event's `account`, kept when forwarded through a central bus). */
  readonly account: string;
  readonly region: string;
  readonly instanceId: string;
  /** `state`: EC2 Instance State-change Notification; `tags`: Tag Change on Resource. */
  readonly kind: 'state' | 'tags';
  /** When the event was made (ms since the epoch), for the lag from event to commit. */
  readonly time: number;
  /** EventBridge's event id (the same event delivered twice keeps it). */
  readonly eventId: string;
  /** The state a state-change event names; informational only: the instance is described again to know its state now. */
  readonly state?: InstanceState;
}

/**
 * Why a message changes nothing:
 * - `too-large`: longer than any EventBridge event (256 KB);
 * - `malformed-json`: not JSON at all;
 * - `not-eventbridge`: JSON, but not an EventBridge event (no id, source, detail-type, account, time, region or detail);
 * - `unknown-event`: an event of another source or type;
 * - `not-an-instance`: a tag change of something other than an EC2 instance, or without the instance's ARN;
 * - `invalid-instance-id`: the instance id is missing or not `i-` and 8 to 17 hex digits;
 * - `inconsistent-resource`: the instance's ARN names another account or region than the event;
 * - `invalid-region`: the region is not a region name;
 * - `foreign-account`: an account the daemon does not read;
 * - `region-not-configured`: a region of that account the daemon does not read.
 */
export type IgnoreReason =
  | 'too-large'
  | 'malformed-json'
  | 'not-eventbridge'
  | 'unknown-event'
  | 'not-an-instance'
  | 'invalid-instance-id'
  | 'inconsistent-resource'
  | 'invalid-region'
  | 'foreign-account'
  | 'region-not-configured';

export const IGNORE_REASONS: readonly IgnoreReason[] = [
  'too-large',
  'malformed-json',
  'not-eventbridge',
  'unknown-event',
  'not-an-instance',
  'invalid-instance-id',
  'inconsistent-resource',
  'invalid-region',
  'foreign-account',
  'region-not-configured',
];

export type ParsedMessage = { readonly ok: true; readonly event: InstanceEvent } | { readonly ok: false; readonly reason: IgnoreReason };

/** The accounts the daemon reads, each with the regions it reads there (`all`: any region, as with AWS_DISCOVERY_REGIONS=*). */
export type AcceptedScopes = ReadonlyMap<string, ReadonlySet<string> | 'all'>;

/** The same regions for every account: the usual case (one AWS_DISCOVERY_REGIONS for all accounts). */
export function acceptedScopes(accounts: Iterable<string>, regions: Iterable<string> | 'all'): AcceptedScopes {
  const allowed = regions === 'all' ? 'all' : new Set(regions);
  return new Map([...accounts].map((account) => [account, allowed]));
}
