/** Connects one forwarder per cluster to the in-process bus: the development cluster's, or a kubeconfig's. */
import { KubeConfig } from '@kubernetes/client-node';
import { type Forwarder, publisherFromPutEvents, startForwarder } from '../../functions/forwarder/index.ts';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import { createStatusApplier, type StatusApplier } from '../../functions/forwarder/status.ts';
import type { KeyProvider } from '../../shared/crypto/index.ts';
import type { Logger } from '../../shared/log.ts';
import type { Registry } from '../../shared/registry/types.ts';
import type { DevCluster } from '../dev-cluster/index.ts';
import type { EventBus } from './event-bus.ts';
import type { RecentEvent } from './status/snapshot.ts';

export interface ClusterConnection {
  cluster: string;
  forwarder: Forwarder;
  ready(): boolean;
  /** Entries queued or in flight in the forwarder. */
  pending(): number;
  published(): number;
  observed(): number;
  /** The forwarder's side of status write-back (it alone holds the cluster's credentials). */
  status: StatusApplier;
  stop(): Promise<void>;
}

export async function connectForwarders(opts: {
  clusters: string[];
  registry: Registry;
  devClusters: Map<string, DevCluster>;
  kubeconfigPath?: string;
  bus: EventBus;
  keyProvider: KeyProvider;
  logger: Logger;
  note(level: RecentEvent['level'], message: string): void;
}): Promise<ClusterConnection[]> {
  const connections: ClusterConnection[] = [];
  for (const cluster of opts.clusters) {
    const kc = new KubeConfig();
    const dev = opts.devClusters.get(cluster);
    if (dev) {
      // Plain HTTP on loopback: client-node only allows http:// servers when TLS verification is off.
      kc.loadFromOptions({
        clusters: [{ name: cluster, server: dev.url, skipTLSVerify: true }],
        users: [{ name: 'dev' }],
        contexts: [{ name: cluster, cluster, user: 'dev' }],
        currentContext: cluster,
      });
    } else if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
    else throw new Error(`no Kubernetes connection for cluster ${cluster}`);
    // The forwarder's inventory runs as often as the most frequent sweep of the cluster's instances.
    const frequencies = opts.registry.instances
      .filter((i) => i.clusterName === cluster && i.fullSyncFrequency > 0)
      .map((i) => i.fullSyncFrequency);
    const forwarder = await startForwarder({
      kubeConfig: kc,
      clusterName: cluster,
      publisher: publisherFromPutEvents((entries) => opts.bus.putEvents(entries)),
      keyProvider: opts.keyProvider,
      fullSyncFrequencySeconds: frequencies.length ? Math.min(...frequencies) : 0,
      logger: opts.logger.child({ function: 'forwarder', cluster }),
      metricsIntervalSeconds: 0,
      batchWindowMs: 5,
      // The development cluster sends a bookmark every second: a stalled watch restarts within ~3 s.
      ...(dev ? { bookmarkIntervalSeconds: 1 } : {}),
    });
    forwarder.ready.then(
      () => opts.note('info', `forwarder for ${cluster} listed every watched kind`),
      (err: unknown) =>
        opts.note('error', `forwarder for ${cluster}: ${err instanceof Error ? err.message : String(err)}`),
    );
    let stopped = false;
    const status = createStatusApplier(kubeRequester(kc), {
      logger: opts.logger.child({ function: 'forwarder-status', cluster }),
    });
    connections.push({
      status,
      cluster,
      forwarder,
      ready: () => forwarder.isReady(),
      pending: () => {
        const m = forwarder.metrics();
        return m.queueDepth + m.inFlight;
      },
      published: () => forwarder.metrics().published,
      observed: () => forwarder.metrics().observed,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await forwarder.stop();
      },
    });
  }
  return connections;
}
