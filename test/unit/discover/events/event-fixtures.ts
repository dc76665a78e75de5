/**
 * EventBridge events as an SQS message body carries them, shaped as the EventBridge reference documents them (EC2
 * state-change notification; Tag Change on Resource). Builders take overrides: `null` removes a field.
 */

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '210987654321';
export const INSTANCE = 'i-0abc1234def567890';

type Fields = Record<string, unknown>;

function withOverrides(base: Fields, over: Fields): Fields {
  const merged: Fields = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export function stateChange(over: Fields = {}, detail: Fields = {}): Fields {
  const base = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: ACCOUNT,
    time: '2026-12-06T18:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${INSTANCE}`],
    detail: withOverrides({ 'instance-id': INSTANCE, state: 'running' }, detail),
  };
  return withOverrides(base, over);
}

export function tagChange(over: Fields = {}, detail: Fields = {}): Fields {
  const base = {
    version: '0',
    id: 'ffd8a6fe-32f8-ef66-c85c-111111111111',
    'detail-type': 'Tag Change on Resource',
    source: 'aws.tag',
    account: ACCOUNT,
    time: '2026-12-06T18:00:05Z',
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${INSTANCE}`],
    detail: withOverrides(
      {
        'changed-tag-keys': ['Name'],
        service: 'ec2',
        'resource-type': 'instance',
        version: 5,
        tags: { Name: 'web-1', 'kcm:organize': 'Prod' },
      },
      detail,
    ),
  };
  return withOverrides(base, over);
}

export function body(event: Fields): string {
  return JSON.stringify(event);
}
