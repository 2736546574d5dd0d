/**
 * The forwarder's stream position travels unchanged from the bus event to the instance message (the sync orders
 * one object's events by it), and a malformed one is rejected at the bus, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { route } from '../../functions/router/route.ts';
import { busEvent, formatStreamSequence, parseBusEvent } from '../../shared/events/index.ts';
import { change, index, objectEvent } from './fixtures.ts';

describe('stream sequence through the router', () => {
  it('object changes and inventories keep their sequence', () => {
    const sequence = formatStreamSequence(1_767_225_600_000, 42);
    const c = change({
      kind: 'Ingress',
      namespace: 'rednsmig',
      name: 'foo',
      namespaceLabels: { app: 'migrate' },
      sequence,
    });
    const parsed = parseBusEvent(objectEvent(c));
    if (!parsed.ok) throw new Error(parsed.reason);
    const d = route(parsed.value, index);
    expect(d.deliveries.map((x) => x.message)).toEqual([
      expect.objectContaining({ type: 'object', change: expect.objectContaining({ sequence }) }),
    ]);

    const inv = busEvent('inventory', {
      version: 1,
      cluster: 'demo',
      namespace: 'rednsmig',
      namespaceLabels: { app: 'migrate' },
      generatedAt: '2026-01-01T00:00:00Z',
      objects: [],
      sequence,
    });
    const p2 = parseBusEvent(inv);
    if (!p2.ok) throw new Error(p2.reason);
    expect(route(p2.value, index).deliveries[0]?.message).toMatchObject({ inventory: { sequence } });
  });

  it('a malformed sequence is rejected, naming the field', () => {
    const c = change({ kind: 'Ingress', namespace: 'rednsmig', name: 'foo', sequence: '42' });
    const r = parseBusEvent(objectEvent(c));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/detail\.sequence: sequence must be <13-digit stream>-<12-digit counter>/);
  });
});
