import { expect } from 'chai';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { FakeSqs } from './fake-sqs.js';
import { fakeSqsClient, until } from './sqs-test-client.js';

/** The fake's own contract, checked through the real SDK so the tests above it can rely on it. */
describe('FakeSqs', () => {
  let fake: FakeSqs;
  let client: SQSClient;
  let url: string;
  const clients: SQSClient[] = [];
  const clientWith = (options: { maxAttempts?: number }) => {
    const made = fakeSqsClient(fake, options);
    clients.push(made);
    return made;
  };
  const rejection = async (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
    try {
      await promise;
    } catch (err) {
      return err as Error & Record<string, unknown>;
    }
    return expect.fail('expected a rejection');
  };
  const receive = (input: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
    client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, ...input }));

  beforeEach(async () => {
    fake = await FakeSqs.start({ manualClock: true });
    client = clientWith({});
    url = fake.createQueue('events');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await fake.close();
  });

  it('is called the way the SDK speaks AWS JSON 1.0: POST /, the target header, query mode, the SigV4 scope, a JSON body', async () => {
    await receive({ WaitTimeSeconds: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });

    const [call] = fake.calls;
    expect(call?.operation).to.equal('ReceiveMessage');
    expect(call?.headers).to.deep.equal({ target: 'AmazonSQS.ReceiveMessage', contentType: 'application/x-amz-json-1.0', queryMode: 'true' });
    expect([call?.region, call?.service]).to.deep.equal(['us-east-1', 'sqs']);
    expect(call?.input).to.deep.equal({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  });

  it('delivers a message with its id, receipt handle, body and the system attributes asked for; an empty queue answers none', async () => {
    const id = fake.send('events', '{"detail-type":"x","é":"ü"}');

    const out = await receive({ MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'] });
    const empty = await receive();

    expect(out.Messages).to.have.length(1);
    expect(out.Messages?.[0]).to.include({ MessageId: id, Body: '{"detail-type":"x","é":"ü"}' });
    expect(out.Messages?.[0]?.ReceiptHandle).to.be.a('string');
    expect(out.Messages?.[0]?.Attributes).to.deep.equal({ ApproximateReceiveCount: '1', SentTimestamp: String(fake.now()) });
    expect(empty.Messages).to.equal(undefined);
  });

  it('answers at most MaxNumberOfMessages, and refuses more than 10', async () => {
    for (let n = 0; n < 4; n++) fake.send('events', `m${n}`);

    expect((await receive({ MaxNumberOfMessages: 3 })).Messages?.map((m) => m.Body)).to.deep.equal(['m0', 'm1', 'm2']);
    expect((await rejection(receive({ MaxNumberOfMessages: 11 }))).name).to.equal('InvalidParameterValue');
  });

  it('holds a long poll until a message arrives, or until the wait is over (on the manual clock)', async () => {
    const first = receive({ WaitTimeSeconds: 20 });
    await until(() => fake.waitingPolls === 1, 'the long poll');
    fake.advance(19_999);
    expect(fake.waitingPolls).to.equal(1);
    const id = fake.send('events', 'hello');
    expect((await first).Messages?.map((m) => m.MessageId)).to.deep.equal([id]);

    const second = receive({ WaitTimeSeconds: 5 });
    await until(() => fake.waitingPolls === 1, 'the second long poll');
    fake.advance(5_000);
    expect((await second).Messages).to.equal(undefined);
  });

  it('ends every waiting long poll on endLongPolls, and forgets one whose client went away', async () => {
    const controller = new AbortController();
    const abandoned = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: controller.signal });
    await until(() => fake.waitingPolls === 1, 'the long poll');
    controller.abort();
    await rejection(abandoned);
    await until(() => fake.waitingPolls === 0, 'the abandoned poll to be dropped');
    fake.send('events', 'kept');

    const waiting = receive({ WaitTimeSeconds: 20, MaxNumberOfMessages: 1 });
    expect((await waiting).Messages?.map((m) => m.Body)).to.deep.equal(['kept']);
    const empty = receive({ WaitTimeSeconds: 20 });
    await until(() => fake.waitingPolls === 1, 'the long poll');
    fake.endLongPolls();
    expect((await empty).Messages).to.equal(undefined);
    expect(fake.callsFor('ReceiveMessage').map((c) => c.outcome)).to.deep.equal(['abandoned', 'ok', 'ok']);
  });

  it('hides a received message for the visibility timeout, then redelivers it with a new handle and a higher receive count', async () => {
    fake.send('events', 'again');
    const attributes = { MessageSystemAttributeNames: ['ApproximateReceiveCount' as const] };
    const first = (await receive(attributes)).Messages?.[0];
    fake.advance(29_999);
    expect((await receive(attributes)).Messages).to.equal(undefined);
    fake.advance(1);
    const second = (await receive(attributes)).Messages?.[0];

    expect(second?.MessageId).to.equal(first?.MessageId);
    expect(second?.ReceiptHandle).not.to.equal(first?.ReceiptHandle);
    expect([first?.Attributes?.ApproximateReceiveCount, second?.Attributes?.ApproximateReceiveCount]).to.deep.equal(['1', '2']);
  });

  it('deletes with the latest receipt handle; an outdated one is accepted and deletes nothing, an invented one is refused', async () => {
    fake.send('events', 'twice');
    const old = (await receive({ VisibilityTimeout: 0 })).Messages?.[0]?.ReceiptHandle as string;
    const latest = (await receive()).Messages?.[0]?.ReceiptHandle as string;

    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: old }));
    expect(fake.queue('events').messages).to.have.length(1);
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: latest }));
    expect(fake.queue('events').messages).to.have.length(0);
    const invented = await rejection(client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'made-up' })));
    expect(invented.name).to.equal('ReceiptHandleIsInvalid');
  });

  it('deletes a batch and reports each entry as Successful or Failed; refuses empty, oversized and ambiguous batches', async () => {
    fake.send('events', 'a');
    fake.send('events', 'b');
    const handles = ((await receive()).Messages ?? []).map((m) => m.ReceiptHandle as string);
    const entries = [
      { Id: 'a', ReceiptHandle: handles[0] },
      { Id: 'made-up', ReceiptHandle: 'nope' },
      { Id: 'b', ReceiptHandle: handles[1] },
    ];

    const out = await client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    expect(out.Successful?.map((e) => e.Id)).to.deep.equal(['a', 'b']);
    const message = 'The input receipt handle "nope" is not valid.';
    expect(out.Failed).to.deep.equal([{ Id: 'made-up', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: message }]);
    expect(fake.queue('events').messages).to.have.length(0);

    const batch = (list: { Id: string; ReceiptHandle: string }[]) => rejection(client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: list })));
    expect((await batch([])).name).to.equal('EmptyBatchRequest');
    const eleven = Array.from({ length: 11 }, (_, n) => ({ Id: `e${n}`, ReceiptHandle: 'h' }));
    expect((await batch(eleven)).name).to.equal('TooManyEntriesInBatchRequest');
    expect((await batch([{ Id: 'x', ReceiptHandle: 'h' }, { Id: 'x', ReceiptHandle: 'h' }])).name).to.equal('BatchEntryIdsNotDistinct');
    expect((await batch([{ Id: 'not ok', ReceiptHandle: 'h' }])).name).to.equal('InvalidBatchEntryId');
  });

  it('changes the visibility of a message in flight (0: visible at once), singly or in a batch', async () => {
    fake.send('events', 'back');
    const handle = (await receive()).Messages?.[0]?.ReceiptHandle as string;
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }));
    const again = (await receive()).Messages?.[0]?.ReceiptHandle as string;

    const notInFlight = await rejection(client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 })));
    expect(notInFlight.name).to.equal('MessageNotInflight');
    const out = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'latest', ReceiptHandle: again, VisibilityTimeout: 0 },
          { Id: 'old', ReceiptHandle: handle, VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(out.Successful?.map((e) => e.Id)).to.deep.equal(['latest']);
    expect(out.Failed?.map((e) => [e.Id, e.Code])).to.deep.equal([['old', 'AWS.SimpleQueueService.MessageNotInflight']]);
    expect((await receive()).Messages).to.have.length(1);
  });

  it('counts visible, in-flight and delayed messages in GetQueueAttributes', async () => {
    fake.send('events', 'a');
    fake.send('events', 'b');
    fake.send('events', 'later', { delaySeconds: 60 });
    await receive({ MaxNumberOfMessages: 1 });

    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    expect(out.Attributes).to.deep.equal({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    fake.createQueue('events-dlq');
    const redriven = fake.createQueue('redriven', { redrive: { deadLetterQueue: 'events-dlq', maxReceiveCount: 2 }, visibilityTimeoutSeconds: 10 });
    fake.send('redriven', 'poison');
    const take = () => client.send(new ReceiveMessageCommand({ QueueUrl: redriven }));

    expect((await take()).Messages).to.have.length(1);
    fake.advance(10_000);
    expect((await take()).Messages).to.have.length(1);
    fake.advance(10_000);
    expect((await take()).Messages).to.equal(undefined);
    expect(fake.queue('events-dlq').messages.map((m) => m.body)).to.deep.equal(['poison']);
  });

  it('on the real clock, ends a long poll after its wait, and wakes one when a message becomes visible again', async () => {
    const realFake = await FakeSqs.start();
    const realClient = fakeSqsClient(realFake);
    clients.push(realClient);
    try {
      const realUrl = realFake.createQueue('events', { visibilityTimeoutSeconds: 1 });
      const id = realFake.send('events', 'comes back');
      const take = (wait: number) => realClient.send(new ReceiveMessageCommand({ QueueUrl: realUrl, WaitTimeSeconds: wait }));

      expect((await take(0)).Messages?.map((m) => m.MessageId)).to.deep.equal([id]);
      expect((await take(20)).Messages?.map((m) => [m.MessageId, m.Body])).to.deep.equal([[id, 'comes back']]);
      await realClient.send(new DeleteMessageCommand({ QueueUrl: realUrl, ReceiptHandle: realFake.queue('events').messages[0]?.receiptHandle }));
      expect((await take(1)).Messages).to.equal(undefined);
    } finally {
      await realFake.close();
    }
  });

  describe('faults, as the SDK sees them', () => {
    it('fails the call when MD5OfBody does not match the body (the SDK checks it), leaving the message in flight', async () => {
      const id = fake.send('events', 'checked');
      fake.corruptMd5Next();

      const error = await rejection(receive());
      expect(error.message).to.equal(`Invalid MD5 checksum on messages: ${id}`);
      expect(fake.queue('events').attributes(fake.now()).ApproximateNumberOfMessagesNotVisible).to.equal('1');
      fake.advance(30_000);
      expect((await receive()).Messages?.map((m) => m.MessageId)).to.deep.equal([id]);
    });

    it('names a deleted queue QueueDoesNotExist (with its query code), a client fault', async () => {
      fake.deleteQueue('events');

      const error = await rejection(receive());
      expect(error).to.include({ name: 'QueueDoesNotExist', $fault: 'client', message: 'The specified queue does not exist.' });
      expect(error.Code).to.equal('AWS.SimpleQueueService.NonExistentQueue');
      expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).to.equal(400);
    });

    it('names a refusal AccessDenied, with the action and the queue in the message', async () => {
      fake.denyAccess = true;

      const error = await rejection(receive());
      expect(error.name).to.equal('AccessDenied');
      expect(error.message).to.match(/not authorized to perform: sqs:receivemessage on resource: arn:aws:sqs:us-east-1:111111111111:events$/);
    });

    it('throttles (RequestThrottled, which the SDK retries), and answers 500 (InternalFailure, a server fault)', async () => {
      fake.faultNext('ReceiveMessage', 'throttled');
      expect((await rejection(receive())).name).to.equal('RequestThrottled');

      fake.faultNext('ReceiveMessage', 'throttled');
      fake.send('events', 'after a retry');
      const retried = await clientWith({ maxAttempts: 2 }).send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(retried.Messages?.map((m) => m.Body)).to.deep.equal(['after a retry']);

      fake.faultNext('*', 'internal-error');
      expect(await rejection(client.send(new GetQueueAttributesCommand({ QueueUrl: url })))).to.include({ name: 'InternalFailure', $fault: 'server' });
      expect(fake.calls.map((c) => c.outcome)).to.deep.equal(['RequestThrottled', 'RequestThrottled', 'ok', 'InternalFailure']);
    });

    it('names KMS refusals KmsAccessDenied', async () => {
      fake.faultNext('ReceiveMessage', 'kms-access-denied');
      expect((await rejection(receive())).name).to.equal('KmsAccessDenied');
    });

    it('cuts an answer in half: the SDK cannot read it', async () => {
      fake.send('events', 'lost');
      fake.faultNext('ReceiveMessage', 'cut');

      const error = await rejection(receive());
      expect(error.name).to.equal('SyntaxError');
      expect(error.message).to.match(/^Unterminated string in JSON.*\n.*Deserialization error/);
    });

    it('answers an unknown operation or a form-encoded request with UnknownOperationException, and an unsigned one with 403', async () => {
      const post = (headers: Record<string, string>, body: string) => fetch(fake.endpoint, { method: 'POST', headers, body });
      const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0' };

      const unknown = await post({ ...signed, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.PurgeQueue' }, '{}');
      const query = await post({ ...signed, 'content-type': 'application/x-www-form-urlencoded' }, 'Action=ReceiveMessage');
      const unsigned = await post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, '{}');

      expect([unknown.status, unknown.headers.get('x-amzn-query-error')]).to.deep.equal([400, 'UnknownOperation;Sender']);
      expect(await unknown.json()).to.deep.equal({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'Unknown operation' });
      expect(query.status).to.equal(400);
      expect(unsigned.status).to.equal(403);
      expect(fake.calls.map((c) => [c.operation, c.region])).to.deep.equal([
        ['PurgeQueue', 'eu-west-1'],
        ['', 'eu-west-1'],
        ['ReceiveMessage', undefined],
      ]);
    });
  });
});
