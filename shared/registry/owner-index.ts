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

interface ClusterIndex {
  instances: InstanceConfig[];
  primary: InstanceConfig | undefined;
  /** Instances with an empty selector: they claim every namespace. */
  catchAll: InstanceConfig[];
  /** labelKey → labelValue → instances with exactly that selector. */
  byKey: Map<string, Map<string, InstanceConfig[]>>;
  /** The distinct label keys, so a lookup touches at most min(#keys, #labels) entries. */
  keys: string[];
}

const NO_MATCH: OwnerResolution = { kind: 'none', reason: 'no-match' };
const BLOCKED: OwnerResolution = { kind: 'none', reason: 'blocked' };
const UNKNOWN_CLUSTER: OwnerResolution = { kind: 'none', reason: 'unknown-cluster' };

export function buildOwnerIndex(registry: Registry): OwnerIndex {
  const clusters = new Map<string, ClusterIndex>();
  const byId = new Map<string, InstanceConfig>();
  const blocked = new Map<InstanceConfig, ReadonlySet<string>>();
  for (const inst of registry.instances) {
    byId.set(inst.id, inst);
    blocked.set(inst, new Set(inst.blockedNamespaces));
    let c = clusters.get(inst.clusterName);
    if (!c) {
      c = { instances: [], primary: undefined, catchAll: [], byKey: new Map(), keys: [] };
      clusters.set(inst.clusterName, c);
    }
    c.instances.push(inst);
    if (inst.primary && !c.primary) c.primary = inst;
    const sel = inst.namespaceSelector;
    if (!sel) {
      c.catchAll.push(inst);
      continue;
    }
    let values = c.byKey.get(sel.labelKey);
    if (!values) {
      values = new Map();
      c.byKey.set(sel.labelKey, values);
      c.keys.push(sel.labelKey);
    }
    const list = values.get(sel.labelValue);
    if (list) list.push(inst);
    else values.set(sel.labelValue, [inst]);
  }

  const resolve = (cluster: string, namespace: string, labels: Readonly<Record<string, string>>): OwnerResolution => {
    const c = clusters.get(cluster);
    if (!c) return UNKNOWN_CLUSTER;
    let first: InstanceConfig | undefined;
    let more: InstanceConfig[] | undefined;
    let sawBlocked = false;
    const consider = (inst: InstanceConfig) => {
      if (blocked.get(inst)!.has(namespace)) {
        sawBlocked = true; // a blocked namespace loses even when its label matches
        return;
      }
      if (!first) first = inst;
      else if (more) more.push(inst);
      else more = [first, inst];
    };
    for (const inst of c.catchAll) consider(inst);
    if (c.keys.length > 0) {
      const visit = (key: string, value: string | undefined) => {
        if (typeof value !== 'string') return;
        const hits = c.byKey.get(key)?.get(value);
        if (hits) for (const inst of hits) consider(inst);
      };
      // Walk whichever side is smaller: the cluster's selector keys or the namespace's labels.
      const labelKeys = Object.keys(labels);
      if (c.keys.length <= labelKeys.length) for (const key of c.keys) visit(key, labels[key]);
      else for (const key of labelKeys) if (c.byKey.has(key)) visit(key, labels[key]);
    }
    if (more) return { kind: 'conflict', instances: more.sort(compareById) };
    if (first) return { kind: 'owner', instance: first };
    return sawBlocked ? BLOCKED : NO_MATCH;
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
