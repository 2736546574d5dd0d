/**
 * An instance's working set: its stored Kubernetes objects, namespace states and applied models, loaded once per
 * batch and kept in step with every store write (plus the indexes derived from them).
 */
import type { AppliedModel } from '../avi/types.ts';
import type { ClusterView, KubeObject, ObjectKey } from '../model/types.ts';
import type { InstanceStore, NamespaceState } from '../store/types.ts';

/** An object of a model that the last apply could not write (ownership collision, refused by the controller). */
export interface FailedObject {
  type: string;
  name: string;
  /** created_by of whoever holds the name, for a collision. */
  heldBy?: string;
  reason: string;
}

/**
 * An applied model as the sync function records it: the reconciler's record plus the objects it was built from
 * and the objects the last apply could not write (collisions, refusals: their sources get no address).
 */
export type RecordedModel = AppliedModel & { sources?: ObjectKey[]; failed?: FailedObject[] };

/** The instance's state for one batch, loaded once and kept in step with every store write. */
export interface WorkingSet {
  objects: Map<ObjectKey, KubeObject>;
  states: Map<string, NamespaceState>;
  applied: Map<string, RecordedModel>;
  /** object key → models that listed it as a source when applied. */
  sources: Map<ObjectKey, Set<string>>;
  /** Namespace labels seen on this batch's messages (for namespaces without a stored Namespace object). */
  labels: Map<string, Record<string, string>>;
  /** The model's view of this state, kept in step change by change (the model's index follows it). */
  view?: ClusterView;
  /**
   * Reused from the previous batch, which completed without failures: everything stored so far has been
   * reconciled, so a redelivered (duplicate) message needs no rebuild. A freshly loaded set re-evaluates them.
   */
  warm?: boolean;
}

/** `<kind>/<namespace>/<name>` (empty namespace for cluster-scoped objects). */
export function objectKeyOf(kind: string, namespace: string | undefined, name: string): ObjectKey {
  return `${kind}/${namespace ?? ''}/${name}`;
}

export function namespaceOfKey(key: ObjectKey): string {
  const i = key.indexOf('/');
  const j = key.indexOf('/', i + 1);
  return key.slice(i + 1, j);
}

/** Does a namespace in this state contribute objects to the instance's models (held/released ones do not)? */
export function contributes(state: NamespaceState | undefined): boolean {
  return state === undefined || state === 'owned';
}

export function contributing(ws: WorkingSet, namespace: string | undefined): boolean {
  return !namespace || contributes(ws.states.get(namespace));
}

/** Namespaces the instance builds from (objects stored, or owned by state). */
export function contributingNamespaces(ws: WorkingSet): Set<string> {
  const namespaces = new Set<string>();
  for (const o of ws.objects.values()) {
    const ns = o.kind === 'Namespace' ? undefined : o.metadata.namespace;
    if (ns && contributing(ws, ns)) namespaces.add(ns);
  }
  for (const [ns, st] of ws.states) if (st === 'owned') namespaces.add(ns);
  return namespaces;
}

/** Record (or forget, with `m` undefined) an applied model and its source index. */
export function setApplied(ws: WorkingSet, m: RecordedModel | undefined, name?: string): void {
  const key = m?.name ?? name!;
  const old = ws.applied.get(key);
  for (const s of old?.sources ?? []) ws.sources.get(s)?.delete(key);
  if (!m) {
    ws.applied.delete(key);
    return;
  }
  ws.applied.set(key, m);
  for (const s of m.sources ?? []) {
    const set = ws.sources.get(s) ?? new Set<string>();
    set.add(key);
    ws.sources.set(s, set);
  }
}

/** Everything the instance has stored, read once. */
export async function readWorkingSet(store: InstanceStore): Promise<WorkingSet> {
  const [objs, states, applied] = await Promise.all([
    store.listObjects(),
    store.listNamespaceStates(),
    store.listApplied(),
  ]);
  const ws: WorkingSet = {
    objects: new Map(),
    states: new Map(),
    applied: new Map(),
    sources: new Map(),
    labels: new Map(),
  };
  for (const o of objs) ws.objects.set(objectKeyOf(o.kind, o.metadata.namespace || undefined, o.metadata.name), o);
  for (const s of states) ws.states.set(s.namespace, s.state);
  for (const a of applied) setApplied(ws, a as RecordedModel);
  return ws;
}
