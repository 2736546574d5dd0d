import type { Context, EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createRouterHandler, type DeadLetterRecord, type QueueTarget } from '../../functions/router/handler.ts';
import { busEvent, type InstanceMessage } from '../../shared/events/index.ts';
import { createLogger, silentLogger } from '../../shared/log.ts';
import { change, index, objectEvent } from './fixtures.ts';

interface Sent {
  target: QueueTarget;
  message: InstanceMessage;
  groupId: string;
  dedupId: string;
}

function harness(opts: { failSendFor?: string } = {}) {
  const sent: Sent[] = [];
  const deadLetters: DeadLetterRecord[] = [];
  const logLines: string[] = [];
  const handler = createRouterHandler({
    index,
    send: async (target, message, keys) => {
      if (opts.failSendFor && target.instanceId === opts.failSendFor) throw new Error('SQS throttled');
      sent.push({ target, message, ...keys });
    },
    publishDeadLetter: async (record) => {
      deadLetters.push(record);
    },
    logger:
      opts.failSendFor !== undefined
        ? silentLogger
        : createLogger({}, { write: (l) => logLines.push(l), level: 'debug' }),
  });
  return { handler, sent, deadLetters, logLines };
}

const ctx = {} as Context;
type AnyEvent = EventBridgeEvent<string, unknown>;

const ingressEvent = (id: string) =>
  objectEvent(
    change({ kind: 'Ingress', namespace: 'rednsmig', name: id, namespaceLabels: { app: 'migrate' } }),
    id,
  ) as AnyEvent;

describe('router handler with EventBridge events', () => {
  it('delivers a single event to the owner queue with the FIFO keys', async () => {
    const { handler, sent } = harness();
    const result = await handler(ingressEvent('e1'), ctx);
    expect(result).toEqual({ received: 1, delivered: 1, deadLettered: 0, ignored: 0 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.target).toEqual({ queue: 'sync', cluster: 'demo', instanceId: 'demo/avi-system' });
    expect(sent[0]!.groupId).toBe('rednsmig');
    expect(sent[0]!.dedupId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a bad event, a conflict and an unknown cluster are dead-lettered; the rest of the batch still goes through', async () => {
    const { handler, sent, deadLetters } = harness();
    const invalid = {
      ...ingressEvent('bad'),
      detail: { ...(ingressEvent('bad').detail as object), uid: 42 },
    } as AnyEvent;
    const conflict = objectEvent(
      change({ kind: 'Ingress', namespace: 'both', name: 'c', namespaceLabels: { app: 'migrate', key: 'value2' } }),
      'conflict',
    ) as AnyEvent;
    const ghost = objectEvent(
      change({ kind: 'Service', cluster: 'ghost', namespace: 'x', name: 's' }),
      'ghost',
    ) as AnyEvent;
    const result = await handler([ingressEvent('e1'), invalid, conflict, ghost, ingressEvent('e2')], ctx);
    expect(result).toEqual({ received: 5, delivered: 2, deadLettered: 3, ignored: 0 });
    expect(sent.map((s) => (s.message.type === 'object' ? s.message.change.name : ''))).toEqual(['e1', 'e2']);
    expect(deadLetters.map((d) => [d.eventId, d.reason])).toEqual([
      ['bad', 'invalid-event'],
      ['conflict', 'ownership-conflict'],
      ['ghost', 'unknown-cluster'],
    ]);
    expect(deadLetters[0]!.message).toMatch(/^detail\.uid: /);
    expect(deadLetters[1]).toMatchObject({ namespace: 'both', instances: ['demo/avi-system', 'demo/blue'] });
    expect(deadLetters[2]!.message).toMatch(/ghost/);
  });

  it('a namespace move: hold + release now, adopt after release-confirmed', async () => {
    const { handler, sent } = harness();
    await handler(
      busEvent('namespace-changed', {
        version: 1,
        cluster: 'demo',
        namespace: 'team',
        oldLabels: { app: 'migrate' },
        newLabels: { key: 'value2' },
      }) as AnyEvent,
      ctx,
    );
    expect(sent.map((s) => `${s.message.type}→${s.target.instanceId}`)).toEqual([
      'hold→demo/blue',
      'release→demo/avi-system',
    ]);
    const release = sent[1]!.message;
    expect(release).toMatchObject({ type: 'release', handoffTo: 'demo/blue' });
    // the old owner's sync function confirms after deleting its objects
    await handler(
      busEvent('release-confirmed', {
        version: 1,
        cluster: 'demo',
        namespace: 'team',
        fromInstance: 'demo/avi-system',
        toInstance: release.type === 'release' ? release.handoffTo : undefined,
        handoffId: release.type === 'release' ? release.handoffId : undefined,
      }) as AnyEvent,
      ctx,
    );
    expect(sent.map((s) => `${s.message.type}→${s.target.instanceId}`)).toEqual([
      'hold→demo/blue',
      'release→demo/avi-system',
      'adopt→demo/blue',
    ]);
    // the adopt carries the hand-off id the hold announced
    const hold = sent[0]!.message;
    const adopt = sent[2]!.message;
    expect(hold.type === 'hold' && adopt.type === 'adopt' && adopt.handoffId === hold.handoffId).toBe(true);
  });

  it('redelivery of the same event yields the same dedup ids (the FIFO queue drops the copies)', async () => {
    const { handler, sent } = harness();
    const ev = ingressEvent('again');
    await handler(ev, ctx);
    await handler(ev, ctx);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.dedupId).toBe(sent[1]!.dedupId);
  });

  it('dead-letter records and logs never carry key material in clear', async () => {
    const { handler, deadLetters, logLines } = harness();
    const leaked = objectEvent(
      change({
        kind: 'Secret',
        namespace: 'rednsmig',
        name: 'tls',
        namespaceLabels: { app: 'migrate' },
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'tls' },
          data: { 'tls.key': 'PRIVATE-KEY-BYTES' },
        },
      }),
      'leak',
    ) as AnyEvent;
    await handler(leaked, ctx);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.message).toMatch(/encryptedSecret/);
    expect(JSON.stringify(deadLetters)).not.toContain('PRIVATE-KEY-BYTES');
    expect(logLines.join('\n')).not.toContain('PRIVATE-KEY-BYTES');
  });

  it('a failing queue send is retried by the caller: every other delivery is still attempted, then it throws', async () => {
    const { handler, sent } = harness({ failSendFor: 'demo/blue' });
    const toBlue = objectEvent(
      change({ kind: 'Service', namespace: 'team', name: 's', namespaceLabels: { key: 'value2' } }),
    ) as AnyEvent;
    await expect(handler([toBlue, ingressEvent('after')], ctx)).rejects.toThrow(
      /1 queue send\(s\) failed.*SQS throttled/,
    );
    expect(sent.map((s) => s.target.instanceId)).toEqual(['demo/avi-system']);
  });

  it('a failing dead-letter publish does not stop the batch', async () => {
    const sent: string[] = [];
    const handler = createRouterHandler({
      index,
      send: async (t) => {
        sent.push(t.instanceId);
      },
      publishDeadLetter: async () => {
        throw new Error('DLQ down');
      },
      logger: silentLogger,
    });
    const result = await handler(
      [{ 'detail-type': 'object-change', source: 'x' } as unknown as AnyEvent, ingressEvent('ok')],
      ctx,
    );
    expect(result).toMatchObject({ delivered: 1, deadLettered: 0 });
    expect(sent).toEqual(['demo/avi-system']);
  });

  it('status events are accepted and not routed', async () => {
    const { handler, sent, deadLetters } = harness();
    const result = await handler(
      busEvent('sync-status', {
        version: 1,
        cluster: 'demo',
        instance: 'demo/blue',
        operation: 'apply',
        outcome: 'applied',
        at: '2026-01-01T00:00:00Z',
      }) as AnyEvent,
      ctx,
    );
    expect(result.ignored).toBe(1);
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([]);
  });
});
