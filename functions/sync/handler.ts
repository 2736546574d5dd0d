/**
 * Per-instance sync function: a middy handler for SQS FIFO batches from the router.
 * Partial batch failure: only messages behind a transiently failed model (and the later messages of their
 * FIFO group) are reported in batchItemFailures; invalid messages are dead-lettered, never retried.
 *
 * One writer per instance: the shard models are shared by every namespace of the instance, so two invocations
 * for different message groups must not run at once (Lambda reserved concurrency 1 for the sync function; the
 * SQS event source's MaximumConcurrency cannot go below 2). A warm function keeps its working set between batches
 * and reloads it when another writer touched the store object or after `cacheMs`.
 */

import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Reconciler } from '../../shared/avi/types.ts';
import type { KeyProvider } from '../../shared/crypto/index.ts';
import {
  controllerTroubleOf,
  createTroubleNotices,
  type WaitingObject,
} from '../../shared/instance/controller-trouble.ts';
import type { HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import { type BatchResponseWithHints, retryHints } from '../../shared/instance/outage.ts';
import { type Logger, redact } from '../../shared/log.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import { runDeleteConfig } from '../sweep/delete-config.ts';
import { runSweep, type SweepAvi } from '../sweep/sweep.ts';
import {
  createSyncEngine,
  type EngineDeps,
  type ModelFunctions,
  type PublishedEvent,
  type SecretDecryptor,
  type SyncEngine,
  type WorkingSet,
} from './engine.ts';
import { groupOf, parseRecord } from './messages.ts';
import { defaultModel } from './model.ts';
import { expandFailuresByGroup, messagesOfFailedModels, type Segment, segmentBatch, type WorkItem } from './plan.ts';
import { secretDecryptor } from './secrets.ts';
import type { StatusReporter } from './status.ts';

/** What the dead-letter path records for a message that cannot be processed (never the clear body). */
export interface DeadLetterRecord {
  instance: string;
  messageId: string;
  groupId: string;
  reason: string;
  /** The body with credential-like fields masked (or a note when it was not JSON). */
  body: unknown;
  at: string;
}

export interface SyncHandlerDeps {
  instance: InstanceConfig;
  /** The cluster's host claims: a host another instance serves is not served here (first claimant keeps it). */
  hostClaims?: HostClaimRegistry;
  store: InstanceStore;
  reconciler: Reconciler;
  publish(event: PublishedEvent): Promise<void> | void;
  deadLetter(record: DeadLetterRecord): Promise<void> | void;
  logger: Logger;
  now(): Date;
  /** Decrypts TLS key material carried in `encryptedSecret` (default: shared/crypto with `keyProvider`). */
  decryptSecret?: SecretDecryptor;
  /** The key provider (local key file or KMS) that opens TLS key envelopes. */
  keyProvider?: KeyProvider;
  /** The k8s → Avi model (defaults to shared/model). */
  model?: ModelFunctions;
  /** Runs a sweep when a `sweep` message arrives (functions/sweep wires it); without it the message is logged. */
  sweep?: (engine: SyncEngine, ws: WorkingSet) => Promise<{ ok: boolean }>;
  /** Models reconciled at once. */
  concurrency?: number;
  /** Publishes Ingress/Service/Route status for the cluster's forwarder to apply (functions/sync/status.ts). */
  statusReporter?: StatusReporter;
  /**
   * Cold start (empty state store): store object changes, write nothing until the first inventories arrived (or
   * `maxWaitMs`), then one initial sync against a listing of the controller (needs a reconciler with listOwned).
   */
  initialSync?: { maxWaitMs?: number };
  /**
   * Burst coalescing: `queued()` counts the messages of the instance's queue not yet deleted (the batch being
   * processed included). While others wait behind a batch, its models are written once the backlog is drained.
   */
  coalesce?: { queued: () => number; maxDeferMs?: number };
  /** Controller facts per build, e.g. the Avi objects CRs refer to (shared/avi/avi-refs.ts `crdFactsReader`). */
  cloudFacts?: EngineDeps['cloudFacts'];
}

export function maskedBody(body: string | undefined): unknown {
  if (!body) return '(empty)';
  try {
    return redact(JSON.parse(body));
  } catch {
    return `(not JSON, ${body.length} characters)`;
  }
}

/** The batch logic without middy (tests and the embedded runtime may call it directly). */
export function createSyncBatchProcessor(deps: SyncHandlerDeps) {
  const engine = createSyncEngine({
    instance: deps.instance,
    store: deps.store,
    reconciler: deps.reconciler,
    model: deps.model ?? defaultModel,
    ...(deps.decryptSecret
      ? { decryptSecret: deps.decryptSecret }
      : deps.keyProvider
        ? { decryptSecret: secretDecryptor(deps.keyProvider) }
        : {}),
    publish: deps.publish,
    logger: deps.logger,
    now: deps.now,
    ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
    ...(deps.statusReporter ? { statusReporter: deps.statusReporter } : {}),
    ...(deps.initialSync && typeof (deps.reconciler as Partial<SweepAvi>).listOwned === 'function'
      ? { initialSync: deps.initialSync }
      : {}),
    ...(deps.coalesce
      ? { coalesce: deps.coalesce.maxDeferMs !== undefined ? { maxDeferMs: deps.coalesce.maxDeferMs } : {} }
      : {}),
    ...(deps.cloudFacts ? { cloudFacts: deps.cloudFacts } : {}),
    ...(deps.hostClaims ? { hostClaims: deps.hostClaims } : {}),
  });
  const log = engine.log;
  const troubleNotices = createTroubleNotices({ now: () => deps.now().getTime() });

  /**
   * When the controller is the cause of the retries, the objects waiting behind it say so
   * (shared/instance/controller-trouble.ts): this batch's changes, and objects not served yet (a cold start).
   */
  async function tellWaitingObjects(
    ws: WorkingSet,
    items: readonly WorkItem[],
    retried: ReadonlySet<string>,
    reasons: readonly string[],
  ) {
    if (!deps.statusReporter || retried.size === 0) return;
    const trouble = reasons.map(controllerTroubleOf).find((t) => t !== undefined);
    if (!trouble) return;
    const waiting: WaitingObject[] = items.filter(
      (i): i is Extract<WorkItem, { type: 'object' }> =>
        i.type === 'object' && i.op === 'upsert' && retried.has(i.messageId),
    );
    for (const [key, o] of ws.objects)
      if (!ws.sources.has(key)) waiting.push({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
    const due = troubleNotices.due(waiting, trouble);
    if (!due.length) return;
    await deps.statusReporter.reportControllerTrouble(due, trouble).catch((err: unknown) => {
      log.warn('cannot publish Kubernetes events', { reason: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Cold start: once the first inventories are in (or the wait is over), write everything once. */
  async function initialSyncIfDue(ws: WorkingSet, reasons: string[]): Promise<boolean> {
    const state = await engine.initialSyncState(ws);
    if (!state.pending || !state.due) return true;
    const avi = sweepAvi();
    if (!avi) return true;
    engine.setInitialPending(false);
    log.info('initial sync: writing every model once', {
      operation: 'initial-sync',
      outcome: state.missing.length ? 'partial' : 'complete',
      ...(state.missing.length ? { missing: state.missing.slice(0, 20) } : {}),
    });
    const r = await runSweep(engine, ws, { avi, reconcileOnPartial: true });
    if (r.transientModels.length > 0) {
      engine.setInitialPending(true);
      reasons.push(...r.partial);
      return false;
    }
    return true;
  }

  async function deadLetter(record: SQSRecord, reason: string): Promise<void> {
    log.warn('message rejected', {
      operation: 'validate',
      outcome: 'dead-lettered',
      messageId: record.messageId,
      reason,
    });
    await deps.deadLetter({
      instance: deps.instance.id,
      messageId: record.messageId,
      groupId: groupOf(record),
      reason,
      body: maskedBody(record.body),
      at: deps.now().toISOString(),
    });
  }

  function idsOf(seg: Segment): string[] {
    return seg.type === 'objects' ? seg.changes.map((c) => c.messageId) : [seg.item.messageId];
  }

  async function processSegment(ws: WorkingSet, seg: Segment, failed: Set<string>, reasons: string[]): Promise<void> {
    if (seg.type === 'objects') {
      const r = await engine.processObjects(ws, seg.changes);
      for (const id of messagesOfFailedModels(r.messageModels, r.outcome.transient)) failed.add(id);
      reasons.push(...(r.outcome.reasons?.values() ?? []));
      return;
    }
    const item = seg.item;
    switch (item.type) {
      case 'hold':
      case 'release':
      case 'adopt':
        if (!(await engine.processNamespaceCommand(ws, item))) failed.add(item.messageId);
        return;
      case 'inventory': {
        const r = await engine.processInventory(ws, item);
        if (r.result && r.result.outcome.transient.size > 0) failed.add(item.messageId);
        reasons.push(...(r.result?.outcome.reasons?.values() ?? []));
        return;
      }
      case 'sweep': {
        if (item.models) {
          // A targeted rebuild (a host this instance waited for was released): an ordinary incremental rebuild.
          const outcome = await engine.reconcileModels(ws, new Set(item.models), await engine.buildView(ws));
          if (outcome.transient.size > 0) failed.add(item.messageId);
          reasons.push(...(outcome.reasons?.values() ?? []));
          return;
        }
        const avi = sweepAvi();
        const sweep =
          deps.sweep ??
          (avi
            ? (e: SyncEngine, w: WorkingSet) => runSweep(e, w, { avi, now: () => deps.now().getTime() })
            : undefined);
        if (!sweep) {
          log.info('sweep message ignored: the reconciler cannot list the controller', {
            operation: 'sweep',
            outcome: 'skipped',
          });
          return;
        }
        const r = await sweep(engine, ws);
        if (!r.ok) log.warn('sweep incomplete; waiting for the next one', { operation: 'sweep', outcome: 'partial' });
        return;
      }
    }
  }

  const sweepAvi = (): SweepAvi | undefined => {
    const r = deps.reconciler as Partial<SweepAvi>;
    return typeof r.listOwned === 'function' ? (deps.reconciler as unknown as SweepAvi) : undefined;
  };

  return async function processBatch(event: SQSEvent): Promise<BatchResponseWithHints> {
    const records = event.Records ?? [];
    const ordered = records.map((r) => ({ messageId: r.messageId, groupId: groupOf(r) }));
    const failed = new Set<string>();
    const reasons: string[] = [];
    const items: WorkItem[] = [];
    const labels = new Map<string, Record<string, string>>();
    for (const r of records) {
      const p = parseRecord(r, deps.instance.clusterName);
      if (!p.ok) {
        await deadLetter(r, p.reason);
        continue;
      }
      items.push(p.item);
      const ns = 'namespace' in p.item ? p.item.namespace : undefined;
      if (ns && p.namespaceLabels) labels.set(ns, p.namespaceLabels);
    }
    if (!items.length) return { batchItemFailures: [] };

    let ws: WorkingSet;
    try {
      ws = await engine.loadWorkingSet();
    } catch (err) {
      log.error('cannot read the state store; the whole batch is retried', {
        operation: 'load',
        outcome: 'retry',
        reason: err instanceof Error ? err.message : String(err),
      });
      return { batchItemFailures: items.map((i) => ({ itemIdentifier: i.messageId })) };
    }
    for (const [ns, l] of labels) ws.labels.set(ns, l);
    if (deps.coalesce) engine.setBacklog(deps.coalesce.queued() - records.length);

    if (deps.instance.deleteConfig) {
      const ok = (await runDeleteConfig(engine, ws, sweepAvi())).ok;
      if (ok) await engine.releaseHosts();
      engine.invalidate();
      log.info('deleteConfig: instance is not syncing; its Avi objects are being removed', {
        operation: 'delete-config',
        outcome: ok ? 'removed' : 'retry',
        messages: items.length,
      });
      return { batchItemFailures: ok ? [] : items.map((i) => ({ itemIdentifier: i.messageId })) };
    }

    for (const seg of segmentBatch(items)) {
      try {
        await processSegment(ws, seg, failed, reasons);
      } catch (err) {
        reasons.push(err instanceof Error ? err.message : String(err));
        // Store or controller errors outside a model's apply: retry the segment, carry on with the rest.
        log.error('batch segment failed; its messages are retried', {
          operation: seg.type === 'objects' ? 'objects' : seg.item.type,
          outcome: 'retry',
          reason: err instanceof Error ? err.message : String(err),
        });
        for (const id of idsOf(seg)) failed.add(id);
        engine.invalidate();
        try {
          ws = await engine.loadWorkingSet();
          for (const [ns, l] of labels) ws.labels.set(ns, l);
        } catch {
          for (const i of items) failed.add(i.messageId);
          break;
        }
      }
    }
    try {
      if (!(await initialSyncIfDue(ws, reasons))) for (const i of items) failed.add(i.messageId);
    } catch (err) {
      engine.setInitialPending(true);
      reasons.push(err instanceof Error ? err.message : String(err));
      log.error('initial sync failed; the batch is retried', {
        operation: 'initial-sync',
        outcome: 'retry',
        reason: err instanceof Error ? err.message : String(err),
      });
      for (const i of items) failed.add(i.messageId);
    }
    if (deps.coalesce) {
      try {
        // Messages queued meanwhile count too: only a drained backlog (or overdue models) writes now.
        engine.setBacklog(deps.coalesce.queued() - records.length);
        const flushed = await engine.flushDeferred(ws);
        if (flushed.transient.size > 0) for (const i of items) failed.add(i.messageId);
        // Why they failed: an outage must not burn the dead-letter budget (shared/instance/outage.ts).
        reasons.push(...(flushed.reasons?.values() ?? []));
      } catch (err) {
        log.error('writing the deferred models failed; the batch is retried', {
          operation: 'coalesce',
          outcome: 'retry',
          reason: err instanceof Error ? err.message : String(err),
        });
        for (const i of items) failed.add(i.messageId);
      }
    }
    if (failed.size) engine.invalidate();
    else engine.batchDone(ws);
    const retry = expandFailuresByGroup(ordered, failed);
    await tellWaitingObjects(ws, items, new Set(retry), reasons);
    return {
      batchItemFailures: retry.map((id) => ({ itemIdentifier: id })),
      ...(retry.length ? { retryHints: retryHints(retry, reasons) } : {}),
    };
  };
}

export function createSyncHandler(deps: SyncHandlerDeps) {
  return middy<SQSEvent, SQSBatchResponse>().handler(createSyncBatchProcessor(deps));
}
