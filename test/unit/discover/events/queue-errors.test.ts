import { expect } from 'chai';
import { queueError, queueErrorHint } from '../../../../src/discover/events/queue-errors.js';

const QUEUE = { url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/events', region: 'eu-west-1', accountId: '123456789012', name: 'events' };

function awsError(name: string, message: string, status?: number): Error {
  return Object.assign(new Error(message), { name, ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }) });
}

describe('queue errors', () => {
  const cases: { title: string; err: unknown; code: string | undefined; kind: string; hint?: RegExp }[] = [
    { title: 'the query code of a deleted queue', err: awsError('QueueDoesNotExist', 'gone'), code: 'QueueDoesNotExist', kind: 'queue-missing' },
    { title: 'a queue deleted a moment ago', err: awsError('QueueDeletedRecently', 'x'), code: 'QueueDeletedRecently', kind: 'queue-missing' },
    { title: 'AccessDeniedException', err: awsError('AccessDeniedException', 'no'), code: 'AccessDeniedException', kind: 'access-denied', hint: /grant sqs:/ },
    { title: 'a disabled KMS key', err: awsError('KmsDisabled', 'x'), code: 'KmsDisabled', kind: 'access-denied', hint: /KMS key is disabled/ },
    { title: 'OverLimit', err: awsError('OverLimit', 'x'), code: 'OverLimit', kind: 'throttled', hint: /kept throttling/ },
    { title: 'a DNS failure', err: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), code: 'ENOTFOUND', kind: 'unreachable' },
    { title: 'a timeout', err: awsError('TimeoutError', 'Request timed out'), code: 'TimeoutError', kind: 'unreachable', hint: /did not answer in time/ },
    {
      title: 'an HTML error page from a proxy',
      err: awsError('SyntaxError', "Unexpected token '<'\n  Deserialization error: to see the raw response…", 502),
      code: 'NonAwsErrorPage',
      kind: 'bad-answer',
      hint: /error page not from AWS/,
    },
    { title: 'something else', err: 'a string', code: undefined, kind: 'other' },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const error = queueError(c.err, 'ReceiveMessage', QUEUE);
      expect(error).to.include({ name: 'EventQueueError', operation: 'ReceiveMessage', code: c.code, kind: c.kind });
      expect(error.message).to.match(/^SQS ReceiveMessage on queue events failed: /);
      if (c.hint) expect(error.message).to.match(c.hint);
    });
  }

  it('names the permission of each call: DeleteMessageBatch needs sqs:DeleteMessage', () => {
    expect(queueErrorHint('AccessDenied', 'DeleteMessageBatch', QUEUE)).to.match(/^grant sqs:DeleteMessage on the queue 123456789012\/events in eu-west-1/);
    expect(queueErrorHint('AccessDenied', 'GetQueueAttributes', QUEUE)).to.match(/^grant sqs:GetQueueAttributes /);
  });
});
