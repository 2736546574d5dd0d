// SQS senders for the Lambda entries: FIFO messages with an explicit group and deduplication id (content-based
// deduplication is off on every queue), batched by ten, with failed entries retried.
import { createHash } from 'node:crypto';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** SQS accepts messages up to 1 MiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** MessageGroupId and MessageDeduplicationId are at most 128 characters. */
export const MAX_ID_LENGTH = 128;

export interface FifoMessage {
  body: string;
  groupId: string;
  dedupId: string;
}

export class QueueSendError extends Error {
  override name = 'QueueSendError';
}

/** Ids longer than SQS allows are replaced by a hash (stable, so deduplication still works). */
export function fitId(id: string): string {
  if (id.length > 0 && id.length <= MAX_ID_LENGTH && /^[\x21-\x7e]+$/.test(id)) return id;
  return createHash('sha256').update(id).digest('hex');
}

function checkSize(queueUrl: string, body: string): void {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new QueueSendError(`message for ${queueUrl} is ${bytes} bytes; SQS accepts at most ${MAX_MESSAGE_BYTES}`);
  }
}

export interface SqsSenderOptions {
  client: SQSClient;
  /** Attempts per batch entry before giving up (the caller's retry then takes over). Default 3. */
  maxAttempts?: number;
}

export interface SqsSender {
  sendFifo(queueUrl: string, message: FifoMessage): Promise<void>;
  /** Sends in batches of ten; throws when entries still fail after retries, naming them. */
  sendFifoBatch(queueUrl: string, messages: FifoMessage[]): Promise<void>;
  /** A standard-queue message (e.g. the router's dead-letter queue). */
  sendStandard(queueUrl: string, body: string): Promise<void>;
}

export function createSqsSender(opts: SqsSenderOptions): SqsSender {
  const { client } = opts;
  const maxAttempts = opts.maxAttempts ?? 3;

  return {
    async sendFifo(queueUrl, m) {
      checkSize(queueUrl, m.body);
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: m.body,
          MessageGroupId: fitId(m.groupId),
          MessageDeduplicationId: fitId(m.dedupId),
        }),
      );
    },

    async sendFifoBatch(queueUrl, messages) {
      for (let start = 0; start < messages.length; start += 10) {
        let pending: SendMessageBatchRequestEntry[] = messages.slice(start, start + 10).map((m, i) => {
          checkSize(queueUrl, m.body);
          return {
            Id: String(start + i),
            MessageBody: m.body,
            MessageGroupId: fitId(m.groupId),
            MessageDeduplicationId: fitId(m.dedupId),
          };
        });
        let failures: string[] = [];
        for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
          const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
          const failed = out.Failed ?? [];
          // Sender faults (bad input) will not succeed on retry; stop at once.
          const senderFault = failed.find((f) => f.SenderFault);
          if (senderFault) {
            throw new QueueSendError(
              `SQS rejected a message for ${queueUrl}: ${senderFault.Code} ${senderFault.Message ?? ''}`.trim(),
            );
          }
          const ids = new Set(failed.map((f) => f.Id));
          failures = failed.map((f) => `${f.Id}: ${f.Code}`);
          pending = pending.filter((e) => ids.has(e.Id));
        }
        if (pending.length > 0) {
          throw new QueueSendError(
            `${pending.length} message(s) to ${queueUrl} failed after ${maxAttempts} attempts (${failures.join(', ')})`,
          );
        }
      }
    },

    async sendStandard(queueUrl, body) {
      checkSize(queueUrl, body);
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
