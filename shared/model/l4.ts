import { type BuildContext, defaultSubdomain, skip, tenantOf } from './context.ts';
import { AVI_INGRESS_CONTROLLER } from './l7-parse.ts';
import { l4PoolName, l4VsName, modelName, sharedVipPoolName, splitModelName } from './naming.ts';
import { nameFits, obj, poolObject, vsVipObject, withCksum } from './objects.ts';
import { type MarkerFields, markers, ref, serviceMetadata } from './refs.ts';
import { findServicePort, poolServers } from './servers.ts';
import type { AviModel, AviObject, KubeObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';
import { cmp, objectsIn } from './view-index.ts';

export const AVI_LB_CLASS = AVI_INGRESS_CONTROLLER;
const APP_PROFILE_ANNOTATION = 'ako.vmware.com/application-profile';
const DISABLE_TRAFFIC_ANNOTATION = 'ako.vmware.com/disable-traffic';
const LB_IP_ANNOTATION = 'ako.vmware.com/load-balancer-ip';
const EXTERNAL_DNS_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';
/** LoadBalancer Services of one namespace with the same value share one L4 VS `<cluster>--<ns>-<value>`. */
export const SHARED_VIP_ANNOTATION = 'ako.vmware.com/enable-shared-vip';

/** The shared-VIP key of a Service, or undefined. */
export function sharedVipKey(svc: KubeObject): string | undefined {
  const v = svc.metadata.annotations?.[SHARED_VIP_ANNOTATION]?.trim();
  return v ? v : undefined;
}

/** The L4 VS name a LoadBalancer Service is served by: its own, or its shared-VIP group's. */
export function l4VsNameOf(instance: Parameters<typeof l4VsName>[0], svc: KubeObject): string {
  return l4VsName(instance, svc.metadata.namespace ?? '', sharedVipKey(svc) ?? svc.metadata.name);
}

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);
const HEALTH_MONITOR: Record<string, string> = { TCP: 'System-TCP', UDP: 'System-UDP', SCTP: 'System-SCTP' };

/** Whether this instance handles a Service as an L4 VS (type, layer7Only, loadBalancerClass rules). */
export function isL4Service(ctx: Pick<BuildContext, 'instance'>, svc: KubeObject): boolean {
  if (svc.kind !== 'Service' || svc.spec?.type !== 'LoadBalancer') return false;
  if (ctx.instance.layer7Only) return false;
  const cls = svc.spec?.loadBalancerClass;
  if (cls === undefined || cls === null || cls === '') return ctx.instance.l4.defaultLBController;
  return cls === AVI_LB_CLASS;
}

/** The L4 model name a LoadBalancer Service maps to (tenant from its namespace). */
export function l4ModelName(ctx: Pick<BuildContext, 'instance'>, tenant: string, svc: KubeObject): string {
  return modelName(tenant, l4VsNameOf(ctx.instance, svc));
}

/** `<svc>.<ns>.<sub>` (default) or `<svc>-<ns>.<sub>` with `<svc>-<ns>` cut to 63 characters (flat). */
export function l4AutoFqdn(ctx: BuildContext, svc: KubeObject): string | undefined {
  const mode = ctx.instance.l4.autoFQDN;
  if (mode === 'disabled') return undefined;
  const sub = defaultSubdomain(ctx.instance, ctx.facts);
  if (!sub) return undefined;
  const ns = svc.metadata.namespace ?? '';
  if (mode === 'flat') return `${`${svc.metadata.name}-${ns}`.slice(0, 63)}.${sub}`;
  return `${svc.metadata.name}.${ns}.${sub}`;
}

function networkProfile(protocols: Set<string>): string {
  if (protocols.has('TCP')) return 'System-TCP-Proxy';
  if (protocols.has('UDP')) return 'System-UDP-Fast-Path';
  return 'System-SCTP-Proxy';
}

const OVERRIDE_PROFILE: Record<string, string> = { UDP: 'System-UDP-Fast-Path', SCTP: 'System-SCTP-Proxy' };

/** L4 model `<tenant>/<cluster>--<ns>-<svc>`: VsVip, one pool per port, L4 policy set, VS. */
export function buildL4Model(ctx: BuildContext, tenant: string, svc: KubeObject): AviModel | undefined {
  return buildL4(ctx, tenant, svc.metadata.namespace ?? '', svc.metadata.name, [svc], undefined);
}

/**
 * Shared-VIP L4 model `<tenant>/<cluster>--<ns>-<key>` for the LoadBalancer Services of `namespace` annotated
 * `ako.vmware.com/enable-shared-vip: <key>`: one VsVip and VS carrying every port and protocol of every Service,
 * one pool per Service port `<cluster>--<ns>-<svc>-<key>-<PROTOCOL>-<port>`, one L4 policy set routing
 * port+protocol to pool (AKO's ConstructSharedVipSvcLBNode). The VIP comes from the first Service (by name).
 */
export function buildSharedVipModel(
  ctx: BuildContext,
  tenant: string,
  namespace: string,
  key: string,
  services: KubeObject[],
): AviModel | undefined {
  const sorted = [...services].sort((a, b) => cmp(a.metadata.name, b.metadata.name));
  if (sorted.length === 0) return undefined;
  return buildL4(ctx, tenant, namespace, key, sorted, key);
}

function buildL4(
  ctx: BuildContext,
  tenant: string,
  ns: string,
  vsKey: string,
  svcs: KubeObject[],
  sharedKey: string | undefined,
): AviModel | undefined {
  const first = svcs[0]!;
  const vsName = l4VsName(ctx.instance, ns, vsKey);
  if (!nameFits(ctx, first, 'metadata.name', 'virtualservice', vsName)) return undefined;
  const ann = first.metadata.annotations ?? {};
  const disable = ann[DISABLE_TRAFFIC_ANNOTATION];
  if (disable !== undefined && !['true', 'false'].includes(disable.trim().toLowerCase())) {
    skip(
      ctx,
      first,
      `metadata.annotations["${DISABLE_TRAFFIC_ANNOTATION}"]`,
      `value "${disable}" is not "true" or "false"`,
      'InvalidAnnotation',
    );
    return undefined;
  }
  const sources = new Set<ObjectKey>();
  const pools: AviObject[] = [];
  const rules: Record<string, unknown>[] = [];
  const ports: { svc: KubeObject; index: number; protocol: string; port: number; name?: string }[] = [];
  const protocols = new Set<string>();
  for (const svc of svcs) {
    // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
    const list: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    if (list.length === 0) {
      skip(ctx, svc, 'spec.ports', 'LoadBalancer Service has no ports');
      return undefined;
    }
    for (const [i, p] of list.entries()) {
      const protocol = String(p.protocol ?? 'TCP');
      if (!PROTOCOLS.has(protocol)) {
        skip(ctx, svc, `spec.ports[${i}].protocol`, `protocol "${protocol}" is not TCP, UDP or SCTP`);
        return undefined;
      }
      protocols.add(protocol);
      ports.push({ svc, index: i, protocol, port: Number(p.port), ...(p.name ? { name: String(p.name) } : {}) });
    }
  }
  const vsProtocol = protocols.has('TCP') ? 'TCP' : protocols.has('UDP') ? 'UDP' : 'SCTP';
  const services: Record<string, unknown>[] = [];
  for (const [i, p] of ports.entries()) {
    const svcName = p.svc.metadata.name;
    sources.add(objectKey(p.svc));
    const poolName = sharedKey
      ? sharedVipPoolName(ctx.instance, ns, svcName, sharedKey, p.protocol, p.port)
      : l4PoolName(ctx.instance, ns, svcName, p.protocol, p.port);
    if (!nameFits(ctx, p.svc, `spec.ports[${p.index}]`, 'pool', poolName)) return undefined;
    const sp = findServicePort(p.svc, p.name ? { portName: p.name } : { port: p.port })!;
    const res = poolServers(ctx, p.svc, sp, { loadBalancerPool: true });
    for (const s of res.sources) sources.add(s);
    const poolMarkers: MarkerFields = sharedKey
      ? { Namespace: ns, ServiceName: svcName, Port: String(p.port), Protocol: p.protocol, GatewayName: sharedKey }
      : { Namespace: ns, ServiceName: svcName, Port: String(p.port) };
    pools.push(
      poolObject(ctx, {
        name: poolName,
        tenant,
        servers: res.servers,
        markers: poolMarkers,
        healthMonitor: HEALTH_MONITOR[p.protocol]!,
      }),
    );
    const service: Record<string, unknown> = {
      port: p.port,
      port_range_end: p.port,
      enable_ssl: false,
      enable_http2: false,
    };
    if (p.protocol !== vsProtocol) {
      service.override_network_profile_ref = ref.networkProfile(OVERRIDE_PROFILE[p.protocol]!);
    }
    services.push(service);
    rules.push({
      name: ref.pool(poolName),
      index: i,
      action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: ref.pool(poolName) } },
      match: {
        port: { match_criteria: 'IS_IN', ports: [p.port] },
        protocol: { match_criteria: 'IS_IN', protocol: `PROTOCOL_${p.protocol}` },
      },
    });
  }
  const fqdns: string[] = [];
  for (const svc of svcs) {
    const external = svc.metadata.annotations?.[EXTERNAL_DNS_ANNOTATION]
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const auto = l4AutoFqdn(ctx, svc);
    for (const f of external && external.length > 0 ? external : auto ? [auto] : []) {
      if (!fqdns.includes(f)) fqdns.push(f);
    }
  }
  const ip: string | undefined = first.spec?.loadBalancerIP || ann[LB_IP_ANNOTATION] || undefined;
  const objects: AviObject[] = [vsVipObject(ctx, vsName, tenant, fqdns, ip)];
  objects.push(...pools);
  const vsMarkers: MarkerFields = sharedKey
    ? { Namespace: ns, GatewayName: sharedKey }
    : { Namespace: ns, ServiceName: first.metadata.name };
  objects.push(
    obj('l4policyset', vsName, tenant, {
      name: vsName,
      created_by: ctx.createdBy,
      tenant_ref: ref.tenant(tenant),
      markers: markers(
        ctx.cluster,
        sharedKey ? vsMarkers : { ...vsMarkers, Protocol: [...protocols].sort().join(',') },
      ),
      l4_connection_policy: { rules },
    }),
  );
  const vs: Record<string, unknown> = {
    name: vsName,
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    tenant_ref: ref.tenant(tenant),
    application_profile_ref: ref.applicationProfile(
      (!sharedKey && ann[APP_PROFILE_ANNOTATION]) || 'System-L4-Application',
    ),
    network_profile_ref: ref.networkProfile(networkProfile(protocols)),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    vsvip_ref: ref.vsvip(vsName),
    services,
    l4_policies: [{ index: 0, l4_policy_set_ref: ref.l4PolicySet(vsName) }],
    remove_listening_port_on_vs_down: true,
    traffic_enabled: disable?.trim().toLowerCase() !== 'true',
    markers: markers(ctx.cluster, vsMarkers),
    // AKO's shared-VIP VS carries only the host names in its metadata.
    service_metadata: serviceMetadata(
      sharedKey ? { hostnames: fqdns } : { namespace_svc_name: [`${ns}/${first.metadata.name}`], hostnames: fqdns },
    ),
  };
  objects.push(obj('virtualservice', vsName, tenant, withCksum(vs)));
  return { name: modelName(tenant, vsName), tenant, objects, sources: [...sources].sort() };
}

/** The LoadBalancer Services of a shared-VIP model name `<tenant>/<cluster>--<ns>-<key>` (empty if none). */
export function sharedVipServicesOf(ctx: BuildContext, name: string): { ns: string; key: string; svcs: KubeObject[] } {
  const { tenant, vsName } = splitModelName(name);
  const prefix = `${ctx.cluster}--`;
  if (!vsName.startsWith(prefix)) return { ns: '', key: '', svcs: [] };
  const rest = vsName.slice(prefix.length);
  for (let i = rest.indexOf('-'); i > 0; i = rest.indexOf('-', i + 1)) {
    const ns = rest.slice(0, i);
    const key = rest.slice(i + 1);
    const svcs = objectsIn(ctx.idx, 'Service', ns).filter(
      (svc) => sharedVipKey(svc) === key && isL4Service(ctx, svc) && tenantOf(ctx.instance, ctx.idx, ns) === tenant,
    );
    if (svcs.length > 0) return { ns, key, svcs };
  }
  return { ns: '', key: '', svcs: [] };
}
