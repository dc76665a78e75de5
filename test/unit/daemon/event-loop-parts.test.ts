import { expect } from 'chai';
import { backoffDelay, QUEUE_BACKOFF } from '../../../src/daemon/backoff.js';
import { messagesToDelete } from '../../../src/daemon/event-acknowledge.js';
import { nextQueueState, QUEUE_REMINDER_MS, type QueueState } from '../../../src/daemon/queue-state.js';
import type { ParsedMessage } from '../../../src/discover/events/instance-event.js';

const ACCOUNT = '111111111111';
const event = (instanceId: string, region = 'us-east-1', eventId = instanceId): ParsedMessage => ({
  ok: true,
  event: { account: ACCOUNT, region, instanceId, kind: 'state', time: 0, eventId },
});

describe('messagesToDelete (which messages a committed batch deletes)', function () {
  const messages = ['a', 'a again', 'b in eu', 'malformed', 'foreign', 'c'];
  const parsed: ParsedMessage[] = [
    event('i-0000000a'),
    event('i-0000000a', 'us-east-1', 'second event'),
    event('i-0000000b', 'eu-west-1'),
    { ok: false, reason: 'malformed-json' },
    { ok: false, reason: 'foreign-account' },
    event('i-0000000c'),
  ];

  it('all of them when every target was applied, ignored ones included', function () {
    expect(messagesToDelete(messages, parsed, [])).to.deep.equal(messages);
  });

  it('all but the messages of instances in unapplied targets (every message of such an instance stays)', function () {
    const unapplied = [{ account: ACCOUNT, region: 'us-east-1', instanceIds: ['i-0000000a'] }];
    expect(messagesToDelete(messages, parsed, unapplied)).to.deep.equal(['b in eu', 'malformed', 'foreign', 'c']);
  });

  it('matches on account and region as well as the instance id', function () {
    const unapplied = [
      { account: '222222222222', region: 'us-east-1', instanceIds: ['i-0000000c'] },
      { account: ACCOUNT, region: 'us-east-1', instanceIds: ['i-0000000b'] },
    ];
    expect(messagesToDelete(messages, parsed, unapplied)).to.deep.equal(messages);
  });
});

describe('backoffDelay (a failing queue)', function () {
  it('starts at 1 s, doubles, and stops at 5 minutes', function () {
    const delays = [0, 1, 2, 3, 4, 8, 9, 10, 100, 10_000].map((n) => backoffDelay(n, QUEUE_BACKOFF));
    expect(delays).to.deep.equal([0, 1000, 2000, 4000, 8000, 128_000, 256_000, 300_000, 300_000, 300_000]);
  });
});

describe('nextQueueState (what the loop records and logs)', function () {
  const failure = (kind: 'access-denied' | 'unreachable' = 'access-denied') => ({ ok: false as const, kind, reason: `reason ${kind}` });
  const failing = (since: number, failures: number): QueueState => {
    return { state: 'failing', since, kind: 'access-denied', reason: 'reason access-denied', failures };
  };

  it('logs the first receive and a first failure once, as changes', function () {
    expect(nextQueueState({ state: 'starting' }, { ok: true }, 5, undefined)).to.deep.equal({
      state: { state: 'receiving', since: 5 },
      changed: true,
      log: 'now-receiving',
      loggedAt: 5,
    });
    expect(nextQueueState({ state: 'receiving', since: 5 }, failure(), 9, 5)).to.deep.equal({
      state: failing(9, 1),
      changed: true,
      log: 'now-failing',
      loggedAt: 9,
    });
  });

  it('keeps quiet while receiving', function () {
    expect(nextQueueState({ state: 'receiving', since: 5 }, { ok: true }, 99, 5)).to.deep.equal({
      state: { state: 'receiving', since: 5 },
      changed: false,
      log: undefined,
      loggedAt: 5,
    });
  });

  it('while failing: counts, keeps the start, reminds every ten minutes, and logs another kind of failure as a change', function () {
    const quiet = nextQueueState(failing(0, 1), failure(), 60_000, 0);
    expect(quiet).to.deep.equal({ state: failing(0, 2), changed: false, log: undefined, loggedAt: 0 });
    const reminder = nextQueueState(failing(0, 7), failure(), QUEUE_REMINDER_MS, 0);
    expect(reminder).to.deep.include({ changed: false, log: 'still-failing', loggedAt: QUEUE_REMINDER_MS });
    const other = nextQueueState(failing(0, 7), failure('unreachable'), 1000, 0);
    expect(other).to.deep.equal({
      state: { state: 'failing', since: 0, kind: 'unreachable', reason: 'reason unreachable', failures: 8 },
      changed: true,
      log: 'now-failing',
      loggedAt: 1000,
    });
  });

  it('logs the recovery as a change', function () {
    expect(nextQueueState(failing(0, 3), { ok: true }, 50, 0)).to.deep.equal({
      state: { state: 'receiving', since: 50 },
      changed: true,
      log: 'receiving-again',
      loggedAt: 50,
    });
  });
});
