import { createHash } from 'node:crypto';
import type { InstanceConfig } from '../registry/types.ts';
import { createContext, skip } from './context.ts';
import { nodeAddress } from './servers.ts';
import type { ClusterView, KubeObject, SkippedObject, StaticRoute, StaticRouteSet } from './types.ts';
import { indexView, objectsOfKind, type ViewIndex } from './view-index.ts';

export const POD_CIDRS_ANNOTATION = 'ako.vmware.com/pod-cidrs';
export const OVN_SUBNETS_ANNOTATION = 'k8s.ovn.org/node-subnets';
const V4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;

/**
 * The per-node part of `route_id`. AKO uses a random UUID per process, so every restart rewrites all routes;
 * ours is a UUID-shaped SHA-1 of (cluster, node), stable across restarts and replicas.
 */
export function routeIdPrefix(clusterName: string, nodeName: string): string {
  const h = createHash('sha1').update(`${clusterName}\u0000${nodeName}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `<cluster>-<per-node id>-<index>`. */
export function routeId(clusterName: string, nodeName: string, index: number): string {
  return `${clusterName}-${routeIdPrefix(clusterName, nodeName)}-${index}`;
}

/** Whether this instance programs static routes at all (primary, ClusterIP, not disabled). */
export function staticRoutesEnabled(instance: InstanceConfig): boolean {
  return instance.primary && !instance.disableStaticRouteSync && instance.l7.serviceType === 'ClusterIP';
}

/** Pod CIDRs of a node by CNI: Calico BlockAffinity, OpenShift HostSubnet, OVN annotation, CiliumNode, else the AKO annotation / spec. */
export function podCidrs(
  instance: InstanceConfig,
  idx: ViewIndex,
  node: KubeObject,
  report: (field: string, reason: string, on?: KubeObject) => void,
): string[] {
  const name = node.metadata.name;
  const ann = node.metadata.annotations ?? {};
  const dedup = (l: string[]) => [...new Set(l.map((s) => s.trim()).filter(Boolean))];
  switch (instance.cniPlugin) {
    case 'calico':
      return dedup(
        objectsOfKind(idx, 'BlockAffinity')
          .filter((b) => b.spec?.node === name && b.spec?.deleted !== 'true' && b.spec?.deleted !== true)
          .map((b) => String(b.spec?.cidr ?? '')),
      );
    case 'openshift':
      return dedup(
        objectsOfKind(idx, 'HostSubnet')
          .filter((h) => h.host === name)
          .map((h) => String(h.subnet ?? '')),
      );
    case 'ovn-kubernetes': {
      const raw = ann[OVN_SUBNETS_ANNOTATION];
      if (!raw) return [];
      try {
        const v = JSON.parse(raw)?.default;
        return dedup(Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
      } catch {
        report(`metadata.annotations["${OVN_SUBNETS_ANNOTATION}"]`, 'not JSON of the form {"default": "<cidr>"}');
        return [];
      }
    }
    case 'cilium': {
      const cn = objectsOfKind(idx, 'CiliumNode').find((c) => c.metadata.name === name);
      const l = cn?.spec?.ipam?.podCIDRs;
      return dedup(Array.isArray(l) ? l.map(String) : []);
    }
    default: {
      const raw = ann[POD_CIDRS_ANNOTATION];
      if (raw !== undefined) {
        const parts = dedup(raw.split(','));
        const bad = parts.filter((p) => !V4_CIDR.test(p));
        if (bad.length > 0) {
          report(`metadata.annotations["${POD_CIDRS_ANNOTATION}"]`, `not IPv4 CIDRs: ${bad.join(', ')}`);
          return [];
        }
        if (parts.length > 0) return parts;
      }
      if (!node.spec?.podCIDR) return [];
      const all = Array.isArray(node.spec.podCIDRs) ? node.spec.podCIDRs : [node.spec.podCIDR];
      return dedup(all.map(String));
    }
  }
}

/** Primary only: one route per node and pod CIDR (next hop = node address), labelled `clustername`. */
export function buildStaticRoutes(instance: InstanceConfig, view: ClusterView): StaticRouteSet {
  if (!staticRoutesEnabled(instance)) return { routes: [], skipped: [] };
  const idx = indexView(view);
  const ctx = createContext(instance, idx);
  const routes: StaticRoute[] = [];
  const usedPrefixes = new Map<string, string>();
  // Sorted by node name: route order is stable and a duplicated prefix always loses on the same node.
  for (const node of objectsOfKind(idx, 'Node')) {
    if (node.metadata.deletionTimestamp) continue;
    const report = (field: string, reason: string, on: KubeObject = node) => skip(ctx, on, field, reason);
    const cidrs = podCidrs(instance, idx, node, report);
    if (cidrs.length === 0) continue;
    const v4 = nodeAddress(ctx, node, 'V4');
    const v6 = nodeAddress(ctx, node, 'V6');
    let index = 0;
    for (const cidr of cidrs) {
      const [addr, maskText] = cidr.split('/');
      const mask = Number(maskText);
      if (!addr || maskText === undefined || !Number.isInteger(mask)) {
        report('spec.podCIDRs', `"${cidr}" is not a CIDR`);
        continue;
      }
      const family = addr.includes(':') ? 'V6' : 'V4';
      const hop = family === 'V4' ? v4 : v6;
      if (!hop) {
        report('status.addresses', `no ${family === 'V4' ? 'IPv4' : 'IPv6'} node address for pod CIDR ${cidr}`);
        continue;
      }
      const prev = usedPrefixes.get(cidr);
      if (prev) {
        report('spec.podCIDRs', `pod CIDR ${cidr} is already routed to node ${prev}`);
        continue;
      }
      usedPrefixes.set(cidr, node.metadata.name);
      routes.push({
        route_id: routeId(instance.clusterName, node.metadata.name, index++),
        prefix: { ip_addr: { addr, type: family }, mask },
        next_hop: { addr: hop, type: family },
        labels: [{ key: 'clustername', value: instance.clusterName }],
      });
    }
  }
  return { routes, skipped: ctx.skipped as SkippedObject[] };
}
