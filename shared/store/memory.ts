import type { AppliedModel } from '../avi/types.ts';
import type { KubeObject, ObjectKey } from '../model/types.ts';
import {
  advancesPosition,
  decideInventoryWrite,
  decideObjectWrite,
  inventoryTime,
  nextVersionState,
  type VersionEvent,
} from './ordering.ts';
import {
  checkDelete,
  checkInventory,
  checkNamespaceState,
  checkSequence,
  describeUpsert,
  namespaceOfKey,
  normalizeFailure,
  ownership,
} from './records.ts';
import type {
  FailureRecord,
  InstanceStore,
  NamespaceInventory,
  NamespaceOwnership,
  NamespaceState,
  PutOutcome,
  StoredObject,
  StoreOpCounters,
} from './types.ts';

export interface MemoryStoreOptions {
  /** Clock for `since` timestamps (tests). */
  now?: () => Date;
  /**
   * Return deeply frozen objects shared between reads instead of a fresh copy per read (default false).
   * Listing thousands of objects then costs no copying; a caller that mutates a result gets a TypeError.
   */
  frozenReads?: boolean;
}

/** Internal record: the object is kept as JSON, which copies it in and out and accepts exactly what DynamoDB does. */
interface MemoryRecord {
  key: ObjectKey;
  uid: string;
  resourceVersion: string;
  deleted: boolean;
  retiredUids: string[];
  sequence?: string;
  json?: string;
  /** Parsed, deeply frozen object, built on first read when frozenReads is on. */
  frozen?: KubeObject;
}

const copyIn = (v: unknown): string => JSON.stringify(v);
// biome-ignore lint/suspicious/noExplicitAny: parse result typed by the caller
const copyOut = (json: string): any => JSON.parse(json);

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * The embedded default: everything in process memory. Each method runs without awaiting between its read and its
 * write, so concurrent callers in one process are serialised exactly like conditional writes would serialise them.
 * Values are copied in and out (as JSON), so callers can never change stored state by mutating what they passed or got.
 */
export function createMemoryStore(instanceId: string, opts: MemoryStoreOptions = {}): InstanceStore {
  const now = opts.now ?? (() => new Date());
  const readObject = opts.frozenReads
    ? (rec: MemoryRecord & { json: string }): KubeObject => {
        rec.frozen ??= deepFreeze(copyOut(rec.json) as KubeObject);
        return rec.frozen;
      }
    : (rec: MemoryRecord & { json: string }): KubeObject => copyOut(rec.json);
  const objects = new Map<ObjectKey, MemoryRecord>();
  /** namespace → keys, so listObjects(namespace) does not walk every object. */
  const byNamespace = new Map<string, Set<ObjectKey>>();
  const applied = new Map<string, string>();
  const namespaces = new Map<string, NamespaceOwnership>();
  const inventories = new Map<string, { at: number; json: string }>();
  const failures = new Map<string, string>();
  const ops: StoreOpCounters = { reads: 0, writes: 0, conflicts: 0 };

  function writeObject(key: ObjectKey, namespace: string, rec: MemoryRecord): void {
    ops.writes++;
    objects.set(key, rec);
    let keys = byNamespace.get(namespace);
    if (!keys) {
      keys = new Set();
      byNamespace.set(namespace, keys);
    }
    keys.add(key);
  }

  function applyEvent(key: ObjectKey, namespace: string, ev: VersionEvent, object: KubeObject | undefined): PutOutcome {
    ops.reads++;
    const stored = objects.get(key);
    const outcome = decideObjectWrite(stored, ev);
    if (outcome === 'duplicate' && stored && advancesPosition(stored, ev)) {
      ops.writes++;
      stored.sequence = ev.sequence;
    }
    if (outcome !== 'applied') return outcome;
    const next = nextVersionState(stored, ev);
    // A tombstone keeps the last known object so the caller can still see what the deleted object touched.
    const json = ev.deleted ? stored?.json : copyIn(object);
    writeObject(key, namespace, { key, ...next, ...(json !== undefined ? { json } : {}) });
    return 'applied';
  }

  const store: InstanceStore = {
    instanceId,
    ops,
    async upsertObject(obj, position) {
      const d = describeUpsert(obj);
      const seq = checkSequence(d.key, position);
      return applyEvent(d.key, d.namespace, { uid: d.uid, resourceVersion: d.rv, deleted: false, ...seq }, obj);
    },
    async deleteObject(key, uid, resourceVersion, position) {
      checkDelete(key, resourceVersion);
      const seq = checkSequence(key, position);
      return applyEvent(
        key,
        namespaceOfKey(key),
        { uid: uid ?? '', resourceVersion, deleted: true, ...seq },
        undefined,
      );
    },
    async getObject(key) {
      ops.reads++;
      const rec = objects.get(key);
      if (!rec) return undefined;
      const out: StoredObject = {
        key: rec.key,
        uid: rec.uid,
        resourceVersion: rec.resourceVersion,
        deleted: rec.deleted,
        retiredUids: [...rec.retiredUids],
        ...(rec.sequence ? { sequence: rec.sequence } : {}),
      };
      if (rec.json !== undefined) out.object = readObject(rec as MemoryRecord & { json: string });
      return out;
    },
    async listObjects(namespace) {
      ops.reads++;
      const keys =
        namespace === undefined ? objects.keys() : (byNamespace.get(namespace) ?? new Set<string>()).values();
      const out: KubeObject[] = [];
      for (const key of keys) {
        const rec = objects.get(key);
        if (rec && !rec.deleted && rec.json !== undefined) out.push(readObject(rec as MemoryRecord & { json: string }));
      }
      return out;
    },
    async getApplied(modelName) {
      ops.reads++;
      const m = applied.get(modelName);
      return m === undefined ? undefined : (copyOut(m) as AppliedModel);
    },
    async putApplied(model) {
      ops.writes++;
      applied.set(model.name, copyIn(model));
    },
    async deleteApplied(modelName) {
      ops.writes++;
      applied.delete(modelName);
    },
    async listApplied() {
      ops.reads++;
      return [...applied.values()].map((m) => copyOut(m) as AppliedModel);
    },
    async getOwnedNamespaces() {
      ops.reads++;
      return [...namespaces.values()].filter((n) => n.state === 'owned').map((n) => n.namespace);
    },
    async setNamespaceOwned(namespace, owned) {
      await store.setNamespaceState(namespace, owned ? 'owned' : 'released');
    },
    async getNamespaceState(namespace) {
      ops.reads++;
      const n = namespaces.get(namespace);
      return n ? { ...n } : undefined;
    },
    async setNamespaceState(namespace: string, state: NamespaceState, reason?: string) {
      checkNamespaceState(namespace, state);
      ops.writes++;
      namespaces.set(namespace, ownership(namespace, state, now().toISOString(), reason));
    },
    async listNamespaceStates() {
      ops.reads++;
      return [...namespaces.values()].map((n) => ({ ...n }));
    },
    async purgeNamespaceObjects(namespace) {
      const keys = byNamespace.get(namespace);
      if (!keys) return 0;
      const count = keys.size;
      for (const key of keys) objects.delete(key);
      byNamespace.delete(namespace);
      ops.writes += count;
      return count;
    },
    async putInventory(inventory) {
      checkInventory(inventory);
      const at = inventoryTime(inventory.observedAt, inventory.namespace);
      ops.reads++;
      const outcome = decideInventoryWrite(inventories.get(inventory.namespace)?.at, at);
      if (outcome !== 'applied') return outcome;
      ops.writes++;
      inventories.set(inventory.namespace, { at, json: copyIn(inventory) });
      return outcome;
    },
    async getInventory(namespace) {
      ops.reads++;
      const rec = inventories.get(namespace);
      return rec ? (copyOut(rec.json) as NamespaceInventory) : undefined;
    },
    async listInventories() {
      ops.reads++;
      return [...inventories.values()].map((r) => copyOut(r.json) as NamespaceInventory);
    },
    async recordFailure(failure) {
      const f = normalizeFailure(failure);
      ops.writes++;
      failures.set(f.id, copyIn(f));
    },
    async listFailures() {
      ops.reads++;
      return [...failures.values()].map((f) => copyOut(f) as FailureRecord);
    },
    async clearFailure(id) {
      ops.writes++;
      failures.delete(id);
    },
  };
  return store;
}
