/**
 * The EventBridge events event mode reads, as the rules that route them to the queue match them. The parser
 * (parse-event.ts) accepts exactly these, and deploy/aws/event-mode.cfn.yaml's rules use them as their EventPattern (a
 * test keeps both equal).
 */

export const STATE_CHANGE = { source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' } as const;
export const TAG_CHANGE = { source: 'aws.tag', detailType: 'Tag Change on Resource', service: 'ec2', resourceType: 'instance' } as const;

/** An instance started, stopped, was terminated… (EC2 sends it for every state transition). */
export const STATE_CHANGE_PATTERN = {
  source: [STATE_CHANGE.source],
  'detail-type': [STATE_CHANGE.detailType],
} as const;

/** Tags of an EC2 instance changed (the tagging service sends it; only for resources that have or had tags). */
export const TAG_CHANGE_PATTERN = {
  source: [TAG_CHANGE.source],
  'detail-type': [TAG_CHANGE.detailType],
  detail: { service: [TAG_CHANGE.service], 'resource-type': [TAG_CHANGE.resourceType] },
} as const;

/** What EC2 reports in a state-change event's `detail.state`. */
export const INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];
