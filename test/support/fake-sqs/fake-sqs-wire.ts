/**
 * The fake SQS's side of AWS JSON 1.0 as SQS speaks it (see the SQS developer guide, "Interpreting Amazon SQS JSON API
 * responses"): answers are `application/x-amz-json-1.0` with an `x-amzn-RequestId`; an error has HTTP 4xx/5xx, a body
 * `{"__type":"<namespace>#<Shape>","message":…}` and the header `x-amzn-query-error: <query code>;Sender|Receiver`,
 * which @aws-sdk/client-sqs (query-compatible mode) reads first to name the error.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** An SQS error answer: its `__type`, HTTP status, query-compatible code and message. */
export class FakeSqsError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** The errors the fake answers with, as SQS sends them (type and query code from SQS's model, as in the SDK's schema). */
export const SQS_ERRORS = {
  queueDoesNotExist: () =>
    new FakeSqsError('com.amazonaws.sqs#QueueDoesNotExist', 400, 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'),
  accessDenied: (action: string, queueArn: string) =>
    new FakeSqsError(
      'com.amazon.coral.service#AccessDeniedException',
      403,
      'AccessDenied',
      `User: arn:aws:iam::111111111111:user/discovery is not authorized to perform: sqs:${action.toLowerCase()} on resource: ${queueArn}`,
    ),
  throttled: () => new FakeSqsError('com.amazonaws.sqs#RequestThrottled', 400, 'RequestThrottled', 'Rate exceeded'),
  internal: () => new FakeSqsError('InternalFailure', 500, 'InternalFailure', 'We encountered an internal error. Please try again.'),
  kmsAccessDenied: () =>
    new FakeSqsError('com.amazonaws.sqs#KmsAccessDenied', 400, 'KMS.AccessDeniedException', 'The ciphertext refers to a key that you cannot use.'),
  invalidParameter: (message: string) => new FakeSqsError('com.amazonaws.sqs#InvalidParameterValue', 400, 'InvalidParameterValue', message),
  receiptHandleIsInvalid: (handle: string) =>
    new FakeSqsError('com.amazonaws.sqs#ReceiptHandleIsInvalid', 400, 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not valid.`),
  messageNotInflight: () =>
    new FakeSqsError('com.amazonaws.sqs#MessageNotInflight', 400, 'AWS.SimpleQueueService.MessageNotInflight', 'Message does not exist or is not in flight.'),
  emptyBatch: () =>
    new FakeSqsError('com.amazonaws.sqs#EmptyBatchRequest', 400, 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one entry.'),
  tooManyEntries: (n: number) =>
    new FakeSqsError(
      'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
      400,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${n}.`,
    ),
  idsNotDistinct: () =>
    new FakeSqsError('com.amazonaws.sqs#BatchEntryIdsNotDistinct', 400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'Id must be distinct.'),
  invalidBatchEntryId: () =>
    new FakeSqsError(
      'com.amazonaws.sqs#InvalidBatchEntryId',
      400,
      'AWS.SimpleQueueService.InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    ),
  unknownOperation: () => new FakeSqsError('com.amazon.coral.service#UnknownOperationException', 400, 'UnknownOperation', 'Unknown operation'),
  missingAuthentication: () =>
    new FakeSqsError('com.amazon.coral.service#MissingAuthenticationTokenException', 403, 'MissingAuthenticationToken', 'Missing Authentication Token'),
} as const;

/** Hex MD5 of the body's UTF-8 bytes: the `MD5OfBody` the SDK recomputes and compares. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The headers of an answer; `length` is the full body's, even when less is sent (a cut answer). */
function headers(length: number, extra: Record<string, string> = {}): Record<string, string | number> {
  return { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': length, 'x-amzn-RequestId': randomUUID(), ...extra };
}

export function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, headers(Buffer.byteLength(text)));
  res.end(text);
}

/** HTTP 200 with the first half of the JSON, and the connection closed: a cut answer. */
export function sendCut(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  const half = text.slice(0, Math.floor(text.length / 2));
  res.writeHead(200, headers(Buffer.byteLength(half)));
  res.end(half);
}

export function sendError(res: ServerResponse, error: FakeSqsError): void {
  const text = JSON.stringify({ __type: error.type, message: error.message });
  const fault = error.status >= 500 ? 'Receiver' : 'Sender';
  res.writeHead(error.status, headers(Buffer.byteLength(text), { 'x-amzn-query-error': `${error.queryCode};${fault}` }));
  res.end(text);
}
