/**
 * Controller outages: retries with capped exponential back-off for as long as the controller does not answer,
 * without spending the dead-letter budget; changes made during a 5-minute outage land within 30 s of recovery
 * (on the queue's clock, driven by fake timers); transient dead letters are redriven once the controller answers;
 * every dead letter is reported.
 */
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type DeadLetterMessage, FifoQueue } from '../../infra/local/fifo-queue.ts';
import {
  deadLetterCause,
  describeMessage,
  isOutageReason,
  OUTAGE_BACKOFF,
  outageRetryDelayMs,
  retryHints,
  shouldAutoRedrive,
} from '../../shared/instance/outage.ts';

describe('outage decisions', () => {
  it('tells an unreachable or overloaded controller from a refused request (the client’s own messages)', () => {
    expect(isOutageReason('PUT pool cluster--a: HTTP 503: service unavailable')).toBe(true);
    expect(isOutageReason('POST virtualservice x: HTTP 429: too many requests')).toBe(true);
    expect(isOutageReason('GET pool: transport error ECONNREFUSED')).toBe(true);
    expect(isOutageReason('timed out after 60000 ms')).toBe(true);
    expect(isOutageReason('PUT pool cluster--a: HTTP 412: precondition failed')).toBe(false);
    expect(isOutageReason('ownership collision: created by someone-else')).toBe(false);
    expect(isOutageReason(undefined)).toBe(false);
  });

  it('backs off exponentially from 1 s to a 20 s cap (a change lands ≤ 20 s after the controller is back)', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => outageRetryDelayMs(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 20000, 20000,
    ]);
    expect(OUTAGE_BACKOFF.maxMs).toBeLessThanOrEqual(30_000);
  });

  it('marks every failed message of a batch as an outage when one failure was', () => {
    expect(retryHints(['m1', 'm2'], ['HTTP 412: stale', 'PUT pool p: HTTP 502: bad gateway'])).toEqual([
      { itemIdentifier: 'm1', outage: true, reason: 'PUT pool p: HTTP 502: bad gateway' },
      { itemIdentifier: 'm2', outage: true, reason: 'PUT pool p: HTTP 502: bad gateway' },
    ]);
    expect(retryHints(['m1'], ['HTTP 412: stale'])[0]).toMatchObject({ outage: false, reason: 'HTTP 412: stale' });
  });

  it('redrives transient dead letters a bounded number of times, never permanent ones', () => {
    expect(deadLetterCause('reported as a batch item failure')).toBe('transient');
    expect(deadLetterCause('HTTP 503: down')).toBe('transient');
    expect(deadLetterCause('body: not JSON (Unexpected token)')).toBe('permanent');
    expect(shouldAutoRedrive({ lastError: 'HTTP 503: down', redriveCount: 0 })).toBe(true);
    expect(shouldAutoRedrive({ lastError: 'HTTP 503: down', redriveCount: 3 })).toBe(false);
    expect(shouldAutoRedrive({ lastError: 'invalid message', redriveCount: 0 })).toBe(false);
  });

  it('names the object of a queued message for the dead-letter log', () => {
    const body = JSON.stringify({ type: 'object', change: { kind: 'Ingress', namespace: 'shop', name: 'web' } });
    expect(describeMessage(body)).toEqual({ type: 'object', object: 'Ingress/shop/web', namespace: 'shop' });
    expect(describeMessage('not json')).toEqual({});
  });
});

describe('FifoQueue during a controller outage (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A consumer whose controller is down until `recoverAt` (queue clock); records when each body succeeded. */
  function consumerWithOutage(recoverAt: () => number, landed: Map<string, number>) {
    return async (e: SQSEvent) => {
      if (Date.now() < recoverAt()) {
        const ids = e.Records.map((r) => r.messageId);
        return {
          batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })),
          retryHints: retryHints(ids, ['PUT pool cluster--web: HTTP 503: controller is restarting']),
        };
      }
      for (const r of e.Records) landed.set(r.body, Date.now());
      return { batchItemFailures: [] };
    };
  }

  it('a change made during a 5-minute outage is not dead-lettered and lands within 30 s of recovery', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const start = Date.now();
    const outageMs = 5 * 60_000;
    const deadLetters: DeadLetterMessage[] = [];
    const q = new FifoQueue('sync.fifo', {
      maxReceiveCount: 5,
      visibilityTimeoutMs: 120_000,
      onDeadLetter: (d) => deadLetters.push(d),
    });
    const landed = new Map<string, number>();
    q.attach(consumerWithOutage(() => start + outageMs, landed));
    // The change is made 10 s into the outage.
    await vi.advanceTimersByTimeAsync(10_000);
    q.send('ingress web: new backend', { groupId: 'shop', dedupId: '1' });
    await vi.advanceTimersByTimeAsync(outageMs + 60_000);
    expect(deadLetters).toEqual([]);
    expect(q.listDeadLetters()).toEqual([]);
    // Many more receives than the receive limit, none of them counted against it.
    expect(q.stats.outageRetries).toBeGreaterThan(5);
    const at = landed.get('ingress web: new backend');
    expect(at).toBeDefined();
    expect(at! - (start + outageMs)).toBeLessThanOrEqual(30_000);
    expect(at!).toBeGreaterThanOrEqual(start + outageMs);
  });

  it('failures that are not outages still dead-letter after the receive limit, reported and then redriven once a batch succeeds', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const deadLetters: DeadLetterMessage[] = [];
    const q = new FifoQueue('sync.fifo', {
      maxReceiveCount: 3,
      backoffMs: () => 100,
      onDeadLetter: (d) => deadLetters.push(d),
      autoRedrive: shouldAutoRedrive,
    });
    let failing = true;
    const landed: string[] = [];
    q.attach(async (e) => {
      const ids = e.Records.filter((r) => failing && r.body.startsWith('a')).map((r) => r.messageId);
      for (const r of e.Records) if (!ids.includes(r.messageId)) landed.push(r.body);
      return {
        batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })),
        retryHints: retryHints(ids, ['PUT pool p: HTTP 412: precondition failed']),
      };
    });
    q.send('a: change', { groupId: 'shop', dedupId: '1' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(deadLetters.map((d) => [d.body, d.receiveCount, d.lastError])).toEqual([
      ['a: change', 3, 'PUT pool p: HTTP 412: precondition failed'],
    ]);
    expect(landed).toEqual([]);
    // The controller answers again: the next successful batch brings the transient dead letter back.
    failing = false;
    q.send('b: another change', { groupId: 'other', dedupId: '2' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(landed).toEqual(['b: another change', 'a: change']);
    expect(q.listDeadLetters()).toEqual([]);
    expect(q.stats.redriven).toBe(1);
  });
});
