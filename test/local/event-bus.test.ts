import { describe, expect, it } from 'vitest';
import { type BusEvent, EventBus, matchesPattern } from '../../infra/local/event-bus.ts';

describe('EventBus (EventBridge semantics)', () => {
  const event = {
    source: 'ako-serverless.forwarder',
    'detail-type': 'object-change',
    detail: { cluster: 'demo', kind: 'Ingress' },
  };

  it('matches source, detail-type and nested detail fields like EventBridge patterns', () => {
    expect(matchesPattern(event, { source: ['ako-serverless.forwarder'] })).toBe(true);
    expect(matchesPattern(event, { source: ['other'] })).toBe(false);
    expect(matchesPattern(event, { detail: { kind: ['Ingress', 'Service'] } })).toBe(true);
    expect(matchesPattern(event, { detail: { cluster: [{ prefix: 'de' }] } })).toBe(true);
    expect(matchesPattern(event, { detail: { kind: [{ 'anything-but': 'Ingress' }] } })).toBe(false);
    expect(matchesPattern(event, { detail: { namespace: [{ exists: false }] } })).toBe(true);
    expect(matchesPattern(event, { detail: { namespace: [{ exists: true }] } })).toBe(false);
  });

  it('rejects more than 10 entries per call and reports malformed entries individually', async () => {
    const bus = new EventBus('b');
    const entry = { Source: 's', DetailType: 't', Detail: '{}' };
    await expect(bus.putEvents(Array.from({ length: 11 }, () => entry))).rejects.toThrow(/at most 10/);
    const res = await bus.putEvents([entry, { ...entry, Detail: '{nope' }]);
    expect(res.FailedEntryCount).toBe(1);
    expect(res.Entries[1]?.ErrorCode).toBe('MalformedDetail');
  });

  it('delivers matching events to targets, retries failures, then dead-letters', async () => {
    const bus = new EventBus('b', { retryDelayMs: () => 1 });
    const got: BusEvent[] = [];
    let failures = 0;
    bus.addRule({ name: 'ok', pattern: { source: ['s'] }, target: async (e) => void got.push(e) });
    bus.addRule({
      name: 'broken',
      pattern: { source: ['s'] },
      maxAttempts: 3,
      target: async () => {
        failures++;
        throw new Error('boom');
      },
    });
    await bus.putEvents([{ Source: 's', DetailType: 'object-change', Detail: '{"a":1}' }]);
    await bus.idle();
    expect(got).toHaveLength(1);
    expect(got[0]?.detail).toEqual({ a: 1 });
    expect(got[0]?.['detail-type']).toBe('object-change');
    expect(failures).toBe(3);
    expect(bus.listDeadLetters()).toMatchObject([{ rule: 'broken', error: 'boom' }]);
  });
});
