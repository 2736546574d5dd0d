/**
 * The dead-letter redrive step on AWS, run by the sync function after a sweep found the controller answering:
 * messages that exhausted their receives during an outage go back to the instance's queue (same message group, so
 * FIFO order per namespace holds; a stale redriven change loses to newer ones by stream sequence in the store).
 * Messages the function rejected itself (unreadable, invalid: written as a dead-letter record) stay, and every
 * dead letter found is logged with its object and reason.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeMessage } from '../../shared/instance/outage.ts';
import type { Logger } from '../../shared/log.ts';
import { fitId } from './adapters/sqs-sender.ts';

/** How many times one message is redriven (a message attribute counts them) before it is left for a person. */
export const REDRIVE_LIMIT = 3;
export const REDRIVE_COUNT_ATTRIBUTE = 'ako-redrives';

export interface DeadLetterVerdict {
  redrive: boolean;
  object?: string;
  reason: string;
}

/** Whether a dead letter is the original message of a transient failure (redrive) or a rejected one (keep). */
export function judgeDeadLetter(body: string | undefined, redrives: number): DeadLetterVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return { redrive: false, reason: 'not JSON: rejected by the sync function' };
  }
  const p = parsed as { reason?: unknown; messageId?: unknown; body?: unknown };
  // The sync function's own dead-letter record of a message it could not read (functions/sync/handler.ts).
  if (typeof p.reason === 'string' && typeof p.messageId === 'string' && 'body' in p)
    return { redrive: false, reason: `rejected: ${p.reason}` };
  const what = describeMessage(body ?? '');
  if (redrives >= REDRIVE_LIMIT)
    return {
      redrive: false,
      ...(what.object ? { object: what.object } : {}),
      reason: `failed again after ${redrives} redrives`,
    };
  return {
    redrive: true,
    ...(what.object ? { object: what.object } : {}),
    reason: 'receives exhausted (transient failure)',
  };
}

export interface RedriveDeps {
  sqs: Pick<SQSClient, 'send'>;
  deadLetterQueueUrl: string;
  queueUrl: string;
  instance: string;
  logger: Logger;
  /** Messages looked at per run (default 100). */
  max?: number;
}

export async function redriveDeadLetters(deps: RedriveDeps): Promise<{ redriven: number; kept: number }> {
  const max = deps.max ?? 100;
  let redriven = 0;
  let kept = 0;
  while (redriven + kept < max) {
    const got = await deps.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deps.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        // Kept messages stay invisible for this run, so the loop does not see them again.
        VisibilityTimeout: 300,
        MessageSystemAttributeNames: ['MessageGroupId'],
        MessageAttributeNames: [REDRIVE_COUNT_ATTRIBUTE],
      }),
    );
    const messages: Message[] = got.Messages ?? [];
    if (!messages.length) break;
    const done: { Id: string; ReceiptHandle: string }[] = [];
    for (const [i, m] of messages.entries()) {
      const redrives = Number(m.MessageAttributes?.[REDRIVE_COUNT_ATTRIBUTE]?.StringValue ?? '0') || 0;
      const verdict = judgeDeadLetter(m.Body, redrives);
      deps.logger.warn('dead letter', {
        instance: deps.instance,
        operation: 'redrive',
        outcome: verdict.redrive ? 'redriven' : 'kept',
        ...(verdict.object ? { object: verdict.object } : {}),
        reason: verdict.reason,
      });
      if (!verdict.redrive) {
        kept++;
        continue;
      }
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.queueUrl,
          MessageBody: m.Body ?? '',
          MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
          MessageDeduplicationId: fitId(`redrive-${redrives + 1}-${m.MessageId}`),
          MessageAttributes: {
            [REDRIVE_COUNT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(redrives + 1) },
          },
        }),
      );
      done.push({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle ?? '' });
      redriven++;
    }
    if (done.length)
      await deps.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: deps.deadLetterQueueUrl, Entries: done }));
  }
  return { redriven, kept };
}
