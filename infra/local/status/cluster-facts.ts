/**
 * What the status page says beyond the controller's objects, gathered from what already flows through the
 * runtime: the latest Warning per object (the same Events `kubectl describe` shows, e.g. ServiceNotFound) and
 * the namespaces no instance selects (from the namespace labels the forwarders publish).
 */
import type { StatusUpdate } from '../../../functions/forwarder/status.ts';
import { DetailType, FORWARDER_SOURCE } from '../../../shared/events/index.ts';
import type { OwnerIndex } from '../../../shared/registry/index.ts';

export interface ObjectWarning {
  instance: string;
  /** `<kind> <namespace>/<name>`. */
  object: string;
  reason: string;
  note: string;
  at: string;
}

export interface UnownedNamespace {
  cluster: string;
  namespace: string;
  /** no-match (no selector matches its labels) or blocked (AKOSettings.blockedNamespaceList). */
  why: string;
}

const LIMIT = 500;

export function createClusterFacts(index: OwnerIndex, now: () => Date = () => new Date()) {
  const warnings = new Map<string, ObjectWarning>();
  const namespaceLabels = new Map<string, { cluster: string; namespace: string; labels: Record<string, string> }>();
  return {
    /** Status updates on their way to the cluster: keep the latest Warning of each object. */
    statusUpdates(updates: readonly StatusUpdate[]): void {
      for (const u of updates) {
        const warning = [...(u.events ?? [])].reverse().find((e) => e.type === 'Warning');
        if (!warning) continue;
        const object = `${u.target.kind} ${u.target.namespace ? `${u.target.namespace}/` : ''}${u.target.name}`;
        const key = `${u.instance}|${object}`;
        warnings.delete(key); // re-inserted last: the map stays in arrival order for the limit below
        warnings.set(key, {
          instance: u.instance,
          object,
          reason: warning.reason,
          note: warning.note,
          at: now().toISOString(),
        });
        if (warnings.size > LIMIT) warnings.delete(warnings.keys().next().value as string);
      }
    },
    /** A namespace's labels as a forwarder published them (object changes carry them; label changes too). */
    namespaceSeen(cluster: string, namespace: string, labels: Record<string, string>): void {
      if (namespace) namespaceLabels.set(`${cluster}/${namespace}`, { cluster, namespace, labels });
    },
    namespaceGone(cluster: string, namespace: string): void {
      namespaceLabels.delete(`${cluster}/${namespace}`);
    },
    /** Warnings of objects that still exist (`exists` answers by `<kind> <ns>/<name>`), newest first. */
    warnings(exists: (instance: string, object: string) => boolean): ObjectWarning[] {
      return [...warnings.values()].filter((w) => exists(w.instance, w.object)).reverse();
    },
    unownedNamespaces(): UnownedNamespace[] {
      const out: UnownedNamespace[] = [];
      for (const { cluster, namespace, labels } of namespaceLabels.values()) {
        const r = index.resolve(cluster, namespace, labels);
        if (r.kind === 'none' && r.reason !== 'unknown-cluster') out.push({ cluster, namespace, why: r.reason });
      }
      return out.sort((a, b) => `${a.cluster}/${a.namespace}`.localeCompare(`${b.cluster}/${b.namespace}`));
    },
  };
}

export type ClusterFacts = ReturnType<typeof createClusterFacts>;

type Labels = Record<string, string>;

/** A bus rule that feeds the forwarders' namespace labels to `facts` (read-only: it never fails an event). */
export function clusterFactsRule(facts: ClusterFacts) {
  return {
    name: 'status-facts',
    pattern: { source: [FORWARDER_SOURCE], 'detail-type': [DetailType.objectChange, DetailType.namespaceChanged] },
    target: async (event: { 'detail-type': string; detail: unknown }) => {
      const d = event.detail as {
        cluster?: string;
        kind?: string;
        name?: string;
        namespace?: string;
        op?: string;
        namespaceLabels?: Labels;
        newLabels?: Labels;
        object?: { metadata?: { labels?: Labels } };
      };
      if (!d.cluster) return;
      if (event['detail-type'] === DetailType.namespaceChanged) {
        if (d.namespace) facts.namespaceSeen(d.cluster, d.namespace, d.newLabels ?? {});
        return;
      }
      if (d.kind === 'Namespace' && d.name) {
        if (d.op === 'delete') facts.namespaceGone(d.cluster, d.name);
        else facts.namespaceSeen(d.cluster, d.name, d.object?.metadata?.labels ?? d.namespaceLabels ?? {});
      } else if (d.namespace) facts.namespaceSeen(d.cluster, d.namespace, d.namespaceLabels ?? {});
    },
  };
}
