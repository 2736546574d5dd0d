import type { ClusterView, KubeObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * The view grouped once by kind and namespace, so that building one model only touches the objects of
 * that model (no scan over the whole view per model).
 */
export interface ViewIndex {
  readonly view: ClusterView;
  namespaces: Map<string, KubeObject>;
  /** kind → namespace ('' for cluster-scoped) → name → object */
  byKind: Map<string, Map<string, Map<string, KubeObject>>>;
  /** `<ns>/<service>` → EndpointSlices of that service, by slice name */
  slicesByService: Map<string, Map<string, KubeObject>>;
  /** Per-instance derived indexes (model contributors), keyed by an instance fingerprint. */
  derived: Map<string, unknown>;
  /** Position of each object in `view.objects`, built on the first applyChange. */
  positions?: Map<ObjectKey, number>;
}

const memo = new WeakMap<ClusterView, ViewIndex>();

/** The index of a view, built once per view object and reused by every model call on it. */
export function indexView(view: ClusterView): ViewIndex {
  let idx = memo.get(view);
  if (!idx) {
    idx = buildIndex(view);
    memo.set(view, idx);
  }
  return idx;
}

function buildIndex(view: ClusterView): ViewIndex {
  const idx: ViewIndex = {
    view,
    namespaces: new Map(),
    byKind: new Map(),
    slicesByService: new Map(),
    derived: new Map(),
  };
  for (const ns of view.namespaces) idx.namespaces.set(ns.metadata.name, ns);
  for (const o of view.objects) addObject(idx, o);
  return idx;
}

function sliceServiceKey(o: KubeObject): string | undefined {
  const svc = o.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc ? `${o.metadata.namespace ?? ''}/${svc}` : undefined;
}

function addObject(idx: ViewIndex, o: KubeObject): void {
  const ns = o.metadata.namespace ?? '';
  let kinds = idx.byKind.get(o.kind);
  if (!kinds) {
    kinds = new Map();
    idx.byKind.set(o.kind, kinds);
  }
  let names = kinds.get(ns);
  if (!names) {
    names = new Map();
    kinds.set(ns, names);
  }
  names.set(o.metadata.name, o);
  if (o.kind === 'EndpointSlice') {
    const k = sliceServiceKey(o);
    if (k) {
      let m = idx.slicesByService.get(k);
      if (!m) {
        m = new Map();
        idx.slicesByService.set(k, m);
      }
      m.set(o.metadata.name, o);
    }
  }
}

function removeObject(idx: ViewIndex, o: KubeObject): void {
  const ns = o.metadata.namespace ?? '';
  const prev = idx.byKind.get(o.kind)?.get(ns)?.get(o.metadata.name);
  idx.byKind.get(o.kind)?.get(ns)?.delete(o.metadata.name);
  if (prev?.kind === 'EndpointSlice') {
    const k = sliceServiceKey(prev);
    if (k) idx.slicesByService.get(k)?.delete(prev.metadata.name);
  }
}

export function getObject(idx: ViewIndex, kind: string, namespace: string, name: string): KubeObject | undefined {
  return idx.byKind.get(kind)?.get(namespace)?.get(name);
}

/** Objects of a kind in one namespace ('' = cluster-scoped), sorted by name for determinism. */
export function objectsIn(idx: ViewIndex, kind: string, namespace: string): KubeObject[] {
  const m = idx.byKind.get(kind)?.get(namespace);
  if (!m) return [];
  return [...m.values()].sort((a, b) => cmp(a.metadata.name, b.metadata.name));
}

/** Every object of a kind, sorted by namespace then name. */
export function objectsOfKind(idx: ViewIndex, kind: string): KubeObject[] {
  const kinds = idx.byKind.get(kind);
  if (!kinds) return [];
  const out: KubeObject[] = [];
  for (const ns of [...kinds.keys()].sort(cmp)) out.push(...objectsIn(idx, kind, ns));
  return out;
}

export function slicesOf(idx: ViewIndex, namespace: string, service: string): KubeObject[] {
  const m = idx.slicesByService.get(`${namespace}/${service}`);
  if (!m) return [];
  return [...m.values()].sort((a, b) => cmp(a.metadata.name, b.metadata.name));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ViewChange {
  op: 'upsert' | 'delete';
  object: KubeObject;
}

/** Hook so per-instance derived indexes can follow a change instead of being rebuilt. */
export type DerivedUpdater = (idx: ViewIndex, before: KubeObject | undefined, after: KubeObject | undefined) => void;
const derivedUpdaters: DerivedUpdater[] = [];
export function registerDerivedUpdater(fn: DerivedUpdater): void {
  derivedUpdaters.push(fn);
}

/**
 * A new view with one object added, replaced or removed. The index of the old view (if built) moves to the
 * new view and is updated in place, so an incremental rebuild does not re-index the whole cluster.
 * The old view object is left unchanged (it re-indexes lazily if used again).
 */
export function applyChange(view: ClusterView, change: ViewChange): ClusterView {
  const o = change.object;
  const idx = memo.get(view);
  const after = change.op === 'delete' ? undefined : o;
  let before: KubeObject | undefined;
  let next: ClusterView;
  if (o.kind === 'Namespace') {
    const at = view.namespaces.findIndex((x) => x.metadata.name === o.metadata.name);
    before = at >= 0 ? view.namespaces[at] : undefined;
    const list = view.namespaces.slice();
    if (!after) {
      if (at >= 0) list.splice(at, 1);
    } else if (at >= 0) list[at] = after;
    else list.push(after);
    next = { namespaces: list, objects: view.objects };
  } else {
    const key = objectKey(o);
    // Positions let a change skip the scan; a removal moves the last object into the hole (order is irrelevant).
    let positions = idx?.positions;
    if (idx && !positions) {
      positions = new Map();
      view.objects.forEach((x, i) => {
        positions!.set(objectKey(x), i);
      });
    }
    const at = positions ? (positions.get(key) ?? -1) : view.objects.findIndex((x) => objectKey(x) === key);
    before = at >= 0 ? view.objects[at] : undefined;
    const list = view.objects.slice();
    if (!after) {
      if (at >= 0) {
        const last = list.pop()!;
        if (at < list.length) {
          list[at] = last;
          positions?.set(objectKey(last), at);
        }
        positions?.delete(key);
      }
    } else if (at >= 0) list[at] = after;
    else {
      positions?.set(key, list.length);
      list.push(after);
    }
    next = { namespaces: view.namespaces, objects: list };
    if (idx) idx.positions = positions;
  }

  if (idx) {
    memo.delete(view);
    const moved: ViewIndex = { ...idx, view: next };
    if (o.kind === 'Namespace') {
      if (after) moved.namespaces.set(o.metadata.name, after);
      else moved.namespaces.delete(o.metadata.name);
    } else {
      if (before) removeObject(moved, before);
      if (after) addObject(moved, after);
    }
    for (const fn of derivedUpdaters) fn(moved, before, after);
    memo.set(next, moved);
  }
  return next;
}

export function keyOf(o: KubeObject): ObjectKey {
  return objectKey(o);
}
