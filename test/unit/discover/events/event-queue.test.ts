import { expect } from 'chai';
import { parseEventsQueueUrl, type EventsQueueConfig } from '../../../../src/config/events-queue.js';
import { EventQueue, type EventQueueOptions, type QueueMessage } from '../../../../src/discover/events/event-queue.js';
import { EventQueueError } from '../../../../src/discover/events/queue-errors.js';
import { FakeSqs } from '../../../support/fake-sqs/fake-sqs.js';
import { SQS_TEST_CREDENTIALS, until } from '../../../support/fake-sqs/sqs-test-client.js';

/**
 * EventQueue over the real SQSClient against the fake SQS. The fake's clock is manual and the receiver's gather
 * window runs on the same clock (its pause advances it), so what a batch holds never depends on timing.
 */
describe('EventQueue (the real SDK against the fake SQS)', () => {
  let fake: FakeSqs;
  let config: EventsQueueConfig;
  const queues: EventQueue[] = [];
  /** Each pause of the gather window, in ms, and what a test does at each (e.g. send a message). */
  let pauses: number[];
  let onPause: ((n: number) => void) | undefined;

  function eventQueue(options: EventQueueOptions = {}): EventQueue {
    const queue = new EventQueue(config, {
      credentials: SQS_TEST_CREDENTIALS,
      maxAttempts: 1,
      now: () => fake.now(),
      sleep: async (ms) => {
        pauses.push(ms);
        fake.advance(ms);
        onPause?.(pauses.length);
      },
      ...options,
    });
    queues.push(queue);
    return queue;
  }
  const send = (body: string) => fake.send('events', body);
  const receives = () => fake.callsFor('ReceiveMessage').map((c) => [c.input.WaitTimeSeconds, c.input.MaxNumberOfMessages]);
  const rejection = async (promise: Promise<unknown>): Promise<EventQueueError> => {
    try {
      await promise;
    } catch (err) {
      expect(err).to.be.instanceOf(EventQueueError);
      return err as EventQueueError;
    }
    return expect.fail('expected a rejection');
  };

  beforeEach(async () => {
    fake = await FakeSqs.start({ manualClock: true });
    const parsed = parseEventsQueueUrl(fake.createQueue('events'));
    if (!('value' in parsed)) throw new Error(parsed.problem);
    config = parsed.value;
    pauses = [];
    onPause = undefined;
  });
  afterEach(async () => {
    for (const q of queues.splice(0)) q.destroy();
    await fake.close();
  });

  describe('receiveBatch', () => {
    it('long-polls for 20 s for up to 10 messages, asking for the receive count and send time', async () => {
      const id = send('{"a":1}');
      const batch = await eventQueue().receiveBatch();

      expect(batch).to.deep.equal([{ messageId: id, receiptHandle: batch[0]?.receiptHandle, body: '{"a":1}', receiveCount: 1, sentAt: fake.now() - 1000 }]);
      const first = fake.callsFor('ReceiveMessage')[0];
      expect(first?.input).to.deep.equal({
        QueueUrl: config.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 20,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      });
      expect([first?.region, first?.service]).to.deep.equal(['us-east-1', 'sqs']);
    });

    it('waits for a first message, then gathers for the window: receives without waiting, pausing when one finds nothing', async () => {
      const batch = eventQueue().receiveBatch();
      await until(() => fake.waitingPolls === 1, 'the long poll');
      send('first');
      onPause = (n) => {
        if (n === 3) send('during the window');
        if (n === 10) send('after the window');
      };

      expect((await batch).map((m) => m.body)).to.deep.equal(['first', 'during the window']);
      expect(fake.callsFor('ReceiveMessage')[0]?.outcome).to.equal('ok');
      expect(pauses).to.deep.equal(Array(10).fill(100));
      // ten receives that found nothing, each followed by a pause, and the one that found the message sent in the window
      expect(receives()).to.deep.equal([[20, 10], ...Array(11).fill([0, 10])]);
      expect(fake.queue('events').messages.filter((m) => m.receiveCount === 0).map((m) => m.body)).to.deep.equal(['after the window']);
    });

    it('with endWhenQuiet, ends the batch once a receive after an idle pause brings nothing new; a new message resets it', async () => {
      send('first');
      onPause = (n) => {
        if (n === 1) send('just after');
      };

      const batch = await eventQueue({ endWhenQuiet: true }).receiveBatch();
      expect(batch.map((m) => m.body)).to.deep.equal(['first', 'just after']);
      // long poll; nothing, pause (a message arrives); the message; nothing, pause; nothing: quiet, done well before the window
      expect(pauses).to.deep.equal([100, 100]);
      expect(receives()).to.deep.equal([[20, 10], ...Array(4).fill([0, 10])]);

      fake.calls.length = 0;
      pauses.length = 0;
      onPause = undefined;
      send('lone');
      expect((await eventQueue({ endWhenQuiet: true }).receiveBatch()).map((m) => m.body)).to.deep.equal(['lone']);
      expect(pauses).to.deep.equal([100]);
      expect(receives()).to.deep.equal([[20, 10], [0, 10], [0, 10]]);
    });

    it('receives again at once after a full answer, and stops at maxMessages', async () => {
      for (let n = 0; n < 25; n++) send(`m${n}`);

      const batch = await eventQueue({ maxMessages: 22 }).receiveBatch();
      expect(batch.map((m) => m.body)).to.deep.equal(Array.from({ length: 22 }, (_, n) => `m${n}`));
      expect(receives()).to.deep.equal([
        [20, 10],
        [0, 10],
        [0, 2],
      ]);
      expect(pauses).to.deep.equal([]);
    });

    it('keeps a message received twice in one batch once, with its latest receipt handle, which deletes it', async () => {
      fake.createQueue('events', { visibilityTimeoutSeconds: 0 }); // every receive sees it again
      send('again and again');

      const batch = await eventQueue({ gatherWindowMs: 300 }).receiveBatch();
      expect(batch).to.have.length(1);
      expect(batch[0]?.receiveCount).to.equal(4); // the long poll, then three receives around the three pauses
      expect(batch[0]?.receiptHandle).to.equal(fake.queue('events').messages[0]?.receiptHandle);
      expect(await eventQueue().acknowledge(batch)).to.deep.equal({ deleted: 1, failed: [] });
      expect(fake.queue('events').messages).to.deep.equal([]);
    });

    it('gives a message back after the visibility timeout when it was not acknowledged (a failed apply)', async () => {
      const id = send('retry me');
      const queue = eventQueue({ gatherWindowMs: 0 });
      await queue.receiveBatch();
      fake.advance(29_000);
      const early = queue.receiveBatch();
      await until(() => fake.waitingPolls === 1, 'the long poll');
      fake.advance(1_000);

      expect((await early).map((m) => [m.messageId, m.receiveCount])).to.deep.equal([[id, 2]]);
    });

    it('ends the batch with what it has when a receive fails while gathering', async () => {
      send('in hand');
      onPause = (n) => {
        if (n === 1) fake.faultNext('ReceiveMessage', 'throttled');
      };

      expect((await eventQueue().receiveBatch()).map((m) => m.body)).to.deep.equal(['in hand']);
      expect(fake.calls.map((c) => c.outcome)).to.deep.equal(['ok', 'ok', 'RequestThrottled']);
    });

    it('returns nothing when aborted during the long poll; the fake sees the request go away', async () => {
      const controller = new AbortController();
      const batch = eventQueue().receiveBatch(controller.signal);
      await until(() => fake.waitingPolls === 1, 'the long poll');
      controller.abort();

      expect(await batch).to.deep.equal([]);
      await until(() => fake.waitingPolls === 0, 'the poll to be dropped');
      expect(fake.callsFor('ReceiveMessage').map((c) => c.outcome)).to.deep.equal(['abandoned']);
    });
  });

  describe('acknowledge', () => {
    it('deletes 10 messages per DeleteMessageBatch', async () => {
      for (let n = 0; n < 25; n++) send(`m${n}`);
      const queue = eventQueue();
      const batch = await queue.receiveBatch();

      expect(await queue.acknowledge(batch)).to.deep.equal({ deleted: 25, failed: [] });
      expect(fake.callsFor('DeleteMessageBatch').map((c) => (c.input.Entries as unknown[]).length)).to.deep.equal([10, 10, 5]);
      expect(fake.queue('events').messages).to.deep.equal([]);
    });

    it('reports the messages SQS did not delete, and fails every message of a call that failed', async () => {
      send('a');
      const [kept] = await eventQueue().receiveBatch();
      const made: QueueMessage = { messageId: 'made-up', receiptHandle: 'not-a-handle', body: '', receiveCount: 1 };
      const result = await eventQueue().acknowledge([made, kept as QueueMessage]);
      expect(result).to.deep.equal({
        deleted: 1,
        failed: [{ messageId: 'made-up', code: 'ReceiptHandleIsInvalid', message: 'The input receipt handle "not-a-handle" is not valid.' }],
      });

      fake.deleteQueue('events');
      const gone = await eventQueue().acknowledge([made]);
      expect(gone.deleted).to.equal(0);
      expect(gone.failed[0]).to.include({ messageId: 'made-up', code: 'QueueDoesNotExist' });
      expect(gone.failed[0]?.message).to.match(/^SQS DeleteMessageBatch on queue events failed: .*does not exist/);
    });
  });

  describe('failures, as EventQueueError with a message that says what to do', () => {
    it('a message whose MD5OfBody does not match its body', async () => {
      const id = send('tampered');
      fake.corruptMd5Next();

      const error = await rejection(eventQueue().receiveBatch());
      expect(error).to.include({ operation: 'ReceiveMessage', code: 'InvalidChecksum', kind: 'bad-answer' });
      expect(error.message).to.equal(
        `SQS ReceiveMessage on queue events failed: Invalid MD5 checksum on messages: ${id} (InvalidChecksum): a message's MD5OfBody did not ` +
          'match its body (changed on the way?); it comes back after the visibility timeout',
      );
    });

    it('a deleted queue', async () => {
      fake.deleteQueue('events');
      const error = await rejection(eventQueue().receiveBatch());
      expect(error).to.include({ code: 'QueueDoesNotExist', kind: 'queue-missing' });
      expect(error.message).to.equal(
        'SQS ReceiveMessage on queue events failed: The specified queue does not exist. (QueueDoesNotExist): the queue 111111111111/events in ' +
          'us-east-1 does not exist (deleted, or AWS_DISCOVERY_EVENTS_QUEUE_URL is wrong); full listings carry on',
      );
    });

    it('a refusal, naming the permission per call', async () => {
      fake.denyAccess = true;
      const receive = await rejection(eventQueue().receiveBatch());
      const depth = await rejection(eventQueue().depth());

      expect(receive).to.include({ code: 'AccessDenied', kind: 'access-denied' });
      expect(receive.message).to.match(/: grant sqs:ReceiveMessage on the queue 111111111111\/events in us-east-1 to the daemon's credentials/);
      expect(depth.message).to.match(/: grant sqs:GetQueueAttributes on the queue/);
    });

    it('KMS refusing the queue key', async () => {
      fake.faultNext('ReceiveMessage', 'kms-access-denied');
      const error = await rejection(eventQueue().receiveBatch());
      expect(error).to.include({ code: 'KmsAccessDenied', kind: 'access-denied' });
      expect(error.message).to.match(/grant kms:Decrypt on that key/);
    });

    it('throttling that outlasts the retries; a single throttle is retried by the SDK', async () => {
      fake.faultNext('ReceiveMessage', 'throttled', 2);
      const error = await rejection(eventQueue({ maxAttempts: 2 }).receiveBatch());
      expect(error).to.include({ code: 'RequestThrottled', kind: 'throttled' });

      fake.faultNext('ReceiveMessage', 'throttled');
      send('after one retry');
      expect((await eventQueue({ maxAttempts: 2 }).receiveBatch()).map((m) => m.body)).to.deep.equal(['after one retry']);
    });

    it('an internal error, a cut answer, and no SQS listening', async () => {
      fake.faultNext('ReceiveMessage', 'internal-error');
      expect(await rejection(eventQueue().receiveBatch())).to.include({ code: 'InternalFailure', kind: 'other' });

      send('lost in transit');
      fake.faultNext('ReceiveMessage', 'cut');
      const cut = await rejection(eventQueue().receiveBatch());
      expect(cut).to.include({ code: 'MalformedResponse', kind: 'bad-answer' });
      expect(cut.message).to.match(/the answer was cut or unreadable/);

      await fake.close();
      const refused = await rejection(eventQueue().receiveBatch());
      expect(refused).to.include({ code: 'ECONNREFUSED', kind: 'unreachable' });
      fake = await FakeSqs.start(); // for afterEach
    });
  });

  it('depth: the approximate counts of GetQueueAttributes', async () => {
    send('a');
    send('b');
    const queue = eventQueue({ maxMessages: 1 });
    await queue.receiveBatch();

    expect(await queue.depth()).to.deep.equal({ visible: 1, inFlight: 1, delayed: 0 });
  });
});
