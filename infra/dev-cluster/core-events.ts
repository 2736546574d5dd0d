/**
 * One Event storage, two APIs, as a real API server has: every events.k8s.io/v1 Event is also served as a
 * core/v1 Event (what `kubectl describe` and `kubectl get events` read), converted field by field
 * (regarding → involvedObject, note → message, reportingController → source.component, deprecated* → count and
 * timestamps). The mirror is one way: core/v1 writes stay core/v1 only.
 */
import type { ResourceIndex, ResourceType } from './resources.ts';
import { resourceId } from './resources.ts';
import type { KObj, ObjectStore } from './store.ts';

type Rec = Record<string, unknown>;

/** The core/v1 form of an events.k8s.io/v1 Event (without server-set metadata). */
export function coreEventOf(e: KObj): Rec {
  const o = e as unknown as Rec;
  const series = o.series as Rec | undefined;
  const eventTime = typeof o.eventTime === 'string' ? o.eventTime.replace(/\.\d+Z$/, 'Z') : undefined;
  const first = (o.deprecatedFirstTimestamp as string | undefined) ?? eventTime;
  const last =
    (series?.lastObservedTime as string | undefined)?.replace(/\.\d+Z$/, 'Z') ??
    (o.deprecatedLastTimestamp as string | undefined) ??
    eventTime;
  const source = (o.deprecatedSource as Rec | undefined) ?? {
    component: o.reportingController,
    ...(o.reportingInstance ? { host: o.reportingInstance } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: e.metadata.name,
      namespace: e.metadata.namespace,
      ...(e.metadata.labels ? { labels: e.metadata.labels } : {}),
    },
    involvedObject: o.regarding ?? {},
    ...(o.related ? { related: o.related } : {}),
    reason: o.reason,
    message: o.note,
    type: o.type,
    action: o.action,
    source,
    reportingComponent: o.reportingController,
    reportingInstance: o.reportingInstance,
    count: (series?.count as number | undefined) ?? (o.deprecatedCount as number | undefined) ?? 1,
    ...(first ? { firstTimestamp: first } : {}),
    ...(last ? { lastTimestamp: last } : {}),
    ...(o.eventTime ? { eventTime: o.eventTime } : {}),
  };
}

export function installCoreEventMirror(deps: { store: ObjectStore; index: ResourceIndex }): void {
  const { store, index } = deps;
  const from = index.byKind('events.k8s.io/v1', 'Event');
  const to = index.byKind('v1', 'Event');
  if (!from || !to) return;
  const fromId = resourceId(from);
  store.subscribe((e) => {
    if (e.rid !== fromId) return;
    const ns = e.obj.metadata.namespace;
    const name = e.obj.metadata.name;
    try {
      if (e.type === 'DELETED') {
        if (store.get(to, ns, name)) store.delete(to, ns, name);
        return;
      }
      const body = coreEventOf(e.obj);
      const existing = store.get(to, ns, name);
      if (existing)
        write(store, to, ns, name, { ...body, metadata: { ...existing.metadata, ...(body.metadata as Rec) } });
      else store.create(to, ns, body);
    } catch {
      // A mirror that cannot be written (namespace gone meanwhile) must not fail the original write.
    }
  });
}

function write(store: ObjectStore, rt: ResourceType, ns: string | undefined, name: string, body: Rec): void {
  store.update(rt, ns, name, body);
}
