/** Pure decisions of the primary-only function: when static routes apply, duplicates, deleteConfig safety. */
import type { StaticRoute } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';

/** AKO writes static routes only in ClusterIP mode and only when not disabled (NodePort/NodePortLocal never). */
export function staticRoutesEnabled(instance: InstanceConfig): boolean {
  return !instance.disableStaticRouteSync && instance.l7.serviceType === 'ClusterIP';
}

export interface DuplicateRoute {
  route: StaticRoute;
  /** route_id of the route that already carries the prefix. */
  keptRouteId: string;
}

/** A prefix is written once: later routes with a prefix already taken are reported, not written. */
export function dedupeRoutes(routes: StaticRoute[]): { routes: StaticRoute[]; duplicates: DuplicateRoute[] } {
  const seen = new Map<string, string>();
  const out: StaticRoute[] = [];
  const duplicates: DuplicateRoute[] = [];
  for (const r of routes) {
    const prefix = `${r.prefix.ip_addr.addr}/${r.prefix.mask}`;
    const kept = seen.get(prefix);
    if (kept !== undefined) duplicates.push({ route: r, keptRouteId: kept });
    else {
      seen.set(prefix, r.route_id);
      out.push(r);
    }
  }
  return { routes: out, duplicates };
}

/**
 * deleteConfig on the primary removes the cluster's static routes and SE group label only when no other
 * instance of the cluster still needs them (one still syncing in ClusterIP mode). AKO removes them anyway and
 * breaks the other instances; we report instead.
 */
export function clusterPiecesBlockers(self: InstanceConfig, clusterInstances: InstanceConfig[]): InstanceConfig[] {
  return clusterInstances
    .filter((i) => i.id !== self.id && i.clusterName === self.clusterName)
    .filter((i) => !i.deleteConfig && i.l7.serviceType === 'ClusterIP')
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The VRF whose static routes the primary manages: vrfName, else the VIP network's VRF, else `global`. */
export function vrfNameOf(instance: InstanceConfig, vipNetworkVrf?: string): string {
  return instance.controller.vrfName || vipNetworkVrf || 'global';
}
