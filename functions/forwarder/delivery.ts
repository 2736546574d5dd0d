/**
 * Delivery from the coalescing queue to the publisher: batches of at most 10 entries within the byte
 * limit, a short linger so bursts fill batches, a few calls in flight, and per-entry retry with
 * exponential back-off and jitter for throttling/transient failures. Entries that keep failing go back
 * into the queue (unless a newer state of the same key is already waiting), so nothing is dropped;
 * entries the bus rejects as invalid are logged as errors and counted.
 */
import type { Logger } from '../../shared/log.ts';
import { entrySize, isRetryable, type PublishEntry, type Publisher } from './publishers/types.ts';
import type { CoalescingQueue } from './queue.ts';

export const MAX_BATCH_ENTRIES = 10;

export interface Built {
  entry: PublishEntry;
  /** What the entry is about, for logs (never contents). */
  label: string;
}

export interface DeliveryOptions<T> {
  queue: CoalescingQueue<T>;
  publisher: Publisher;
  logger: Logger;
  /** Builds the entry of an item at send time (latest state); undefined = nothing to send. */
  build(key: string, item: T): Promise<Built | undefined>;
  maxBatchBytes: number;
  batchWindowMs: number;
  maxInFlight: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Attempts in place before a failing entry goes back into the queue. */
  maxAttempts: number;
}

export interface DeliveryCounters {
  published: number;
  failed: number;
  retried: number;
  requeued: number;
  putEventsCalls: number;
  inFlight: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

export class Delivery<T> {
  readonly counters: DeliveryCounters = {
    published: 0,
    failed: 0,
    retried: 0,
    requeued: 0,
    putEventsCalls: 0,
    inFlight: 0,
  };
  #running = false;
  #flushing = false;
  #waiters: (() => void)[] = [];
  #workers: Promise<void>[] = [];
  #idleWaiters: (() => void)[] = [];

  constructor(private readonly o: DeliveryOptions<T>) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (let i = 0; i < this.o.maxInFlight; i++) this.#workers.push(this.#work());
  }

  /** Call after enqueuing. */
  notify(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  get busy(): boolean {
    return this.o.queue.size > 0 || this.counters.inFlight > 0;
  }

  /** Resolves when the queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.#idleWaiters.push(r));
  }

  /** Sends everything still queued (no linger), then stops the workers. */
  async flush(timeoutMs: number): Promise<boolean> {
    this.#flushing = true;
    this.notify();
    const done = await Promise.race([this.idle().then(() => true), sleep(timeoutMs).then(() => false)]);
    this.#running = false;
    this.notify();
    await Promise.race([Promise.all(this.#workers), sleep(Math.min(timeoutMs, 1000))]);
    return done;
  }

  #checkIdle(): void {
    if (this.busy) return;
    const ws = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of ws) w();
  }

  async #work(): Promise<void> {
    while (this.#running) {
      const q = this.o.queue;
      if (q.size === 0) {
        this.#checkIdle();
        await new Promise<void>((r) => this.#waiters.push(r));
        continue;
      }
      // Linger briefly so a burst fills whole batches.
      if (q.size < MAX_BATCH_ENTRIES && !this.#flushing && this.o.batchWindowMs > 0) {
        await sleep(this.o.batchWindowMs);
      }
      const items = q.take(MAX_BATCH_ENTRIES);
      if (!items.length) continue;
      this.counters.inFlight += items.length;
      try {
        const built: { key: string; item: T; b: Built }[] = [];
        for (const [key, item] of items) {
          try {
            const b = await this.o.build(key, item);
            if (b) built.push({ key, item, b });
          } catch (err) {
            this.counters.failed++;
            this.o.logger.error('cannot build the event for an object; it is not published', {
              object: key,
              reason: err instanceof Error ? err.message : String(err),
              outcome: 'failed',
            });
          }
        }
        for (const group of this.#splitBySize(built)) await this.#send(group);
      } finally {
        this.counters.inFlight -= items.length;
        this.#checkIdle();
      }
    }
  }

  #splitBySize<X extends { b: Built }>(built: X[]): X[][] {
    const out: X[][] = [];
    let cur: X[] = [];
    let bytes = 0;
    for (const x of built) {
      const size = entrySize(x.b.entry);
      if (cur.length && bytes + size > this.o.maxBatchBytes) {
        out.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(x);
      bytes += size;
    }
    if (cur.length) out.push(cur);
    return out;
  }

  async #send(group: { key: string; item: T; b: Built }[]): Promise<void> {
    let pending = group;
    let delay = this.o.retryInitialMs;
    for (let attempt = 1; pending.length; attempt++) {
      this.counters.putEventsCalls++;
      let failed: { index: number; code: string; message: string }[];
      try {
        failed = (await this.o.publisher.putEvents(pending.map((p) => p.b.entry))).failed;
      } catch (err) {
        // A call that fails as a whole (network, credentials, throttling) is retried: nothing may be lost.
        const name = (err as { name?: string })?.name ?? 'Error';
        const message = `${name}: ${err instanceof Error ? err.message : String(err)}`;
        failed = pending.map((_, index) => ({ index, code: isRetryable(name) ? name : 'NetworkError', message }));
      }
      const failedIdx = new Set(failed.map((f) => f.index));
      this.counters.published += pending.length - failedIdx.size;
      const retry: typeof pending = [];
      for (const f of failed) {
        const p = pending[f.index];
        if (!p) continue;
        if (isRetryable(f.code)) retry.push(p);
        else {
          this.counters.failed++;
          this.o.logger.error('the bus rejected an event; it is not retried', {
            object: p.b.label,
            code: f.code,
            reason: f.message,
            outcome: 'failed',
          });
        }
      }
      if (!retry.length) return;
      if (attempt >= this.o.maxAttempts) {
        // Back into the queue: a newer state of the same key, if waiting, supersedes this one.
        for (const p of retry) {
          if (!this.o.queue.has(p.key)) this.o.queue.put(p.key, p.item);
          this.counters.requeued++;
        }
        this.o.logger.warn('events still failing after retries; requeued', {
          count: retry.length,
          codes: [...new Set(failed.map((f) => f.code))],
          reason: failed[0]?.message,
          outcome: 'requeued',
        });
        await sleep(this.o.retryMaxMs);
        return;
      }
      this.counters.retried += retry.length;
      await sleep(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(this.o.retryMaxMs, delay * 2);
      pending = retry;
    }
  }
}
