/**
 * Controller outages (pure decisions). While the controller is unreachable or answers 5xx/429, a message is
 * retried with capped exponential back-off for as long as it takes, and those retries do not count towards the
 * queue's receive limit (the dead-letter budget is for messages that fail while the controller answers). Dead
 * letters of transient causes are redriven once the controller answers again.
 */
import type { SQSBatchResponse } from 'aws-lambda';

/** Back-off while the controller is down: 1 s doubling to a cap of 20 s, so a change lands ≤ ~20 s after recovery. */
export const OUTAGE_BACKOFF = { initialMs: 1_000, maxMs: 20_000 } as const;

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Delay before retry number `retry` (1-based) of a message that failed because of an outage. */
export function outageRetryDelayMs(retry: number, policy: BackoffPolicy = OUTAGE_BACKOFF): number {
  const n = Math.max(1, Math.floor(retry));
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n - 1, 30));
}

/** Network failures, 5xx and 429: the controller is not answering (as opposed to refusing this request). */
const OUTAGE =
  /\bHTTP (5\d\d|429)\b|transport error|timed out|\b(ECONN[A-Z]+|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|EPIPE)\b|socket hang up|fetch failed/i;

export function isOutageReason(reason: string | undefined): boolean {
  return reason !== undefined && OUTAGE.test(reason);
}

/** What a consumer tells the queue about each failed message, beyond SQS's batchItemFailures (extra fields are
 * ignored by Lambda's event source mapping; the local queue and the AWS sync entry read them). */
export interface RetryHint {
  itemIdentifier: string;
  /** The controller was unreachable or answering 5xx/429: retry with back-off, without counting the receive. */
  outage: boolean;
  reason: string;
}

export type BatchResponseWithHints = SQSBatchResponse & { retryHints?: RetryHint[] };

/** Hints for the failed messages of a batch: an outage if any failure of the batch was one. */
export function retryHints(failedIds: readonly string[], reasons: readonly string[]): RetryHint[] {
  const outageReason = reasons.find(isOutageReason);
  const reason = outageReason ?? reasons[0] ?? 'a model of this message failed transiently';
  return failedIds.map((itemIdentifier) => ({ itemIdentifier, outage: outageReason !== undefined, reason }));
}

/** A dead letter's cause: transient ones are redriven automatically once the controller answers again. */
export function deadLetterCause(reason: string | undefined): 'transient' | 'permanent' {
  if (!reason) return 'transient';
  if (isOutageReason(reason)) return 'transient';
  // The sync function returns only transient failures to its queue (invalid input and refused writes are recorded
  // and acknowledged), so a queue dead letter is transient unless the message itself is unreadable.
  if (/\b(invalid|not JSON|unsupported schema version)\b/i.test(reason)) return 'permanent';
  return 'transient';
}

/** The object a queued message is about (for dead-letter logs): `<kind>/<namespace>/<name>` or the command. */
export function describeMessage(body: string): { object?: string; namespace?: string; type?: string } {
  try {
    const m = JSON.parse(body) as {
      type?: string;
      namespace?: string;
      change?: { kind?: string; namespace?: string; name?: string };
      inventory?: { namespace?: string };
    };
    if (m.type === 'object' && m.change)
      return {
        type: 'object',
        object: `${m.change.kind}/${m.change.namespace ?? ''}/${m.change.name}`,
        ...(m.change.namespace ? { namespace: m.change.namespace } : {}),
      };
    if (m.type === 'inventory') return { type: 'inventory', namespace: m.inventory?.namespace ?? '' };
    return { ...(m.type ? { type: m.type } : {}), ...(m.namespace ? { namespace: m.namespace } : {}) };
  } catch {
    return {};
  }
}

/** A dead letter is redriven automatically at most this many times (then it waits for an operator or the sweep). */
export const AUTO_REDRIVE_LIMIT = 3;

export function shouldAutoRedrive(d: { lastError?: string; redriveCount: number }): boolean {
  return deadLetterCause(d.lastError) === 'transient' && d.redriveCount < AUTO_REDRIVE_LIMIT;
}
