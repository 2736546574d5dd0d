/**
 * In-process SQS FIFO queue with the semantics the sync functions depend on: message groups delivered
 * in order with at most one batch in flight per group, a 5-minute deduplication window, visibility
 * timeout with receipt handles, redelivery with back-off, a receive limit and a dead-letter queue
 * that can be listed and redriven. Consumers get the same SQSEvent shape Lambda delivers and may
 * answer with partial batch failures.
 *
 * Outages (shared/instance/outage.ts): a failure the consumer marks as an outage (controller unreachable, 5xx,
 * 429) is retried with capped exponential back-off and does not count towards the receive limit; dead letters
 * are reported through `onDeadLetter`, and those the `autoRedrive` rule accepts go back to the queue as soon as a
 * batch succeeds again (the controller answers).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { outageRetryDelayMs, type RetryHint } from '../../shared/instance/outage.ts';

export interface FifoQueueOptions {
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  dedupWindowMs?: number;
  batchSize?: number;
  /** Batches processed at once (each from different message groups). */
  concurrency?: number;
  backoffMs?: (receiveCount: number) => number;
  /** Delay before outage retry n (1-based); these retries do not count towards maxReceiveCount. */
  outageBackoffMs?: (retry: number) => number;
  /** Called for every message moved to the dead-letter queue. */
  onDeadLetter?: (message: DeadLetterMessage) => void;
  /** A message was processed and deleted, `ms` after it was sent (metrics). */
  onDeleted?: (ms: number) => void;
  /** Dead letters this accepts are redriven after the next batch that fully succeeds. */
  autoRedrive?: (message: DeadLetterMessage) => boolean;
  now?: () => number;
}

interface StoredMessage {
  messageId: string;
  body: string;
  groupId: string;
  dedupId: string;
  sequence: number;
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  /** Receives that ended in an outage failure (not counted towards maxReceiveCount). */
  outageRetries: number;
  redriveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  lastError?: string;
}

export interface DeadLetterMessage {
  messageId: string;
  groupId: string;
  body: string;
  receiveCount: number;
  lastError?: string;
  /** How many times it was redriven already. */
  redriveCount: number;
}

/** A Lambda-style consumer; returning nothing (void) means every message succeeded. */
export type QueueConsumer = (
  event: SQSEvent,
  // biome-ignore lint/suspicious/noConfusingVoidType: consumers written as `async (e) => {...}` return void
) => Promise<(SQSBatchResponse & { retryHints?: RetryHint[] }) | undefined | void>;

export class FifoQueue {
  readonly name: string;
  readonly arn: string;
  private readonly opts: Required<Omit<FifoQueueOptions, 'onDeadLetter' | 'autoRedrive' | 'onDeleted'>> &
    Pick<FifoQueueOptions, 'onDeadLetter' | 'autoRedrive' | 'onDeleted'>;
  /** Messages per group, in send order. */
  private readonly groups = new Map<string, StoredMessage[]>();
  private readonly inFlightGroups = new Set<string>();
  private readonly dedup = new Map<string, number>();
  private readonly dead: StoredMessage[] = [];
  private sequence = 0;
  private consumer: QueueConsumer | undefined;
  private activeBatches = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  readonly stats = {
    sent: 0,
    duplicates: 0,
    received: 0,
    deleted: 0,
    retried: 0,
    deadLettered: 0,
    outageRetries: 0,
    redriven: 0,
  };

  constructor(name: string, opts: FifoQueueOptions = {}) {
    this.name = name;
    this.arn = `arn:aws:sqs:local:000000000000:${name}`;
    this.opts = {
      visibilityTimeoutMs: opts.visibilityTimeoutMs ?? 30_000,
      maxReceiveCount: opts.maxReceiveCount ?? 5,
      dedupWindowMs: opts.dedupWindowMs ?? 5 * 60_000,
      batchSize: opts.batchSize ?? 10,
      concurrency: opts.concurrency ?? 1,
      backoffMs: opts.backoffMs ?? ((n) => Math.min(5_000, 100 * 2 ** (n - 1))),
      outageBackoffMs: opts.outageBackoffMs ?? ((n) => outageRetryDelayMs(n)),
      ...(opts.onDeadLetter ? { onDeadLetter: opts.onDeadLetter } : {}),
      ...(opts.autoRedrive ? { autoRedrive: opts.autoRedrive } : {}),
      ...(opts.onDeleted ? { onDeleted: opts.onDeleted } : {}),
      now: opts.now ?? Date.now,
    };
  }

  send(body: string, opts: { groupId: string; dedupId?: string }): { messageId: string; duplicate: boolean } {
    const now = this.opts.now();
    const dedupId = opts.dedupId ?? createHash('sha256').update(body).digest('hex');
    this.expireDedup(now);
    const seen = this.dedup.get(dedupId);
    if (seen !== undefined) {
      this.stats.duplicates++;
      return { messageId: '', duplicate: true };
    }
    this.dedup.set(dedupId, now);
    const msg: StoredMessage = {
      messageId: randomUUID(),
      body,
      groupId: opts.groupId,
      dedupId,
      sequence: ++this.sequence,
      sentAt: now,
      receiveCount: 0,
      outageRetries: 0,
      redriveCount: 0,
      visibleAt: now,
    };
    const group = this.groups.get(opts.groupId) ?? [];
    group.push(msg);
    this.groups.set(opts.groupId, group);
    this.stats.sent++;
    this.schedule(0);
    return { messageId: msg.messageId, duplicate: false };
  }

  /** Starts delivering batches to the consumer. */
  attach(consumer: QueueConsumer): void {
    this.consumer = consumer;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get depth(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.length;
    return n;
  }

  get inFlight(): number {
    return this.activeBatches;
  }

  listDeadLetters(): DeadLetterMessage[] {
    return this.dead.map(deadLetterOf);
  }

  /** Moves every dead letter back to the queue (receive count reset), like SQS's redrive. */
  redrive(): number {
    return this.redriveWhere(() => true);
  }

  /** Moves the dead letters `accept` selects back to the queue, in their original order within each group. */
  redriveWhere(accept: (message: DeadLetterMessage) => boolean): number {
    const moved: StoredMessage[] = [];
    for (let i = this.dead.length - 1; i >= 0; i--) {
      const m = this.dead[i]!;
      if (accept(deadLetterOf(m))) moved.unshift(...this.dead.splice(i, 1));
    }
    this.stats.redriven += moved.length;
    for (const m of moved) {
      m.receiveCount = 0;
      m.outageRetries = 0;
      m.redriveCount++;
      m.visibleAt = this.opts.now();
      m.receiptHandle = undefined;
      const group = this.groups.get(m.groupId) ?? [];
      group.push(m);
      group.sort((a, b) => a.sequence - b.sequence);
      this.groups.set(m.groupId, group);
    }
    this.schedule(0);
    return moved.length;
  }

  /** Resolves once the queue is empty and no batch is in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  isIdle(): boolean {
    return this.depth === 0 && this.activeBatches === 0;
  }

  private expireDedup(now: number): void {
    for (const [id, at] of this.dedup) {
      if (now - at < this.opts.dedupWindowMs) break; // insertion order = time order
      this.dedup.delete(id);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped || !this.consumer) return;
    if (this.timer) {
      if (delayMs > 0) return; // an earlier wake-up is already due
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delayMs);
  }

  /** Picks the next batch: heads of groups without a batch in flight, in group order. */
  private receive(now: number): StoredMessage[] {
    const batch: StoredMessage[] = [];
    for (const [groupId, messages] of this.groups) {
      if (batch.length >= this.opts.batchSize) break;
      if (this.inFlightGroups.has(groupId)) continue;
      for (const m of messages) {
        if (batch.length >= this.opts.batchSize) break;
        // Visibility: a message waiting for redelivery blocks the rest of its group.
        if (m.visibleAt > now) break;
        batch.push(m);
      }
    }
    return batch;
  }

  private nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const [groupId, messages] of this.groups) {
      if (this.inFlightGroups.has(groupId) || messages.length === 0) continue;
      const head = messages[0]!;
      next = next === undefined ? head.visibleAt : Math.min(next, head.visibleAt);
    }
    return next;
  }

  private pump(): void {
    if (this.stopped || !this.consumer) return;
    const now = this.opts.now();
    while (this.activeBatches < this.opts.concurrency) {
      const batch = this.receive(now);
      if (batch.length === 0) break;
      void this.process(batch);
    }
    const next = this.nextVisibleAt();
    if (next !== undefined && this.activeBatches < this.opts.concurrency) this.schedule(Math.max(1, next - now));
    this.notifyIdle();
  }

  private toRecord(m: StoredMessage): SQSRecord {
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle ?? '',
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        MessageGroupId: m.groupId,
        MessageDeduplicationId: m.dedupId,
        SequenceNumber: String(m.sequence).padStart(20, '0'),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: 'local',
    };
  }

  private async process(batch: StoredMessage[]): Promise<void> {
    const now = this.opts.now();
    this.activeBatches++;
    const groups = new Set(batch.map((m) => m.groupId));
    for (const g of groups) this.inFlightGroups.add(g);
    for (const m of batch) {
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.receiptHandle = randomUUID();
      m.visibleAt = now + this.opts.visibilityTimeoutMs;
      this.stats.received++;
    }
    const handles = new Map(batch.map((m) => [m.messageId, m.receiptHandle]));
    const event: SQSEvent = { Records: batch.map((m) => this.toRecord(m)) };
    let failedIds: Set<string>;
    let error: string | undefined;
    let hints = new Map<string, RetryHint>();
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        const t = setTimeout(() => resolve('timeout'), this.opts.visibilityTimeoutMs);
        t.unref();
      });
      const outcome = await Promise.race([this.consumer!(event), timeout]);
      if (outcome === 'timeout') {
        failedIds = new Set(batch.map((m) => m.messageId));
        error = `consumer did not finish within the visibility timeout (${this.opts.visibilityTimeoutMs} ms)`;
      } else {
        failedIds = new Set((outcome?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (failedIds.size > 0) error = 'reported as a batch item failure';
        hints = new Map((outcome?.retryHints ?? []).map((h) => [h.itemIdentifier, h]));
      }
    } catch (err) {
      failedIds = new Set(batch.map((m) => m.messageId));
      error = err instanceof Error ? err.message : String(err);
    }
    // FIFO: once a message of a group fails, the later ones of that group must not be deleted.
    const failedGroups = new Set<string>();
    for (const m of batch) {
      if (failedGroups.has(m.groupId)) failedIds.add(m.messageId);
      else if (failedIds.has(m.messageId)) failedGroups.add(m.groupId);
    }
    const after = this.opts.now();
    for (const m of batch) {
      if (m.receiptHandle !== handles.get(m.messageId)) continue; // redelivered meanwhile: stale receipt
      const group = this.groups.get(m.groupId);
      if (!group) continue;
      if (!failedIds.has(m.messageId)) {
        this.remove(group, m);
        this.stats.deleted++;
        this.opts.onDeleted?.(after - m.sentAt);
        continue;
      }
      const hint = hints.get(m.messageId);
      m.lastError = hint?.reason ?? error;
      if (hint?.outage) {
        // The controller is not answering: wait and retry, without spending the receive budget.
        m.outageRetries++;
        m.visibleAt = after + this.opts.outageBackoffMs(m.outageRetries);
        this.stats.outageRetries++;
        this.stats.retried++;
      } else if (m.receiveCount - m.outageRetries >= this.opts.maxReceiveCount) {
        this.remove(group, m);
        this.dead.push(m);
        this.stats.deadLettered++;
        this.opts.onDeadLetter?.(deadLetterOf(m));
      } else {
        m.visibleAt = after + this.opts.backoffMs(m.receiveCount);
        this.stats.retried++;
      }
    }
    for (const g of groups) this.inFlightGroups.delete(g);
    this.activeBatches--;
    // A batch that fully succeeded: the controller answers again; transient dead letters go back.
    if (failedIds.size === 0 && this.dead.length && this.opts.autoRedrive) this.redriveWhere(this.opts.autoRedrive);
    this.pump();
  }

  private remove(group: StoredMessage[], m: StoredMessage): void {
    const i = group.indexOf(m);
    if (i >= 0) group.splice(i, 1);
    if (group.length === 0) this.groups.delete(m.groupId);
  }

  private notifyIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => {
      w();
    });
  }
}

function deadLetterOf(m: StoredMessage): DeadLetterMessage {
  return {
    messageId: m.messageId,
    groupId: m.groupId,
    body: m.body,
    receiveCount: m.receiveCount,
    redriveCount: m.redriveCount,
    ...(m.lastError !== undefined ? { lastError: m.lastError } : {}),
  };
}
