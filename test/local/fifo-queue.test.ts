import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FifoQueue } from '../../infra/local/fifo-queue.ts';

const fast = { backoffMs: () => 1, visibilityTimeoutMs: 5_000 };

describe('FifoQueue (SQS FIFO semantics)', () => {
  it('drops a message whose deduplication id was seen within the window', async () => {
    const q = new FifoQueue('q.fifo', fast);
    const got: string[] = [];
    q.attach(async (e) => {
      got.push(...e.Records.map((r) => r.body));
    });
    expect(q.send('a', { groupId: 'g', dedupId: 'x' }).duplicate).toBe(false);
    expect(q.send('a-again', { groupId: 'g', dedupId: 'x' }).duplicate).toBe(true);
    await q.idle();
    expect(got).toEqual(['a']);
  });

  it('delivers Lambda-shaped records with the group and receive count', async () => {
    const q = new FifoQueue('q.fifo', fast);
    const seen: { group?: string; count?: string; source: string }[] = [];
    q.attach(async (e) => {
      for (const r of e.Records)
        seen.push({
          group: r.attributes.MessageGroupId,
          count: r.attributes.ApproximateReceiveCount,
          source: r.eventSource,
        });
    });
    q.send('{}', { groupId: 'blue', dedupId: '1' });
    await q.idle();
    expect(seen).toEqual([{ group: 'blue', count: '1', source: 'aws:sqs' }]);
  });

  it('redelivers a failed message and keeps the rest of its group behind it', async () => {
    const q = new FifoQueue('q.fifo', fast);
    const order: string[] = [];
    let failOnce = true;
    q.attach(async (e) => {
      const failures: { itemIdentifier: string }[] = [];
      for (const r of e.Records) {
        if (r.body === 'b' && failOnce) {
          failOnce = false;
          failures.push({ itemIdentifier: r.messageId });
          continue;
        }
        if (failures.length === 0) order.push(r.body);
      }
      return { batchItemFailures: failures };
    });
    for (const body of ['a', 'b', 'c']) q.send(body, { groupId: 'g', dedupId: body });
    await q.idle();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(q.listDeadLetters()).toEqual([]);
  });

  it('dead-letters after the receive limit and redrives on request', async () => {
    const q = new FifoQueue('q.fifo', { ...fast, maxReceiveCount: 3 });
    let healthy = false;
    const done: string[] = [];
    q.attach(async (e) => {
      if (!healthy) throw new Error('controller unavailable');
      done.push(...e.Records.map((r) => r.body));
    });
    q.send('m', { groupId: 'g', dedupId: 'm' });
    await q.idle();
    const dead = q.listDeadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ body: 'm', receiveCount: 3, lastError: 'controller unavailable' });
    healthy = true;
    expect(q.redrive()).toBe(1);
    await q.idle();
    expect(done).toEqual(['m']);
    expect(q.listDeadLetters()).toEqual([]);
  });

  it('redelivers when the consumer outlives the visibility timeout', async () => {
    const q = new FifoQueue('q.fifo', { backoffMs: () => 1, visibilityTimeoutMs: 20 });
    let calls = 0;
    q.attach(async () => {
      calls++;
      if (calls === 1) await new Promise((r) => setTimeout(r, 100));
    });
    q.send('slow', { groupId: 'g', dedupId: 's' });
    await q.idle();
    expect(calls).toBe(2);
  });

  it('property: per group, successes happen in send order and nothing is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('g1', 'g2', 'g3'), fc.boolean()), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 3 }),
        async (sends, concurrency) => {
          const q = new FifoQueue('p.fifo', { ...fast, maxReceiveCount: 100, concurrency, batchSize: 4 });
          const failedOnce = new Set<string>();
          const processed = new Map<string, number[]>();
          q.attach(async (e) => {
            const failures: { itemIdentifier: string }[] = [];
            const failedGroups = new Set<string>();
            for (const r of e.Records) {
              const [group, seq, flaky] = r.body.split(':') as [string, string, string];
              if (failedGroups.has(group)) continue;
              if (flaky === 'true' && !failedOnce.has(r.body)) {
                failedOnce.add(r.body);
                failures.push({ itemIdentifier: r.messageId });
                failedGroups.add(group);
                continue;
              }
              processed.set(group, [...(processed.get(group) ?? []), Number(seq)]);
            }
            return { batchItemFailures: failures };
          });
          sends.forEach(([group, flaky], i) => {
            q.send(`${group}:${i}:${flaky}`, { groupId: group, dedupId: String(i) });
          });
          await q.idle();
          q.stop();
          for (const [group, seqs] of processed) {
            const expected = sends
              .map((s, i) => [s[0], i] as const)
              .filter(([g]) => g === group)
              .map(([, i]) => i);
            expect(seqs).toEqual(expected);
          }
          const total = [...processed.values()].reduce((n, s) => n + s.length, 0);
          expect(total).toBe(sends.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
