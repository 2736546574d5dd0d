import type { InstanceConfig, OwnerResolution } from '../registry/types.ts';
import type { ClusterView, KubeObject } from './types.ts';

export interface InstancePartition {
  /** instance id → the view that instance's model reads */
  views: Map<string, ClusterView>;
  /** Namespaces no instance owns (or that two claim), with why. */
  unowned: { namespace: string; reason: string }[];
}

/**
 * Splits a cluster's objects into one view per instance: Namespace objects and namespaced objects of the
 * namespaces it owns, plus the cluster-scoped objects (IngressClass, Node, CNI objects) and the instance's own
 * `router-certs-default` Secret. A namespace owned by nobody or claimed twice goes to no instance, so each
 * namespace's objects reach at most one instance.
 */
export function partitionByInstance(
  instances: readonly InstanceConfig[],
  resolve: (namespace: string, labels: Record<string, string>) => OwnerResolution,
  objects: readonly KubeObject[],
): InstancePartition {
  const views = new Map<string, ClusterView>();
  for (const i of instances) views.set(i.id, { namespaces: [], objects: [] });
  const owner = new Map<string, string | null>();
  const unowned: { namespace: string; reason: string }[] = [];
  for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
    const r = resolve(ns.metadata.name, ns.metadata.labels ?? {});
    if (r.kind === 'owner' && views.has(r.instance.id)) {
      owner.set(ns.metadata.name, r.instance.id);
      views.get(r.instance.id)!.namespaces.push(ns);
    } else {
      owner.set(ns.metadata.name, null);
      const reason =
        r.kind === 'conflict'
          ? `claimed by ${r.instances.map((i) => i.id).join(' and ')}`
          : r.kind === 'none'
            ? r.reason
            : 'unknown instance';
      unowned.push({ namespace: ns.metadata.name, reason });
    }
  }
  for (const o of objects) {
    if (o.kind === 'Namespace') continue;
    const ns = o.metadata.namespace;
    if (!ns) {
      for (const v of views.values()) v.objects.push(o);
      continue;
    }
    const id = owner.get(ns);
    if (id) views.get(id)!.objects.push(o);
    else if (id === undefined && !unowned.some((u) => u.namespace === ns)) {
      unowned.push({ namespace: ns, reason: 'no Namespace object among the inputs (labels unknown)' });
    }
    // The AKO-namespace default certificate belongs to the instance installed there.
    if (o.kind === 'Secret' && o.metadata.name === 'router-certs-default') {
      for (const i of instances) if (i.namespace === ns && owner.get(ns) !== i.id) views.get(i.id)!.objects.push(o);
    }
  }
  return { views, unowned };
}
