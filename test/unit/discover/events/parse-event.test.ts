import { expect } from 'chai';
import { acceptedScopes, IGNORE_REASONS, type AcceptedScopes, type IgnoreReason } from '../../../../src/discover/events/instance-event.js';
import { MAX_EVENT_CHARS, parseEventMessage } from '../../../../src/discover/events/parse-event.js';
import { seededRandom } from '../../../support/seeded-random.js';
import { ACCOUNT, body, INSTANCE, OTHER_ACCOUNT, stateChange, tagChange } from './event-fixtures.js';

const SCOPES = acceptedScopes([ACCOUNT], ['us-east-1', 'eu-west-1']);
const arn = (type: string, id: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:${type}/${id}`;

describe('parseEventMessage', () => {
  describe('accepts', () => {
    const cases: { title: string; body: string; scopes?: AcceptedScopes; expected: object }[] = [
      {
        title: 'an EC2 state-change notification',
        body: body(stateChange()),
        expected: {
          account: ACCOUNT,
          region: 'us-east-1',
          instanceId: INSTANCE,
          kind: 'state',
          time: Date.UTC(2026, 11, 6, 18, 0, 0),
          eventId: '7bf73129-1428-4cd3-a780-95db273d1602',
          state: 'running',
        },
      },
      {
        title: 'a state-change whose state is unknown (the state is informational)',
        body: body(stateChange({}, { state: 'hibernating' })),
        expected: { instanceId: INSTANCE, kind: 'state', state: undefined },
      },
      {
        title: 'a terminated instance',
        body: body(stateChange({}, { state: 'terminated' })),
        expected: { kind: 'state', state: 'terminated' },
      },
      {
        title: 'an old-style 8-digit instance id',
        body: body(stateChange({}, { 'instance-id': 'i-0123abcd' })),
        expected: { instanceId: 'i-0123abcd' },
      },
      {
        title: 'a tag change on an instance, the id from its ARN',
        body: body(tagChange()),
        expected: { account: ACCOUNT, region: 'us-east-1', instanceId: INSTANCE, kind: 'tags', time: Date.UTC(2026, 11, 6, 18, 0, 5) },
      },
      {
        title: 'a tag change that removed the last tag (empty tags)',
        body: body(tagChange({}, { tags: {} })),
        expected: { kind: 'tags', instanceId: INSTANCE },
      },
      {
        title: 'a tag change in another partition',
        body: body(tagChange({ region: 'cn-north-1', resources: [`arn:aws-cn:ec2:cn-north-1:${ACCOUNT}:instance/${INSTANCE}`] })),
        scopes: acceptedScopes([ACCOUNT], 'all'),
        expected: { region: 'cn-north-1', instanceId: INSTANCE },
      },
      {
        title: 'any region of an account read with AWS_DISCOVERY_REGIONS=*',
        body: body(stateChange({ region: 'ap-southeast-4' })),
        scopes: acceptedScopes([ACCOUNT], 'all'),
        expected: { region: 'ap-southeast-4' },
      },
      {
        title: 'an event forwarded from a member account through a central bus (the account stays the member’s)',
        body: body(stateChange({ account: OTHER_ACCOUNT })),
        scopes: acceptedScopes([ACCOUNT, OTHER_ACCOUNT], ['us-east-1']),
        expected: { account: OTHER_ACCOUNT },
      },
      {
        title: 'a time with fractional seconds and an offset',
        body: body(stateChange({ time: '2026-12-06T19:00:00.250+01:00' })),
        expected: { time: Date.UTC(2026, 11, 6, 18, 0, 0, 250) },
      },
      {
        title: 'extra fields, and a body with surrounding whitespace',
        body: `\n ${body(stateChange({ 'replay-name': 'x', extra: [1, 2] }, { 'something-new': true }))} \n`,
        expected: { instanceId: INSTANCE },
      },
    ];
    for (const c of cases) {
      it(c.title, () => {
        const parsed = parseEventMessage(c.body, c.scopes ?? SCOPES);
        expect(parsed.ok, JSON.stringify(parsed)).to.equal(true);
        if (parsed.ok) for (const [key, value] of Object.entries(c.expected)) expect(parsed.event[key as keyof typeof parsed.event], key).to.equal(value);
      });
    }
  });

  describe('ignores, with its reason', () => {
    const cases: { title: string; body: string; scopes?: AcceptedScopes; reason: IgnoreReason }[] = [
      { title: 'a body over 256 KB', body: body(stateChange({ padding: 'x'.repeat(MAX_EVENT_CHARS) })), reason: 'too-large' },
      { title: 'an empty body', body: '', reason: 'malformed-json' },
      { title: 'text', body: 'hello', reason: 'malformed-json' },
      { title: 'cut JSON', body: body(stateChange()).slice(0, 100), reason: 'malformed-json' },
      { title: 'JSON nested deeper than the parser goes', body: '['.repeat(200_000), reason: 'malformed-json' },
      { title: 'a JSON string', body: '"EC2 Instance State-change Notification"', reason: 'not-eventbridge' },
      { title: 'a JSON array of events', body: `[${body(stateChange())}]`, reason: 'not-eventbridge' },
      { title: 'null', body: 'null', reason: 'not-eventbridge' },
      { title: 'an SNS notification wrapping the event', body: body({ Type: 'Notification', Message: body(stateChange()) }), reason: 'not-eventbridge' },
      { title: 'no id', body: body(stateChange({ id: null })), reason: 'not-eventbridge' },
      { title: 'no detail-type', body: body(stateChange({ 'detail-type': null })), reason: 'not-eventbridge' },
      { title: 'no source', body: body(stateChange({ source: null })), reason: 'not-eventbridge' },
      { title: 'no detail', body: body(stateChange({ detail: null })), reason: 'not-eventbridge' },
      { title: 'a detail that is a string', body: body(stateChange({ detail: '{"instance-id":"i-0abc1234"}' })), reason: 'not-eventbridge' },
      { title: 'no region', body: body(stateChange({ region: null })), reason: 'not-eventbridge' },
      { title: 'an account that is a number', body: body(stateChange({ account: 123456789012 })), reason: 'not-eventbridge' },
      { title: 'an account of 11 digits', body: body(stateChange({ account: '12345678901' })), reason: 'not-eventbridge' },
      { title: 'no time', body: body(stateChange({ time: null })), reason: 'not-eventbridge' },
      { title: 'a time that is not one', body: body(stateChange({ time: 'yesterday' })), reason: 'not-eventbridge' },
      { title: 'another EC2 event', body: body(stateChange({ 'detail-type': 'EC2 Spot Instance Interruption Warning' })), reason: 'unknown-event' },
      { title: 'a state-change type from another source', body: body(stateChange({ source: 'my.app' })), reason: 'unknown-event' },
      { title: 'a tag change type from another source', body: body(tagChange({ source: 'aws.ec2' })), reason: 'unknown-event' },
      { title: 'a detail-type in another case', body: body(stateChange({ 'detail-type': 'ec2 instance state-change notification' })), reason: 'unknown-event' },
      { title: 'a tag change of an S3 bucket', body: body(tagChange({}, { service: 's3', 'resource-type': 'bucket' })), reason: 'not-an-instance' },
      { title: 'a tag change of an EC2 volume', body: body(tagChange({}, { 'resource-type': 'volume' })), reason: 'not-an-instance' },
      { title: 'a tag change without resources', body: body(tagChange({ resources: null })), reason: 'not-an-instance' },
      { title: 'a tag change with two resources', body: body(tagChange({ resources: [arn('instance', INSTANCE), 'arn:x'] })), reason: 'not-an-instance' },
      { title: 'a tag change whose ARN is a volume', body: body(tagChange({ resources: [arn('volume', 'vol-0abc1234')] })), reason: 'not-an-instance' },
      { title: 'a tag change whose ARN is not an ARN', body: body(tagChange({ resources: [INSTANCE] })), reason: 'not-an-instance' },
      { title: 'a tag change whose ARN has a bad id', body: body(tagChange({ resources: [arn('instance', 'i-XYZ')] })), reason: 'invalid-instance-id' },
      {
        title: 'a tag change whose ARN names another account',
        body: body(tagChange({ resources: [`arn:aws:ec2:us-east-1:${OTHER_ACCOUNT}:instance/${INSTANCE}`] })),
        reason: 'inconsistent-resource',
      },
      {
        title: 'a tag change whose ARN names another region',
        body: body(tagChange({ resources: [`arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${INSTANCE}`] })),
        reason: 'inconsistent-resource',
      },
      { title: 'a state change without an instance id', body: body(stateChange({}, { 'instance-id': null })), reason: 'invalid-instance-id' },
      { title: 'an instance id in capitals', body: body(stateChange({}, { 'instance-id': 'I-0ABC1234DEF567890' })), reason: 'invalid-instance-id' },
      { title: 'an instance id of 7 digits', body: body(stateChange({}, { 'instance-id': 'i-0abc123' })), reason: 'invalid-instance-id' },
      { title: 'an instance id of 18 digits', body: body(stateChange({}, { 'instance-id': 'i-0abc1234def5678901' })), reason: 'invalid-instance-id' },
      { title: 'an instance id with a newline', body: body(stateChange({}, { 'instance-id': `${INSTANCE}\n` })), reason: 'invalid-instance-id' },
      { title: 'an instance id that is a number', body: body(stateChange({}, { 'instance-id': 12345678 })), reason: 'invalid-instance-id' },
      { title: 'an AMI id', body: body(stateChange({}, { 'instance-id': 'ami-0abc1234' })), reason: 'invalid-instance-id' },
      { title: 'a region that is not one', body: body(stateChange({ region: 'US East (N. Virginia)' })), reason: 'invalid-region' },
      { title: 'a region with a path in it', body: body(stateChange({ region: 'us-east-1/../x' })), reason: 'invalid-region' },
      { title: 'an account the daemon does not read', body: body(stateChange({ account: OTHER_ACCOUNT })), reason: 'foreign-account' },
      { title: 'any account when none is accepted', body: body(stateChange()), scopes: acceptedScopes([], 'all'), reason: 'foreign-account' },
      { title: 'a region the daemon does not read', body: body(stateChange({ region: 'ap-south-1' })), reason: 'region-not-configured' },
      {
        title: 'a region read in another account only',
        body: body(stateChange({ region: 'eu-west-1' })),
        scopes: new Map([[ACCOUNT, new Set(['us-east-1'])], [OTHER_ACCOUNT, new Set(['eu-west-1'])]]),
        reason: 'region-not-configured',
      },
    ];
    for (const c of cases) {
      it(c.title, () => {
        expect(parseEventMessage(c.body, c.scopes ?? SCOPES)).to.deep.equal({ ok: false, reason: c.reason });
      });
    }

    it('has a case for every reason', () => {
      expect([...new Set(cases.map((c) => c.reason))].sort()).to.deep.equal([...IGNORE_REASONS].sort());
    });
  });

  it('never throws, whatever the body: random bytes, and events with fields of every wrong type', () => {
    const random = seededRandom(15);
    const values: unknown[] = [null, true, 0, -1, 1e308, '', 'x', [], [null], {}, { a: 1 }, '\u0000', '\ud800'];
    const valueAt = () => structuredClone(values[Math.floor(random() * values.length)]);
    const fields = ['id', 'source', 'detail-type', 'account', 'region', 'time', 'detail', 'resources'];
    for (let n = 0; n < 2000; n++) {
      const garbage = Array.from({ length: Math.floor(random() * 64) }, () => String.fromCharCode(Math.floor(random() * 0x10000))).join('');
      expect(() => parseEventMessage(garbage, SCOPES)).not.to.throw();
      const event = random() < 0.5 ? stateChange() : tagChange();
      event[fields[Math.floor(random() * fields.length)] as string] = valueAt();
      const detail = event.detail;
      if (typeof detail === 'object' && detail !== null) (detail as Record<string, unknown>)[random() < 0.5 ? 'instance-id' : 'service'] = valueAt();
      expect(() => parseEventMessage(JSON.stringify(event), SCOPES)).not.to.throw();
    }
  });

  it('does not take an id or account from an inherited property (__proto__ in the JSON)', () => {
    const sneaky = '{"__proto__":{"id":"x","source":"aws.ec2"},"detail-type":"EC2 Instance State-change Notification"}';
    expect(parseEventMessage(sneaky, SCOPES)).to.deep.equal({ ok: false, reason: 'not-eventbridge' });
  });
});
