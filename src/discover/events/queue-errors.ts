import type { EventsQueueConfig } from '../../config/events-queue.js';
import { awsErrorHint, ERROR_PAGE, errorCode, IAM_PERMISSIONS, isUnreadableResponse, MALFORMED_RESPONSE, oneLine } from '../aws-errors.js';

/**
 * What a failed SQS call of event mode means for the operator. Pure apart from reading the error. A queue that fails
 * never stops the scheduled full listing: these errors are reported (log, health, metrics, status) and the receiver
 * tries again.
 */

/** What kind of trouble, for a metric label and the status line. */
export const QUEUE_FAILURE_KINDS = ['queue-missing', 'access-denied', 'throttled', 'unreachable', 'bad-answer', 'other'] as const;
export type QueueFailureKind = (typeof QUEUE_FAILURE_KINDS)[number];

/** The SDK's error for a message whose MD5OfBody does not match its body (@aws-sdk/middleware-sdk-sqs). */
export const INVALID_CHECKSUM = 'InvalidChecksum';

const MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'QueueDeletedRecently']);
const REFUSED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedAccess', 'InvalidSecurity']);
const KMS_REFUSED = new Set(['KmsAccessDenied', 'KMS.AccessDeniedException']);
const KMS_BROKEN = new Set(['KmsDisabled', 'KmsNotFound', 'KmsInvalidState', 'KmsInvalidKeyUsage', 'KmsOptInRequired']);
const THROTTLED = new Set(['RequestThrottled', 'ThrottlingException', 'Throttling', 'OverLimit', 'KmsThrottled', 'TooManyRequestsException']);
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** A failed SQS call of event mode: the operation, the AWS (or network) code, a one-line message with what to do. */
export class EventQueueError extends Error {
  override readonly name = 'EventQueueError';
  constructor(
    readonly operation: string,
    readonly code: string | undefined,
    readonly kind: QueueFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error of one failed call, e.g. "SQS ReceiveMessage on queue events failed: … (QueueDoesNotExist): the queue …". */
export function queueError(err: unknown, operation: string, queue: EventsQueueConfig): EventQueueError {
  const code = codeOf(err);
  const detail = oneLine(err instanceof Error ? err.message : String(err));
  const hint = queueErrorHint(code, operation, queue);
  const message = `SQS ${operation} on queue ${queue.name} failed: ${detail}${code === undefined || detail.includes(code) ? '' : ` (${code})`}`;
  return new EventQueueError(operation, code, kindOf(code), hint === undefined ? message : `${message}: ${hint}`, { cause: err });
}

/** A hint for an error code of `operation` on the queue, or undefined when the code speaks for itself. */
export function queueErrorHint(code: string | undefined, operation: string, queue: EventsQueueConfig): string | undefined {
  if (code === undefined) return undefined;
  const where = `${queue.accountId}/${queue.name} in ${queue.region}`;
  if (MISSING.has(code)) return `the queue ${where} does not exist (deleted, or AWS_DISCOVERY_EVENTS_QUEUE_URL is wrong); full listings carry on`;
  if (REFUSED.has(code)) {
    const permission = IAM_PERMISSIONS[operation] ?? `sqs:${operation}`;
    return `grant ${permission} on the queue ${where} to the daemon's credentials (and allow it in the queue policy, if it names principals)`;
  }
  if (KMS_REFUSED.has(code)) return "the queue is encrypted with a KMS key: grant kms:Decrypt on that key to the daemon's credentials";
  if (KMS_BROKEN.has(code)) return "the queue's KMS key is disabled, deleted or unusable: fix the key or the queue's encryption";
  if (THROTTLED.has(code)) return 'SQS kept throttling after the retries; the receiver tries again';
  if (code === INVALID_CHECKSUM) return "a message's MD5OfBody did not match its body (changed on the way?); it comes back after the visibility timeout";
  if (code === 'ENOTFOUND') return "the queue's host name does not resolve (DNS): check AWS_DISCOVERY_EVENTS_QUEUE_URL";
  if (['TimeoutError', 'RequestTimeout', 'ETIMEDOUT'].includes(code)) return 'SQS did not answer in time (network, proxy); the receiver tries again';
  return awsErrorHint(code, operation, queue.region);
}

function codeOf(err: unknown): string | undefined {
  if (err instanceof Error && err.message.startsWith('Invalid MD5 checksum')) return INVALID_CHECKSUM;
  if (isUnreadableResponse(err)) {
    const status = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    return typeof status === 'number' && status >= 300 ? ERROR_PAGE : MALFORMED_RESPONSE;
  }
  return errorCode(err);
}

function kindOf(code: string | undefined): QueueFailureKind {
  if (code === undefined) return 'other';
  if (MISSING.has(code)) return 'queue-missing';
  if (REFUSED.has(code) || KMS_REFUSED.has(code) || KMS_BROKEN.has(code)) return 'access-denied';
  if (THROTTLED.has(code)) return 'throttled';
  if (NETWORK.has(code) || code === 'ENOTFOUND') return 'unreachable';
  if (code === INVALID_CHECKSUM || code === MALFORMED_RESPONSE || code === ERROR_PAGE) return 'bad-answer';
  return 'other';
}
