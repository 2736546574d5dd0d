/**
 * The embedded runtime: the whole product in one process. The forwarder, router, sync, primary and sweep
 * run as the same handlers the cloud deploys; only the adapters differ (in-process bus and FIFO queues,
 * in-memory store, the Avi Controller simulator and the development Kubernetes API server as defaults).
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { KubeRequest } from '../../functions/forwarder/kube.ts';
import { parseStatusUpdates, type StatusUpdate } from '../../functions/forwarder/status.ts';
import { createPrimaryHandler } from '../../functions/primary/handler.ts';
import { conflictStatusUpdates } from '../../functions/router/conflict-events.ts';
import { createRouterHandler, type DeadLetterRecord as RouterDeadLetter } from '../../functions/router/handler.ts';
import { createSyncHandler } from '../../functions/sync/handler.ts';
import { createStatusReporter } from '../../functions/sync/status.ts';
import { crdFactsReader } from '../../shared/avi/avi-refs.ts';
import { type AviClient, createAviClient, createReconciler, createRequestBudget } from '../../shared/avi/index.ts';
import type { ResolvedCredentials } from '../../shared/credentials/index.ts';
import type { KeyProvider } from '../../shared/crypto/index.ts';
import { localKeyFileProvider } from '../../shared/crypto/index.ts';
import { DetailType, FORWARDER_SOURCE, hashId, type InstanceMessage, SYNC_SOURCE } from '../../shared/events/index.ts';
import { createMemoryHostClaims, type HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import { describeMessage, shouldAutoRedrive } from '../../shared/instance/outage.ts';
import { createLogger, type Logger } from '../../shared/log.ts';
import { buildOwnerIndex } from '../../shared/registry/index.ts';
import type { InstanceConfig, Registry } from '../../shared/registry/types.ts';
import { SecretValue } from '../../shared/secret.ts';
import { createMemoryStore } from '../../shared/store/index.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import { type AviSim, startAviSim } from '../avi-sim/index.ts';
import { type CniKind, type DevCluster, startDevCluster } from '../dev-cluster/index.ts';
import { kubeRequestFor, resolveLocalCredentials } from './credentials.ts';
import { type DeliveryChaos, EventBus } from './event-bus.ts';
import { type DeadLetterMessage, FifoQueue } from './fifo-queue.ts';
import { type ClusterConnection, connectForwarders } from './forwarders.ts';
import { buildSnapshot, type RuntimeView } from './snapshot-builder.ts';
import { clusterFactsRule, createClusterFacts } from './status/cluster-facts.ts';
import { createHistory } from './status/history.ts';
import { controllerResponseMetrics, createRuntimeMetrics } from './status/runtime-metrics.ts';
import type { ConflictStatus, RecentEvent, StatusSnapshot } from './status/snapshot.ts';
import { devClusterWithRealControllerRefusal } from './view-guard.ts';

export interface RuntimeOptions {
  registry: Registry;
  /** A kubeconfig file for a real cluster (the registry must then hold exactly one cluster). */
  kubeconfig?: string;
  /** A real controller (`host[:port]` or URL); otherwise the embedded simulator. */
  controller?: string;
  devClusterPort?: number;
  aviSimPort?: number;
  /** Manifests the development cluster starts with. */
  seedDir?: string;
  /** Where the local TLS data key lives (created with mode 0600). */
  stateDir?: string;
  /** Deterministic simulator uuids and order-independent VIP allocation (replay). */
  simSeed?: number;
  /** Controller request budget per second shared by all instances (default 30, just below the controller's 32). */
  aviRatePerSecond?: number;
  /** Simulator rate limit per client address (off by default). */
  simRateLimit?: number;
  /** Queue redelivery back-off and receive limit (tests shorten them). */
  queue?: {
    maxReceiveCount?: number;
    backoffMs?: (n: number) => number;
    visibilityTimeoutMs?: number;
    /** Back-off while the controller is down (default shared/instance/outage.ts: 1 s doubling to 20 s). */
    outageBackoffMs?: (n: number) => number;
  };
  /** Seeded reordering and duplication of bus deliveries (tests; see event-bus.ts). */
  busChaos?: DeliveryChaos;
  /** Run the development cluster against a real controller (refused otherwise; see view-guard.ts). */
  demoDevClusterWithRealController?: boolean;
  /** Periodic sweep; default every instance's fullSyncFrequency (0 disables). */
  sweeps?: boolean;
  logger?: Logger;
  /** Environment for AKO's CTRL_* credential variables (default: none). */
  env?: Record<string, string | undefined>;
  /** A controller credentials file (--controller-credentials), already read. */
  credentialsFile?: { path: string; text: string };
  /** Skip verifying the controller's TLS certificate (--controller-insecure-skip-tls-verify). Never the default. */
  controllerInsecureSkipTlsVerify?: boolean;
}

export interface DeadLetterEntry {
  where: string;
  reason: string;
  at: string;
}

export interface Runtime {
  registry: Registry;
  aviSim?: AviSim;
  controllerUrl: string;
  devClusters: Map<string, DevCluster>;
  bus: EventBus;
  syncQueues: Map<string, FifoQueue>;
  primaryQueues: Map<string, FifoQueue>;
  stores: Map<string, InstanceStore>;
  /** Each instance's Avi client (request statistics per instance). */
  aviClients: Map<string, AviClient>;
  /** Where each instance's controller credentials came from (printable; never the values). */
  credentialSources: Map<string, string>;
  /** Resolves once nothing is queued, in flight or waiting to be published, twice in a row. */
  waitForConvergence(opts?: { timeoutMs?: number }): Promise<void>;
  /** Dead letters of every queue, the bus and the router. */
  deadLetters(): DeadLetterEntry[];
  /** `cached`: controller reads may be a few seconds old (for pollers). */
  snapshot(opts?: { cached?: boolean }): Promise<StatusSnapshot>;
  /** Queues a sweep for one instance (or all). */
  requestSweep(instanceId?: string): void;
  /** Prometheus registries of what accumulates over the run (sync latency, controller answers by status). */
  metrics(): MetricsRegistry[];
  stop(): Promise<void>;
}

/** detail-type of the bus events that carry status updates from sync functions to the cluster's forwarder. */
export const STATUS_UPDATE = 'status-update';

const LAMBDA_CONTEXT = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'local',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local',
  memoryLimitInMB: '512',
  awsRequestId: 'local',
  logGroupName: 'local',
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

function controllerCredentials(registry: Registry): { username: string; password: SecretValue } {
  const withCreds = registry.instances.find((i) => i.credentials.username && i.credentials.password);
  return {
    username: withCreds?.credentials.username ?? 'admin',
    password: withCreds?.credentials.password ?? new SecretValue('admin'),
  };
}

function clustersOf(registry: Registry): Map<string, InstanceConfig[]> {
  const clusters = new Map<string, InstanceConfig[]>();
  for (const i of registry.instances) clusters.set(i.clusterName, [...(clusters.get(i.clusterName) ?? []), i]);
  return clusters;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const logger = opts.logger ?? createLogger({ component: 'runtime' });
  const registry = opts.registry;
  const clusters = clustersOf(registry);
  const recent: RecentEvent[] = [];
  const note = (level: RecentEvent['level'], message: string) => {
    recent.push({ time: new Date().toISOString(), level, message });
    if (recent.length > 200) recent.shift();
  };
  const closers: (() => Promise<void> | void)[] = [];

  // --- Controller: a real one when configured, otherwise the simulator.
  const configuredHost = opts.controller ?? registry.instances.find((i) => i.controller.host)?.controller.host;
  const refusal = devClusterWithRealControllerRefusal({
    ...(configuredHost ? { controllerHost: configuredHost } : {}),
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    demo: Boolean(opts.demoDevClusterWithRealController),
  });
  if (refusal) throw new Error(refusal);
  const creds = controllerCredentials(registry);
  let aviSim: AviSim | undefined;
  let controllerUrl: string;
  if (configuredHost) {
    controllerUrl = configuredHost;
  } else {
    // The simulator serves the VIP networks the registry names (VsVips refer to them by name).
    const vipNetworks = [
      ...new Map(
        registry.instances
          .flatMap((i) => i.network.vipNetworkList)
          .filter((n) => n.networkName)
          .map((n) => [n.networkName, { name: n.networkName, ...(n.cidr ? { cidr: n.cidr } : {}) }]),
      ).values(),
    ];
    aviSim = await startAviSim({
      port: opts.aviSimPort ?? 0,
      username: creds.username,
      password: creds.password.reveal(),
      ...(opts.simSeed !== undefined ? { seed: opts.simSeed, vipAllocation: 'by-name' as const } : {}),
      ...(opts.simRateLimit ? { rateLimitPerSecond: opts.simRateLimit } : {}),
      ...(vipNetworks.length ? { vipNetworks } : {}),
    });
    closers.push(() => aviSim?.close());
    controllerUrl = aviSim.url;
  }
  const budget = createRequestBudget({ ratePerSecond: opts.aviRatePerSecond ?? 30, maxConcurrency: 8 });

  // --- Kubernetes: a kubeconfig, or one development cluster per cluster of the registry.
  const devClusters = new Map<string, DevCluster>();
  if (!opts.kubeconfig) {
    let port = opts.devClusterPort ?? 0;
    for (const cluster of clusters.keys()) {
      // Serve OpenShift Routes and the pod-CIDR kinds of the CNIs the cluster's instances name.
      const cniKinds = [
        ...new Set(
          (clusters.get(cluster) ?? []).flatMap((i): CniKind[] =>
            i.cniPlugin === 'calico' || i.cniPlugin === 'canal'
              ? ['calico']
              : i.cniPlugin === 'openshift'
                ? ['openshift']
                : i.cniPlugin === 'cilium'
                  ? ['cilium']
                  : [],
          ),
        ),
      ];
      const dev = await startDevCluster({
        port,
        routes: true,
        ...(cniKinds.length ? { cni: cniKinds } : {}),
        ...(opts.seedDir ? { seedDir: opts.seedDir } : {}),
      });
      devClusters.set(cluster, dev);
      closers.push(() => dev.close());
      if (port) port++;
    }
  } else if (clusters.size !== 1) {
    throw new Error(
      `--kubeconfig connects one cluster, but the registry has ${clusters.size} (${[...clusters.keys()].join(', ')}); run one start per cluster`,
    );
  }

  // --- Controller credentials of each instance (see ./credentials.ts for the order of the sources).
  let resolvedCredentials: Map<string, ResolvedCredentials>;
  try {
    const kube = new Map<string, KubeRequest>();
    for (const [cluster, dev] of devClusters) kube.set(cluster, kubeRequestFor({ devUrl: dev.url }));
    if (opts.kubeconfig) {
      for (const cluster of clusters.keys()) kube.set(cluster, kubeRequestFor({ kubeconfigPath: opts.kubeconfig }));
    }
    resolvedCredentials = await resolveLocalCredentials({
      registry,
      kube,
      env: opts.env ?? {},
      ...(opts.credentialsFile ? { file: opts.credentialsFile } : {}),
      ...(aviSim ? { fallback: { source: `the embedded simulator's user ${creds.username}`, ...creds } } : {}),
      logger,
    });
  } catch (err) {
    for (const close of closers.reverse()) await close();
    throw err;
  }
  // The simulator has the users the instances log in as, as a controller's administrator would have set up.
  for (const { credentials: c } of aviSim ? resolvedCredentials.values() : []) {
    if (c.username && c.password) aviSim?.addLogin(c.username, { password: c.password.reveal() });
    if (c.username && c.authtoken) aviSim?.addLogin(c.username, { token: c.authtoken.reveal() });
  }

  const stateDir = opts.stateDir ?? join(process.cwd(), '.ako-serverless');
  mkdirSync(stateDir, { recursive: true });
  const keyProvider: KeyProvider = localKeyFileProvider(join(stateDir, 'tls-data.key'));

  // --- Bus, queues and handlers.
  const bus = new EventBus('ako-serverless', {
    retryDelayMs: (n) => Math.min(2000, 20 * 2 ** n),
    ...(opts.busChaos ? { chaos: opts.busChaos } : {}),
  });
  const queueOpts = {
    maxReceiveCount: opts.queue?.maxReceiveCount ?? 5,
    visibilityTimeoutMs: opts.queue?.visibilityTimeoutMs ?? 120_000,
    ...(opts.queue?.backoffMs ? { backoffMs: opts.queue.backoffMs } : {}),
    ...(opts.queue?.outageBackoffMs ? { outageBackoffMs: opts.queue.outageBackoffMs } : {}),
    autoRedrive: shouldAutoRedrive,
  };
  /** Every dead letter is logged with its object, instance and reason (and counted on the status page). */
  const deadLetterLog = (where: string) => (d: DeadLetterMessage) => {
    const what = describeMessage(d.body);
    logger.warn('message dead-lettered', {
      instance: where,
      ...what,
      reason: d.lastError ?? 'unknown',
      receives: d.receiveCount,
      outcome: 'dead-lettered',
      redrive: shouldAutoRedrive(d) ? 'automatic once the controller answers' : 'manual',
    });
    note('warn', `dead letter (${where}): ${what.object ?? what.type ?? 'message'}: ${d.lastError ?? 'unknown'}`);
  };
  const syncQueues = new Map<string, FifoQueue>();
  const primaryQueues = new Map<string, FifoQueue>();
  const stores = new Map<string, InstanceStore>();
  const otherDeadLetters: DeadLetterEntry[] = [];
  const conflicts = new Map<string, ConflictStatus>();
  const lastErrors = new Map<string, string[]>();
  const pushError = (instanceId: string, message: string) => {
    const list = lastErrors.get(instanceId) ?? [];
    list.push(message);
    if (list.length > 10) list.shift();
    lastErrors.set(instanceId, list);
    note('error', `${instanceId}: ${message}`);
  };

  // Filled in once the cluster connections exist (sync functions are created first).
  const statusSink: { apply?: (cluster: string, updates: StatusUpdate[]) => Promise<void> } = {};

  const publish = async (event: { detailType: string; detail: unknown }) => {
    const res = await bus.putEvents([
      { Source: SYNC_SOURCE, DetailType: event.detailType, Detail: JSON.stringify(event.detail) },
    ]);
    if (res.FailedEntryCount > 0) throw new Error(`bus rejected ${event.detailType}: ${res.Entries[0]?.ErrorMessage}`);
  };

  const aviClients = new Map<string, AviClient>();
  const runtimeMetrics = createRuntimeMetrics();
  // One host-claim registry per cluster, shared by its instances (first claimant keeps a host).
  const hostClaims = new Map<string, HostClaimRegistry>();
  for (const instance of registry.instances) {
    const log = logger.child({ instance: instance.id });
    const login = resolvedCredentials.get(instance.id)!.credentials;
    const client = createAviClient({
      host: controllerUrl,
      username: login.username ?? creds.username,
      ...(login.authtoken ? { authtoken: login.authtoken } : { password: login.password ?? creds.password }),
      ...(login.certificateAuthorityData ? { certificateAuthorityData: login.certificateAuthorityData } : {}),
      ...(opts.controllerInsecureSkipTlsVerify ? { insecureSkipVerify: true } : {}),
      ...(instance.controller.version ? { version: instance.controller.version } : {}),
      tenant: instance.controller.tenantName,
      owner: instance.createdBy,
      clusterName: instance.clusterName,
      budget,
      logger: log,
    });
    aviClients.set(instance.id, client);
    const reconciler = createReconciler({ client, instance, logger: log });
    const store = createMemoryStore(instance.id);
    stores.set(instance.id, store);
    const queue = new FifoQueue(`${instance.id.replace(/[^A-Za-z0-9_-]/g, '-')}-sync.fifo`, {
      ...queueOpts,
      onDeadLetter: deadLetterLog(instance.id),
      onDeleted: (ms) => runtimeMetrics.synced(instance.id, ms),
    });
    syncQueues.set(instance.id, queue);
    const handler = createSyncHandler({
      instance,
      store,
      reconciler,
      keyProvider,
      publish,
      deadLetter: (r) => {
        otherDeadLetters.push({ where: `${instance.id} sync`, reason: r.reason, at: r.at });
        pushError(instance.id, r.reason);
      },
      logger: log,
      now: () => new Date(),
      initialSync: {},
      coalesce: { queued: () => queue.depth },
      // The Avi objects the instance's CRs refer to (WAF policy, SE group, ...): a missing one rejects the CR.
      cloudFacts: crdFactsReader(client, instance),
      hostClaims:
        hostClaims.get(instance.clusterName) ??
        hostClaims.set(instance.clusterName, createMemoryHostClaims()).get(instance.clusterName)!,
      statusReporter: createStatusReporter({
        instance,
        publish: async (updates) => {
          await statusSink.apply?.(instance.clusterName, updates);
        },
      }),
    });
    queue.attach((event) => handler(event, LAMBDA_CONTEXT));

    if (instance.primary) {
      const primaryStore = createMemoryStore(`${instance.id}/primary`);
      const primaryQueue = new FifoQueue(`${instance.clusterName}-primary.fifo`, {
        ...queueOpts,
        onDeadLetter: deadLetterLog(`${instance.clusterName} primary`),
      });
      primaryQueues.set(instance.clusterName, primaryQueue);
      const primary = createPrimaryHandler({
        instance,
        store: primaryStore,
        reconciler,
        aviClient: client,
        publish,
        deadLetter: (r) => {
          otherDeadLetters.push({ where: `${instance.clusterName} primary`, reason: r.reason, at: r.at });
          pushError(instance.id, r.reason);
        },
        logger: log.child({ function: 'primary' }),
        now: () => new Date(),
        clusterInstances: () => clusters.get(instance.clusterName) ?? [],
      });
      primaryQueue.attach((event) => primary(event, LAMBDA_CONTEXT));
    }
  }

  const index = buildOwnerIndex(registry);
  const router = createRouterHandler({
    index,
    send: async (target, message: InstanceMessage, keys) => {
      const queue = target.queue === 'sync' ? syncQueues.get(target.instanceId) : primaryQueues.get(target.cluster);
      if (!queue) throw new Error(`no ${target.queue} queue for ${target.instanceId}`);
      queue.send(JSON.stringify(message), keys);
    },
    publishDeadLetter: async (record: RouterDeadLetter) => {
      if (record.reason === 'ownership-conflict' && record.cluster && record.namespace) {
        conflicts.set(`${record.cluster}/${record.namespace}`, {
          cluster: record.cluster,
          namespace: record.namespace,
          instances: record.instances ?? [],
        });
      }
      otherDeadLetters.push({
        where: 'router',
        reason: `${record.reason}: ${record.message}`,
        at: new Date().toISOString(),
      });
      note(record.reason === 'ownership-conflict' ? 'warn' : 'error', `router: ${record.message}`);
      if (record.reason === 'ownership-conflict')
        logger.warn('namespace claimed by more than one instance: nothing in it is synced', {
          function: 'router',
          cluster: record.cluster,
          namespace: record.namespace,
          reason: record.message,
        });
      // Status stays untouched; Events on the namespace and the object say why.
      const updates = conflictStatusUpdates(record);
      if (updates.length && record.cluster) await statusSink.apply?.(record.cluster, updates);
    },
    logger: logger.child({ function: 'router' }),
  });
  bus.addRule({
    name: 'router',
    pattern: {
      source: [FORWARDER_SOURCE, SYNC_SOURCE],
      'detail-type': [
        DetailType.objectChange,
        DetailType.namespaceChanged,
        DetailType.inventory,
        DetailType.releaseConfirmed,
        DetailType.sweepRequested,
      ],
    },
    target: async (event) => {
      await router(event, LAMBDA_CONTEXT);
    },
  });

  // --- What the status page shows beyond the controller: latest Warning per object, unowned namespaces.
  const clusterFacts = createClusterFacts(index);
  bus.addRule(clusterFactsRule(clusterFacts));

  // --- Forwarders (one per cluster) and status write-back.
  const connections: ClusterConnection[] = await connectForwarders({
    clusters: [...clusters.keys()],
    registry,
    devClusters,
    ...(opts.kubeconfig ? { kubeconfigPath: opts.kubeconfig } : {}),
    bus,
    keyProvider,
    logger,
    note,
  });
  for (const c of connections) closers.push(() => c.stop());

  // Status back to Kubernetes: locally the bus carries the updates to the cluster's forwarder.
  const connectionOf = (cluster: string) => connections.find((c) => c.cluster === cluster);
  bus.addRule({
    name: 'status',
    pattern: { source: [SYNC_SOURCE], 'detail-type': [STATUS_UPDATE] },
    target: async (event) => {
      const detail = event.detail as { cluster?: string; updates?: unknown };
      const parsed = parseStatusUpdates(detail.updates);
      const connection = detail.cluster ? connectionOf(detail.cluster) : undefined;
      if (!parsed.ok || !connection) {
        note('error', `status update dropped: ${parsed.ok ? `unknown cluster ${detail.cluster}` : parsed.reason}`);
        return;
      }
      clusterFacts.statusUpdates(parsed.updates);
      const results = await connection.status.apply(parsed.updates);
      for (const r of results) if (r.outcome === 'failed') throw new Error(`status write failed: ${r.message ?? ''}`);
    },
  });
  statusSink.apply = async (cluster, updates) => {
    await bus.putEvents([
      {
        Source: SYNC_SOURCE,
        DetailType: STATUS_UPDATE,
        Detail: JSON.stringify({ version: 1, cluster, updates }),
      },
    ]);
  };

  // --- Periodic sweeps through each instance's own queue, so they never race its sync batches.
  const requestSweep = (instanceId?: string) => {
    for (const instance of registry.instances) {
      if (instanceId && instance.id !== instanceId) continue;
      const message: InstanceMessage = {
        type: 'sweep',
        version: 1,
        cluster: instance.clusterName,
        requestedAt: new Date().toISOString(),
      };
      syncQueues.get(instance.id)?.send(JSON.stringify(message), {
        groupId: '_sweep',
        dedupId: hashId('sweep', instance.id, message.requestedAt as string),
      });
    }
  };
  if (opts.sweeps !== false) {
    for (const instance of registry.instances) {
      if (instance.fullSyncFrequency <= 0) continue;
      const timer = setInterval(() => requestSweep(instance.id), instance.fullSyncFrequency * 1000);
      timer.unref();
      closers.push(() => clearInterval(timer));
    }
  }

  const allQueues = () => [...syncQueues.values(), ...primaryQueues.values()];
  const history = createHistory({
    budgetPerSecond: opts.aviRatePerSecond ?? 30,
    requests: () => [...aviClients.values()].reduce((n, c) => n + c.stats().requests, 0),
    queueDepth: () => allQueues().reduce((n, q) => n + q.depth, 0),
    takeLatency: () => runtimeMetrics.takeLatency(),
  });
  closers.push(() => history.stop());
  const activity = () =>
    bus.publishedCount +
    allQueues().reduce((n, q) => n + q.stats.sent + q.stats.received, 0) +
    connections.reduce((n, c) => n + c.published(), 0);
  const quiet = () =>
    bus.pending === 0 &&
    allQueues().every((q) => q.isIdle()) &&
    // A forwarder stopped before its first inventory never becomes ready: once stopping, only its pending count matters.
    connections.every((c) => (c.ready() || stopping) && c.pending() === 0);
  let stopping = false;

  const waitForConvergence = async (w: { timeoutMs?: number } = {}) => {
    const deadline = Date.now() + (w.timeoutMs ?? 120_000);
    let stableRounds = 0;
    let last = -1;
    while (stableRounds < 2) {
      if (Date.now() > deadline) {
        const depths = allQueues()
          .map((q) => `${q.name}=${q.depth}`)
          .join(', ');
        throw new Error(
          `did not converge within ${w.timeoutMs ?? 120_000} ms (bus in flight ${bus.pending}; queues ${depths}; forwarder pending ${connections.map((c) => c.pending()).join(',')})`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
      if (!quiet()) {
        stableRounds = 0;
        continue;
      }
      const now = activity();
      stableRounds = now === last ? stableRounds + 1 : 0;
      last = now;
    }
  };

  const deadLetters = (): DeadLetterEntry[] => [
    ...otherDeadLetters,
    ...allQueues().flatMap((q) =>
      q.listDeadLetters().map((d) => ({ where: q.name, reason: d.lastError ?? 'unknown', at: '' })),
    ),
    ...bus.listDeadLetters().map((d) => ({ where: `bus rule ${d.rule}`, reason: d.error, at: d.event.time })),
  ];

  const startedAt = new Date().toISOString();
  const view: RuntimeView = {
    startedAt,
    registry,
    index,
    controllerUrl,
    kubernetes: opts.kubeconfig ? [opts.kubeconfig] : [...devClusters.values()].map((d) => d.url),
    stores,
    syncQueues,
    primaryQueues,
    aviClients,
    lastErrors,
    controllerCache: new Map(),
    recent,
    quiet,
    deadLetters: () => deadLetters().length,
    objectsSeen: () => connections.reduce((n, c) => n + c.observed(), 0),
    conflicts: () => [...conflicts.values()],
    clusterFacts,
    history: () => history.view(),
  };

  return {
    registry,
    ...(aviSim ? { aviSim } : {}),
    controllerUrl,
    devClusters,
    bus,
    syncQueues,
    primaryQueues,
    stores,
    aviClients,
    credentialSources: new Map([...resolvedCredentials].map(([id, r]) => [id, r.source])),
    waitForConvergence,
    deadLetters,
    snapshot: (o) => buildSnapshot(view, o),
    metrics: () => [runtimeMetrics.registry, controllerResponseMetrics(aviClients)],
    requestSweep,
    stop: async () => {
      // Stop watching first, then let the queues drain before closing the servers they talk to.
      stopping = true;
      for (const c of connections) await c.stop();
      try {
        await waitForConvergence({ timeoutMs: 15_000 });
      } catch (err) {
        logger.warn('shutting down with work still queued', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
      for (const q of allQueues()) q.stop();
      for (const close of closers.reverse()) await close();
    },
  };
}
