/**
 * One queue of the fake SQS, in memory and driven by a clock it is given (no timers of its own): messages are visible,
 * in flight until their visibility timeout ends, or gone. Modelled on SQS standard queues as documented:
 *
 * - every receive of a message issues a new receipt handle; only the latest one deletes it or changes its visibility (an
 *   older one is accepted by DeleteMessage and does nothing, as SQS warns: "the request succeeds, but the message might
 *   not be deleted");
 * - `ApproximateReceiveCount` counts receives; with a redrive policy, a message received `maxReceiveCount` times and
 *   visible again moves to the dead-letter queue instead of being delivered once more;
 * - a receipt handle never issued by this queue is invalid (ReceiptHandleIsInvalid).
 */
import { randomUUID } from 'node:crypto';

export interface FakeSqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Fake time from which it can be received (again). */
  visibleAt: number;
  /** The handle of its latest receive; undefined until first received. */
  receiptHandle?: string;
}

export interface ReceivedMessage {
  readonly message: FakeSqsMessage;
  readonly receiptHandle: string;
}

export interface RedrivePolicy {
  readonly deadLetterQueue: FakeSqsQueue;
  readonly maxReceiveCount: number;
}

export class FakeSqsQueue {
  /** In sending order: SQS standard queues are best-effort ordered, the fake keeps the order for readable tests. */
  readonly messages: FakeSqsMessage[] = [];
  /** Every receipt handle ever issued, to tell an outdated handle (accepted, no effect) from an invented one. */
  readonly #issuedHandles = new Set<string>();

  constructor(
    readonly account: string,
    readonly name: string,
    readonly region: string,
    /** The queue's default visibility timeout (s); SQS's default is 30. */
    public visibilityTimeoutSeconds = 30,
    public redrive?: RedrivePolicy,
  ) {}

  get arn(): string {
    return `arn:aws:sqs:${this.region}:${this.account}:${this.name}`;
  }

  send(body: string, now: number, delaySeconds = 0): FakeSqsMessage {
    const message: FakeSqsMessage = { messageId: randomUUID(), body, sentAt: now, receiveCount: 0, visibleAt: now + delaySeconds * 1000 };
    this.messages.push(message);
    return message;
  }

  /** Up to `max` visible messages, now in flight for `visibilitySeconds` (default: the queue's). */
  receive(max: number, now: number, visibilitySeconds = this.visibilityTimeoutSeconds): ReceivedMessage[] {
    this.redriveExhausted(now);
    const received: ReceivedMessage[] = [];
    for (const message of this.messages) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      const receiptHandle = `${this.name}.${message.messageId}.${randomUUID()}`;
      this.#issuedHandles.add(receiptHandle);
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + visibilitySeconds * 1000;
      message.receiptHandle = receiptHandle;
      received.push({ message, receiptHandle });
    }
    return received;
  }

  /** Whether a message could be received now. */
  hasVisible(now: number): boolean {
    return this.messages.some((m) => m.visibleAt <= now);
  }

  /** The earliest fake time at which an invisible message becomes visible; undefined: none. */
  nextVisibleAt(now: number): number | undefined {
    const later = this.messages.filter((m) => m.visibleAt > now).map((m) => m.visibleAt);
    return later.length === 0 ? undefined : Math.min(...later);
  }

  /** `invalid`: never issued here; `outdated`: a later receive issued another handle (nothing happens); `deleted`. */
  delete(receiptHandle: string): 'deleted' | 'outdated' | 'invalid' {
    if (!this.#issuedHandles.has(receiptHandle)) return 'invalid';
    const index = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index < 0) return 'outdated'; // deleted already, or received again since
    this.messages.splice(index, 1);
    return 'deleted';
  }

  /** `not-in-flight`: the handle is not the message's latest, or the message is visible already. */
  changeVisibility(receiptHandle: string, seconds: number, now: number): 'changed' | 'not-in-flight' | 'invalid' {
    if (!this.#issuedHandles.has(receiptHandle)) return 'invalid';
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (message === undefined || message.visibleAt <= now) return 'not-in-flight';
    message.visibleAt = now + seconds * 1000;
    return 'changed';
  }

  /** What GetQueueAttributes reports, as strings (SQS's wire form). */
  attributes(now: number): Record<string, string> {
    const visible = this.messages.filter((m) => m.visibleAt <= now).length;
    const inFlight = this.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length;
    const delayed = this.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length;
    return {
      QueueArn: this.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      VisibilityTimeout: String(this.visibilityTimeoutSeconds),
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      DelaySeconds: '0',
      ...(this.redrive === undefined
        ? {}
        : { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: this.redrive.deadLetterQueue.arn, maxReceiveCount: this.redrive.maxReceiveCount }) }),
    };
  }

  /** Visible messages received maxReceiveCount times already go to the dead-letter queue (keeping their id and body). */
  private redriveExhausted(now: number): void {
    const redrive = this.redrive;
    if (redrive === undefined) return;
    for (const message of this.messages.filter((m) => m.visibleAt <= now && m.receiveCount >= redrive.maxReceiveCount)) {
      this.messages.splice(this.messages.indexOf(message), 1);
      const { messageId, body, sentAt } = message;
      redrive.deadLetterQueue.messages.push({ messageId, body, sentAt, receiveCount: 0, visibleAt: now });
    }
  }
}
