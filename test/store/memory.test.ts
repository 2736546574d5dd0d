import { createMemoryStore, type InstanceStore } from '../../shared/store/index.ts';
import { describeStoreContract } from './contract.ts';

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
