/**
 * In AWS the status updates come back to the cluster through a per-cluster SQS FIFO queue that the
 * forwarder long-polls. A message holds one StatusUpdate or an array of them. Applied (or permanently
 * invalid) messages are deleted; a transient failure leaves the message for redelivery (the queue's
 * dead-letter queue catches the ones that never succeed).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../../shared/log.ts';
import type { KubeRequest } from './kube.ts';
import { createStatusApplier, parseStatusUpdates } from './status.ts';

export interface StatusQueueOptions {
  client: SQSClient;
  queueUrl: string;
  request: KubeRequest;
  clusterName: string;
  logger: Logger;
  /** Long-poll wait (default 20 s, the SQS maximum). */
  waitTimeSeconds?: number;
}

export interface StatusQueueConsumer {
  stop(): Promise<void>;
  /** Messages processed so far. */
  processed(): number;
}

export function startStatusQueueConsumer(opts: StatusQueueOptions): StatusQueueConsumer {
  const applier = createStatusApplier(opts.request, { logger: opts.logger });
  const log = opts.logger.child({ component: 'status-queue' });
  let running = true;
  let processed = 0;
  const abort = new AbortController();

  const loop = (async () => {
    let backoff = 1000;
    while (running) {
      try {
        const out = await opts.client.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 20,
          }),
          { abortSignal: abort.signal },
        );
        const done: { Id: string; ReceiptHandle: string }[] = [];
        for (const [i, m] of (out.Messages ?? []).entries()) {
          let body: unknown;
          try {
            body = JSON.parse(m.Body ?? '');
          } catch {
            body = undefined;
          }
          const parsed = parseStatusUpdates(body);
          if (!parsed.ok) {
            log.error('status message rejected; deleted', { messageId: m.MessageId, reason: parsed.reason });
            done.push({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' });
            continue;
          }
          const results = await applier.apply(parsed.updates);
          // Missing objects and stale updates are final; API failures are retried by redelivery.
          if (results.every((r) => r.outcome !== 'failed'))
            done.push({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' });
          processed++;
        }
        if (done.length) {
          await opts.client.send(new DeleteMessageBatchCommand({ QueueUrl: opts.queueUrl, Entries: done }));
        }
        backoff = 1000;
        // An empty answer normally took the long-poll wait; never spin without yielding.
        if (!out.Messages?.length) await new Promise((r) => setTimeout(r, opts.waitTimeSeconds === 0 ? 10 : 0));
      } catch (err) {
        if (!running) break;
        log.warn('status queue receive failed; retrying', {
          reason: err instanceof Error ? err.message : String(err),
          delayMs: backoff,
        });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  })();

  return {
    processed: () => processed,
    async stop() {
      running = false;
      abort.abort();
      await loop;
    },
  };
}
