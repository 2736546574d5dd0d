// What the model build derives from the view per instance and keeps in step with `applyChange`: which Ingress/Route
// can land on which model, which objects reference a Service or Secret, and the caches of built fragments.
import type { InstanceConfig } from '../registry/types.ts';
import { depKey, dnsSubdomains, slicesDepKey, tenantOf } from './context.ts';
import { instanceForCandidates } from './crd-infrasetting.ts';
import { ModelAssembly } from './l7-assembly.ts';
import { type FragmentCache, placementOf } from './l7-fragments.ts';
import { PASSTHROUGH_ANNOTATION, rawHosts } from './l7-parse.ts';
import type { SniCache } from './l7-shared.ts';
import type { CloudFacts, KubeObject, ObjectKey } from './types.ts';
import { objectKey } from './types.ts';
import {
  getObject,
  objectsIn,
  objectsOfKind,
  registerDerivedUpdater,
  SERVICE_NAME_LABEL,
  type ViewIndex,
} from './view-index.ts';

export const L7_KINDS = ['Ingress', 'Route'] as const;

/**
 * Per instance (and DNS sub-domain) facts derived from the view: which Ingress/Route can land on which model,
 * which objects reference a Service or Secret, and caches of built fragments. Follows `applyChange`.
 */
export interface Derived {
  instance: InstanceConfig;
  subdomain: string | undefined;
  /** candidate model → Ingress/Route keys */
  byModel: Map<string, Map<ObjectKey, KubeObject>>;
  modelsOf: Map<ObjectKey, string[]>;
  /** `<ns>/<service>` and `<ns>/<secret>` → Ingress/Route keys */
  refs: Map<string, Set<ObjectKey>>;
  refsOf: Map<ObjectKey, string[]>;
  /** Host-less rules whose host cannot be known without DNS facts: tenant → keys. */
  hostless: Map<string, Set<ObjectKey>>;
  hostlessOf: Map<ObjectKey, string>;
  classVersion: number;
  fragments: Map<string, FragmentCache>;
  sni: Map<string, SniCache>;
  /** Per DNS-facts key (as `fragments`): model → its contributors as of the last rebuild of that model. */
  assemblies: Map<string, Map<string, ModelAssembly>>;
}

/** The kept contributors of `model` (created empty: its first rebuild reads them all). */
export function assemblyOf(d: Derived, factsKey: string, model: string): ModelAssembly {
  let byModel = d.assemblies.get(factsKey);
  if (!byModel) {
    byModel = new Map();
    d.assemblies.set(factsKey, byModel);
  }
  let a = byModel.get(model);
  if (!a) {
    a = new ModelAssembly(model);
    byModel.set(model, a);
  }
  return a;
}

export function forgetAssembly(d: Derived, factsKey: string, model: string): void {
  d.assemblies.get(factsKey)?.delete(model);
}

/** An Ingress/Route whose fragments or placement may have changed: every kept model it can be part of re-reads it. */
function markDirty(d: Derived, key: ObjectKey): void {
  if (d.assemblies.size === 0) return;
  const everywhere = d.hostlessOf.has(key); // a host-less rule is a contributor of every model of its tenant
  const models = d.modelsOf.get(key) ?? [];
  for (const byModel of d.assemblies.values()) {
    if (everywhere) for (const a of byModel.values()) a.markDirty(key);
    else for (const m of models) byModel.get(m)?.markDirty(key);
  }
}

function fingerprint(i: InstanceConfig, subdomain: string | undefined): string {
  return [
    i.id,
    i.clusterName,
    i.namespace,
    i.primary,
    i.l7.shardVSSize,
    i.l7.passthroughShardSize,
    i.l7.serviceType,
    i.controller.tenantName,
    i.l7.enableEVH ?? false,
    i.l4.defaultDomain,
    i.network.defaultDomain,
    subdomain ?? '',
  ].join('|');
}

function add(m: Map<string, Set<ObjectKey>>, k: string, v: ObjectKey): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

/** The hosts an object can produce (raw rule hosts plus generated ones), for candidate models. */
function candidateHosts(
  instance: InstanceConfig,
  o: KubeObject,
  subdomain: string | undefined,
): { hosts: string[]; hostless: boolean } {
  const raw = rawHosts(o);
  if (!raw.hostless) return raw;
  const ns = o.metadata.namespace ?? '';
  if (o.kind === 'Ingress' && subdomain) {
    const gen = `${o.metadata.name}.${ns}${subdomain.startsWith('.') ? subdomain : `.${subdomain}`}`;
    return { hosts: [...raw.hosts, gen], hostless: false };
  }
  if (o.kind === 'Route' && o.spec?.subdomain) {
    const domain = instance.l4.defaultDomain || instance.network.defaultDomain || subdomain?.replace(/^\./, '');
    if (domain) return { hosts: [...raw.hosts, `${o.spec.subdomain}.${domain}`], hostless: false };
  }
  return raw;
}

function isPassthroughObject(o: KubeObject): boolean {
  if (o.kind === 'Route') return String(o.spec?.tls?.termination ?? '').toLowerCase() === 'passthrough';
  return o.metadata.annotations?.[PASSTHROUGH_ANNOTATION]?.trim().toLowerCase() === 'true';
}

/** Candidate model names of an Ingress/Route under a given tenant. */
export function candidateModels(
  instance: InstanceConfig,
  idx: ViewIndex,
  o: KubeObject,
  tenant: string,
  subdomain: string | undefined,
  /** `instance` is already seen through the AviInfraSetting to use. */
  scopedAlready = false,
) {
  const { hosts, hostless } = candidateHosts(instance, o, subdomain);
  const termination = isPassthroughObject(o) ? 'passthrough' : 'insecure';
  const models = new Set<string>();
  const scoped = scopedAlready ? instance : instanceForCandidates(instance, idx, o);
  for (const host of hosts) models.add(placementOf({ instance: scoped }, tenant, { host, termination }).model);
  return { models: [...models], hostless };
}

function refsOfObject(instance: InstanceConfig, o: KubeObject): string[] {
  const ns = o.metadata.namespace ?? '';
  const out = new Set<string>();
  if (o.kind === 'Ingress') {
    for (const r of Array.isArray(o.spec?.rules) ? o.spec.rules : []) {
      for (const p of Array.isArray(r?.http?.paths) ? r.http.paths : []) {
        if (p?.backend?.service?.name) out.add(`svc:${ns}/${p.backend.service.name}`);
      }
    }
    for (const t of Array.isArray(o.spec?.tls) ? o.spec.tls : []) {
      if (t?.secretName) out.add(`secret:${ns}/${t.secretName}`);
    }
  } else {
    if (o.spec?.to?.name) out.add(`svc:${ns}/${o.spec.to.name}`);
    for (const b of Array.isArray(o.spec?.alternateBackends) ? o.spec.alternateBackends : []) {
      if (b?.name) out.add(`svc:${ns}/${b.name}`);
    }
  }
  // The AKO-namespace default certificate (enable-tls annotation, routes without their own key pair).
  out.add(`secret:${instance.namespace}/router-certs-default`);
  return [...out];
}

function indexL7(d: Derived, idx: ViewIndex, o: KubeObject): void {
  const key = objectKey(o);
  const tenant = tenantOf(d.instance, idx, o.metadata.namespace ?? '');
  const c = candidateModels(d.instance, idx, o, tenant, d.subdomain);
  d.modelsOf.set(key, c.models);
  for (const m of c.models) {
    const objs = d.byModel.get(m);
    if (objs) objs.set(key, o);
    else d.byModel.set(m, new Map([[key, o]]));
  }
  if (c.hostless) {
    d.hostlessOf.set(key, tenant);
    add(d.hostless, tenant, key);
  }
  const refs = refsOfObject(d.instance, o);
  d.refsOf.set(key, refs);
  for (const r of refs) add(d.refs, r, key);
  markDirty(d, key);
}

function unindexL7(d: Derived, key: ObjectKey): void {
  markDirty(d, key);
  for (const m of d.modelsOf.get(key) ?? []) d.byModel.get(m)?.delete(key);
  d.modelsOf.delete(key);
  const t = d.hostlessOf.get(key);
  if (t !== undefined) d.hostless.get(t)?.delete(key);
  d.hostlessOf.delete(key);
  for (const r of d.refsOf.get(key) ?? []) d.refs.get(r)?.delete(key);
  d.refsOf.delete(key);
  for (const c of d.fragments.values()) c.delete(key);
}

export function derivedFor(idx: ViewIndex, instance: InstanceConfig, facts: CloudFacts | undefined): Derived {
  const subdomain = dnsSubdomains(facts ?? {})[0];
  const fp = fingerprint(instance, subdomain);
  let d = idx.derived.get(fp) as Derived | undefined;
  if (d && d.instance === instance) return d;
  if (d) {
    d.instance = instance;
    return d;
  }
  d = {
    instance,
    subdomain,
    byModel: new Map(),
    modelsOf: new Map(),
    refs: new Map(),
    refsOf: new Map(),
    hostless: new Map(),
    hostlessOf: new Map(),
    classVersion: 0,
    fragments: new Map(),
    sni: new Map(),
    assemblies: new Map(),
  };
  for (const kind of L7_KINDS) for (const o of objectsOfKind(idx, kind)) indexL7(d, idx, o);
  idx.derived.set(fp, d);
  return d;
}

// Keep every derived index in step with applyChange.
registerDerivedUpdater((idx, before, after) => {
  const o = after ?? before;
  if (!o) return;
  for (const raw of idx.derived.values()) {
    const d = raw as Derived;
    const invalidate = (dep: string) => {
      for (const c of d.fragments.values()) for (const key of c.invalidate(dep)) markDirty(d, key);
    };
    invalidate(depKey(o.kind, o.metadata.namespace ?? '', o.metadata.name));
    if (o.kind === 'Ingress' || o.kind === 'Route') {
      unindexL7(d, objectKey(o));
      if (after) indexL7(d, idx, after);
    } else if (o.kind === 'IngressClass') {
      d.classVersion++;
      d.assemblies.clear(); // every fragment is rebuilt under the new class
    } else if (o.kind === 'EndpointSlice') {
      for (const x of [before, after]) {
        const svc = x?.metadata.labels?.[SERVICE_NAME_LABEL];
        if (svc) invalidate(slicesDepKey(x.metadata.namespace ?? '', svc));
      }
    } else if (o.kind === 'Namespace') {
      // Tenant may have changed: re-place every L7 object of the namespace.
      for (const kind of L7_KINDS) {
        for (const x of objectsIn(idx, kind, o.metadata.name)) {
          unindexL7(d, objectKey(x));
          indexL7(d, idx, x);
        }
      }
    }
  }
});

export function objectByKey(idx: ViewIndex, key: ObjectKey): KubeObject | undefined {
  const [kind, ns, ...rest] = key.split('/');
  return getObject(idx, kind!, ns!, rest.join('/'));
}
