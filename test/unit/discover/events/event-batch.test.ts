import { expect } from 'chai';
import { describeTargets, planEventBatch } from '../../../../src/discover/events/event-batch.js';
import { acceptedScopes, type InstanceEvent, type ParsedMessage } from '../../../../src/discover/events/instance-event.js';
import { parseEventMessage } from '../../../../src/discover/events/parse-event.js';
import { ACCOUNT, body, OTHER_ACCOUNT, stateChange, tagChange } from './event-fixtures.js';

function event(instanceId: string, over: Partial<InstanceEvent> = {}): InstanceEvent {
  return { account: ACCOUNT, region: 'us-east-1', instanceId, kind: 'state', time: 1000, eventId: `e-${instanceId}`, ...over };
}

describe('describeTargets', () => {
  it('groups instance ids by account and region, sorted, each id once', () => {
    const targets = describeTargets([
      event('i-0000000b', { region: 'eu-west-1' }),
      event('i-0000000a'),
      event('i-0000000c', { account: OTHER_ACCOUNT }),
      event('i-0000000a', { kind: 'tags', eventId: 'other' }),
      event('i-00000009'),
    ]);

    expect(targets).to.deep.equal([
      { account: ACCOUNT, region: 'eu-west-1', instanceIds: ['i-0000000b'] },
      { account: ACCOUNT, region: 'us-east-1', instanceIds: ['i-00000009', 'i-0000000a'] },
      { account: OTHER_ACCOUNT, region: 'us-east-1', instanceIds: ['i-0000000c'] },
    ]);
  });

  it('gives the same targets whatever the order of the events (out-of-order events are resolved by describing now)', () => {
    const events = [
      event('i-0000000a', { time: 3000, state: 'terminated' }),
      event('i-0000000a', { time: 1000, state: 'pending', eventId: 'x' }),
      event('i-0000000a', { time: 2000, state: 'running', eventId: 'y' }),
      event('i-0000000b', { region: 'eu-west-1', kind: 'tags' }),
    ];
    const expected = describeTargets(events);

    expect(describeTargets([...events].reverse())).to.deep.equal(expected);
    expect(describeTargets([events[2]!, events[0]!, events[3]!, events[1]!])).to.deep.equal(expected);
    expect(expected.find((t) => t.region === 'us-east-1')?.instanceIds).to.deep.equal(['i-0000000a']);
  });

  it('is empty for no events', () => {
    expect(describeTargets([])).to.deep.equal([]);
  });
});

describe('planEventBatch', () => {
  const scopes = acceptedScopes([ACCOUNT], ['us-east-1']);
  const parse = (bodies: string[]): ParsedMessage[] => bodies.map((b) => parseEventMessage(b, scopes));

  it('counts accepted, duplicated and ignored messages, and keeps the oldest event time', () => {
    const plan = planEventBatch(
      parse([
        body(stateChange({ time: '2026-12-06T18:00:02Z' })),
        body(stateChange({ time: '2026-12-06T18:00:02Z' })), // the same event delivered twice
        body(tagChange({ time: '2026-12-06T18:00:01Z' })),
        'not json',
        body(stateChange({ account: OTHER_ACCOUNT })),
        body(stateChange({ region: 'eu-west-1' })),
        body(stateChange({ region: 'eu-west-1', id: 'another' })),
      ]),
    );

    expect(plan).to.deep.equal({
      targets: [{ account: ACCOUNT, region: 'us-east-1', instanceIds: ['i-0abc1234def567890'] }],
      accepted: 3,
      duplicates: 1,
      ignored: { 'malformed-json': 1, 'foreign-account': 1, 'region-not-configured': 2 },
      oldestEventTime: Date.UTC(2026, 11, 6, 18, 0, 1),
    });
  });

  it('plans nothing, and has no oldest time, when every message is ignored', () => {
    expect(planEventBatch(parse(['', '{}']))).to.deep.equal({
      targets: [],
      accepted: 0,
      duplicates: 0,
      ignored: { 'malformed-json': 1, 'not-eventbridge': 1 },
    });
  });

  it('collapses a large batch of repeated events to its distinct instances', () => {
    const ids = Array.from({ length: 50 }, (_, n) => `i-${n.toString(16).padStart(17, '0')}`);
    const bodies = Array.from({ length: 5000 }, (_, n) => body(stateChange({ id: `e${n}` }, { 'instance-id': ids[n % ids.length] })));

    const plan = planEventBatch(parse(bodies));
    expect(plan.targets[0]?.instanceIds).to.deep.equal([...ids].sort());
    expect([plan.accepted, plan.duplicates]).to.deep.equal([5000, 0]);
  });
});
