import type { InstanceConfig } from '../registry/types.ts';
import { type BuildContext, skip, tenantOf } from './context.ts';
import { type InfraSource, infraOf, scopedContext } from './crd-infrasetting.ts';
import { evhDedicatedName, evhEnabled, evhParentName } from './evh-naming.ts';
import { insecurePieces } from './l7-insecure.ts';
import { type L7Host, parseIngress, parseRoute } from './l7-parse.ts';
import { type PathPieces, pathPieces } from './l7-sni.ts';
import { dedicatedVsName, fnv1a32, modelName, passthroughVsName, shardVsName } from './naming.ts';
import type { PgMember } from './objects.ts';
import { type ResolvedCert, resolveCert } from './tls.ts';
import type { AviObject, KubeObject, ObjectKey, SkippedObject } from './types.ts';
import { objectKey } from './types.ts';

export type PlacementMode = 'shared' | 'dedicated' | 'passthrough' | 'evh' | 'evh-dedicated';

export interface Placement {
  model: string;
  tenant: string;
  vsName: string;
  mode: PlacementMode;
  /** The AviInfraSetting the model is built through (absent: the configured instance as it is). */
  infra?: InfraSource;
}

/** Which parent VS a host lands on: passthrough shard, dedicated VS, or shared L7 shard. */
export function placementOf(
  ctx: Pick<BuildContext, 'instance'>,
  tenant: string,
  h: Pick<L7Host, 'host' | 'termination'>,
): Placement {
  const i = ctx.instance;
  if (h.termination === 'passthrough') {
    const vsName = passthroughVsName(i, h.host, i.l7.passthroughShardSize);
    return { model: modelName(tenant, vsName), tenant, vsName, mode: 'passthrough', ...infraOf(i) };
  }
  if (evhEnabled(i)) {
    const dedicated = i.l7.shardVSSize === 'DEDICATED';
    const vsName = dedicated ? evhDedicatedName(i, h.host) : evhParentName(i, h.host, i.l7.shardVSSize);
    return {
      model: modelName(tenant, vsName),
      tenant,
      vsName,
      mode: dedicated ? 'evh-dedicated' : 'evh',
      ...infraOf(i),
    };
  }
  if (i.l7.shardVSSize === 'DEDICATED') {
    const vsName = dedicatedVsName(i, h.host);
    return { model: modelName(tenant, vsName), tenant, vsName, mode: 'dedicated', ...infraOf(i) };
  }
  const vsName = shardVsName(i, h.host, i.l7.shardVSSize);
  return { model: modelName(tenant, vsName), tenant, vsName, mode: 'shared', ...infraOf(i) };
}

/** What one host of one Ingress/Route contributes to its model, computed once per object version. */
export interface HostFragment {
  placement: Placement;
  host: L7Host;
  /** `fnv1a32(host.host)`, for the VsVip checksum. */
  hostHash: number;
  /** Shared mode: insecure pools and their shared-PG members (also for Route `Allow`). */
  pools: AviObject[];
  members: PgMember[];
  /** Secure host: its key pair and SNI path pieces. Undefined for a secure host whose material is missing. */
  cert?: ResolvedCert;
  sni?: PathPieces;
  /** False when the host produced nothing (missing secret, no resolvable backend). */
  usable: boolean;
  sources: ObjectKey[];
}

export interface ObjectFragments {
  source: KubeObject;
  namespaceObj: KubeObject | undefined;
  classVersion: number;
  deps: string[];
  hosts: HostFragment[];
  skipped: SkippedObject[];
}

const MAX_INTERNED = 100_000;

/**
 * Fragments per object key. An entry stays valid until something it looked up changes: `applyChange`
 * calls `invalidate` with the changed object's dependency keys (the cache lives and dies with the view index).
 */
export class FragmentCache {
  readonly entries = new Map<ObjectKey, ObjectFragments>();
  private readonly dependents = new Map<string, Set<ObjectKey>>();
  private readonly interned = new Map<string, string>();

  /**
   * The one copy of an object key kept for all fragments: a shard gathers the same Service and Secret keys from
   * thousands of fragments, and a Set compares identical strings at once. Bounded: forgetting costs only speed.
   */
  readonly intern = (s: string): string => {
    const kept = this.interned.get(s);
    if (kept !== undefined) return kept;
    if (this.interned.size >= MAX_INTERNED) this.interned.clear();
    this.interned.set(s, s);
    return s;
  };

  get(key: ObjectKey): ObjectFragments | undefined {
    return this.entries.get(key);
  }

  set(key: ObjectKey, f: ObjectFragments): void {
    this.entries.set(key, f);
    for (const d of f.deps) {
      const s = this.dependents.get(d);
      if (s) s.add(key);
      else this.dependents.set(d, new Set([key]));
    }
  }

  delete(key: ObjectKey): void {
    this.entries.delete(key);
  }

  /** Drops every entry that looked up `dep`; returns their keys. */
  invalidate(dep: string): Iterable<ObjectKey> {
    const keys = this.dependents.get(dep);
    if (!keys) return [];
    for (const k of keys) this.entries.delete(k);
    this.dependents.delete(dep);
    return keys;
  }
}

/**
 * Whether built fragments may be kept until something they looked up changes: only where the result depends on
 * nothing else (ClusterIP servers come from EndpointSlices alone; NodePort servers from every Node).
 */
export function fragmentsCacheable(instance: Pick<InstanceConfig, 'l7'>): boolean {
  return instance.l7.serviceType === 'ClusterIP';
}

export function objectFragments(
  ctx: BuildContext,
  key: ObjectKey,
  o: KubeObject,
  classVersion: number,
  cache?: FragmentCache,
): ObjectFragments {
  const ns = o.metadata.namespace ?? '';
  const nsObj = ctx.idx.namespaces.get(ns);
  const hit = cache?.get(key);
  if (hit && hit.source === o && hit.namespaceObj === nsObj && hit.classVersion === classVersion) {
    if (hit.skipped.length > 0) ctx.skipped.push(...hit.skipped);
    return hit;
  }
  const cacheable = cache !== undefined && fragmentsCacheable(ctx.instance);
  const outerSkipped = ctx.skipped;
  const outerDeps = ctx.deps;
  ctx.skipped = [];
  ctx.deps = [];
  try {
    const tenant = tenantOf(ctx.instance, ctx.idx, ns);
    // An AviInfraSetting (IngressClass parameters / namespace or Route annotation) scopes the whole object.
    const sc = scopedContext(ctx, o);
    let frags: HostFragment[] = [];
    if ('error' in sc) skip(ctx, o, sc.field, sc.error, 'InvalidAviInfraSetting');
    else {
      const hosts = o.kind === 'Route' ? parseRoute(sc, o) : parseIngress(sc, o);
      frags = hosts.map((h) => hostFragment(sc, tenant, h, cache));
    }
    const result: ObjectFragments = {
      source: o,
      namespaceObj: nsObj,
      classVersion,
      deps: ctx.deps,
      hosts: frags,
      skipped: ctx.skipped,
    };
    if (cacheable) cache.set(key, result);
    outerSkipped.push(...ctx.skipped);
    return result;
  } finally {
    ctx.skipped = outerSkipped;
    ctx.deps = outerDeps;
  }
}

function hostFragment(ctx: BuildContext, tenant: string, h: L7Host, cache?: FragmentCache): HostFragment {
  const placement = placementOf(ctx, tenant, h);
  const sources = new Set<ObjectKey>([objectKey(h.source)]);
  const frag: HostFragment = {
    placement,
    host: h,
    hostHash: fnv1a32(h.host),
    pools: [],
    members: [],
    usable: false,
    sources: [],
  };
  if (placement.mode === 'shared') {
    if (h.tls) {
      const cert = resolveCert(ctx, h, sources);
      if (cert) {
        frag.cert = cert;
        frag.sni = pathPieces(ctx, tenant, h, sources, '', cert.destinationCA);
        frag.usable = true;
        if (h.insecureAllow) Object.assign(frag, insecurePieces(ctx, tenant, h, sources, true));
      }
    } else {
      Object.assign(frag, insecurePieces(ctx, tenant, h, sources, false));
      frag.usable = frag.pools.length > 0;
    }
  } else {
    // Dedicated and passthrough models resolve their backends when assembled (one host per model / few hosts).
    frag.usable = true;
  }
  frag.sources = cache ? [...sources].map(cache.intern) : [...sources];
  return frag;
}
