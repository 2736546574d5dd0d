/**
 * The cluster event forwarder: informers on the kinds the model needs → trimmed objects tagged with their
 * namespace's labels → a coalescing queue keyed by object → batched PutEvents on the bus.
 * Also publishes namespace-changed (then republishes the namespace) and per-namespace inventories.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KeyProvider } from '../../shared/crypto/index.ts';
import { type EncryptedSecret, formatStreamSequence, type InventoryItem } from '../../shared/events/index.ts';
import { createLogger, type Logger } from '../../shared/log.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import { type CrdWatching, startCrdWatching } from './crds.ts';
import { type Built, Delivery } from './delivery.ts';
import {
  DetailType,
  deleteEvent,
  inventoryEvent,
  namespaceChangedEvent,
  type Tombstone,
  toEntry,
  upsertEvent,
} from './events.ts';
import { NAMESPACE_KIND, WATCHED_KINDS, type WatchedKind } from './kinds.ts';
import { type KubeRequest, kubeRequester, servesResource } from './kube.ts';
import { entrySize, type Publisher } from './publishers/types.ts';
import { CoalescingQueue } from './queue.ts';
import { encryptPrivateFields } from './secrets.ts';
import { reduceSecret, sameContent, splitPrivateKeys, trimObject } from './trim.ts';
import { API_SERVER_BOOKMARK_INTERVAL_MS, KindWatcher, watchLiveness } from './watcher.ts';

export type { PublishEntry, Publisher, PublishFailure } from './publishers/types.ts';
export { publisherFromPutEvents } from './publishers/types.ts';

export interface ForwarderOptions {
  kubeConfig: KubeConfig;
  /** Cluster name stamped on every event (AKO's clusterName). */
  clusterName: string;
  publisher: Publisher;
  /** Encrypts TLS private keys; without it, Secrets are published without their keys (and a warning). */
  keyProvider?: KeyProvider;
  /** Inventory period; 0 = only at start. Default 300. */
  fullSyncFrequencySeconds?: number;
  logger?: Logger;
  /**
   * The API server's bookmark period (default 60, kube-apiserver's). A watch silent for 2.5 periods (no event, no
   * bookmark) is restarted, checked every quarter period: within ~3 bookmark intervals.
   */
  bookmarkIntervalSeconds?: number;
  /** Overrides the silence limit derived from bookmarkIntervalSeconds. */
  watchdogSeconds?: number;
  /** Informer restart back-off. Defaults 500 ms → 30 s. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Largest entry the bus accepts (default 256 KiB; EventBridge now takes 1 MiB). */
  maxEntryBytes?: number;
  /** Largest PutEvents request (default 256 KiB). */
  maxBatchBytes?: number;
  /** Linger to fill batches (default 20 ms). */
  batchWindowMs?: number;
  /** PutEvents calls in flight (default 4). */
  maxInFlight?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
  /** Metrics log period; 0 disables. Default 60. */
  metricsIntervalSeconds?: number;
  /** Watch OpenShift Routes: 'auto' (default) when the API exists. */
  routes?: boolean | 'auto';
  /** Watch CNI pod-CIDR objects: 'auto' (default) watches those whose API exists; false none. */
  cni?: 'auto' | false;
  /** Time allowed to flush the queue on stop (default 10 s). */
  flushTimeoutMs?: number;
  /** Clock (ms) for the stream's start (tests). */
  now?: () => number;
  /** Watch AKO's CRDs (HostRule, HTTPRule, AviInfraSetting, L4Rule): 'auto' (default) those the cluster serves. */
  crds?: 'auto' | false;
  /** How often discovery looks for AKO's CRDs appearing or going (default 60; 0 = only at start). */
  crdDiscoverySeconds?: number;
}

export interface ForwarderMetrics {
  /** Informer events (adds, updates, deletes) seen. */
  observed: number;
  /** Updates that changed nothing the model reads (not published). */
  suppressed: number;
  /** Enqueues that replaced a waiting item of the same key. */
  coalesced: number;
  published: number;
  /** Entries permanently failed (rejected by the bus, or too large). */
  failed: number;
  retried: number;
  requeued: number;
  oversized: number;
  putEventsCalls: number;
  queueDepth: number;
  inFlight: number;
  watchRestarts: number;
  inventoriesSkipped: number;
  objects: number;
  kinds: string[];
}

export interface Forwarder {
  /** Resolves once every watched kind has been listed (and the start-up inventory queued). */
  ready: Promise<void>;
  isReady(): boolean;
  stop(): Promise<void>;
  metrics(): ForwarderMetrics;
  /** Queue an inventory of every namespace now. */
  requestInventory(): void;
  /** Resolves when everything queued so far has been published (or failed). */
  drained(): Promise<void>;
}

type Item =
  | { t: 'object'; kind: WatchedKind; namespace?: string; name: string; tomb?: Tombstone }
  | {
      t: 'ns-changed';
      namespace: string;
      oldLabels: Record<string, string>;
      newLabels: Record<string, string>;
      rv?: string;
    }
  | { t: 'inventory'; namespace: string };

interface Tracked {
  obj: KubeObject;
  envelope?: { rv: string; env: EncryptedSecret };
}

const objKey = (kind: string, ns: string | undefined, name: string) => `o:${kind}/${ns ?? ''}/${name}`;
/** Kubernetes names never contain '/', so the key splits back into kind, namespace, name. */
const splitKey = (key: string) => key.slice(2).split('/') as [string, string, string];
const KIND_BY_NAME = new Map(WATCHED_KINDS.map((k) => [k.kind, k]));
const sameLabels = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** The watch silence limit and check period from the bookmark period (or an explicit watchdogSeconds). */
function watchdogOf(opts: Pick<ForwarderOptions, 'bookmarkIntervalSeconds' | 'watchdogSeconds'>): {
  watchdogMs: number;
  watchdogCheckMs: number;
} {
  const liveness = watchLiveness((opts.bookmarkIntervalSeconds ?? API_SERVER_BOOKMARK_INTERVAL_MS / 1000) * 1000);
  if (opts.watchdogSeconds === undefined)
    return { watchdogMs: liveness.silenceLimitMs, watchdogCheckMs: liveness.checkEveryMs };
  const watchdogMs = opts.watchdogSeconds * 1000;
  return { watchdogMs, watchdogCheckMs: Math.min(liveness.checkEveryMs, Math.max(10, Math.floor(watchdogMs / 4))) };
}

export async function startForwarder(opts: ForwarderOptions): Promise<Forwarder> {
  const cluster = opts.clusterName;
  const log = (opts.logger ?? createLogger({ component: 'forwarder' })).child({ cluster });
  const request: KubeRequest = kubeRequester(opts.kubeConfig);
  const maxEntryBytes = opts.maxEntryBytes ?? 256 * 1024;
  const queue = new CoalescingQueue<Item>();
  /** kind → `<ns>/<name>` → tracked object. */
  const tracked = new Map<string, Map<string, Tracked>>();
  /** namespace → object keys (namespaced kinds), for republish and inventories. */
  const byNamespace = new Map<string, Set<string>>();
  const nsLabels = new Map<string, Record<string, string>>();
  /** Labels of deleted namespaces, so late delete events still reach the right owner. */
  const goneNsLabels = new Map<string, Record<string, string>>();
  const counts = { observed: 0, suppressed: 0, oversized: 0, watchRestarts: 0, inventoriesSkipped: 0 };
  let readyFlag = false;
  let stopping = false;
  let stopped = false;
  const warnedNoKey = new Set<string>();
  // This forwarder's stream: every event built gets the next position (consumers order one object's events by it).
  const streamStart = (opts.now ?? Date.now)();
  let streamCounter = 0;
  const nextSequence = () => formatStreamSequence(streamStart, ++streamCounter);

  const tableOf = (kind: WatchedKind) => {
    let m = tracked.get(kind.kind);
    if (!m) {
      m = new Map();
      tracked.set(kind.kind, m);
    }
    return m;
  };
  const labelsOf = (ns: string | undefined): Record<string, string> =>
    ns ? (nsLabels.get(ns) ?? goneNsLabels.get(ns) ?? {}) : {};

  const delivery = new Delivery<Item>({
    queue,
    publisher: opts.publisher,
    logger: log,
    build: (key, item) => build(key, item),
    maxBatchBytes: opts.maxBatchBytes ?? 256 * 1024,
    batchWindowMs: opts.batchWindowMs ?? 20,
    maxInFlight: opts.maxInFlight ?? 4,
    retryInitialMs: opts.retryInitialMs ?? 200,
    retryMaxMs: opts.retryMaxMs ?? 10_000,
    maxAttempts: opts.maxAttempts ?? 6,
  });

  const enqueue = (key: string, item: Item, last = false) => {
    // A watch whose list was in flight when stop() ran may still answer: nothing is published after stop, the next
    // start lists again.
    if (stopped) return;
    if (last) queue.putLast(key, item);
    else queue.put(key, item);
    delivery.notify();
  };

  const republish = (ns: string) => {
    for (const key of byNamespace.get(ns) ?? []) {
      const [kindName, , name] = splitKey(key);
      const kind = KIND_BY_NAME.get(kindName) ?? active.find((k) => k.kind === kindName);
      if (kind) enqueue(key, { t: 'object', kind, namespace: ns, name }, true);
    }
  };

  const namespaceLabelsChanged = (
    ns: string,
    oldLabels: Record<string, string>,
    newLabels: Record<string, string>,
    rv?: string,
  ) => {
    const key = `n:${ns}`;
    const waiting = queue.get(key);
    const from = waiting?.t === 'ns-changed' ? waiting.oldLabels : oldLabels;
    if (sameLabels(from, newLabels)) {
      queue.delete(key);
    } else {
      enqueue(key, { t: 'ns-changed', namespace: ns, oldLabels: from, newLabels, rv }, true);
    }
    republish(ns);
  };

  // --- informer callbacks -------------------------------------------------------------------------------

  const upsert = (kind: WatchedKind, raw: Record<string, unknown>) => {
    counts.observed++;
    const obj = raw as unknown as KubeObject;
    const md = obj.metadata;
    const table = tableOf(kind);
    const k = `${md.namespace ?? ''}/${md.name}`;
    const prev = table.get(k);
    const key = objKey(kind.kind, kind.namespaced ? md.namespace : undefined, md.name);
    if (prev && sameContent(prev.obj, obj)) {
      prev.obj = obj;
      counts.suppressed++;
      return;
    }
    table.set(k, { obj, envelope: prev?.envelope });
    if (kind.namespaced && md.namespace) {
      let set = byNamespace.get(md.namespace);
      if (!set) {
        set = new Set();
        byNamespace.set(md.namespace, set);
      }
      set.add(key);
    }
    enqueue(key, { t: 'object', kind, namespace: kind.namespaced ? md.namespace : undefined, name: md.name });
    if (kind === NAMESPACE_KIND) {
      const newLabels = md.labels ?? {};
      nsLabels.set(md.name, newLabels);
      goneNsLabels.delete(md.name);
      if (prev && !sameLabels(prev.obj.metadata.labels ?? {}, newLabels)) {
        namespaceLabelsChanged(md.name, prev.obj.metadata.labels ?? {}, newLabels, md.resourceVersion);
      } else if (!prev && readyFlag) {
        // Objects seen before their namespace carried no labels: send them again with the labels.
        republish(md.name);
      }
    }
  };

  const remove = (kind: WatchedKind, raw: Record<string, unknown>) => {
    counts.observed++;
    const md = (raw as unknown as KubeObject).metadata;
    const table = tableOf(kind);
    const k = `${md.namespace ?? ''}/${md.name}`;
    const prev = table.get(k);
    if (!prev) return;
    table.delete(k);
    const ns = kind.namespaced ? md.namespace : undefined;
    const key = objKey(kind.kind, ns, md.name);
    if (ns) {
      const set = byNamespace.get(ns);
      set?.delete(key);
      // A namespace that is gone and empty needs no more inventories.
      if (set && set.size === 0 && !nsLabels.has(ns)) byNamespace.delete(ns);
    }
    let labels = labelsOf(ns);
    if (kind === NAMESPACE_KIND) {
      labels = prev.obj.metadata.labels ?? {};
      nsLabels.delete(md.name);
      goneNsLabels.set(md.name, labels);
      if (byNamespace.get(md.name)?.size === 0) byNamespace.delete(md.name);
      if (goneNsLabels.size > 10_000) goneNsLabels.delete(goneNsLabels.keys().next().value!);
    }
    const tomb: Tombstone = {
      uid: prev.obj.metadata.uid ?? md.uid ?? '',
      resourceVersion: md.resourceVersion ?? prev.obj.metadata.resourceVersion ?? '',
      namespaceLabels: labels,
    };
    enqueue(key, { t: 'object', kind, namespace: ns, name: md.name, tomb });
  };

  // --- building events at send time (latest state wins) ---------------------------------------------------

  async function build(key: string, item: Item): Promise<Built | undefined> {
    if (item.t === 'ns-changed') {
      const detail = {
        ...namespaceChangedEvent(cluster, item.namespace, item.oldLabels, item.newLabels, item.rv),
        sequence: nextSequence(),
      };
      return { entry: toEntry(DetailType.namespaceChanged, detail), label: key };
    }
    if (item.t === 'inventory') return buildInventory(key, item.namespace);
    const cur = tableOf(item.kind).get(`${item.namespace ?? ''}/${item.name}`);
    if (!cur) {
      if (!item.tomb) return undefined;
      const detail = {
        ...deleteEvent(cluster, item.kind, item.namespace, item.name, item.tomb),
        sequence: nextSequence(),
      };
      return { entry: toEntry(DetailType.objectChange, detail), label: key };
    }
    const labels = item.kind === NAMESPACE_KIND ? (cur.obj.metadata.labels ?? {}) : labelsOf(item.namespace);
    const { object, privateData } = splitPrivateKeys(cur.obj);
    let encrypted: EncryptedSecret | undefined;
    if (privateData) {
      if (opts.keyProvider) {
        const rv = cur.obj.metadata.resourceVersion ?? '';
        if (cur.envelope?.rv !== rv) {
          const env = await encryptPrivateFields(privateData, opts.keyProvider, {
            cluster,
            namespace: item.namespace ?? '',
            name: item.name,
          });
          cur.envelope = { rv, env };
        }
        encrypted = cur.envelope.env;
      } else if (!warnedNoKey.has(key)) {
        warnedNoKey.add(key);
        log.warn('no key provider: TLS secret published without its private key', { object: key, outcome: 'degraded' });
      }
    }
    // Built from the latest state: a later position always carries at least as new a state.
    const sequence = nextSequence();
    const eventOf = (o: KubeObject) => ({ ...upsertEvent(cluster, item.kind, o, labels, encrypted), sequence });
    let entry = toEntry(DetailType.objectChange, eventOf(object));
    if (entrySize(entry) > maxEntryBytes) {
      const reduced = reduceSecret(object);
      if (reduced) entry = toEntry(DetailType.objectChange, eventOf(reduced));
    }
    if (entrySize(entry) > maxEntryBytes) {
      counts.oversized++;
      delivery.counters.failed++;
      log.error('object too large for one bus event even after trimming; not published', {
        object: key,
        bytes: entrySize(entry),
        limit: maxEntryBytes,
        reason: 'raise maxEntryBytes (EventBridge accepts up to 1 MiB) or reduce the object',
        outcome: 'failed',
      });
      return undefined;
    }
    return { entry, label: key };
  }

  function inventoryItems(namespace: string): InventoryItem[] {
    const items: InventoryItem[] = [];
    if (namespace === '') {
      for (const kind of active) {
        if (kind.namespaced) continue;
        for (const t of tableOf(kind).values()) {
          const md = t.obj.metadata;
          items.push({ kind: kind.kind, name: md.name, uid: md.uid ?? '', resourceVersion: md.resourceVersion ?? '' });
        }
      }
      return items;
    }
    for (const key of byNamespace.get(namespace) ?? []) {
      const [kindName, , name] = splitKey(key);
      const t = tracked.get(kindName)?.get(`${namespace}/${name}`);
      if (!t) continue;
      const md = t.obj.metadata;
      items.push({ kind: kindName, name: md.name, uid: md.uid ?? '', resourceVersion: md.resourceVersion ?? '' });
    }
    return items;
  }

  function buildInventory(key: string, namespace: string): Built | undefined {
    // Never from a partial view: every kind must have been listed completely at least once.
    if (!watchers.every((w) => w.listedOnce)) {
      counts.inventoriesSkipped++;
      log.warn('inventory skipped: not every kind has been listed yet', { namespace, outcome: 'skipped' });
      return undefined;
    }
    const labels = namespace ? nsLabels.get(namespace) : undefined;
    const detail = {
      ...inventoryEvent(cluster, namespace, inventoryItems(namespace), new Date(), labels),
      sequence: nextSequence(),
    };
    const entry = toEntry(DetailType.inventory, detail);
    if (entrySize(entry) > maxEntryBytes) {
      counts.oversized++;
      delivery.counters.failed++;
      log.error('inventory too large for one bus event; not published (consumers keep their objects)', {
        namespace,
        objects: detail.objects.length,
        bytes: entrySize(entry),
        limit: maxEntryBytes,
        outcome: 'failed',
      });
      return undefined;
    }
    return { entry, label: key };
  }

  const requestInventory = () => {
    const namespaces = new Set<string>([...nsLabels.keys(), ...byNamespace.keys()]);
    enqueue('i:', { t: 'inventory', namespace: '' }, true);
    for (const ns of [...namespaces].sort()) enqueue(`i:${ns}`, { t: 'inventory', namespace: ns }, true);
  };

  // --- watchers -----------------------------------------------------------------------------------------

  const active: WatchedKind[] = [];
  const watchers: KindWatcher[] = [];
  const watcherOpts = {
    kubeConfig: opts.kubeConfig,
    request,
    logger: log,
    ...watchdogOf(opts),
    backoffInitialMs: opts.backoffInitialMs ?? 500,
    backoffMaxMs: opts.backoffMaxMs ?? 30_000,
  };
  const callbacks = {
    upsert: (kind: WatchedKind, o: Record<string, unknown>) =>
      kind.keep && !kind.keep(o) ? remove(kind, o) : upsert(kind, o),
    remove: (kind: WatchedKind, o: Record<string, unknown>) => remove(kind, o),
    known: (kind: WatchedKind) => tableOf(kind).keys(),
    lookup: (kind: WatchedKind, key: string) => tableOf(kind).get(key)?.obj as Record<string, unknown> | undefined,
    transform: (kind: WatchedKind, o: Record<string, unknown>) =>
      trimObject(kind.kind, kind.apiVersion, o) as unknown as Record<string, unknown>,
    restarted: (kind: WatchedKind, reason: string) => {
      counts.watchRestarts++;
      log.info('watch restarted', { kind: kind.kind, reason });
    },
  };

  async function discover(): Promise<WatchedKind[]> {
    const out: WatchedKind[] = [];
    for (const kind of WATCHED_KINDS) {
      if (kind.optional === 'routes' && opts.routes === false) continue;
      if (kind.optional === 'cni' && opts.cni === false) continue;
      if (kind.optional) {
        for (let attempt = 0; ; attempt++) {
          try {
            if (await servesResource(request, kind.group, kind.version, kind.plural)) out.push(kind);
            break;
          } catch (err) {
            if (stopping) return out;
            const delay = Math.min(30_000, 500 * 2 ** attempt);
            log.warn('API discovery failed; retrying', {
              kind: kind.kind,
              reason: err instanceof Error ? err.message : String(err),
              delayMs: delay,
            });
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      } else out.push(kind);
    }
    if (opts.routes === true && !out.some((k) => k.kind === 'Route')) {
      log.warn('routes requested but route.openshift.io/v1 is not served by this cluster', { outcome: 'skipped' });
    }
    return out;
  }

  // AKO's CRDs come and go with their CustomResourceDefinitions: watches are added and removed at run time.
  let crdWatch: CrdWatching | undefined;
  const watchCrds = () =>
    opts.crds === false
      ? undefined
      : startCrdWatching({
          request,
          logger: log,
          everyMs: (opts.crdDiscoverySeconds ?? 60) * 1000,
          watcherOptions: watcherOpts,
          async startWatch(kind) {
            if (stopping) return;
            const w = new KindWatcher(kind, watcherOpts, callbacks);
            active.push(kind);
            watchers.push(w);
            await w.start();
          },
          async stopWatch(kind, gone) {
            const w = watchers.find((x) => x.kind === kind);
            if (w) watchers.splice(watchers.indexOf(w), 1);
            if (active.includes(kind)) active.splice(active.indexOf(kind), 1);
            await w?.stop();
            if (gone)
              for (const t of [...tableOf(kind).values()]) remove(kind, t.obj as unknown as Record<string, unknown>);
          },
        });

  delivery.start();
  let inventoryTimer: NodeJS.Timeout | undefined;
  let metricsTimer: NodeJS.Timeout | undefined;

  const metrics = (): ForwarderMetrics => ({
    observed: counts.observed,
    suppressed: counts.suppressed,
    coalesced: queue.coalesced,
    published: delivery.counters.published,
    failed: delivery.counters.failed,
    retried: delivery.counters.retried,
    requeued: delivery.counters.requeued,
    oversized: counts.oversized,
    putEventsCalls: delivery.counters.putEventsCalls,
    queueDepth: queue.size,
    inFlight: delivery.counters.inFlight,
    watchRestarts: counts.watchRestarts,
    inventoriesSkipped: counts.inventoriesSkipped,
    objects: [...tracked.values()].reduce((n, m) => n + m.size, 0),
    kinds: active.map((k) => k.kind),
  });

  const ready = (async () => {
    active.push(...(await discover()));
    if (stopping) return;
    // Namespaces first, so object events carry their namespace's labels from the start.
    const nsWatcher = new KindWatcher(NAMESPACE_KIND, watcherOpts, callbacks);
    watchers.push(nsWatcher);
    await nsWatcher.start();
    const rest = active.filter((k) => k !== NAMESPACE_KIND).map((k) => new KindWatcher(k, watcherOpts, callbacks));
    // After the namespaces: custom resources carry their namespace's labels from the start too.
    crdWatch = watchCrds();
    watchers.push(...rest);
    await Promise.all([...rest.map((w) => w.start()), crdWatch?.started]);
    if (stopping) return;
    readyFlag = true;
    log.info('forwarder ready', { kinds: active.map((k) => k.kind), objects: metrics().objects });
    requestInventory();
    const every = opts.fullSyncFrequencySeconds ?? 300;
    if (every > 0) {
      inventoryTimer = setInterval(requestInventory, every * 1000);
      inventoryTimer.unref();
    }
  })();
  ready.catch((err) =>
    log.error('forwarder failed to start', { reason: err instanceof Error ? err.message : String(err) }),
  );

  const metricsEvery = opts.metricsIntervalSeconds ?? 60;
  if (metricsEvery > 0) {
    metricsTimer = setInterval(
      () => log.info('forwarder metrics', { ...metrics(), kinds: undefined }),
      metricsEvery * 1000,
    );
    metricsTimer.unref();
  }

  return {
    ready,
    isReady: () => readyFlag,
    metrics,
    requestInventory,
    drained: () => delivery.idle(),
    async stop() {
      if (stopping) return;
      stopping = true;
      crdWatch?.stop();
      if (inventoryTimer) clearInterval(inventoryTimer);
      if (metricsTimer) clearInterval(metricsTimer);
      await Promise.all(watchers.map((w) => w.stop()));
      const flushed = await delivery.flush(opts.flushTimeoutMs ?? 10_000);
      stopped = true;
      const m = metrics();
      if (flushed) log.info('forwarder stopped; queue flushed', { ...m, kinds: undefined });
      else log.warn('forwarder stopped before the queue was flushed', { ...m, kinds: undefined });
    },
  };
}
