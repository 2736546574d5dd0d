import type { InstanceConfig } from '../registry/types.ts';
import { createdBy as createdByOf } from './naming.ts';
import type { CloudFacts, KubeObject, ServedHost, SkipCode, SkippedObject } from './types.ts';
import { getObject, slicesOf, type ViewIndex } from './view-index.ts';

export const TENANT_ANNOTATION = 'ako.vmware.com/tenant-name';

/** Everything one build needs, derived once from the instance, the indexed view and the cloud facts. */
export interface BuildContext {
  instance: InstanceConfig;
  idx: ViewIndex;
  facts: CloudFacts;
  cluster: string;
  createdBy: string;
  cloud: string;
  seGroup: string;
  vrf: string;
  defaultTenant: string;
  skipped: SkippedObject[];
  /** When set, every lookup a fragment depends on is recorded (as a dependency key) for cache invalidation. */
  deps?: string[];
  /** Per-build results shared by the context's scoped copies (validated CRs: crd-*.ts). */
  perBuild: Map<string, unknown>;
  /** Hosts of the L7 models built so far (first object per host). */
  served?: Map<string, ServedHost>;
}

/** Dependency key of an object lookup. */
export function depKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Dependency key of "the EndpointSlices of a Service". */
export function slicesDepKey(namespace: string, service: string): string {
  return `slices/${namespace}/${service}`;
}

/** Looks an object up through the index, recording the dependency. */
export function lookup(ctx: BuildContext, kind: string, namespace: string, name: string): KubeObject | undefined {
  ctx.deps?.push(depKey(kind, namespace, name));
  return getObject(ctx.idx, kind, namespace, name);
}

/** The EndpointSlices of a Service (sorted by name), recording the dependency. */
export function lookupSlices(ctx: BuildContext, namespace: string, service: string): KubeObject[] {
  ctx.deps?.push(slicesDepKey(namespace, service));
  return slicesOf(ctx.idx, namespace, service);
}

export function createContext(instance: InstanceConfig, idx: ViewIndex, facts: CloudFacts = {}): BuildContext {
  return {
    instance,
    idx,
    facts,
    cluster: instance.clusterName,
    createdBy: instance.createdBy || createdByOf(instance),
    cloud: instance.controller.cloudName || 'Default-Cloud',
    seGroup: instance.controller.serviceEngineGroupName || 'Default-Group',
    // The VIP network's VRF is only known to the controller; AKO falls back to `global`.
    vrf: instance.controller.vrfName || 'global',
    defaultTenant: instance.controller.tenantName || 'admin',
    skipped: [],
    perBuild: new Map(),
  };
}

/** Tenant of a namespace: its `ako.vmware.com/tenant-name` annotation, else the instance's tenant. */
export function tenantOf(instance: InstanceConfig, idx: ViewIndex, namespace: string): string {
  const ann = idx.namespaces.get(namespace)?.metadata.annotations?.[TENANT_ANNOTATION]?.trim();
  return ann || instance.controller.tenantName || 'admin';
}

export function skip(
  ctx: Pick<BuildContext, 'skipped'>,
  o: KubeObject,
  field: string,
  reason: string,
  code: SkipCode = 'InvalidObject',
): void {
  ctx.skipped.push({
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
    field,
    reason,
    code,
  });
}

/** Sub-domains of the cloud's DNS profile, sorted, as AKO reads them. */
export function dnsSubdomains(facts: CloudFacts): string[] {
  return [...(facts.dnsSubdomains ?? [])].filter((s) => s.length > 0).sort();
}

/** AKO's default sub-domain: the configured default domain if it is one of the profile's, else the first. */
export function defaultSubdomain(instance: InstanceConfig, facts: CloudFacts): string | undefined {
  const subs = dnsSubdomains(facts);
  if (subs.length === 0) return undefined;
  const strip = (s: string) => (s.startsWith('.') ? s.slice(1) : s);
  const wanted = instance.network.defaultDomain || instance.l4.defaultDomain;
  const hit = wanted ? subs.find((s) => strip(s) === strip(wanted)) : undefined;
  return strip(hit ?? subs[0]!);
}
