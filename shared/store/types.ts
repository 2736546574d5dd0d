import type { AppliedModel } from '../avi/types.ts';
import type { KubeObject, ObjectKey } from '../model/types.ts';

export interface StoredObject {
  key: ObjectKey;
  uid: string;
  resourceVersion: string;
  /** Tombstone: the object was deleted; a late upsert of the same uid is ignored. */
  deleted: boolean;
  object?: KubeObject;
}

export type PutOutcome = 'applied' | 'stale' | 'duplicate';

/**
 * The state of one logical instance: the Kubernetes objects it owns and what it last applied to Avi.
 * Every adapter implements ordering and idempotency identically (see the contract tests).
 */
export interface InstanceStore {
  readonly instanceId: string;
  /** Upsert an object; stale resourceVersions (same uid) and upserts of a tombstoned uid are ignored. */
  upsertObject(obj: KubeObject): Promise<PutOutcome>;
  /** Delete leaves a tombstone. */
  deleteObject(key: ObjectKey, uid: string, resourceVersion: string): Promise<PutOutcome>;
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
}
