/**
 * Which virtual services and pools serve each Ingress, Route and Service of an instance, from the instance's own
 * applied records (the objects it wrote, with the Kubernetes sources of each model) — never from names alone.
 */
import type { RecordedModel } from '../../../shared/instance/working-set.ts';

export interface ObjectMapping {
  /** `<kind> <namespace>/<name>`. */
  object: string;
  virtualServices: string[];
  pools: string[];
  /** The VIPs of the models' own VsVips. */
  vips: string[];
}

const ADDRESS_KINDS = new Set(['Ingress', 'Route', 'Service']);

export function objectMappingOf(applied: readonly RecordedModel[]): ObjectMapping[] {
  const byObject = new Map<string, { vs: Set<string>; pools: Set<string>; vips: Set<string> }>();
  for (const model of applied) {
    const vses = model.objects.filter((o) => o.type === 'virtualservice').map((o) => o.name);
    const vips = model.objects
      .filter((o) => o.type === 'vsvip')
      .flatMap((o) => (o.vip ?? []).map((v) => v.ip_address?.addr ?? v.ip6_address?.addr))
      .filter((a): a is string => typeof a === 'string');
    for (const key of model.sources ?? []) {
      const [kind, namespace, ...rest] = key.split('/');
      if (!kind || !ADDRESS_KINDS.has(kind) || !namespace) continue;
      const name = rest.join('/');
      const object = `${kind} ${namespace}/${name}`;
      const entry = byObject.get(object) ?? { vs: new Set(), pools: new Set(), vips: new Set() };
      byObject.set(object, entry);
      for (const v of vses) entry.vs.add(v);
      for (const v of vips) entry.vips.add(v);
      // AKO's pool names end in -<namespace>-<name> (Ingress/Route) or carry <namespace>-<name>- (L4 Service).
      for (const p of model.objects)
        if (
          p.type === 'pool' &&
          (p.name.endsWith(`-${namespace}-${name}`) || p.name.includes(`--${namespace}-${name}-`))
        )
          entry.pools.add(p.name);
    }
  }
  return [...byObject]
    .map(([object, e]) => ({
      object,
      virtualServices: [...e.vs].sort(),
      pools: [...e.pools].sort(),
      vips: [...e.vips].sort(),
    }))
    .sort((a, b) => a.object.localeCompare(b.object));
}
