import { type BuildContext, defaultSubdomain, skip } from './context.ts';
import { AVI_INGRESS_CONTROLLER } from './l7-parse.ts';
import { l4PoolName, l4VsName, modelName } from './naming.ts';
import { nameFits, obj, poolObject, vsVipObject, withCksum } from './objects.ts';
import { markers, ref, serviceMetadata } from './refs.ts';
import { findServicePort, poolServers } from './servers.ts';
import type { AviModel, AviObject, KubeObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';

export const AVI_LB_CLASS = AVI_INGRESS_CONTROLLER;
const APP_PROFILE_ANNOTATION = 'ako.vmware.com/application-profile';
const DISABLE_TRAFFIC_ANNOTATION = 'ako.vmware.com/disable-traffic';
const LB_IP_ANNOTATION = 'ako.vmware.com/load-balancer-ip';
const EXTERNAL_DNS_ANNOTATION = 'external-dns.alpha.kubernetes.io/hostname';

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
export function l4ModelName(ctx: BuildContext, tenant: string, svc: KubeObject): string {
  return modelName(tenant, l4VsName(ctx.instance, svc.metadata.namespace ?? '', svc.metadata.name));
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
  const ns = svc.metadata.namespace ?? '';
  const vsName = l4VsName(ctx.instance, ns, svc.metadata.name);
  if (!nameFits(ctx, svc, 'metadata.name', 'virtualservice', vsName)) return undefined;
  const ann = svc.metadata.annotations ?? {};
  const disable = ann[DISABLE_TRAFFIC_ANNOTATION];
  if (disable !== undefined && !['true', 'false'].includes(disable.trim().toLowerCase())) {
    skip(
      ctx,
      svc,
      `metadata.annotations["${DISABLE_TRAFFIC_ANNOTATION}"]`,
      `value "${disable}" is not "true" or "false"`,
      'InvalidAnnotation',
    );
    return undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
  const ports: any[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  if (ports.length === 0) {
    skip(ctx, svc, 'spec.ports', 'LoadBalancer Service has no ports');
    return undefined;
  }
  const sources = new Set<ObjectKey>([objectKey(svc)]);
  const pools: AviObject[] = [];
  const rules: Record<string, unknown>[] = [];
  const services: Record<string, unknown>[] = [];
  const protocols = new Set<string>();
  for (const [i, p] of ports.entries()) {
    const protocol = String(p.protocol ?? 'TCP');
    if (!PROTOCOLS.has(protocol)) {
      skip(ctx, svc, `spec.ports[${i}].protocol`, `protocol "${protocol}" is not TCP, UDP or SCTP`);
      return undefined;
    }
    protocols.add(protocol);
  }
  const vsProtocol = protocols.has('TCP') ? 'TCP' : protocols.has('UDP') ? 'UDP' : 'SCTP';
  for (const [i, p] of ports.entries()) {
    const protocol = String(p.protocol ?? 'TCP');
    const port = Number(p.port);
    const poolName = l4PoolName(ctx.instance, ns, svc.metadata.name, protocol, port);
    if (!nameFits(ctx, svc, `spec.ports[${i}]`, 'pool', poolName)) return undefined;
    const sp = findServicePort(svc, p.name ? { portName: p.name } : { port })!;
    const res = poolServers(ctx, svc, sp, { loadBalancerPool: true });
    for (const s of res.sources) sources.add(s);
    pools.push(
      poolObject(ctx, {
        name: poolName,
        tenant,
        servers: res.servers,
        markers: { Namespace: ns, ServiceName: svc.metadata.name, Port: String(port) },
        healthMonitor: HEALTH_MONITOR[protocol]!,
      }),
    );
    const service: Record<string, unknown> = { port, port_range_end: port, enable_ssl: false, enable_http2: false };
    if (protocol !== vsProtocol) service.override_network_profile_ref = ref.networkProfile(OVERRIDE_PROFILE[protocol]!);
    services.push(service);
    rules.push({
      name: ref.pool(poolName),
      index: i,
      action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: ref.pool(poolName) } },
      match: {
        port: { match_criteria: 'IS_IN', ports: [port] },
        protocol: { match_criteria: 'IS_IN', protocol: `PROTOCOL_${protocol}` },
      },
    });
  }
  const external = ann[EXTERNAL_DNS_ANNOTATION]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const auto = l4AutoFqdn(ctx, svc);
  const fqdns = external && external.length > 0 ? external : auto ? [auto] : [];
  const ip: string | undefined = svc.spec?.loadBalancerIP || ann[LB_IP_ANNOTATION] || undefined;
  const objects: AviObject[] = [vsVipObject(ctx, vsName, tenant, fqdns, ip)];
  objects.push(...pools);
  objects.push(
    obj('l4policyset', vsName, tenant, {
      name: vsName,
      created_by: ctx.createdBy,
      tenant_ref: ref.tenant(tenant),
      markers: markers(ctx.cluster, {
        Namespace: ns,
        ServiceName: svc.metadata.name,
        Protocol: [...protocols].sort().join(','),
      }),
      l4_connection_policy: { rules },
    }),
  );
  const vs: Record<string, unknown> = {
    name: vsName,
    created_by: ctx.createdBy,
    cloud_ref: ref.cloud(ctx.cloud),
    tenant_ref: ref.tenant(tenant),
    application_profile_ref: ref.applicationProfile(ann[APP_PROFILE_ANNOTATION] || 'System-L4-Application'),
    network_profile_ref: ref.networkProfile(networkProfile(protocols)),
    se_group_ref: ref.seGroup(ctx.seGroup),
    vrf_context_ref: ref.vrf(ctx.vrf),
    vsvip_ref: ref.vsvip(vsName),
    services,
    l4_policies: [{ index: 0, l4_policy_set_ref: ref.l4PolicySet(vsName) }],
    remove_listening_port_on_vs_down: true,
    traffic_enabled: disable?.trim().toLowerCase() !== 'true',
    markers: markers(ctx.cluster, { Namespace: ns, ServiceName: svc.metadata.name }),
    service_metadata: serviceMetadata({ namespace_svc_name: [`${ns}/${svc.metadata.name}`], hostnames: fqdns }),
  };
  objects.push(obj('virtualservice', vsName, tenant, withCksum(vs)));
  return { name: modelName(tenant, vsName), tenant, objects, sources: [...sources].sort() };
}
