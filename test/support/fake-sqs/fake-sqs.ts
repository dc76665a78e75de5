/**
 * A loopback fake of Amazon SQS speaking AWS JSON 1.0 as the REAL `@aws-sdk/client-sqs` does: `POST /` with
 * `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>` (and the SDK's
 * `x-amzn-query-mode: true`), a JSON body naming the `QueueUrl`; answers and errors as in fake-sqs-wire.ts. Queue URLs
 * are `<endpoint>/<account>/<name>`; the SDK sends each call to the host of the URL it is given.
 *
 * Operations: ReceiveMessage (MaxNumberOfMessages, WaitTimeSeconds long polls, VisibilityTimeout, system attributes),
 * DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility(+Batch), GetQueueAttributes; anything else is an
 * UnknownOperationException. Queue behaviour (visibility, redelivery, receipt handles, dead-letter queue) is in
 * fake-sqs-queue.ts.
 *
 * Time: by default the real clock, and a long poll ends after its WaitTimeSeconds. With `{ manualClock: true }` time
 * stands still until `advance(ms)`: visibility timeouts and long polls end only then (or at `endLongPolls()`), so a
 * test decides exactly when a message comes back. A long poll answers as soon as a message can be received.
 *
 * Faults: `faultNext` (throttled, internal error 500, access denied, KMS access denied, a cut answer, no answer at all,
 * or any FakeSqsError) for chosen operations and counts; `corruptMd5Next` (a wrong MD5OfBody on the next answer that
 * carries messages); `denyAccess` (every call refused until cleared); `deleteQueue`. `calls` records every request.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as actions from './fake-sqs-actions.js';
import type { Input, ReceiveRequest } from './fake-sqs-actions.js';
import { FakeSqsQueue } from './fake-sqs-queue.js';
import { FakeSqsError, JSON_CONTENT_TYPE, readBody, sendCut, sendError, sendJson, SQS_ERRORS } from './fake-sqs-wire.js';

export { FakeSqsError } from './fake-sqs-wire.js';

export const FAKE_SQS_ACCOUNT = '111111111111';
/** Where a manual clock starts: 2026-12-06T18:00:00Z. */
export const MANUAL_CLOCK_START = Date.UTC(2026, 11, 6, 18, 0, 0);

export interface FakeSqsCall {
  /** `ReceiveMessage` for `X-Amz-Target: AmazonSQS.ReceiveMessage`. */
  readonly operation: string;
  readonly headers: { readonly target?: string; readonly contentType?: string; readonly queryMode?: string };
  /** From the SigV4 credential scope (`…/<region>/sqs/aws4_request`). */
  readonly region?: string;
  readonly service?: string;
  readonly input: Input;
  /** Fake time the request arrived. */
  readonly at: number;
  /** `ok`, the error's query code, `cut`, `hang`, or `abandoned` (the client went away during a long poll). */
  outcome?: string;
}

export type Fault = 'throttled' | 'internal-error' | 'access-denied' | 'kms-access-denied' | 'cut' | 'hang' | FakeSqsError;

export interface QueueOptions {
  readonly account?: string;
  readonly region?: string;
  readonly visibilityTimeoutSeconds?: number;
  /** Messages received this many times go to `deadLetterQueue` (created with createQueue first). */
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
}

interface FaultRule {
  readonly operation: string;
  readonly fault: Fault;
  remaining: number;
}

interface LongPoll {
  readonly queue: FakeSqsQueue;
  readonly request: ReceiveRequest;
  readonly deadline: number;
  readonly call: FakeSqsCall;
  readonly res: ServerResponse;
}

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
const TARGET_PREFIX = 'AmazonSQS.';
const OPERATIONS = new Set([
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'GetQueueAttributes',
]);

export class FakeSqs {
  /** Every request, in arrival order. */
  readonly calls: FakeSqsCall[] = [];
  /** Refuse every call with AccessDenied while set. */
  denyAccess = false;
  readonly #queues = new Map<string, FakeSqsQueue>();
  readonly #faults: FaultRule[] = [];
  readonly #polls: LongPoll[] = [];
  #corruptMd5 = 0;
  #manualNow: number | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    manualClock: boolean,
  ) {
    if (manualClock) this.#manualNow = MANUAL_CLOCK_START;
  }

  static async start(options: { manualClock?: boolean } = {}): Promise<FakeSqs> {
    let fake: FakeSqs | undefined;
    const server = createServer((req, res) => void fake?.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    fake = new FakeSqs(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options.manualClock === true);
    return fake;
  }

  /** Fake time (ms since the epoch). */
  now(): number {
    return this.#manualNow ?? Date.now();
  }

  /** Moves a manual clock on, then ends the long polls due and wakes those a message became visible for. */
  advance(ms: number): void {
    if (this.#manualNow === undefined) throw new Error('FakeSqs.advance needs { manualClock: true }');
    this.#manualNow += ms;
    this.#tick();
  }

  /** Answers every waiting long poll now: with messages if some are visible, else empty. */
  endLongPolls(): void {
    for (const poll of [...this.#polls]) this.#answerPoll(poll);
  }

  /** Long polls waiting for a message. */
  get waitingPolls(): number {
    return this.#polls.length;
  }

  /** Creates a queue; returns its URL. */
  createQueue(name: string, options: QueueOptions = {}): string {
    const account = options.account ?? FAKE_SQS_ACCOUNT;
    const redrive = options.redrive && { deadLetterQueue: this.queue(options.redrive.deadLetterQueue), maxReceiveCount: options.redrive.maxReceiveCount };
    const queue = new FakeSqsQueue(account, name, options.region ?? 'us-east-1', options.visibilityTimeoutSeconds ?? 30, redrive);
    this.#queues.set(`/${account}/${name}`, queue);
    return this.queueUrl(name, account);
  }

  queueUrl(name: string, account = FAKE_SQS_ACCOUNT): string {
    return `${this.endpoint}/${account}/${name}`;
  }

  /** The queue by name (own account), for assertions; throws when there is none. */
  queue(name: string, account = FAKE_SQS_ACCOUNT): FakeSqsQueue {
    const queue = this.#queues.get(`/${account}/${name}`);
    if (queue === undefined) throw new Error(`FakeSqs: no queue ${account}/${name}`);
    return queue;
  }

  /** Deletes a queue: every later call naming it is answered QueueDoesNotExist. */
  deleteQueue(name: string, account = FAKE_SQS_ACCOUNT): void {
    this.#queues.delete(`/${account}/${name}`);
  }

  /** Puts a message in a queue (as EventBridge would); returns its MessageId. Wakes a waiting long poll. */
  send(queueName: string, body: string, options: { delaySeconds?: number; account?: string } = {}): string {
    const message = this.queue(queueName, options.account).send(body, this.now(), options.delaySeconds);
    this.#tick();
    return message.messageId;
  }

  /** The next `times` calls of `operation` (`*`: any) get `fault` instead of their answer. */
  faultNext(operation: string, fault: Fault, times = 1): void {
    this.#faults.push({ operation, fault, remaining: times });
  }

  /** The next `times` ReceiveMessage answers that carry messages give each a wrong MD5OfBody. */
  corruptMd5Next(times = 1): void {
    this.#corruptMd5 += times;
  }

  /** Drops pending faults and access refusal (between tests); recorded calls stay. */
  clearFaults(): void {
    this.#faults.length = 0;
    this.#corruptMd5 = 0;
    this.denyAccess = false;
  }

  callsFor(operation: string): FakeSqsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#polls.length = 0;
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const target = header(req, 'x-amz-target');
    const scope = CREDENTIAL_SCOPE.exec(header(req, 'authorization') ?? '');
    const call: FakeSqsCall = {
      operation: target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '',
      headers: {
        ...optional('target', target),
        ...optional('contentType', header(req, 'content-type')),
        ...optional('queryMode', header(req, 'x-amzn-query-mode')),
      },
      ...(scope ? { region: scope[1], service: scope[2] } : {}),
      input: parseInput(text),
      at: this.now(),
    };
    this.calls.push(call);
    try {
      if (scope === null) throw SQS_ERRORS.missingAuthentication();
      if (call.headers.contentType !== JSON_CONTENT_TYPE || !OPERATIONS.has(call.operation)) throw SQS_ERRORS.unknownOperation();
      const fault = this.#takeFault(call.operation);
      if (fault === 'hang') return void (call.outcome = 'hang'); // never answered; close() ends the connection
      const queue = this.#queueOf(call.input);
      if (this.denyAccess) throw SQS_ERRORS.accessDenied(call.operation, queue?.arn ?? '*');
      if (fault !== undefined && fault !== 'cut') throw faultError(fault, call.operation, queue?.arn ?? '*');
      if (queue === undefined) throw SQS_ERRORS.queueDoesNotExist();
      const answer = this.#operate(call, queue, res);
      if (answer === undefined) return; // a long poll, answered later
      call.outcome = fault === 'cut' ? 'cut' : 'ok';
      (fault === 'cut' ? sendCut : sendJson)(res, answer);
    } catch (err) {
      const error = err instanceof FakeSqsError ? err : SQS_ERRORS.internal();
      call.outcome = error.queryCode;
      sendError(res, error);
    } finally {
      this.#tick();
    }
  }

  /** The answer of an operation, or undefined for a long poll left waiting. */
  #operate(call: FakeSqsCall, queue: FakeSqsQueue, res: ServerResponse): Record<string, unknown> | undefined {
    const now = this.now();
    switch (call.operation) {
      case 'ReceiveMessage': {
        const request = actions.receiveRequest(call.input);
        if (request.waitSeconds === 0 || queue.hasVisible(now)) return this.#receiveAnswer(queue, request);
        const poll: LongPoll = { queue, request, deadline: now + request.waitSeconds * 1000, call, res };
        this.#polls.push(poll);
        res.on('close', () => {
          const index = this.#polls.indexOf(poll);
          if (index < 0) return;
          this.#polls.splice(index, 1);
          call.outcome = 'abandoned';
        });
        return undefined;
      }
      case 'DeleteMessage':
        return actions.deleteMessage(queue, call.input);
      case 'DeleteMessageBatch':
        return actions.deleteMessageBatch(queue, call.input);
      case 'ChangeMessageVisibility':
        return actions.changeMessageVisibility(queue, call.input, now);
      case 'ChangeMessageVisibilityBatch':
        return actions.changeMessageVisibilityBatch(queue, call.input, now);
      case 'GetQueueAttributes':
        return actions.getQueueAttributes(queue, call.input, now);
      default:
        throw SQS_ERRORS.unknownOperation();
    }
  }

  #receiveAnswer(queue: FakeSqsQueue, request: ReceiveRequest): Record<string, unknown> {
    const corrupt = this.#corruptMd5 > 0 && queue.hasVisible(this.now());
    const messages = actions.receiveNow(queue, request, this.now(), corrupt);
    if (corrupt) this.#corruptMd5 -= 1;
    return messages.length === 0 ? {} : { Messages: messages }; // SQS leaves Messages out when there are none
  }

  #answerPoll(poll: LongPoll): void {
    this.#polls.splice(this.#polls.indexOf(poll), 1);
    poll.call.outcome = 'ok';
    sendJson(poll.res, this.#receiveAnswer(poll.queue, poll.request));
  }

  /** Answers the long polls that have a message or whose wait is over; on the real clock, sets a timer for the next. */
  #tick(): void {
    const now = this.now();
    for (const poll of [...this.#polls]) {
      if (poll.queue.hasVisible(now) || poll.deadline <= now) this.#answerPoll(poll);
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#manualNow !== undefined || this.#polls.length === 0) return;
    const next = Math.min(...this.#polls.map((p) => Math.min(p.deadline, p.queue.nextVisibleAt(now) ?? Number.POSITIVE_INFINITY)));
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, next - Date.now()));
  }

  #queueOf(input: Input): FakeSqsQueue | undefined {
    try {
      return this.#queues.get(new URL(String(input.QueueUrl ?? '')).pathname);
    } catch {
      return undefined;
    }
  }

  #takeFault(operation: string): Fault | undefined {
    const index = this.#faults.findIndex((f) => f.operation === '*' || f.operation === operation);
    const rule = this.#faults[index];
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#faults.splice(index, 1);
    return rule.fault;
  }
}

function faultError(fault: Exclude<Fault, 'cut' | 'hang'>, operation: string, queueArn: string): FakeSqsError {
  if (fault instanceof FakeSqsError) return fault;
  if (fault === 'throttled') return SQS_ERRORS.throttled();
  if (fault === 'internal-error') return SQS_ERRORS.internal();
  if (fault === 'kms-access-denied') return SQS_ERRORS.kmsAccessDenied();
  return SQS_ERRORS.accessDenied(operation, queueArn);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function parseInput(text: string): Input {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : {};
  } catch {
    return {};
  }
}
