// Which models an object change can touch: the incremental sync rebuilds only these.
import type { InstanceConfig } from '../registry/types.ts';
import { TENANT_ANNOTATION, tenantOf } from './context.ts';
import { crdAffected } from './crd-affected.ts';
import { candidateModels, derivedFor, L7_KINDS, objectByKey } from './derived.ts';
import { evhEnabled, evhParentNameForShard } from './evh-naming.ts';
import { isL4Service, l4VsNameOf } from './l4.ts';
import { modelName, shardCount, sharedVsNameForShard } from './naming.ts';
import type { CloudFacts, ClusterView, KubeObject } from './types.ts';
import { cmp, getObject, indexView, objectsIn, objectsOfKind, SERVICE_NAME_LABEL } from './view-index.ts';

/** Every shard model of a tenant (what a host-less rule may land on when DNS facts are unknown). */
function allShardModels(instance: InstanceConfig, tenant: string): string[] {
  if (instance.l7.shardVSSize === 'DEDICATED') return [];
  const n = Math.max(1, shardCount(instance.l7.shardVSSize));
  const name = evhEnabled(instance) ? evhParentNameForShard : sharedVsNameForShard;
  return Array.from({ length: n }, (_, i) => modelName(tenant, name(instance, i)));
}

/**
 * Names of the models an object change can touch. The caller passes the object's state before and after
 * the change (two calls); `facts` makes host-less rules exact (without it, every shard of the tenant).
 */
export function affectedModels(
  instance: InstanceConfig,
  view: ClusterView,
  changed: KubeObject,
  facts?: CloudFacts,
): string[] {
  const idx = indexView(view);
  const d = derivedFor(idx, instance, facts);
  const out = new Set<string>();
  const l7 = (o: KubeObject, tenant: string, through?: InstanceConfig) => {
    const c = through
      ? candidateModels(through, idx, o, tenant, d.subdomain, true)
      : candidateModels(instance, idx, o, tenant, d.subdomain);
    for (const m of c.models) out.add(m);
    if (c.hostless) for (const m of allShardModels(instance, tenant)) out.add(m);
  };
  const viaRefs = (ref: string) => {
    for (const k of d.refs.get(ref) ?? []) {
      const o = objectByKey(idx, k);
      if (o) l7(o, tenantOf(instance, idx, o.metadata.namespace ?? ''));
    }
  };
  const ctx = { instance };
  const l4 = (svc: KubeObject, tenant: string) => {
    if (isL4Service(ctx, svc)) out.add(modelName(tenant, l4VsNameOf(instance, svc)));
  };
  const ns = changed.metadata.namespace ?? '';
  switch (changed.kind) {
    case 'Ingress':
    case 'Route':
      l7(changed, tenantOf(instance, idx, ns));
      break;
    case 'Service': {
      l4(changed, tenantOf(instance, idx, ns));
      // The same Service as the view holds it (its type may differ from `changed`).
      const cur = getObject(idx, 'Service', ns, changed.metadata.name);
      if (cur) l4(cur, tenantOf(instance, idx, ns));
      viaRefs(`svc:${ns}/${changed.metadata.name}`);
      break;
    }
    case 'EndpointSlice': {
      const svcName = changed.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svcName) {
        const svc = getObject(idx, 'Service', ns, svcName);
        if (svc) l4(svc, tenantOf(instance, idx, ns));
        viaRefs(`svc:${ns}/${svcName}`);
      }
      break;
    }
    case 'Secret':
      viaRefs(`secret:${ns}/${changed.metadata.name}`);
      break;
    case 'Pod': {
      const labels = changed.metadata.labels ?? {};
      for (const svc of objectsIn(idx, 'Service', ns)) {
        const sel: Record<string, string> | undefined = svc.spec?.selector;
        if (!sel || !Object.entries(sel).every(([k, v]) => labels[k] === v)) continue;
        l4(svc, tenantOf(instance, idx, ns));
        viaRefs(`svc:${ns}/${svc.metadata.name}`);
      }
      break;
    }
    case 'Namespace': {
      // Both the tenant in the view and the one `changed` carries (a tenant change moves every model).
      const name = changed.metadata.name;
      const tenants = new Set([
        tenantOf(instance, idx, name),
        changed.metadata.annotations?.[TENANT_ANNOTATION]?.trim() || instance.controller.tenantName || 'admin',
      ]);
      for (const t of tenants) {
        for (const kind of L7_KINDS) for (const o of objectsIn(idx, kind, name)) l7(o, t);
        for (const svc of objectsIn(idx, 'Service', name)) l4(svc, t);
      }
      break;
    }
    case 'IngressClass':
      for (const o of objectsOfKind(idx, 'Ingress')) l7(o, tenantOf(instance, idx, o.metadata.namespace ?? ''));
      crdAffected(instance, idx, changed, l7, l4); // the AviInfraSetting its parameters name
      break;
    case 'Node':
      // Node addresses are pool servers only in NodePort mode (ClusterIP uses pod IPs; static routes are separate).
      if (instance.l7.serviceType === 'NodePort') {
        for (const [m, keys] of d.byModel) if (keys.size > 0) out.add(m);
        for (const [t, keys] of d.hostless) if (keys.size > 0) for (const m of allShardModels(instance, t)) out.add(m);
        for (const svc of objectsOfKind(idx, 'Service')) l4(svc, tenantOf(instance, idx, svc.metadata.namespace ?? ''));
      }
      break;
    default:
      crdAffected(instance, idx, changed, l7, l4);
      break;
  }
  return [...out].sort(cmp);
}
