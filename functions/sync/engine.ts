/**
 * The sync engine of one instance: store updates, affected-model computation, rebuild, reconcile, record.
 * Shared by the sync handler (queue batches), the sweep (full rebuild) and deleteConfig.
 * All I/O comes in through `deps`; decisions live in plan.ts.
 */
import type { CurrentObject } from '../../shared/avi/plan.ts';
import type { AviReconciler } from '../../shared/avi/reconciler.ts';
import { type AppliedModel, type ApplyResult, AviError, type Reconciler } from '../../shared/avi/types.ts';
import { akoCrKind } from '../../shared/events/crds.ts';
import { createBurstCoalescer } from '../../shared/instance/coalesce.ts';
import { DEFAULT_INITIAL_WAIT_MS, initialSyncDecision } from '../../shared/instance/cold-start.ts';
import type { HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import { createReporting, type PublishedEvent } from '../../shared/instance/reporting.ts';
import {
  contributing,
  contributingNamespaces,
  type RecordedModel,
  readWorkingSet,
  setApplied,
  type WorkingSet,
} from '../../shared/instance/working-set.ts';
import type { Logger } from '../../shared/log.ts';
import { buildCrStatuses, type CrStatus } from '../../shared/model/index.ts';
import type {
  AviModel,
  CloudFacts,
  ClusterView,
  DesiredState,
  KubeObject,
  ModelApi,
  ObjectKey,
} from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import type { InstanceStore, PutOutcome } from '../../shared/store/types.ts';
import { createHostClaimStep } from './host-claims.ts';
import { createInventoryHandling } from './inventory.ts';
import { createNamespaceCommands } from './namespace-commands.ts';
import { addAll, type CoalescedChange, coalesceChanges, type ObjectChange } from './plan.ts';
import type { FailedObject, StatusReporter } from './status.ts';
import { createViewKeeper, type SecretDecryptor } from './view.ts';

export type { PublishedEvent } from '../../shared/instance/reporting.ts';

export type ModelFunctions = Pick<ModelApi, 'affectedModels' | 'buildSelectedModels' | 'buildModels'>;

export type { SecretDecryptor } from './view.ts';

export interface EngineDeps {
  instance: InstanceConfig;
  store: InstanceStore;
  reconciler: Reconciler;
  model: ModelFunctions;
  decryptSecret?: SecretDecryptor;
  publish(event: PublishedEvent): Promise<void> | void;
  logger: Logger;
  now(): Date;
  /** Models reconciled at once (the Avi client has its own request budget). Default 4. */
  concurrency?: number;
  /** How long a warm function may reuse its working set between batches (default 60 s). */
  cacheMs?: number;
  /** Status back to Kubernetes for the Ingresses/Services/Routes behind reconciled models (optional). */
  statusReporter?: StatusReporter;
  /**
   * Controller facts for a build (optional): the Avi objects the view's CRs refer to (HostRule, HTTPRule,
   * AviInfraSetting, L4Rule), so a missing one rejects the CR instead of failing the shard's VS on the
   * controller. Without it CR references are not checked. See shared/avi/avi-refs.ts `crdFactsReader`.
   */
  cloudFacts?: (view: ClusterView) => Promise<CloudFacts>;
  /**
   * Cold start with an empty state store: store object changes without writing to the controller until the first
   * inventories arrived (or `maxWaitMs`), then sync everything once (shared/instance/cold-start.ts). Off when absent.
   */
  initialSync?: { maxWaitMs?: number };
  /**
   * Burst coalescing: while more messages wait behind the current batch, models are not written but remembered,
   * and written once when the backlog is drained (or after `maxDeferMs`), so a shard's pool group / VsVip /
   * datascript is written once per burst rather than once per batch. Off when absent.
   */
  coalesce?: { maxDeferMs?: number };
  /**
   * The cluster's host claims (shared/instance/host-claims.ts): a host another instance of the cluster serves is
   * not served here (first claimant keeps it). Off when absent.
   */
  hostClaims?: HostClaimRegistry;
}

/** The Kubernetes objects a build looked at, without copying them into one list. */
function* sourcesOfModels(models: readonly AviModel[]): Iterable<ObjectKey> {
  for (const m of models) yield* m.sources;
}

export type { FailedObject, RecordedModel, WorkingSet } from '../../shared/instance/working-set.ts';

export interface ReconcileOutcome {
  /** Models whose apply failed transiently: the messages behind them are retried. */
  transient: Set<string>;
  /** Models with a permanent failure (recorded, not retried). */
  permanent: Set<string>;
  /** Models with at least one write. */
  changed: Set<string>;
  /** Why each transiently failed model failed (tells an outage from other failures; shared/instance/outage.ts). */
  reasons?: Map<string, string>;
}

function noteTransient(out: ReconcileOutcome, model: string, reason: string): void {
  out.transient.add(model);
  out.reasons ??= new Map();
  out.reasons.set(model, reason);
}

/** The reconciler skips objects that depend on one it could not create; they follow that object's fate. */
const DEPENDENT_SKIP = /^not attempted: depends on /;

export function createSyncEngine(deps: EngineDeps) {
  const { instance, store, reconciler, model, logger } = deps;
  const log = logger.child({ instance: instance.id });
  const concurrency = Math.max(1, deps.concurrency ?? 4);

  /**
   * A warm function keeps its working set (and the model's indexed view) between batches. It is reused only
   * while nobody else wrote through this store object and for at most `cacheMs`; otherwise it is reloaded.
   */
  let cached: { ws: WorkingSet; writes: number; at: number } | undefined;
  const cacheMs = deps.cacheMs ?? 60_000;
  /** Cold start: since when object changes are only stored (undefined once the initial sync ran, or never). */
  let initialPendingSince: number | undefined;
  let initialFirstSince: number | undefined;
  let initialChecked = !deps.initialSync;
  /** Burst coalescing: models whose write waits for the backlog to drain. */
  const deferred = createBurstCoalescer(deps.coalesce?.maxDeferMs);
  /** Messages waiting behind the batch being processed (set by the handler per batch). */
  let waitingBehind = 0;

  async function loadWorkingSet(): Promise<WorkingSet> {
    const now = deps.now().getTime();
    if (cached && cached.writes === store.ops.writes && now - cached.at >= 0 && now - cached.at < cacheMs) {
      cached.ws.labels.clear();
      cached.ws.warm = true;
      return cached.ws;
    }
    cached = undefined;
    const ws = await readWorkingSet(store);
    cached = { ws, writes: store.ops.writes, at: now };
    if (!initialChecked) {
      initialChecked = true;
      // Nothing recorded and no inventory yet: a fresh state store (new installation, `start`). An instance that
      // simply has no models yet (inventories stored) is not held back: its next object is written at once.
      if (ws.applied.size === 0 && (await store.listInventories()).length === 0)
        initialPendingSince = initialFirstSince = now;
    }
    return ws;
  }

  /** Cold start: is the initial sync still to run, and is it due now? */
  async function initialSyncState(ws: WorkingSet): Promise<{ pending: boolean; due: boolean; missing: string[] }> {
    if (initialPendingSince === undefined) return { pending: false, due: false, missing: [] };
    const inventories = await store.listInventories();
    const d = initialSyncDecision({
      namespaces: contributingNamespaces(ws),
      inventoried: inventories.map((i) => i.namespace),
      waitedMs: deps.now().getTime() - initialPendingSince,
      maxWaitMs: deps.initialSync?.maxWaitMs ?? DEFAULT_INITIAL_WAIT_MS,
    });
    return { pending: true, ...d };
  }

  /** The batch left the store and `ws` in step: keep it for the next batch. */
  function batchDone(ws: WorkingSet): void {
    if (cached?.ws === ws) cached.writes = store.ops.writes;
  }

  /** Something went wrong mid-batch: the next batch reloads from the store. */
  function invalidate(): void {
    cached = undefined;
  }

  const { buildView, trackObject, affectedBy } = createViewKeeper({
    instance,
    model,
    log,
    ...(deps.decryptSecret ? { decryptSecret: deps.decryptSecret } : {}),
  });

  const { recordPermanent, status, reportStatus, reportSkipped, reportNotices } = createReporting({
    instance,
    store,
    publish: deps.publish,
    log,
    now: deps.now,
    ...(deps.statusReporter ? { statusReporter: deps.statusReporter } : {}),
  });

  const sourcesOf = (ws: WorkingSet, names: Iterable<string>) =>
    new Map([...names].map((n) => [n, [...(ws.applied.get(n)?.sources ?? [])]]));

  function sameRecord(a: RecordedModel | undefined, b: RecordedModel): boolean {
    return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
  }

  /** Apply (or remove) one model and record what is now on the controller. */
  async function reconcileOne(
    ws: WorkingSet,
    name: string,
    desired: AviModel | undefined,
    out: ReconcileOutcome,
    current?: ReadonlyMap<string, CurrentObject>,
  ) {
    const last = ws.applied.get(name);
    if (!desired && !last) return;
    const started = Date.now();
    const operation = desired ? 'apply' : 'remove';
    let res: ApplyResult;
    try {
      const withCurrent = (reconciler as Partial<Pick<AviReconciler, 'applyWithCurrent'>>).applyWithCurrent;
      if (!desired) res = await reconciler.remove(last!);
      else if (current && withCurrent) res = await withCurrent.call(reconciler, desired, last, current);
      else res = await reconciler.apply(desired, last);
    } catch (err) {
      const transient = !(err instanceof AviError) || err.transient;
      const reason = err instanceof Error ? err.message : String(err);
      log.warn('model reconcile failed', {
        model: name,
        operation,
        outcome: transient ? 'retry' : 'failed',
        duration: Date.now() - started,
        reason,
      });
      if (transient) noteTransient(out, name, reason);
      else {
        out.permanent.add(name);
        await recordPermanent({ model: name, reason });
      }
      return;
    }
    const writes = res.operations.filter((o) => o.op !== 'skip' && o.ok).length;
    if (writes > 0) out.changed.add(name);
    const failed: FailedObject[] = res.operations
      .filter((o) => !o.ok && o.failure === 'permanent')
      .map((o) => ({
        type: o.type,
        name: o.name,
        reason: (o.message ?? `HTTP ${o.status}`).slice(0, 500),
        ...(o.heldBy ? { heldBy: o.heldBy } : {}),
      }));
    const applied = res.applied ?? (desired && failed.length ? { name, objects: [] } : undefined);
    if (applied) {
      // A partly failed apply keeps the sources it had too: a retried message of an object that left the model
      // (a deleted Ingress) must still find this model, or its change would be lost until a sweep.
      const sources = new Set(desired?.sources ?? last?.sources ?? []);
      if (!res.ok) for (const k of last?.sources ?? []) sources.add(k);
      const rec: RecordedModel = {
        ...applied,
        sources: [...sources].sort(),
        ...(failed.length ? { failed } : {}),
      };
      if (!sameRecord(last, rec)) {
        await store.putApplied(rec);
        setApplied(ws, rec);
      }
    } else if (last && (res.ok || !desired)) {
      // Removed entirely (or nothing of it is left on the controller).
      if (res.ok) {
        await store.deleteApplied(name);
        setApplied(ws, undefined, name);
      }
    }
    let transient = false;
    for (const op of res.operations) {
      if (op.ok) continue;
      if (op.failure === 'permanent') {
        out.permanent.add(name);
        await recordPermanent({
          model: name,
          object: `${op.type}/${op.name}`,
          reason: op.message ?? `HTTP ${op.status}`,
        });
      } else if (!DEPENDENT_SKIP.test(op.message ?? '')) {
        transient = true;
        noteTransient(out, name, op.message ?? `HTTP ${op.status}`);
      }
    }
    if (!res.ok && !out.permanent.has(name)) transient = true;
    if (transient) out.transient.add(name);
    const outcome = transient ? 'retry' : out.permanent.has(name) ? 'failed' : writes > 0 ? 'applied' : 'unchanged';
    log.info('model reconciled', { model: name, operation, outcome, writes, duration: Date.now() - started });
    if (writes > 0 && !transient) await status('applied', operation, { model: name });
  }

  /** Facts for a build: the applied record (shard VSes applied before are kept even when empty, as AKO keeps them)
   * and, when wired, the controller objects the view's CRs refer to (CR references go unchecked otherwise). */
  async function factsFor(ws: WorkingSet, view: ClusterView): Promise<CloudFacts> {
    const known: CloudFacts = { knownShards: [...ws.applied.keys()] };
    return deps.cloudFacts ? { ...(await deps.cloudFacts(view)), ...known } : known;
  }

  /** CR status last handed to the forwarder, per CR (kind/ns/name/uid): only changes are published again. */
  const publishedCrStatus = new Map<string, string>();

  /** AKO's Accepted/Rejected status on the instance's CRs (only what changed since this function last said it). */
  async function reportCrStatuses(view: ClusterView, facts: CloudFacts): Promise<void> {
    if (!deps.statusReporter || !view.objects.some((o) => akoCrKind(o.kind))) return;
    const uid = new Map(
      view.objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o.metadata.uid]),
    );
    const changed: { key: string; value: string; status: CrStatus }[] = [];
    for (const st of buildCrStatuses(instance, view, facts)) {
      const id = `${st.kind}/${st.namespace ?? ''}/${st.name}`;
      const key = `${id}/${uid.get(id) ?? ''}`;
      const value = `${st.status}|${st.error}`;
      if (publishedCrStatus.get(key) !== value) changed.push({ key, value, status: st });
    }
    if (changed.length === 0) return;
    try {
      await deps.statusReporter.reportCrStatuses(
        view,
        changed.map((c) => c.status),
      );
      for (const c of changed) publishedCrStatus.set(c.key, c.value);
    } catch (err) {
      log.warn('cannot publish CR status', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  const hostClaims = deps.hostClaims
    ? createHostClaimStep({ instance, registry: deps.hostClaims, log, publish: deps.publish, now: deps.now })
    : undefined;

  /**
   * Build the named models (every model without `names`), leaving out hosts another instance holds, and report
   * what was skipped. Hosts the build serves are claimed; a host found held elsewhere means one more build.
   */
  async function buildDesired(ws: WorkingSet, view: ClusterView, names?: Set<string>): Promise<DesiredState> {
    let facts = await factsFor(ws, view);
    if (hostClaims) facts = { ...facts, collectHosts: true };
    const build = () =>
      names ? model.buildSelectedModels(instance, view, names, facts) : model.buildModels(instance, view, facts);
    let built = build();
    if (hostClaims) {
      const claimed = await hostClaims.claim(built);
      if (claimed.lostNow.size > 0) {
        facts = { ...facts, hostsServedElsewhere: claimed.lostNow };
        built = build();
      }
      await hostClaims.releaseUnserved(built, names);
      await reportNotices(claimed.notices);
    }
    await reportSkipped(built.skipped, {
      evaluated: sourcesOfModels(built.models),
      complete: names === undefined,
    });
    await reportCrStatuses(view, facts);
    return built;
  }

  /** Rebuild the named models from the view and make the controller match them. */
  async function reconcileModels(ws: WorkingSet, names: Set<string>, view: ClusterView): Promise<ReconcileOutcome> {
    const out: ReconcileOutcome = { transient: new Set(), permanent: new Set(), changed: new Set() };
    if (names.size === 0) return out;
    const built = await buildDesired(ws, view, names);
    const desired = new Map(built.models.map((m) => [m.name, m]));
    // Models the build produced without being asked (it may widen the set) are reconciled too.
    const all = [...new Set([...names, ...desired.keys()])].sort();
    const before = sourcesOf(ws, all);
    deferred.settled(all);
    await runLimited(all, concurrency, (name) => reconcileOne(ws, name, desired.get(name), out));
    await reportStatus(view, ws, all, before);
    return out;
  }

  /**
   * Burst coalescing: write the deferred models once the backlog is drained (or when they waited `maxDeferMs`).
   * A transient failure keeps them deferred (the caller retries its batch).
   */
  async function flushDeferred(ws: WorkingSet): Promise<ReconcileOutcome> {
    const out: ReconcileOutcome = { transient: new Set(), permanent: new Set(), changed: new Set() };
    const now = deps.now().getTime();
    const due = deferred.size ? deferred.due(waitingBehind, now) : new Set<string>();
    if (due.size === 0) return out;
    const outcome = await reconcileModels(ws, due, await buildView(ws));
    deferred.defer(outcome.transient, now);
    return outcome;
  }

  /**
   * Full rebuild: every model of the instance; applied models nobody wants any more are removed. With `current`
   * (the controller's copies), objects changed or deleted out of band are written again.
   */
  async function reconcileAll(
    ws: WorkingSet,
    opts: { current?: ReadonlyMap<string, CurrentObject>; models?: AviModel[] } = {},
  ): Promise<ReconcileOutcome & { models: AviModel[] }> {
    const out: ReconcileOutcome = { transient: new Set(), permanent: new Set(), changed: new Set() };
    let models = opts.models;
    if (!models) models = await buildAll(ws);
    const desired = new Map(models.map((m) => [m.name, m]));
    const all = [...new Set([...desired.keys(), ...ws.applied.keys()])].sort();
    const before = sourcesOf(ws, all);
    await runLimited(all, concurrency, (name) => reconcileOne(ws, name, desired.get(name), out, opts.current));
    if (deps.statusReporter) await reportStatus(await buildView(ws), ws, all, before);
    return { ...out, models };
  }

  /** Every desired model of the instance (full build), with invalid objects reported. */
  async function buildAll(ws: WorkingSet): Promise<AviModel[]> {
    return (await buildDesired(ws, await buildView(ws))).models;
  }

  async function writeChange(ch: ObjectChange): Promise<PutOutcome> {
    const position = ch.sequence ? { sequence: ch.sequence } : undefined;
    if (ch.op === 'upsert') return store.upsertObject(ch.object!, position);
    return store.deleteObject(ch.key, ch.uid, ch.resourceVersion, position);
  }

  /**
   * One run of object changes: coalesce, update the store, find the affected models, rebuild and reconcile them.
   * Returns, per message id, the models it touched (for failure mapping).
   */
  async function processObjects(
    ws: WorkingSet,
    changes: ObjectChange[],
  ): Promise<{
    messageModels: Map<string, Set<string>>;
    outcome: ReconcileOutcome;
    coalesced: Map<ObjectKey, CoalescedChange>;
  }> {
    const coalesced = coalesceChanges(changes);
    const touched: { key: ObjectKey; ids: string[]; prev?: KubeObject; next?: KubeObject; namespace?: string }[] = [];
    for (const [key, c] of coalesced) {
      const prev = ws.objects.get(key);
      const w = c.winner;
      let result: PutOutcome;
      try {
        result = await writeChange(w);
      } catch (err) {
        // A store that refuses the object (e.g. too large) is a permanent problem of that object.
        await recordPermanent({
          object: key,
          reason: `store: ${err instanceof Error ? err.message : String(err)}`,
          ...(w.namespace ? { namespace: w.namespace } : {}),
        });
        continue;
      }
      if (result === 'stale') continue;
      if (result === 'duplicate' && ws.warm) continue;
      // 'duplicate' is re-evaluated too: an earlier delivery may have stored it and then failed on Avi.
      let next: KubeObject | undefined;
      if (result === 'applied') {
        next = w.op === 'upsert' ? w.object : undefined;
        await trackObject(ws, key, prev, next);
      } else next = ws.objects.get(key);
      touched.push({
        key,
        ids: c.messageIds,
        ...(prev ? { prev } : {}),
        ...(next ? { next } : {}),
        ...(w.namespace ? { namespace: w.namespace } : {}),
      });
    }
    const messageModels = new Map<string, Set<string>>();
    const names = new Set<string>();
    if (touched.length && initialPendingSince !== undefined) {
      // Cold start: stored only; the initial sync writes everything once.
      return { messageModels, outcome: { transient: new Set(), permanent: new Set(), changed: new Set() }, coalesced };
    }
    if (touched.length) {
      const view = await buildView(ws);
      const defer = deps.coalesce !== undefined && waitingBehind > 0;
      for (const t of touched) {
        const models = new Set(ws.sources.get(t.key) ?? []);
        if (contributing(ws, t.namespace)) {
          affectedBy(view, t.prev, t.key, models);
          affectedBy(view, t.next, t.key, models);
        }
        addAll(names, models);
        if (defer) continue; // acknowledged: the models are written when the backlog is drained
        for (const id of t.ids) addAll(messageModels.get(id) ?? messageModels.set(id, new Set()).get(id)!, models);
      }
      if (defer) {
        deferred.defer(names, deps.now().getTime());
        return {
          messageModels,
          outcome: { transient: new Set(), permanent: new Set(), changed: new Set() },
          coalesced,
        };
      }
      const outcome = await reconcileModels(ws, names, view);
      return { messageModels, outcome, coalesced };
    }
    return { messageModels, outcome: { transient: new Set(), permanent: new Set(), changed: new Set() }, coalesced };
  }

  const { processNamespaceCommand } = createNamespaceCommands({
    instance,
    store,
    log,
    publish: deps.publish,
    status,
    buildView,
    reconcileModels,
    affectedBy,
  });
  const { processInventory, pruneFromInventory } = createInventoryHandling({
    instance,
    store,
    log,
    now: deps.now,
    processObjects,
  });

  return {
    instance,
    log,
    /** deleteConfig: every host this instance claimed goes back to the cluster (waiters take them up). */
    releaseHosts: async () => {
      await hostClaims?.releaseAll();
    },
    loadWorkingSet,
    batchDone,
    invalidate,
    buildView,
    processObjects,
    processNamespaceCommand,
    processInventory,
    pruneFromInventory,
    reconcileModels,
    reconcileAll,
    reconcileOne,
    buildAll,
    contributing,
    contributingNamespaces,
    flushDeferred,
    /** How many messages wait behind the batch being processed (burst coalescing). */
    setBacklog: (n: number) => {
      waitingBehind = Math.max(0, n);
    },
    deferredModels: () => deferred.size,
    initialSyncState,
    /** The initial sync starts (or must run again after it failed). */
    setInitialPending: (pending: boolean) => {
      initialPendingSince = pending ? (initialFirstSince ?? deps.now().getTime()) : undefined;
    },
    listInventories: () => store.listInventories(),
    /** Delete the objects of a record (e.g. the sweep's orphans) top-down. */
    removeRecord: (rec: AppliedModel) => reconciler.remove(rec),
    recordPermanent,
    status,
    setApplied,
  };
}

export type SyncEngine = ReturnType<typeof createSyncEngine>;

/** Runs `fn` over items with at most `limit` in flight. */
export async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
