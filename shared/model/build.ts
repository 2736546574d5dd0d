import type { InstanceConfig } from '../registry/types.ts';
import {
  type BuildContext,
  createContext,
  depKey,
  dnsSubdomains,
  skip,
  slicesDepKey,
  TENANT_ANNOTATION,
  tenantOf,
} from './context.ts';
import { crdAffected } from './crd-affected.ts';
import { applyCrdsToModel, withInfraMarkers } from './crd-apply.ts';
import { contextFor, instanceForCandidates, scopedContext, scopedInstance } from './crd-infrasetting.ts';
import { applyL4Rule } from './crd-l4rule.ts';
import { buildEvhModel } from './evh.ts';
import { buildEvhDedicatedModel } from './evh-dedicated.ts';
import { evhEnabled, evhParentNameForShard } from './evh-naming.ts';
import { keptShards } from './kept-shards.ts';
import {
  buildL4Model,
  buildSharedVipModel,
  isL4Service,
  l4ModelName,
  l4VsNameOf,
  sharedVipKey,
  sharedVipServicesOf,
} from './l4.ts';
import { buildDedicatedModel } from './l7-dedicated.ts';
import { FragmentCache, type HostFragment, objectFragments, placementOf } from './l7-fragments.ts';
import { PASSTHROUGH_ANNOTATION, rawHosts } from './l7-parse.ts';
import { buildPassthroughModel } from './l7-passthrough.ts';
import { buildSharedModel, type SniCache } from './l7-shared.ts';
import { modelName, shardCount, sharedVsNameForShard, splitModelName } from './naming.ts';
import type { AviModel, CloudFacts, ClusterView, DesiredState, KubeObject, ObjectKey, SkippedObject } from './types.ts';
import { objectKey } from './types.ts';
import {
  cmp,
  getObject,
  indexView,
  objectsIn,
  objectsOfKind,
  registerDerivedUpdater,
  SERVICE_NAME_LABEL,
  type ViewIndex,
} from './view-index.ts';

const L7_KINDS = ['Ingress', 'Route'] as const;

/**
 * Per instance (and DNS sub-domain) facts derived from the view: which Ingress/Route can land on which model,
 * which objects reference a Service or Secret, and caches of built fragments. Follows `applyChange`.
 */
interface Derived {
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
function candidateModels(
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
}

function unindexL7(d: Derived, key: ObjectKey): void {
  for (const m of d.modelsOf.get(key) ?? []) d.byModel.get(m)?.delete(key);
  d.modelsOf.delete(key);
  const t = d.hostlessOf.get(key);
  if (t !== undefined) d.hostless.get(t)?.delete(key);
  d.hostlessOf.delete(key);
  for (const r of d.refsOf.get(key) ?? []) d.refs.get(r)?.delete(key);
  d.refsOf.delete(key);
  for (const c of d.fragments.values()) c.delete(key);
}

function derivedFor(idx: ViewIndex, instance: InstanceConfig, facts: CloudFacts | undefined): Derived {
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
    const dep = depKey(o.kind, o.metadata.namespace ?? '', o.metadata.name);
    for (const c of d.fragments.values()) c.invalidate(dep);
    if (o.kind === 'Ingress' || o.kind === 'Route') {
      unindexL7(d, objectKey(o));
      if (after) indexL7(d, idx, after);
    } else if (o.kind === 'IngressClass') {
      d.classVersion++;
    } else if (o.kind === 'EndpointSlice') {
      for (const x of [before, after]) {
        const svc = x?.metadata.labels?.[SERVICE_NAME_LABEL];
        if (svc) for (const c of d.fragments.values()) c.invalidate(slicesDepKey(x.metadata.namespace ?? '', svc));
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

function objectByKey(idx: ViewIndex, key: ObjectKey): KubeObject | undefined {
  const [kind, ns, ...rest] = key.split('/');
  return getObject(idx, kind!, ns!, rest.join('/'));
}

/** An L4 model through the Service's AviInfraSetting (SE group, VIP network) and with its L4Rule applied. */
function buildL4WithCrds(ctx: BuildContext, tenant: string, svc: KubeObject): AviModel | undefined {
  const sc = scopedContext(ctx, svc);
  if ('error' in sc) {
    skip(ctx, svc, sc.field, sc.error, 'InvalidAviInfraSetting');
    return undefined;
  }
  const m = buildL4Model(sc, tenant, svc);
  return m ? applyL4Rule(sc, svc, m) : undefined;
}

/** Builds the L7 models named in `wanted` (all when undefined) from the given Ingress/Route objects. */
function buildL7(ctx: BuildContext, d: Derived, sources: [ObjectKey, KubeObject][], wanted?: Set<string>): AviModel[] {
  const factsKey = JSON.stringify(dnsSubdomains(ctx.facts));
  let cache = d.fragments.get(factsKey);
  if (!cache) {
    cache = new FragmentCache();
    d.fragments.set(factsKey, cache);
  }
  let sniCache = d.sni.get(factsKey);
  if (!sniCache) {
    sniCache = new Map();
    d.sni.set(factsKey, sniCache);
  }
  const groups = new Map<string, HostFragment[]>();
  const elsewhere = ctx.facts.hostsServedElsewhere;
  if (ctx.facts.collectHosts && !ctx.served) ctx.served = new Map();
  const served = ctx.served;
  for (const [key, o] of sources) {
    const f = objectFragments(ctx, key, o, d.classVersion, cache);
    for (const h of f.hosts) {
      const m = h.placement.model;
      if (wanted && !wanted.has(m)) continue;
      const host = h.host.host;
      const other = elsewhere?.get(host);
      if (other !== undefined) {
        const field = h.host.kind === 'Route' ? 'spec.host' : 'spec.rules[].host';
        skip(ctx, o, field, `host ${host} is already served by ${other}; the first claimant keeps it`, 'HostConflict');
        continue;
      }
      if (served && !served.has(host))
        served.set(host, { host, model: m, kind: h.host.kind, namespace: h.host.namespace, name: h.host.objName });
      const l = groups.get(m);
      if (l) l.push(h);
      else groups.set(m, [h]);
    }
  }
  const out: AviModel[] = [];
  for (const [, frags] of groups) {
    const p = frags[0]!.placement;
    const pctx = p.infra ? contextFor(ctx, scopedInstance(ctx.instance, p.infra.setting, p.infra.nsScoped)) : ctx;
    let model: AviModel | undefined;
    if (p.mode === 'shared') model = buildSharedModel(pctx, p.vsName, p.tenant, frags, sniCache);
    else if (p.mode === 'evh-dedicated')
      model = buildEvhDedicatedModel(
        pctx,
        p.vsName,
        p.tenant,
        frags.map((f) => f.host),
      );
    else if (p.mode === 'evh')
      model = buildEvhModel(
        pctx,
        p.vsName,
        p.tenant,
        frags.map((f) => f.host),
      );
    else if (p.mode === 'dedicated')
      model = buildDedicatedModel(
        pctx,
        p.vsName,
        p.tenant,
        frags.map((f) => f.host),
      );
    else
      model = buildPassthroughModel(
        pctx,
        p.vsName,
        p.tenant,
        frags.map((f) => f.host),
      );
    if (model) out.push(withInfraMarkers(pctx, applyCrdsToModel(pctx, model)));
  }
  return out;
}

function finish(ctx: BuildContext, models: AviModel[]): DesiredState {
  models.sort((a, b) => cmp(a.name, b.name));
  const seen = new Set<string>();
  const skipped: SkippedObject[] = [];
  for (const s of ctx.skipped) {
    const k = `${s.kind}/${s.namespace ?? ''}/${s.name}|${s.field}|${s.reason}`;
    if (seen.has(k)) continue;
    seen.add(k);
    skipped.push(s);
  }
  skipped.sort(
    (a, b) =>
      cmp(a.kind, b.kind) ||
      cmp(a.namespace ?? '', b.namespace ?? '') ||
      cmp(a.name, b.name) ||
      cmp(a.field, b.field) ||
      cmp(a.reason, b.reason),
  );
  return { models, skipped, ...(ctx.served?.size ? { hosts: [...ctx.served.values()] } : {}) };
}

function l7Objects(idx: ViewIndex): [ObjectKey, KubeObject][] {
  // Sorted by object key so the host order inside a model never depends on input order.
  const all: [ObjectKey, KubeObject][] = [];
  for (const kind of L7_KINDS) for (const o of objectsOfKind(idx, kind)) all.push([objectKey(o), o]);
  return all.sort((a, b) => cmp(a[0], b[0]));
}

/** Full build: every model of the instance. Deterministic and independent of input order. */
export function buildModels(instance: InstanceConfig, view: ClusterView, facts?: CloudFacts): DesiredState {
  const idx = indexView(view);
  const ctx = createContext(instance, idx, facts);
  const d = derivedFor(idx, instance, facts);
  const models = buildL7(ctx, d, l7Objects(idx));
  models.push(...keptShards(ctx, models));
  const shared = new Map<string, KubeObject[]>();
  for (const svc of objectsOfKind(idx, 'Service')) {
    if (!isL4Service(ctx, svc)) continue;
    const tenant = tenantOf(instance, idx, svc.metadata.namespace ?? '');
    if (sharedVipKey(svc)) {
      const name = l4ModelName(ctx, tenant, svc);
      shared.set(name, [...(shared.get(name) ?? []), svc]);
      continue;
    }
    const m = buildL4WithCrds(ctx, tenant, svc);
    if (m) models.push(m);
  }
  for (const [name, svcs] of shared) {
    const first = svcs[0]!;
    const ns = first.metadata.namespace ?? '';
    const m = buildSharedVipModel(ctx, splitModelName(name).tenant, ns, sharedVipKey(first)!, svcs);
    if (m) models.push(m);
  }
  return finish(ctx, models);
}

/** Rebuild only the named models (a name that no longer has content yields no model: the caller deletes it). */
export function buildSelectedModels(
  instance: InstanceConfig,
  view: ClusterView,
  modelNames: Iterable<string>,
  facts?: CloudFacts,
): DesiredState {
  const idx = indexView(view);
  const ctx = createContext(instance, idx, facts);
  const d = derivedFor(idx, instance, facts);
  const wanted = new Set(modelNames);
  const contributors = new Map<ObjectKey, KubeObject>();
  const tenants = new Set<string>();
  const models: AviModel[] = [];
  for (const name of wanted) {
    for (const [k, o] of d.byModel.get(name) ?? []) contributors.set(k, o);
    tenants.add(splitModelName(name).tenant);
  }
  for (const t of tenants) {
    for (const k of d.hostless.get(t) ?? []) {
      const o = objectByKey(idx, k);
      if (o) contributors.set(k, o);
    }
  }
  // Sorted by object key: the host order inside a model never depends on history or input order.
  const l7 = [...contributors].sort((a, b) => cmp(a[0], b[0]));
  models.push(...buildL7(ctx, d, l7, wanted));
  models.push(...keptShards(ctx, models, wanted));
  const l7Names = new Set(models.map((m) => m.name));
  for (const name of wanted) {
    if (l7Names.has(name)) continue;
    const tenant = splitModelName(name).tenant;
    const group = sharedVipServicesOf(ctx, name);
    if (group.svcs.length > 0) {
      const m = buildSharedVipModel(ctx, tenant, group.ns, group.key, group.svcs);
      if (m) models.push(m);
      continue;
    }
    const svc = l4ServiceOf(ctx, name);
    if (!svc) continue;
    const m = buildL4WithCrds(ctx, tenant, svc);
    if (m) models.push(m);
  }
  return finish(ctx, models);
}

/** The LoadBalancer Service an L4 model name belongs to: `<tenant>/<cluster>--<ns>-<svc>` (ns has no `-`? try all). */
function l4ServiceOf(ctx: BuildContext, name: string): KubeObject | undefined {
  const { tenant, vsName } = splitModelName(name);
  const prefix = `${ctx.cluster}--`;
  if (!vsName.startsWith(prefix)) return undefined;
  const rest = vsName.slice(prefix.length);
  // Namespaces and Service names may both contain `-`: try every split against the view.
  for (let i = rest.indexOf('-'); i > 0; i = rest.indexOf('-', i + 1)) {
    const svc = getObject(ctx.idx, 'Service', rest.slice(0, i), rest.slice(i + 1));
    if (
      svc &&
      isL4Service(ctx, svc) &&
      !sharedVipKey(svc) &&
      tenantOf(ctx.instance, ctx.idx, svc.metadata.namespace ?? '') === tenant &&
      l4ModelName(ctx, tenant, svc) === name
    ) {
      return svc;
    }
  }
  // EVH hashes L4 names: compare against every LoadBalancer Service of the tenant.
  if (ctx.instance.l7.enableEVH) {
    for (const svc of objectsOfKind(ctx.idx, 'Service')) {
      if (isL4Service(ctx, svc) && l4ModelName(ctx, tenant, svc) === name) {
        if (tenantOf(ctx.instance, ctx.idx, svc.metadata.namespace ?? '') === tenant) return svc;
      }
    }
  }
  return undefined;
}

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
