import { type BuildContext, lookup, lookupSlices, skip } from './context.ts';
import type { KubeObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';
import { objectsIn, objectsOfKind, slicesOf } from './view-index.ts';

export const NPL_POD_ANNOTATION = 'nodeportlocal.antrea.io';
const CALICO_V4 = 'projectcalico.org/IPv4Address';
const CALICO_V6 = 'projectcalico.org/IPv6Address';
const ANTREA_ADDRS = 'node.antrea.io/transport-addresses';

export interface PoolServer {
  ip: { addr: string; type: 'V4' | 'V6' };
  port: number;
  external_uuid?: string;
  enabled?: boolean;
  server_node?: string;
}

/** The Service port a backend points at. */
export interface ServicePortRef {
  name?: string;
  port: number;
  protocol: string;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServersResult {
  servers: PoolServer[];
  /** The objects that shaped the list (slices, nodes, pods), for the model's sources. */
  sources: ObjectKey[];
}

export function ipType(addr: string): 'V4' | 'V6' {
  return addr.includes(':') ? 'V6' : 'V4';
}

/** Resolves an Ingress/Route backend to a Service port: by name, by number, by target port, or the only port. */
export function findServicePort(
  svc: KubeObject,
  sel: { port?: number; portName?: string; targetPort?: number | string },
): ServicePortRef | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
  const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  const norm = (p: (typeof ports)[number]): ServicePortRef => ({
    ...(p.name ? { name: String(p.name) } : {}),
    port: Number(p.port),
    protocol: String(p.protocol ?? 'TCP'),
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : { targetPort: Number(p.port) }),
    ...(p.nodePort !== undefined ? { nodePort: Number(p.nodePort) } : {}),
  });
  let hit: (typeof ports)[number] | undefined;
  if (sel.portName !== undefined) hit = ports.find((p) => p.name === sel.portName);
  else if (sel.port !== undefined) hit = ports.find((p) => Number(p.port) === sel.port);
  else if (typeof sel.targetPort === 'string') hit = ports.find((p) => p.name === sel.targetPort);
  else if (typeof sel.targetPort === 'number')
    hit = ports.find((p) => Number(p.targetPort ?? p.port) === sel.targetPort);
  else if (ports.length === 1) hit = ports[0];
  if (!hit && ports.length === 1 && sel.portName === undefined && sel.port === undefined) hit = ports[0];
  return hit ? norm(hit) : undefined;
}

/** Servers for a pool of `svc` port `sp`, by the instance's serviceType (ClusterIP / NodePort / NodePortLocal). */
export function poolServers(
  ctx: BuildContext,
  svc: KubeObject,
  sp: ServicePortRef,
  opts: { loadBalancerPool: boolean },
): ServersResult {
  const type = svc.spec?.type ?? 'ClusterIP';
  switch (ctx.instance.l7.serviceType) {
    case 'NodePort':
      if (type === 'ClusterIP' || type === 'ExternalName') return { servers: [], sources: [] };
      return nodePortServers(ctx, svc, sp);
    case 'NodePortLocal':
      return nplServers(ctx, svc, sp);
    default:
      // Ingress/Route pools use only ClusterIP-store services (ClusterIP or NodePort), never LoadBalancer.
      if (!opts.loadBalancerPool && (type === 'LoadBalancer' || type === 'ExternalName')) {
        return { servers: [], sources: [] };
      }
      return endpointSliceServers(ctx, svc, sp);
  }
}

/**
 * Which address families a Service's pool takes (AKO's PopulateServers): the instance's `AKOSettings.ipFamily`
 * enables V4, V6 or both; the Service's `spec.ipFamilies` says which it has (two → both, `[IPv6]` → V6, else V4).
 */
export function serverFamilies(ctx: Pick<BuildContext, 'instance'>, svc: KubeObject): { v4: boolean; v6: boolean } {
  const fam = ctx.instance.ipFamily ?? 'V4';
  const fams: unknown[] = Array.isArray(svc.spec?.ipFamilies) ? svc.spec.ipFamilies : [];
  const svcV6 = fams.length === 2 || fams[0] === 'IPv6';
  const svcV4 = fams.length === 2 || fams[0] !== 'IPv6';
  return { v4: fam !== 'V6' && svcV4, v6: fam !== 'V4' && svcV6 };
}

function endpointSliceServers(ctx: BuildContext, svc: KubeObject, sp: ServicePortRef): ServersResult {
  const ns = svc.metadata.namespace ?? '';
  const slices = lookupSlices(ctx, ns, svc.metadata.name);
  const servers: PoolServer[] = [];
  const sources: ObjectKey[] = [];
  const seen = new Set<string>();
  const firstPorts = slices[0]?.ports;
  const single = slices.length === 1 && Array.isArray(firstPorts) && firstPorts.length === 1;
  const families = serverFamilies(ctx, svc);
  for (const slice of slices) {
    const addrType = slice.addressType as string | undefined;
    if (addrType === 'FQDN') continue;
    // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
    const ports: any[] = Array.isArray(slice.ports) ? (slice.ports as any[]) : [];
    const epp = single
      ? ports[0]
      : ports.find(
          (p) =>
            (sp.name !== undefined && p.name === sp.name) ||
            (typeof sp.targetPort === 'number' && p.port === sp.targetPort),
        );
    if (!epp) continue;
    sources.push(objectKey(slice));
    // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
    for (const ep of (Array.isArray(slice.endpoints) ? slice.endpoints : []) as any[]) {
      const addr = ep?.addresses?.[0];
      if (typeof addr !== 'string') continue;
      const family = ipType(addr);
      if (family === 'V4' ? !families.v4 : !families.v6) continue;
      const port = Number(epp.port);
      const k = `${addr}|${port}|${epp.protocol ?? 'TCP'}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const s: PoolServer = {
        ip: { addr, type: ipType(addr) },
        port,
        external_uuid: `${addr}:${port}`,
        // A missing `ready` counts as not ready; a missing `terminating` as not terminating.
        enabled: ep.conditions?.ready === true && ep.conditions?.terminating !== true,
      };
      if (ep.nodeName) s.server_node = String(ep.nodeName);
      servers.push(s);
    }
  }
  return { servers, sources };
}

/** Node address by CNI: Calico / Antrea annotations first, else the first InternalIP. */
export function nodeAddress(ctx: BuildContext, node: KubeObject, family: 'V4' | 'V6' = 'V4'): string | undefined {
  const ann = node.metadata.annotations ?? {};
  const cni = ctx.instance.cniPlugin;
  if (cni === 'calico') {
    const v = ann[family === 'V4' ? CALICO_V4 : CALICO_V6];
    if (v) return v.split('/')[0];
  }
  if (cni === 'antrea' && ann[ANTREA_ADDRS]) {
    const hit = ann[ANTREA_ADDRS]
      .split(',')
      .map((s) => s.trim())
      .find((a) => a && ipType(a) === family);
    if (hit) return hit;
  }
  // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
  const addrs: any[] = Array.isArray(node.status?.addresses) ? node.status.addresses : [];
  return addrs.find((a) => a?.type === 'InternalIP' && typeof a.address === 'string' && ipType(a.address) === family)
    ?.address;
}

function nodePortServers(ctx: BuildContext, svc: KubeObject, sp: ServicePortRef): ServersResult {
  if (!sp.nodePort) return { servers: [], sources: [] };
  const sel = ctx.instance.nodePortSelector;
  let nodes = objectsOfKind(ctx.idx, 'Node');
  if (sel?.key) nodes = nodes.filter((n) => n.metadata.labels?.[sel.key] === sel.value);
  const sources: ObjectKey[] = [];
  if (svc.spec?.externalTrafficPolicy === 'Local') {
    const hosting = new Set<string>();
    for (const slice of slicesOf(ctx.idx, svc.metadata.namespace ?? '', svc.metadata.name)) {
      sources.push(objectKey(slice));
      // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
      for (const ep of (Array.isArray(slice.endpoints) ? slice.endpoints : []) as any[]) {
        if (ep?.nodeName) hosting.add(String(ep.nodeName));
      }
    }
    nodes = nodes.filter((n) => hosting.has(n.metadata.name));
  }
  const servers: PoolServer[] = [];
  const families = serverFamilies(ctx, svc);
  for (const n of nodes) {
    let used = false;
    for (const family of ['V4', 'V6'] as const) {
      if (family === 'V4' ? !families.v4 : !families.v6) continue;
      const addr = nodeAddress(ctx, n, family);
      if (!addr) continue;
      used = true;
      servers.push({ ip: { addr, type: family }, port: sp.nodePort });
    }
    if (used) sources.push(objectKey(n));
  }
  return { servers, sources };
}

interface NplEntry {
  podPort: number;
  nodeIP: string;
  nodePort: number;
}

function nplServers(ctx: BuildContext, svc: KubeObject, sp: ServicePortRef): ServersResult {
  const ns = svc.metadata.namespace ?? '';
  const selector: Record<string, string> | undefined = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return { servers: [], sources: [] };
  // Endpoint readiness per pod name, from the service's slices.
  const readiness = new Map<string, boolean>();
  const sources: ObjectKey[] = [];
  for (const slice of slicesOf(ctx.idx, ns, svc.metadata.name)) {
    sources.push(objectKey(slice));
    // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
    for (const ep of (Array.isArray(slice.endpoints) ? slice.endpoints : []) as any[]) {
      if (ep?.targetRef?.kind === 'Pod' && ep.targetRef.name) {
        readiness.set(String(ep.targetRef.name), ep.conditions?.ready !== false && ep.conditions?.terminating !== true);
      }
    }
  }
  const servers: PoolServer[] = [];
  for (const pod of objectsIn(ctx.idx, 'Pod', ns)) {
    const labels = pod.metadata.labels ?? {};
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
    const conds: any[] = Array.isArray(pod.status?.conditions) ? pod.status.conditions : [];
    if (conds.some((c) => c?.type === 'Ready' && c.status === 'False')) continue;
    let target = sp.targetPort;
    if (typeof target === 'string') {
      // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
      const containers: any[] = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
      const cp = containers.flatMap((c) => (Array.isArray(c?.ports) ? c.ports : [])).find((p) => p?.name === target);
      if (!cp) continue;
      target = Number(cp.containerPort);
    }
    const raw = pod.metadata.annotations?.[NPL_POD_ANNOTATION];
    if (!raw) continue;
    let entries: NplEntry[];
    try {
      entries = JSON.parse(raw);
      if (!Array.isArray(entries)) throw new Error('not a list');
    } catch {
      skip(
        ctx,
        pod,
        `metadata.annotations["${NPL_POD_ANNOTATION}"]`,
        'not a JSON list of {podPort,nodeIP,nodePort}',
        'InvalidAnnotation',
      );
      continue;
    }
    sources.push(objectKey(pod));
    for (const e of entries) {
      if (Number(e?.podPort) !== target || typeof e.nodeIP !== 'string') continue;
      servers.push({
        ip: { addr: e.nodeIP, type: ipType(e.nodeIP) },
        port: Number(e.nodePort),
        enabled: readiness.get(pod.metadata.name) ?? true,
      });
    }
  }
  return { servers, sources };
}

/** The Service named by a backend, or undefined. */
export function serviceOf(ctx: BuildContext, namespace: string, name: string): KubeObject | undefined {
  return lookup(ctx, 'Service', namespace, name);
}
