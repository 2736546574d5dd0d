import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../../functions/forwarder/queue.ts';
import { sameContent, splitPrivateKeys, trimObject } from '../../functions/forwarder/trim.ts';

describe('coalescing queue (property)', () => {
  it('holds at most one entry per key, delivers the latest payload, in first-enqueue order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer()), { maxLength: 300 }),
        fc.integer({ min: 1, max: 15 }),
        (ops, batch) => {
          const q = new CoalescingQueue<number>();
          const firstSeen: number[] = [];
          const latest = new Map<number, number>();
          for (const [k, v] of ops) {
            q.put(String(k), v);
            if (!latest.has(k)) firstSeen.push(k);
            latest.set(k, v);
            expect(q.size).toBe(latest.size);
          }
          expect(q.coalesced).toBe(ops.length - latest.size);
          const out: [string, number][] = [];
          while (q.size) out.push(...q.take(batch));
          expect(out.map(([k]) => Number(k))).toEqual(firstSeen);
          for (const [k, v] of out) expect(v).toBe(latest.get(Number(k)));
        },
      ),
    );
  });

  it('putLast moves a waiting key behind everything enqueued before it', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 30 }), (keys) => {
        const q = new CoalescingQueue<string>();
        for (const k of keys) q.put(String(k), 'a');
        q.putLast(String(keys[0]), 'b');
        const out = q.take(keys.length);
        expect(out.at(-1)).toEqual([String(keys[0]), 'b']);
        expect(out).toHaveLength(keys.length);
      }),
    );
  });
});

describe('trimming (property)', () => {
  const annotations = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'ako.vmware.com/tenant-name',
        'kubernetes.io/ingress.class',
        'kubectl.kubernetes.io/last-applied-configuration',
      ),
      fc.string({ minLength: 1, maxLength: 12 }),
    ),
    fc.string({ maxLength: 20 }),
  );
  it('keeps identity, drops managedFields/status, keeps only model annotations; private keys split off', () => {
    fc.assert(
      fc.property(annotations, fc.string({ minLength: 1, maxLength: 10 }), (ann, rv) => {
        const raw = {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'x', namespace: 'n', uid: 'u', resourceVersion: rv, annotations: ann, managedFields: [{}] },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': 'Yw==', 'tls.key': 'aw==', other: 'bw==' },
          status: { x: 1 },
        };
        const t = trimObject('Secret', 'v1', raw);
        expect(t.metadata).toMatchObject({ name: 'x', namespace: 'n', uid: 'u', resourceVersion: rv });
        expect((t.metadata as Record<string, unknown>).managedFields).toBeUndefined();
        expect(t.status).toBeUndefined();
        for (const k of Object.keys(t.metadata.annotations ?? {})) {
          expect(k.startsWith('ako.vmware.com/') || k === 'kubernetes.io/ingress.class').toBe(true);
        }
        const { object, privateData } = splitPrivateKeys(t);
        expect(object.data).toEqual({ 'tls.crt': 'Yw==' });
        expect(privateData).toEqual({ 'tls.key': 'aw==' });
        // Only the resourceVersion differs: the same content.
        expect(
          sameContent(
            t,
            trimObject('Secret', 'v1', { ...raw, metadata: { ...raw.metadata, resourceVersion: `${rv}9` } }),
          ),
        ).toBe(true);
      }),
    );
  });
});
