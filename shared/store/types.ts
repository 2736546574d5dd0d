import type { AppliedModel } from '../avi/types.ts';
import type { KubeObject, ObjectKey } from '../model/types.ts';

export interface StoredObject {
  key: ObjectKey;
  uid: string;
  resourceVersion: string;
  /** Tombstone: the object was deleted; a late upsert of the same uid is ignored. */
  deleted: boolean;
  object?: KubeObject;
  /** Uids this key held before (deleted or replaced by a re-created object); events for them are stale. Bounded. */
  retiredUids?: string[];
  /** Stream sequence of the event that produced this state (see shared/store/ordering.ts), when it had one. */
  sequence?: string;
}

/** Where an object event sits in the forwarder's stream (absent for events that have no position, e.g. a relist's delete). */
export interface EventPosition {
  sequence?: string;
}

export type PutOutcome = 'applied' | 'stale' | 'duplicate';

/**
 * Ownership of one namespace by this instance:
 * - `owned`: adopted; its objects are synced to Avi.
 * - `held`: kept but not changed on Avi (ownership conflict, or waiting for the previous owner's release).
 * - `released`: handed over; this instance's Avi objects for it were removed.
 */
export type NamespaceState = 'owned' | 'held' | 'released';

export interface NamespaceOwnership {
  namespace: string;
  state: NamespaceState;
  /** ISO time of the last state change. */
  since: string;
  reason?: string;
}

/** One object as listed by the forwarder's periodic inventory. */
export interface InventoryEntry {
  kind: string;
  name: string;
  uid?: string;
  resourceVersion: string;
}

/** The latest full listing of one namespace (`_cluster` for cluster-scoped kinds), used by the sweep. */
export interface NamespaceInventory {
  namespace: string;
  cluster?: string;
  /** ISO time the listing was taken; an older inventory never replaces a newer one. */
  observedAt: string;
  entries: InventoryEntry[];
  /** The forwarder's stream position when the listing was taken (orders it against object events). */
  sequence?: string;
}

/** A permanent failure (invalid object, ownership collision, ...) kept for status and the sweep until cleared. */
export interface FailureRecord {
  /** Stable id; a new record with the same id replaces the old one. Default: `failureId(record)`. */
  id?: string;
  objectKey?: ObjectKey;
  model?: string;
  reason: string;
  /** ISO time. */
  at: string;
  detail?: Record<string, unknown>;
}

/** Store requests issued so far (for benchmarks and status): one unit per backend request. */
export interface StoreOpCounters {
  reads: number;
  writes: number;
  /** Conditional writes rejected because another writer got there first (each is retried). */
  conflicts: number;
}

/**
 * The state of one logical instance: the Kubernetes objects it owns and what it last applied to Avi.
 * Every adapter implements ordering and idempotency identically (see the contract tests).
 */
export interface InstanceStore {
  readonly instanceId: string;
  /** Upsert an object; events earlier in the stream and upserts of a tombstoned uid are ignored (ordering.ts). */
  upsertObject(obj: KubeObject, position?: EventPosition): Promise<PutOutcome>;
  /** Delete leaves a tombstone. */
  deleteObject(key: ObjectKey, uid: string, resourceVersion: string, position?: EventPosition): Promise<PutOutcome>;
  getObject(key: ObjectKey): Promise<StoredObject | undefined>;
  /** Live (non-tombstoned) objects, optionally of one namespace. */
  listObjects(namespace?: string): Promise<KubeObject[]>;
  getApplied(modelName: string): Promise<AppliedModel | undefined>;
  putApplied(model: AppliedModel): Promise<void>;
  deleteApplied(modelName: string): Promise<void>;
  listApplied(): Promise<AppliedModel[]>;
  /** Namespaces this instance currently owns (adopted, not released). */
  getOwnedNamespaces(): Promise<string[]>;
  setNamespaceOwned(namespace: string, owned: boolean): Promise<void>;

  // --- additions (see shared/store/README.md) ---
  /** Ownership state of a namespace; undefined when never seen. */
  getNamespaceState(namespace: string): Promise<NamespaceOwnership | undefined>;
  setNamespaceState(namespace: string, state: NamespaceState, reason?: string): Promise<void>;
  listNamespaceStates(): Promise<NamespaceOwnership[]>;
  /**
   * Remove every stored object (live and tombstoned) of a namespace, e.g. after its release.
   * Returns how many records were removed.
   */
  purgeNamespaceObjects(namespace: string): Promise<number>;
  /** Record the latest inventory of a namespace; an older one (by observedAt) is 'stale', the same time 'duplicate'. */
  putInventory(inventory: NamespaceInventory): Promise<PutOutcome>;
  getInventory(namespace: string): Promise<NamespaceInventory | undefined>;
  listInventories(): Promise<NamespaceInventory[]>;
  recordFailure(failure: FailureRecord): Promise<void>;
  listFailures(): Promise<FailureRecord[]>;
  clearFailure(id: string): Promise<void>;
  /** Backend requests issued by this store so far. */
  readonly ops: Readonly<StoreOpCounters>;
}

/** Default id of a failure record: one record per (model, object). */
export function failureId(f: Pick<FailureRecord, 'model' | 'objectKey'>): string {
  return `${f.model ?? '-'}|${f.objectKey ?? '-'}`;
}
