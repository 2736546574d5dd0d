// Which Ingresses/Routes/Services a CR change can touch (for affectedModels): conservative, by FQDN,
// namespace or reference; CR changes are rare, so a scan over the instance's L7 objects is fine.
import type { InstanceConfig } from '../registry/types.ts';
import { tenantOf } from './context.ts';
import { INFRASETTING_ANNOTATION, INFRASETTING_KIND, scopedInstance } from './crd-infrasetting.ts';
import { L4RULE_ANNOTATION, L4RULE_KIND } from './crd-l4rule.ts';
import { strings } from './crd-refs.ts';
import { rawHosts } from './l7-parse.ts';
import type { KubeObject } from './types.ts';
import { getObject, objectsOfKind, type ViewIndex } from './view-index.ts';

const L7 = ['Ingress', 'Route'];

function hostMatches(fqdn: string, type: string | undefined, host: string): boolean {
  if (!type || type === 'Exact') return host === fqdn;
  if (type === 'Contains') return host.includes(fqdn);
  return fqdn.startsWith('*') && host.endsWith(fqdn.split('*')[1] ?? '');
}

/** Calls `l7` for every Ingress/Route and `l4` for every Service a changed CR can affect. */
export function crdAffected(
  instance: InstanceConfig,
  idx: ViewIndex,
  changed: KubeObject,
  l7: (o: KubeObject, tenant: string, through?: InstanceConfig) => void,
  l4: (svc: KubeObject, tenant: string) => void,
): void {
  const tenant = (o: KubeObject) => tenantOf(instance, idx, o.metadata.namespace ?? '');
  if (changed.kind === 'HostRule' || changed.kind === 'HTTPRule') {
    const vh = changed.kind === 'HostRule' ? changed.spec?.virtualhost : changed.spec;
    const fqdn: string = vh?.fqdn ?? '';
    const aliases = changed.kind === 'HostRule' ? strings(vh?.aliases) : [];
    // A HostRule for a shared VS (its FQDN or name): every model the instance's Ingresses/Routes land on.
    const shared = changed.kind === 'HostRule' && fqdn.includes('Shared-');
    for (const kind of L7) {
      for (const o of objectsOfKind(idx, kind)) {
        if (changed.kind === 'HTTPRule' && o.metadata.namespace !== changed.metadata.namespace) continue;
        const hosts = rawHosts(o).hosts;
        if (shared || hosts.some((h) => hostMatches(fqdn, vh?.fqdnType, h) || aliases.includes(h))) l7(o, tenant(o));
      }
    }
  } else if (changed.kind === INFRASETTING_KIND) {
    const name = changed.metadata.name;
    const classes = new Set(
      objectsOfKind(idx, 'IngressClass')
        .filter((c) => c.spec?.parameters?.kind === INFRASETTING_KIND && c.spec.parameters.name === name)
        .map((c) => c.metadata.name),
    );
    for (const kind of L7) {
      for (const o of objectsOfKind(idx, kind)) {
        const ns = o.metadata.namespace ?? '';
        const nsAnn = idx.namespaces.get(ns)?.metadata.annotations?.[INFRASETTING_ANNOTATION] === name;
        const uses =
          (o.kind === 'Ingress' && classes.has(o.spec?.ingressClassName ?? '')) ||
          o.metadata.annotations?.[INFRASETTING_ANNOTATION] === name ||
          nsAnn;
        if (!uses) continue;
        // Where it lands now (the view's setting) and where it lands with the changed setting.
        l7(o, tenant(o));
        l7(o, tenant(o), scopedInstance(instance, changed, nsAnn && !classes.has(o.spec?.ingressClassName ?? '')));
      }
    }
  } else if (changed.kind === L4RULE_KIND) {
    for (const svc of objectsOfKind(idx, 'Service')) {
      const ann = svc.metadata.annotations?.[L4RULE_ANNOTATION];
      if (!ann) continue;
      const parts = ann.split('/');
      const ns = parts.length > 1 ? parts[0] : svc.metadata.namespace;
      if (parts[parts.length - 1] === changed.metadata.name && ns === changed.metadata.namespace) l4(svc, tenant(svc));
    }
  } else if (changed.kind === 'IngressClass' && changed.spec?.parameters?.kind === INFRASETTING_KIND) {
    const s = getObject(idx, INFRASETTING_KIND, '', changed.spec.parameters.name);
    for (const o of objectsOfKind(idx, 'Ingress')) {
      if (o.spec?.ingressClassName !== changed.metadata.name) continue;
      if (s) l7(o, tenant(o), scopedInstance(instance, s, false));
    }
  }
}
