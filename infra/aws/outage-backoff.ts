/**
 * Controller outages on AWS. Lambda's SQS event source returns the failed messages of a partial batch response to
 * the queue, visible again after the queue's visibility timeout: during an outage that spends the redrive budget in
 * minutes. For messages the sync function marks as outage retries (`retryHints`), the entry sets their visibility
 * to a capped exponential back-off instead, and the queues' maxReceiveCount is sized so the back-off outlasts a
 * 30-minute outage (see `receivesToOutlast`).
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { BatchResponseWithHints } from '../../shared/instance/outage.ts';
import { outageRetryDelayMs } from '../../shared/instance/outage.ts';
import type { Logger } from '../../shared/log.ts';

/** On AWS: 10 s doubling to 5 minutes (a Lambda invocation per retry costs more than a local one). */
export const AWS_OUTAGE_BACKOFF = { initialMs: 10_000, maxMs: 300_000 } as const;

/** `arn:aws:sqs:<region>:<account>:<name>` → its queue URL. */
export function queueUrlOfArn(arn: string): string {
  const [, partition, service, region, account, name] = arn.split(':');
  if (service !== 'sqs' || !region || !account || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** Receives needed before a message dead-letters so that the back-off alone spans `outageMs`. */
export function receivesToOutlast(outageMs: number, policy = AWS_OUTAGE_BACKOFF): number {
  let waited = 0;
  let n = 0;
  while (waited < outageMs) {
    n++;
    waited += outageRetryDelayMs(n, policy);
  }
  return n + 1; // the receive after the last wait
}

export interface VisibilityChange {
  queueUrl: string;
  entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[];
}

/** The visibility changes for a batch's outage retries, per queue, in batches of ten (SQS's limit). */
export function outageVisibilityChanges(
  event: SQSEvent,
  response: BatchResponseWithHints,
  policy = AWS_OUTAGE_BACKOFF,
): VisibilityChange[] {
  const outage = new Set((response.retryHints ?? []).filter((h) => h.outage).map((h) => h.itemIdentifier));
  const byQueue = new Map<string, VisibilityChange['entries']>();
  for (const [i, r] of (event.Records ?? []).entries()) {
    if (!outage.has(r.messageId)) continue;
    const receives = Number(r.attributes?.ApproximateReceiveCount ?? '1') || 1;
    const seconds = Math.ceil(outageRetryDelayMs(receives, policy) / 1000);
    const url = queueUrlOfArn(r.eventSourceARN);
    byQueue.set(url, [
      ...(byQueue.get(url) ?? []),
      { Id: `m${i}`, ReceiptHandle: r.receiptHandle, VisibilityTimeout: seconds },
    ]);
  }
  const out: VisibilityChange[] = [];
  for (const [queueUrl, entries] of byQueue)
    for (let i = 0; i < entries.length; i += 10) out.push({ queueUrl, entries: entries.slice(i, i + 10) });
  return out;
}

/** Wraps an SQS batch handler: outage retries come back after the back-off, not after the visibility timeout. */
export function withOutageBackoff<C>(
  handler: (event: SQSEvent, context: C) => Promise<BatchResponseWithHints>,
  deps: { sqs: Pick<SQSClient, 'send'>; logger: Logger },
) {
  return async (event: SQSEvent, context: C): Promise<BatchResponseWithHints> => {
    const response = await handler(event, context);
    for (const change of outageVisibilityChanges(event, response)) {
      try {
        await deps.sqs.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: change.queueUrl, Entries: change.entries }),
        );
      } catch (err) {
        // The messages come back after the visibility timeout instead: slower, nothing lost.
        deps.logger.warn('cannot delay outage retries', {
          operation: 'outage-backoff',
          outcome: 'retry',
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
    if (response.retryHints?.some((h) => h.outage))
      deps.logger.warn('controller not answering; retrying with back-off', {
        operation: 'outage-backoff',
        outcome: 'retry',
        messages: response.retryHints.filter((h) => h.outage).length,
        reason: response.retryHints.find((h) => h.outage)?.reason,
      });
    return { batchItemFailures: response.batchItemFailures };
  };
}
