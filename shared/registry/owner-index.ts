// "Which instance owns namespace N with labels L in cluster C": built once per registry, answered without
// scanning instances (labelKey → labelValue → instances, per cluster).
import type { InstanceConfig, OwnerResolution, Registry } from './types.ts';

/** Kinds without a namespace that only the cluster's primary handles (nodes and CNI pod-CIDR objects). */
export const PRIMARY_KINDS: ReadonlySet<string> = new Set(['Node', 'BlockAffinity', 'HostSubnet', 'CiliumNode']);

export function isPrimaryKind(kind: string): boolean {
  return PRIMARY_KINDS.has(kind);
}

export interface OwnerIndex {
  /** Owner of a namespace: owner, none (no-match / blocked / unknown-cluster) or conflict (two or more claim it). */
  resolve(cluster: string, namespace: string, labels: Readonly<Record<string, string>>): OwnerResolution;
  /** The cluster's primary instance (undefined for an unknown cluster or one without a primary). */
  primaryOf(cluster: string): InstanceConfig | undefined;
  /** An instance by id (`<cluster>/<akoNamespace>`). */
  instance(id: string): InstanceConfig | undefined;
  /** All instances of a cluster (empty for an unknown cluster). */
  instancesOf(cluster: string): readonly InstanceConfig[];
  /** Cluster names in the registry. */
  clusters(): string[];
}

interface Entry {
  instance: InstanceConfig;
  blocked: ReadonlySet<string> | null;
  /** The answer when this instance alone claims the namespace (allocated once). */
  owner: OwnerResolution;
}

interface Selector {
  key: string;
  /** labelValue → instances with exactly this selector (more than one only in an invalid registry). */
  values: Map<string, Entry[]>;
}

interface ClusterIndex {
  instances: InstanceConfig[];
  primary: InstanceConfig | undefined;
  /** Instances with an empty selector: they claim every namespace. */
  catchAll: Entry[];
  /** One per distinct label key of the cluster's selectors. */
  selectors: Selector[];
  byKey: Map<string, Selector>;
}

/** With more distinct selector keys than this, walk the namespace's labels instead of the keys. */
const KEY_WALK_LIMIT = 8;

const NO_MATCH: OwnerResolution = { kind: 'none', reason: 'no-match' };
const BLOCKED: OwnerResolution = { kind: 'none', reason: 'blocked' };
const UNKNOWN_CLUSTER: OwnerResolution = { kind: 'none', reason: 'unknown-cluster' };

export function buildOwnerIndex(registry: Registry): OwnerIndex {
  const clusters = new Map<string, ClusterIndex>();
  const byId = new Map<string, InstanceConfig>();
  for (const inst of registry.instances) {
    byId.set(inst.id, inst);
    const entry: Entry = {
      instance: inst,
      blocked: inst.blockedNamespaces.length > 0 ? new Set(inst.blockedNamespaces) : null,
      owner: { kind: 'owner', instance: inst },
    };
    let c = clusters.get(inst.clusterName);
    if (!c) {
      c = { instances: [], primary: undefined, catchAll: [], selectors: [], byKey: new Map() };
      clusters.set(inst.clusterName, c);
    }
    c.instances.push(inst);
    if (inst.primary && !c.primary) c.primary = inst;
    const sel = inst.namespaceSelector;
    if (!sel) {
      c.catchAll.push(entry);
      continue;
    }
    let s = c.byKey.get(sel.labelKey);
    if (!s) {
      s = { key: sel.labelKey, values: new Map() };
      c.byKey.set(sel.labelKey, s);
      c.selectors.push(s);
    }
    const list = s.values.get(sel.labelValue);
    if (list) list.push(entry);
    else s.values.set(sel.labelValue, [entry]);
  }

  // Slow path: every claimant is collected (conflicts, catch-all instances, blocked namespaces).
  const resolveFully = (c: ClusterIndex, namespace: string, labels: Readonly<Record<string, string>>) => {
    const m = new Matches(namespace);
    for (const e of c.catchAll) m.consider(e);
    if (c.selectors.length <= KEY_WALK_LIMIT) {
      for (const s of c.selectors) {
        // Inherited properties (`constructor`, `__proto__`) are never strings, so a plain read is safe.
        const value = labels[s.key];
        if (typeof value !== 'string') continue;
        const hits = s.values.get(value);
        if (hits !== undefined) for (const e of hits) m.consider(e);
      }
    } else {
      for (const key in labels) {
        if (!Object.hasOwn(labels, key)) continue;
        const hits = c.byKey.get(key)?.values.get(labels[key]!);
        if (hits !== undefined) for (const e of hits) m.consider(e);
      }
    }
    return m.result();
  };

  const resolve = (cluster: string, namespace: string, labels: Readonly<Record<string, string>>): OwnerResolution => {
    const c = clusters.get(cluster);
    if (c === undefined) return UNKNOWN_CLUSTER;
    if (c.catchAll.length > 0) return resolveFully(c, namespace, labels);
    // Fast path (the common case): one map lookup per namespace label, stop at anything unusual.
    let only: Entry | undefined;
    const byKey = c.byKey;
    for (const key in labels) {
      const s = byKey.get(key);
      if (s === undefined) continue;
      const hits = s.values.get(labels[key]!);
      if (hits === undefined) continue;
      if (only !== undefined || hits.length > 1) return resolveFully(c, namespace, labels);
      only = hits[0];
    }
    if (only === undefined) return NO_MATCH;
    if (only.blocked?.has(namespace)) return resolveFully(c, namespace, labels);
    return only.owner;
  };

  return {
    resolve,
    primaryOf: (cluster) => clusters.get(cluster)?.primary,
    instance: (id) => byId.get(id),
    instancesOf: (cluster) => clusters.get(cluster)?.instances ?? [],
    clusters: () => [...clusters.keys()],
  };
}

/**
 * The same answer by scanning every instance: the reference the index is checked and benchmarked against.
 */
export function resolveByScan(
  registry: Registry,
  cluster: string,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): OwnerResolution {
  const inCluster = registry.instances.filter((i) => i.clusterName === cluster);
  if (inCluster.length === 0) return UNKNOWN_CLUSTER;
  const matching = inCluster.filter(
    (i) => !i.namespaceSelector || labels[i.namespaceSelector.labelKey] === i.namespaceSelector.labelValue,
  );
  const claiming = matching.filter((i) => !i.blockedNamespaces.includes(namespace));
  if (claiming.length > 1) return { kind: 'conflict', instances: claiming.sort(compareById) };
  if (claiming.length === 1) return { kind: 'owner', instance: claiming[0]! };
  return matching.length > 0 ? BLOCKED : NO_MATCH;
}

function compareById(a: InstanceConfig, b: InstanceConfig): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The instances claiming one namespace during a lookup (a blocked namespace loses even when its label matches). */
class Matches {
  first: Entry | undefined = undefined;
  more: InstanceConfig[] | undefined = undefined;
  sawBlocked = false;
  constructor(readonly namespace: string) {}

  consider(e: Entry): void {
    if (e.blocked?.has(this.namespace)) {
      this.sawBlocked = true;
      return;
    }
    if (this.first === undefined) this.first = e;
    else if (this.more) this.more.push(e.instance);
    else this.more = [this.first.instance, e.instance];
  }

  result(): OwnerResolution {
    if (this.more) return { kind: 'conflict', instances: this.more.sort(compareById) };
    if (this.first) return this.first.owner;
    return this.sawBlocked ? BLOCKED : NO_MATCH;
  }
}
