import type { InstanceConfig } from '../registry/types.ts';
import { type BuildContext, createContext, dnsSubdomains, skip, tenantOf } from './context.ts';
import { applyCrdsToModel, withInfraMarkers } from './crd-apply.ts';
import { contextFor, scopedContext, scopedInstance } from './crd-infrasetting.ts';
import { applyL4Rule } from './crd-l4rule.ts';
import { assemblyOf, type Derived, derivedFor, forgetAssembly, L7_KINDS, objectByKey } from './derived.ts';
import { buildEvhModel } from './evh.ts';
import { buildEvhDedicatedModel } from './evh-dedicated.ts';
import { keptShards } from './kept-shards.ts';
import {
  buildL4Model,
  buildSharedVipModel,
  isL4Service,
  l4ModelName,
  sharedVipKey,
  sharedVipServicesOf,
} from './l4.ts';
import { buildDedicatedModel } from './l7-dedicated.ts';
import { FragmentCache, fragmentsCacheable, type HostFragment, objectFragments } from './l7-fragments.ts';
import { buildPassthroughModel } from './l7-passthrough.ts';
import { buildSharedModel, type SniCache } from './l7-shared.ts';
import { splitModelName } from './naming.ts';
import type { AviModel, CloudFacts, ClusterView, DesiredState, KubeObject, ObjectKey, SkippedObject } from './types.ts';
import { objectKey } from './types.ts';
import { cmp, getObject, indexView, objectsOfKind, type ViewIndex } from './view-index.ts';

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

/** The fragment and SNI caches of the instance under the build's DNS facts. */
function cachesFor(ctx: BuildContext, d: Derived) {
  const factsKey = JSON.stringify(dnsSubdomains(ctx.facts));
  let fragments = d.fragments.get(factsKey);
  if (!fragments) {
    fragments = new FragmentCache();
    d.fragments.set(factsKey, fragments);
  }
  let sni = d.sni.get(factsKey);
  if (!sni) {
    sni = new Map();
    d.sni.set(factsKey, sni);
  }
  return { factsKey, fragments, sni };
}

/**
 * Groups hosts per model as they are found: a host another instance holds is left out (with a Warning on its
 * object), each served host is noted once, for the first object by key that serves it.
 */
function hostGrouper(ctx: BuildContext) {
  const groups = new Map<string, HostFragment[]>();
  const elsewhere = ctx.facts.hostsServedElsewhere;
  if (ctx.facts.collectHosts && !ctx.served) ctx.served = new Map();
  const served = ctx.served;
  const servedFor = new Map<string, ObjectKey>();
  function place(key: ObjectKey, o: KubeObject, h: HostFragment): void {
    const m = h.placement.model;
    const host = h.host.host;
    const other = elsewhere?.get(host);
    if (other !== undefined) {
      const field = h.host.kind === 'Route' ? 'spec.host' : 'spec.rules[].host';
      skip(ctx, o, field, `host ${host} is already served by ${other}; the first claimant keeps it`, 'HostConflict');
      return;
    }
    if (served) {
      const prev = servedFor.get(host);
      if (prev === undefined ? !served.has(host) : key < prev) {
        served.set(host, { host, model: m, kind: h.host.kind, namespace: h.host.namespace, name: h.host.objName });
        servedFor.set(host, key);
      }
    }
    const l = groups.get(m);
    if (l) l.push(h);
    else groups.set(m, [h]);
  }
  return { groups, place };
}

/** Builds the L7 models named in `wanted` (all when undefined) from the given Ingress/Route objects. */
function buildL7(ctx: BuildContext, d: Derived, sources: [ObjectKey, KubeObject][], wanted?: Set<string>): AviModel[] {
  const caches = cachesFor(ctx, d);
  const { groups, place } = hostGrouper(ctx);
  for (const [key, o] of sources) {
    const f = objectFragments(ctx, key, o, d.classVersion, caches.fragments);
    for (const h of f.hosts) if (!wanted || wanted.has(h.placement.model)) place(key, o, h);
  }
  return modelsOf(ctx, groups, caches.sni);
}

/**
 * The same as `buildL7` over the contributors of the wanted models, from each model's kept contributors: only
 * the Ingresses/Routes changed since that model was last built are looked at again.
 */
function buildKeptL7(ctx: BuildContext, d: Derived, wanted: Set<string>): AviModel[] {
  const caches = cachesFor(ctx, d);
  const { groups, place } = hostGrouper(ctx);
  const idx = ctx.idx;
  for (const model of [...wanted].sort(cmp)) {
    const candidates = d.byModel.get(model);
    const hostless = d.hostless.get(splitModelName(model).tenant);
    if (!candidates?.size && !hostless?.size) {
      forgetAssembly(d, caches.factsKey, model); // nothing can land on it (an L4 model, or a shard emptied)
      continue;
    }
    const segments = assemblyOf(d, caches.factsKey, model).refresh({
      *contributors() {
        if (candidates) yield* candidates;
        for (const k of hostless ?? []) {
          const o = candidates?.has(k) ? undefined : objectByKey(idx, k);
          if (o) yield [k, o];
        }
      },
      contributor: (key) => candidates?.get(key) ?? (hostless?.has(key) ? objectByKey(idx, key) : undefined),
      fragments: (key, o) => {
        // Skipped fields are reported below, once per segment, as for every kept one.
        const outer = ctx.skipped;
        ctx.skipped = [];
        try {
          return objectFragments(ctx, key, o, d.classVersion, caches.fragments);
        } finally {
          ctx.skipped = outer;
        }
      },
    });
    for (const s of segments) {
      if (s.of.skipped.length > 0) ctx.skipped.push(...s.of.skipped);
      for (const h of s.hosts) place(s.key, s.of.source, h);
    }
  }
  return modelsOf(ctx, groups, caches.sni);
}

/** The model of each group of hosts, through its AviInfraSetting and with the CRDs applied. */
function modelsOf(ctx: BuildContext, groups: Map<string, HostFragment[]>, sniCache: SniCache): AviModel[] {
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

/** The Ingresses/Routes that can land on the named models, sorted by key (host order never depends on history). */
function contributorsOf(idx: ViewIndex, d: Derived, wanted: Set<string>): [ObjectKey, KubeObject][] {
  const contributors = new Map<ObjectKey, KubeObject>();
  const tenants = new Set<string>();
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
  return [...contributors].sort((a, b) => cmp(a[0], b[0]));
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
  const models = fragmentsCacheable(instance)
    ? buildKeptL7(ctx, d, wanted)
    : buildL7(ctx, d, contributorsOf(idx, d, wanted), wanted);
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
