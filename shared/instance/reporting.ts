/**
 * What an instance reports while it syncs: sync-status events (applied, failed, swept...), permanent failures
 * recorded in the store, and Kubernetes status/Events through the status reporter. Reporting never fails a batch.
 */
import type { ReleaseConfirmedEvent, SweepRequestedEvent, SyncStatusEvent } from '../events/index.ts';
import type { Logger } from '../log.ts';
import type { ClusterView, ObjectKey, SkippedObject } from '../model/types.ts';
import type { InstanceConfig } from '../registry/types.ts';
import type { InstanceStore } from '../store/types.ts';
import { objectKeyOf, type RecordedModel, type WorkingSet } from './working-set.ts';

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
  store: Pick<InstanceStore, 'recordFailure'>;
  publish(event: PublishedEvent): Promise<void> | void;
  log: Logger;
  now(): Date;
  statusReporter?: KubernetesStatusReporter;
}) {
  const { instance, store, log } = deps;

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

  async function reportSkipped(skipped: SkippedObject[]): Promise<void> {
    if (deps.statusReporter && skipped.length) {
      await deps.statusReporter.reportSkipped(skipped).catch((err: unknown) => {
        log.warn('cannot publish Kubernetes events', { reason: err instanceof Error ? err.message : String(err) });
      });
    }
    for (const s of skipped) {
      await recordPermanent({
        object: objectKeyOf(s.kind, s.namespace, s.name),
        reason: `${s.field}: ${s.reason}`,
        ...(s.namespace ? { namespace: s.namespace } : {}),
        ...(s.code ? { code: s.code } : {}),
      });
    }
  }

  /** Warning Events only (nothing recorded as failed): e.g. a host this instance keeps that another asked for. */
  async function reportNotices(notices: SkippedObject[]): Promise<void> {
    if (!deps.statusReporter || notices.length === 0) return;
    await deps.statusReporter.reportSkipped(notices).catch((err: unknown) => {
      log.warn('cannot publish Kubernetes events', { reason: err instanceof Error ? err.message : String(err) });
    });
  }

  return { recordPermanent, status, reportStatus, reportSkipped, reportNotices };
}
