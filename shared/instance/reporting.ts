/**
 * What an instance reports while it syncs: sync-status events (applied, failed, swept...), permanent failures
 * recorded in the store, and Kubernetes status/Events through the status reporter. Reporting never fails a batch.
 */
import type { ReleaseConfirmedEvent, SweepRequestedEvent, SyncStatusEvent } from '../events/index.ts';
import type { Logger } from '../log.ts';
import type { ClusterView, ObjectKey, SkippedObject } from '../model/types.ts';
import type { InstanceConfig } from '../registry/types.ts';
import { failureId, type InstanceStore } from '../store/types.ts';
import { objectKeyOf, type RecordedModel, type WorkingSet } from './working-set.ts';

/**
 * A problem found again at every rebuild of its model is reported again only after this long: each report is a
 * Kubernetes Event, a store write and a bus event, and Kubernetes keeps Events for an hour by default.
 */
export const REPEAT_REPORT_MS = 10 * 60_000;
/** Objects whose reports are remembered; past this the memory is dropped (costs only repeated reports). */
const MAX_REMEMBERED = 50_000;

/** What was reported per object (`<field>|<reason>` → when), so a problem unchanged is not reported again soon. */
function createRepeatFilter(now: () => number) {
  const reported = new Map<ObjectKey, Map<string, number>>();
  return {
    /** The problems among `skipped` not reported within REPEAT_REPORT_MS (and now remembered as reported). */
    fresh(skipped: readonly SkippedObject[]): SkippedObject[] {
      const t = now();
      const byObject = new Map<ObjectKey, SkippedObject[]>();
      for (const s of skipped) {
        const key = objectKeyOf(s.kind, s.namespace, s.name);
        const l = byObject.get(key);
        if (l) l.push(s);
        else byObject.set(key, [s]);
      }
      const out: SkippedObject[] = [];
      for (const [key, list] of byObject) {
        const before = reported.get(key);
        const after = new Map<string, number>();
        for (const s of list) {
          const what = `${s.field}|${s.reason}`;
          const at = before?.get(what);
          if (at !== undefined && t >= at && t - at < REPEAT_REPORT_MS) after.set(what, at);
          else {
            after.set(what, t);
            out.push(s);
          }
        }
        if (!reported.has(key) && reported.size >= MAX_REMEMBERED) reported.clear();
        reported.set(key, after);
      }
      return out;
    },
    /** The object's problems are over (or may be): its next problem is reported at once. */
    forget(key: ObjectKey): boolean {
      return reported.delete(key);
    },
    /** Objects remembered (usually none: a build of a healthy shard then skips the look-ups). */
    get size(): number {
      return reported.size;
    },
  };
}

export type PublishedEvent =
  | { detailType: 'release-confirmed'; detail: ReleaseConfirmedEvent }
  | { detailType: 'sweep-requested'; detail: SweepRequestedEvent }
  | { detailType: 'sync-status'; detail: SyncStatusEvent };

/** Kubernetes status and Events for the objects behind models (functions/sync/status.ts implements it). */
export interface KubernetesStatusReporter {
  report(view: ClusterView, applied: ReadonlyMap<string, RecordedModel>, keys: Iterable<string>): Promise<void>;
  reportSkipped(skipped: SkippedObject[]): Promise<void>;
}

export function createReporting(deps: {
  instance: InstanceConfig;
  store: Pick<InstanceStore, 'recordFailure' | 'listFailures' | 'clearFailure'>;
  publish(event: PublishedEvent): Promise<void> | void;
  log: Logger;
  now(): Date;
  statusReporter?: KubernetesStatusReporter;
}) {
  const { instance, store, log } = deps;
  const skips = createRepeatFilter(() => deps.now().getTime());
  const notices = createRepeatFilter(() => deps.now().getTime());

  async function recordPermanent(entry: {
    model?: string;
    object?: string;
    reason: string;
    namespace?: string;
    /** The Event reason naming the cause (ServiceNotFound, InvalidCertificate...). */
    code?: string;
  }) {
    log.warn('permanent sync failure (not retried)', {
      model: entry.model,
      object: entry.object,
      ...(entry.code ? { code: entry.code } : {}),
      operation: 'sync',
      outcome: 'failed',
      reason: entry.reason,
    });
    try {
      await store.recordFailure({
        ...(entry.model ? { model: entry.model } : {}),
        ...(entry.object ? { objectKey: entry.object } : {}),
        reason: entry.reason,
        at: deps.now().toISOString(),
      });
    } catch (err) {
      log.error('cannot record failure', { reason: err instanceof Error ? err.message : String(err) });
    }
    await status('failed', 'sync', entry);
  }

  async function status(
    outcome: SyncStatusEvent['outcome'],
    operation: string,
    f: { model?: string; object?: string; reason?: string; namespace?: string } = {},
  ): Promise<void> {
    try {
      await deps.publish({
        detailType: 'sync-status',
        detail: {
          version: 1,
          cluster: instance.clusterName,
          instance: instance.id,
          operation,
          outcome,
          ...(f.namespace ? { namespace: f.namespace } : {}),
          ...(f.model ? { model: f.model } : {}),
          ...(f.object ? { object: f.object } : {}),
          ...(f.reason ? { reason: f.reason.slice(0, 1000) } : {}),
          at: deps.now().toISOString(),
        },
      });
    } catch (err) {
      log.warn('cannot publish status event', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Publishes status for every status-bearing source of the models, before and after; never fails the batch. */
  async function reportStatus(
    view: ClusterView,
    ws: WorkingSet,
    names: Iterable<string>,
    before: ReadonlyMap<string, readonly ObjectKey[]>,
  ): Promise<void> {
    if (!deps.statusReporter) return;
    const keys: ObjectKey[] = [];
    for (const name of names) keys.push(...(before.get(name) ?? []), ...(ws.applied.get(name)?.sources ?? []));
    try {
      await deps.statusReporter.report(view, ws.applied, keys);
    } catch (err) {
      log.warn('cannot publish Kubernetes status', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Reports what a build skipped: a Warning Event on the object, a failure record and a status event, each once
   * per problem (again after REPEAT_REPORT_MS if it lasts). `evaluated`: the objects the build looked at (the
   * sources of its models); one of them not skipped any more reports its next problem at once. `complete`: the
   * build covered every object of the instance, so a failure record of an object it did not skip is cleared.
   */
  async function reportSkipped(
    skipped: SkippedObject[],
    opts: { evaluated?: Iterable<ObjectKey>; complete?: boolean } = {},
  ): Promise<void> {
    const skippedNow = new Set(skipped.map((s) => objectKeyOf(s.kind, s.namespace, s.name)));
    if (skips.size > 0) for (const key of opts.evaluated ?? []) if (!skippedNow.has(key)) skips.forget(key);
    if (opts.complete) await clearResolved(skippedNow);
    const fresh = skips.fresh(skipped);
    if (deps.statusReporter && fresh.length) {
      await deps.statusReporter.reportSkipped(fresh).catch((err: unknown) => {
        log.warn('cannot publish Kubernetes events', { reason: err instanceof Error ? err.message : String(err) });
        for (const s of fresh) skips.forget(objectKeyOf(s.kind, s.namespace, s.name)); // tried again next build
      });
    }
    for (const s of fresh) {
      await recordPermanent({
        object: objectKeyOf(s.kind, s.namespace, s.name),
        reason: `${s.field}: ${s.reason}`,
        ...(s.namespace ? { namespace: s.namespace } : {}),
        ...(s.code ? { code: s.code } : {}),
      });
    }
  }

  /** Failure records of skipped objects (no model) that a build of every object did not skip again. */
  async function clearResolved(skippedNow: ReadonlySet<ObjectKey>): Promise<void> {
    try {
      for (const f of await store.listFailures()) {
        if (f.model !== undefined || f.objectKey === undefined || skippedNow.has(f.objectKey)) continue;
        await store.clearFailure(f.id ?? failureId(f));
        skips.forget(f.objectKey);
        log.info('problem resolved: failure record cleared', { object: f.objectKey, outcome: 'resolved' });
      }
    } catch (err) {
      log.warn('cannot clear resolved failures', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Warning Events only (nothing recorded as failed): e.g. a host this instance keeps that another asked for. */
  async function reportNotices(all: SkippedObject[]): Promise<void> {
    const fresh = notices.fresh(all);
    if (!deps.statusReporter || fresh.length === 0) return;
    await deps.statusReporter.reportSkipped(fresh).catch((err: unknown) => {
      for (const s of fresh) notices.forget(objectKeyOf(s.kind, s.namespace, s.name));
      log.warn('cannot publish Kubernetes events', { reason: err instanceof Error ? err.message : String(err) });
    });
  }

  return { recordPermanent, status, reportStatus, reportSkipped, reportNotices };
}
