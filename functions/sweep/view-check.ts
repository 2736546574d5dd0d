/**
 * A view you can trust or nothing is deleted (pure). The sweep deletes (orphans, models nobody wants) only from a
 * complete, current list of the cluster: an inventory for every namespace the instance builds from, the
 * cluster-scoped inventory (the forwarder sends it only after every kind was listed completely), recent enough,
 * and a view that is not empty (an empty view is what a wrong or freshly rebuilt cluster looks like; orphans then
 * stay until the cluster shows objects again).
 */
import { missingInventories } from './decide.ts';

/** Inventory key of the cluster-scoped listing. */
export const CLUSTER_INVENTORY = '_cluster';
/** Default age after which the newest cluster listing no longer counts as current. */
export const DEFAULT_MAX_INVENTORY_AGE_MS = 60 * 60 * 1000;

export interface ViewFacts {
  /** Namespaces the instance builds from (owned, or holding contributing objects). */
  namespaces: Iterable<string>;
  /** Stored inventories (namespace `_cluster` for the cluster-scoped one). */
  inventories: readonly { namespace: string; observedAt: string }[];
  /** Live objects in the instance's view. */
  liveObjects: number;
  now: number;
  maxInventoryAgeMs?: number;
}

/** Why the view is not complete and current; empty when deleting from it is safe. */
export function partialViewReasons(f: ViewFacts): string[] {
  const reasons: string[] = [];
  const namespaced = f.inventories.filter((i) => i.namespace !== CLUSTER_INVENTORY).map((i) => i.namespace);
  const missing = missingInventories(f.namespaces, namespaced);
  if (missing.length) reasons.push(`no inventory yet for namespace(s) ${missing.join(', ')}`);
  const cluster = f.inventories.find((i) => i.namespace === CLUSTER_INVENTORY);
  if (!cluster) {
    reasons.push('no cluster-scoped inventory yet: the forwarder has not listed the whole cluster');
  } else {
    const age = f.now - Date.parse(cluster.observedAt);
    const max = f.maxInventoryAgeMs ?? DEFAULT_MAX_INVENTORY_AGE_MS;
    if (!(age <= max)) {
      reasons.push(
        `the newest cluster listing is ${Math.round(age / 1000)} s old (limit ${Math.round(max / 1000)} s): is the forwarder running?`,
      );
    }
  }
  if (f.liveObjects === 0) {
    reasons.push(
      'empty view: the cluster shows no objects for this instance, and nothing is deleted from an empty view',
    );
  }
  return reasons;
}
