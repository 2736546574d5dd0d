import { describe, expect, it } from 'vitest';
import { createMemoryStore, type InstanceStore } from '../../shared/store/index.ts';
import { describeStoreContract, ingress } from './contract.ts';

const stores = new Map<string, InstanceStore>();

describeStoreContract({
  name: 'memory',
  // Two handles on one in-memory instance are the same object: the embedded runtime shares one store per instance.
  open(instanceId) {
    let s = stores.get(instanceId);
    if (!s) {
      s = createMemoryStore(instanceId);
      stores.set(instanceId, s);
    }
    return s;
  },
  propertyRuns: 300,
  expectedOps: { upsert: { reads: 1, writes: 1 }, duplicate: { reads: 1, writes: 0 } },
});

describe('memory store with frozenReads', () => {
  it('shares deeply frozen objects between reads and still reflects every applied write', async () => {
    const s = createMemoryStore('c/frozen', { frozenReads: true });
    await s.upsertObject(ingress('web', 'ns', 'u1', '1'));
    const [a] = await s.listObjects('ns');
    const b = (await s.getObject('Ingress/ns/web'))?.object;
    expect(a).toBe(b);
    expect(Object.isFrozen(a!.spec.rules[0])).toBe(true);
    expect(() => {
      a!.spec.rules[0].host = 'changed';
    }).toThrow(TypeError);
    await s.upsertObject(ingress('web', 'ns', 'u1', '2', { v: 2 }));
    const [c] = await s.listObjects('ns');
    expect(c).not.toBe(a);
    expect(c?.spec.v).toBe(2);
    expect(a?.spec.v).toBeUndefined();
  });
});
