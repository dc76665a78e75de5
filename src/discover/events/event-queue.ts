import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { EventsQueueConfig } from '../../config/events-queue.js';
import { oneLine } from '../aws-errors.js';
import { queueError } from './queue-errors.js';
import { sdkOnFirstCall, type SdkOnFirstCall } from '../sdk-on-first-call.js';
import { createSqsClient, LONG_POLL_SECONDS, type SqsClientOptions, type SqsSdk } from './sqs-client.js';

/**
 * Event mode's queue: receives EventBridge events in batches and deletes them once applied. A message that is not
 * deleted (the apply failed, the daemon stopped) comes back after the queue's visibility timeout, and after
 * `maxReceiveCount` receives goes to the dead-letter queue; so nothing here releases messages.
 *
 * The client is made, and @aws-sdk/client-sqs loaded, at the first call: importing this module loads no SDK.
 */

/** One received message. */
export interface QueueMessage {
  readonly messageId: string;
  /** The handle of the latest receive: only it deletes the message. */
  readonly receiptHandle: string;
  readonly body: string;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  readonly receiveCount: number;
  /** SentTimestamp (ms since the epoch): when EventBridge put it in the queue. */
  readonly sentAt?: number;
}

export interface AcknowledgeResult {
  readonly deleted: number;
  /** Messages SQS did not delete (they come back after the visibility timeout: harmless, they are described again). */
  readonly failed: readonly { readonly messageId: string; readonly code?: string; readonly message: string }[];
}

export interface QueueDepth {
  /** ApproximateNumberOfMessages: waiting to be received. */
  readonly visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received, neither deleted nor back yet. */
  readonly inFlight: number;
  readonly delayed: number;
}

export interface EventQueueOptions extends Omit<SqsClientOptions, 'queue'> {
  /** How long to keep gathering once a first message arrived (ms); default 1000. */
  readonly gatherWindowMs?: number;
  /** The most messages one batch gathers; default 100. */
  readonly maxMessages?: number;
  /** Pause between receives that found nothing while gathering (ms); default 100. */
  readonly idlePauseMs?: number;
  /**
   * End the batch as soon as the queue is quiet: a receive that brings nothing new after an idle pause ends the
   * gathering, so a lone event waits one pause, not the whole window (the daemon sets it: event → commit in seconds).
   * Default false: gather for the whole window.
   */
  readonly endWhenQuiet?: boolean;
  /** Wait for a first message (s, 0–20); default 20. */
  readonly waitTimeSeconds?: number;
  /** The clock and pause of the gather window (tests pass a manual clock). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** SQS answers at most 10 messages per receive and deletes at most 10 per batch. */
const SQS_BATCH = 10;
const ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp'] as const;

export class EventQueue {
  readonly #queue: EventsQueueConfig;
  readonly #options: EventQueueOptions;
  readonly #sqs: SdkOnFirstCall<SqsSdk, SQSClient>;

  constructor(queue: EventsQueueConfig, options: EventQueueOptions = {}) {
    this.#queue = queue;
    this.#options = options;
    const { credentials, maxAttempts } = options;
    this.#sqs = sdkOnFirstCall(
      () => import('@aws-sdk/client-sqs'),
      (sdk) => createSqsClient(sdk, { queue, ...(credentials ? { credentials } : {}), ...(maxAttempts ? { maxAttempts } : {}) }),
    );
  }

  /**
   * Long-polls for a first message, then keeps receiving (without waiting) for at most the gather window or until
   * `maxMessages`, pausing briefly when a receive brings nothing new (with `endWhenQuiet`, the second such receive in a
   * row ends the batch). A message received twice is kept once, with its latest
   * receipt handle. Throws EventQueueError when the first receive fails; a failure while gathering ends the batch with
   * what it has. On abort, returns what it has (possibly nothing).
   */
  async receiveBatch(signal?: AbortSignal): Promise<QueueMessage[]> {
    const { gatherWindowMs = 1000, maxMessages = 100, idlePauseMs = 100, waitTimeSeconds = LONG_POLL_SECONDS, endWhenQuiet = false } = this.#options;
    const now = this.#options.now ?? Date.now;
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const gathered = new Map<string, QueueMessage>();
    const keep = (messages: readonly QueueMessage[]) => messages.forEach((m) => gathered.set(m.messageId, m));
    keep(await this.#receive(waitTimeSeconds, Math.min(SQS_BATCH, maxMessages), signal));
    if (gathered.size === 0) return [];
    const deadline = now() + gatherWindowMs;
    let quietReceives = 0;
    while (gathered.size < maxMessages && !aborted(signal) && now() < deadline) {
      let more: QueueMessage[];
      try {
        more = await this.#receive(0, Math.min(SQS_BATCH, maxMessages - gathered.size), signal);
      } catch {
        break; // the messages in hand are worth applying; a lasting failure shows on the next first receive
      }
      const before = gathered.size;
      keep(more);
      if (gathered.size > before) {
        quietReceives = 0;
        continue;
      }
      quietReceives += 1;
      if (endWhenQuiet && quietReceives >= 2) break; // quiet before and after a pause: nothing more is on its way
      await sleep(Math.max(0, Math.min(idlePauseMs, deadline - now())));
    }
    return [...gathered.values()];
  }

  /** Deletes applied messages, 10 per DeleteMessageBatch; never throws (a failed call fails its messages). */
  async acknowledge(messages: readonly QueueMessage[], signal?: AbortSignal): Promise<AcknowledgeResult> {
    let deleted = 0;
    const failed: { messageId: string; code?: string; message: string }[] = [];
    for (let start = 0; start < messages.length; start += SQS_BATCH) {
      const chunk = messages.slice(start, start + SQS_BATCH);
      const entries = chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle }));
      try {
        const { sdk, client } = await this.#sqs.get();
        const out = await client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: this.#queue.url, Entries: entries }), sendOptions(signal));
        deleted += out.Successful?.length ?? 0;
        for (const entry of out.Failed ?? []) {
          const message = chunk[Number(entry.Id)];
          if (message === undefined) continue;
          const text = oneLine(entry.Message ?? entry.Code ?? 'not deleted');
          failed.push({ messageId: message.messageId, ...(entry.Code ? { code: entry.Code } : {}), message: text });
        }
      } catch (err) {
        const error = queueError(err, 'DeleteMessageBatch', this.#queue);
        failed.push(...chunk.map((m) => ({ messageId: m.messageId, ...(error.code ? { code: error.code } : {}), message: error.message })));
      }
    }
    return { deleted, failed };
  }

  /** The queue's approximate depth (GetQueueAttributes): for health and metrics, and to check the queue at start. */
  async depth(signal?: AbortSignal): Promise<QueueDepth> {
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    try {
      const { sdk, client } = await this.#sqs.get();
      const out = await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: this.#queue.url, AttributeNames: [...names] }), sendOptions(signal));
      const count = (name: (typeof names)[number]) => Number(out.Attributes?.[name] ?? 0) || 0;
      return { visible: count(names[0]), inFlight: count(names[1]), delayed: count(names[2]) };
    } catch (err) {
      throw queueError(err, 'GetQueueAttributes', this.#queue);
    }
  }

  destroy(): void {
    this.#sqs.destroy();
  }

  /** One ReceiveMessage; [] when aborted. */
  async #receive(waitSeconds: number, max: number, signal: AbortSignal | undefined): Promise<QueueMessage[]> {
    if (aborted(signal)) return [];
    try {
      const { sdk, client } = await this.#sqs.get();
      const command = new sdk.ReceiveMessageCommand({
        QueueUrl: this.#queue.url,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: [...ATTRIBUTES],
      });
      const out = await client.send(command, sendOptions(signal));
      return (out.Messages ?? []).flatMap(toQueueMessage);
    } catch (err) {
      if (aborted(signal)) return [];
      throw queueError(err, 'ReceiveMessage', this.#queue);
    }
  }
}

function toQueueMessage(message: Message): QueueMessage[] {
  const { MessageId: messageId, ReceiptHandle: receiptHandle, Body: body = '', Attributes: attributes = {} } = message;
  if (messageId === undefined || receiptHandle === undefined) return []; // SQS always sends both; without a handle it could not be deleted
  const sentAt = Number(attributes.SentTimestamp);
  return [{ messageId, receiptHandle, body, receiveCount: Number(attributes.ApproximateReceiveCount) || 1, ...(sentAt > 0 ? { sentAt } : {}) }];
}

/** A function, not `signal.aborted` inline: the compiler would take a check before an await as still true after it. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}
