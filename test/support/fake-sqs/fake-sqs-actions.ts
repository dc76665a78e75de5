/**
 * The fake SQS's operations that answer at once, each from the JSON input the SDK sends to the queue it names. The
 * wait of a long poll is the server's (fake-sqs.ts); `receiveNow` is what one attempt at receiving returns.
 */
import type { FakeSqsQueue, ReceivedMessage } from './fake-sqs-queue.js';
import { md5Hex, SQS_ERRORS } from './fake-sqs-wire.js';

export type Input = Readonly<Record<string, unknown>>;

/** The system attributes a received message can carry, by the names ReceiveMessage asks for. */
const MESSAGE_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp', 'SenderId'] as const;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export interface ReceiveRequest {
  readonly max: number;
  readonly waitSeconds: number;
  readonly visibilitySeconds?: number;
  readonly attributeNames: readonly string[];
}

/** Checks ReceiveMessage's numbers as SQS does (1–10 messages, 0–20 s wait, 0–12 h visibility). */
export function receiveRequest(input: Input): ReceiveRequest {
  const max = integerIn(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
  const waitSeconds = integerIn(input, 'WaitTimeSeconds', 0, 20) ?? 0;
  const visibilitySeconds = integerIn(input, 'VisibilityTimeout', 0, 43_200);
  const names = [...strings(input.MessageSystemAttributeNames), ...strings(input.AttributeNames)];
  return { max, waitSeconds, attributeNames: names, ...(visibilitySeconds === undefined ? {} : { visibilitySeconds }) };
}

/** One attempt: the messages visible now, as ReceiveMessage returns them; `corruptMd5` sends a wrong MD5OfBody. */
export function receiveNow(queue: FakeSqsQueue, request: ReceiveRequest, now: number, corruptMd5: boolean): Record<string, unknown>[] {
  return queue.receive(request.max, now, request.visibilitySeconds).map((r) => messageJson(r, request.attributeNames, corruptMd5));
}

function messageJson({ message, receiptHandle }: ReceivedMessage, names: readonly string[], corruptMd5: boolean): Record<string, unknown> {
  const all = names.includes('All');
  const values: Record<(typeof MESSAGE_ATTRIBUTES)[number], string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SenderId: 'AIDAEVENTBRIDGE',
  };
  const attributes = Object.fromEntries(MESSAGE_ATTRIBUTES.filter((n) => all || names.includes(n)).map((n) => [n, values[n]]));
  return {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle,
    MD5OfBody: corruptMd5 ? md5Hex(`${message.body}#corrupt`) : md5Hex(message.body),
    Body: message.body,
    ...(Object.keys(attributes).length === 0 ? {} : { Attributes: attributes }),
  };
}

export function deleteMessage(queue: FakeSqsQueue, input: Input): Record<string, unknown> {
  const handle = String(input.ReceiptHandle ?? '');
  if (queue.delete(handle) === 'invalid') throw SQS_ERRORS.receiptHandleIsInvalid(handle);
  return {};
}

export function deleteMessageBatch(queue: FakeSqsQueue, input: Input): Record<string, unknown> {
  return batch(input, (entry) => {
    const handle = String(entry.ReceiptHandle ?? '');
    return queue.delete(handle) === 'invalid' ? failure(entry, 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not valid.`) : undefined;
  });
}

export function changeMessageVisibility(queue: FakeSqsQueue, input: Input, now: number): Record<string, unknown> {
  const handle = String(input.ReceiptHandle ?? '');
  const seconds = integerIn(input, 'VisibilityTimeout', 0, 43_200) ?? 0;
  const outcome = queue.changeVisibility(handle, seconds, now);
  if (outcome === 'invalid') throw SQS_ERRORS.receiptHandleIsInvalid(handle);
  if (outcome === 'not-in-flight') throw SQS_ERRORS.messageNotInflight();
  return {};
}

export function changeMessageVisibilityBatch(queue: FakeSqsQueue, input: Input, now: number): Record<string, unknown> {
  return batch(input, (entry) => {
    const handle = String(entry.ReceiptHandle ?? '');
    const seconds = integerIn(entry, 'VisibilityTimeout', 0, 43_200) ?? 0;
    const outcome = queue.changeVisibility(handle, seconds, now);
    if (outcome === 'invalid') return failure(entry, 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not valid.`);
    if (outcome === 'not-in-flight') return failure(entry, 'AWS.SimpleQueueService.MessageNotInflight', 'Message does not exist or is not in flight.');
    return undefined;
  });
}

export function getQueueAttributes(queue: FakeSqsQueue, input: Input, now: number): Record<string, unknown> {
  const names = strings(input.AttributeNames);
  const all = queue.attributes(now);
  const chosen = names.includes('All') ? all : Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
  return Object.keys(chosen).length === 0 ? {} : { Attributes: chosen };
}

/** A batch call: 1–10 entries with distinct, well-formed ids; `apply` returns a failure entry or undefined for success. */
function batch(input: Input, apply: (entry: Input) => Record<string, unknown> | undefined): Record<string, unknown> {
  const entries = Array.isArray(input.Entries) ? (input.Entries as Input[]) : [];
  if (entries.length === 0) throw SQS_ERRORS.emptyBatch();
  if (entries.length > 10) throw SQS_ERRORS.tooManyEntries(entries.length);
  const ids = entries.map((e) => String(e.Id ?? ''));
  if (ids.some((id) => !BATCH_ENTRY_ID.test(id))) throw SQS_ERRORS.invalidBatchEntryId();
  if (new Set(ids).size !== ids.length) throw SQS_ERRORS.idsNotDistinct();
  const successful: Record<string, unknown>[] = [];
  const failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    const failure = apply(entry);
    if (failure === undefined) successful.push({ Id: entry.Id });
    else failed.push(failure);
  }
  return { Successful: successful, Failed: failed };
}

function failure(entry: Input, code: string, message: string): Record<string, unknown> {
  return { Id: entry.Id, SenderFault: true, Code: code, Message: message };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function integerIn(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw SQS_ERRORS.invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: must be between ${min} and ${max}.`);
  }
  return value;
}
