/**
 * Test harness: one Avi simulator, instances resolved from AKO values, memory stores, real Avi clients and
 * reconcilers, and SQS/EventBridge-shaped events built like the router and the scheduler send them.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createPrimaryHandler } from '../../functions/primary/handler.ts';
import { createSweepRunner } from '../../functions/sweep/handler.ts';
import type { PublishedEvent } from '../../functions/sync/engine.ts';
import { createSyncHandler, type DeadLetterRecord } from '../../functions/sync/handler.ts';
import type { AviSim } from '../../infra/avi-sim/index.ts';
import { type AviClient, type AviReconciler, createAviClient, createReconciler } from '../../shared/avi/index.ts';
import { encryptSecretPayload, type KeyProvider, localKeyFileProvider } from '../../shared/crypto/index.ts';
import { CLUSTER_GROUP, formatStreamSequence, type InstanceMessage, objectDedupId } from '../../shared/events/index.ts';
import type { HostClaimRegistry } from '../../shared/instance/host-claims.ts';
import { createLogger, type Logger, silentLogger } from '../../shared/log.ts';
import type { CloudFacts, ClusterView, KubeObject } from '../../shared/model/types.ts';
import { resolveInstance } from '../../shared/registry/index.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { SecretValue } from '../../shared/secret.ts';
import { createMemoryStore } from '../../shared/store/index.ts';
import type { InstanceStore } from '../../shared/store/types.ts';

export const CLUSTER = 'cluster';

export function instanceFor(
  sim: AviSim,
  opts: { namespace: string; primary: boolean; labelKey?: string; labelValue?: string; set?: Record<string, unknown> },
): InstanceConfig {
  return resolveInstance({
    namespace: opts.namespace,
    values: {
      AKOSettings: {
        primaryInstance: opts.primary,
        clusterName: CLUSTER,
        namespaceSelector: { labelKey: opts.labelKey ?? '', labelValue: opts.labelValue ?? '' },
      },
      L7Settings: { shardVSSize: 'LARGE' },
      ControllerSettings: {
        controllerHost: sim.url,
        cloudName: 'Default-Cloud',
        serviceEngineGroupName: 'Default-Group',
        tenantName: 'admin',
      },
      NetworkSettings: { vipNetworkList: [{ networkName: sim.vipNetworkName }] },
      avicredentials: { username: 'admin', password: 'admin' },
    },
    set: opts.set ?? {},
  });
}

export interface Rig {
  instance: InstanceConfig;
  store: InstanceStore;
  client: AviClient;
  reconciler: AviReconciler;
  published: PublishedEvent[];
  deadLetters: DeadLetterRecord[];
  sync(messages: (InstanceMessage | string)[], opts?: { group?: (m: InstanceMessage) => string }): Promise<string[]>;
  send(event: SQSEvent): Promise<string[]>;
  primary(messages: InstanceMessage[]): Promise<string[]>;
  sweep: ReturnType<typeof createSweepRunner>;
}

let seq = 0;
const ctx = {} as Context;

export function sqsRecord(body: string, group: string, dedup: string): SQSRecord {
  seq++;
  return {
    messageId: `msg-${seq}`,
    receiptHandle: `rh-${seq}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(1_700_000_000_000 + seq),
      SenderId: 'router',
      ApproximateFirstReceiveTimestamp: String(1_700_000_000_000 + seq),
      MessageGroupId: group,
      MessageDeduplicationId: dedup,
      SequenceNumber: String(seq),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:sync.fifo',
    awsRegion: 'local',
  };
}

export function groupOfMessage(m: InstanceMessage): string {
  switch (m.type) {
    case 'object':
      return m.change.namespace || CLUSTER_GROUP;
    case 'inventory':
      return m.inventory.namespace || CLUSTER_GROUP;
    case 'sweep':
      return CLUSTER_GROUP;
    default:
      return m.namespace;
  }
}

export function sqsEvent(messages: (InstanceMessage | string)[]): SQSEvent {
  return {
    Records: messages.map((m) =>
      typeof m === 'string'
        ? sqsRecord(m, 'bad', `bad-${seq}`)
        : sqsRecord(
            JSON.stringify(m),
            groupOfMessage(m),
            m.type === 'object' ? objectDedupId(m.change) : `${m.type}-${seq}`,
          ),
    ),
  };
}

export function clientFor(sim: AviSim, instance: InstanceConfig): AviClient {
  return createAviClient({
    host: sim.url,
    username: 'admin',
    password: new SecretValue('admin'),
    owner: instance.createdBy,
    clusterName: instance.clusterName,
    maxAttempts: 2,
    baseDelayMs: 1,
    maxDelayMs: 5,
    ratePerSecond: 100_000,
    burst: 100_000,
    maxConcurrency: 8,
  });
}

export function makeRig(
  sim: AviSim,
  instance: InstanceConfig,
  opts: {
    keyProvider?: KeyProvider;
    clusterInstances?: () => InstanceConfig[];
    store?: InstanceStore;
    /** Reuse a logged-in client (and its reconciler) across rigs. */
    client?: AviClient;
    logger?: Logger;
    /** Controller facts per build (e.g. CR references read with shared/avi/avi-refs.ts). */
    cloudFacts?: (view: ClusterView) => Promise<CloudFacts>;
    /** The cluster's host claims (shared by the rigs of one cluster). */
    hostClaims?: HostClaimRegistry;
  } = {},
): Rig {
  const store = opts.store ?? createMemoryStore(instance.id);
  const client = opts.client ?? clientFor(sim, instance);
  const reconciler = createReconciler({ client, instance });
  const published: PublishedEvent[] = [];
  const deadLetters: DeadLetterRecord[] = [];
  const common = {
    instance,
    store,
    publish: (e: PublishedEvent) => {
      published.push(e);
    },
    logger: opts.logger ?? (process.env.SYNC_TEST_LOG ? createLogger({}, { level: 'warn' }) : silentLogger),
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  const syncHandler = createSyncHandler({
    ...common,
    reconciler,
    deadLetter: (r) => {
      deadLetters.push(r);
    },
    ...(opts.keyProvider ? { keyProvider: opts.keyProvider } : {}),
    ...(opts.cloudFacts ? { cloudFacts: opts.cloudFacts } : {}),
    ...(opts.hostClaims ? { hostClaims: opts.hostClaims } : {}),
  });
  const primaryHandler = createPrimaryHandler({
    ...common,
    reconciler,
    aviClient: client,
    deadLetter: (r) => {
      deadLetters.push(r);
    },
    clusterInstances: opts.clusterInstances ?? (() => [instance]),
  });
  const send = async (event: SQSEvent) => {
    const res = await syncHandler(event, ctx);
    return (res?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
  };
  return {
    instance,
    store,
    client,
    reconciler,
    published,
    deadLetters,
    send,
    sync: (messages) => send(sqsEvent(messages)),
    async primary(messages) {
      const res = await primaryHandler(sqsEvent(messages), ctx);
      return (res?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    },
    sweep: createSweepRunner({ ...common, reconciler }),
  };
}

export function tempKeyProvider(): KeyProvider {
  const dir = mkdtempSync(join(tmpdir(), 'ako-sync-key-'));
  return localKeyFileProvider(join(dir, 'master.key'));
}

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes objects and messages

let rv = 1000;
export function nextRv(): string {
  rv++;
  return String(rv);
}

/**
 * Like the forwarder, the harness stamps every message it builds with the next position of one stream: messages
 * built later are later in the stream (tests build them in the order the cluster would produce them).
 */
let streamN = 0;
export function nextSequence(): string {
  return formatStreamSequence(1_767_225_600_000, ++streamN);
}

export interface ObjectMsgOpts {
  op?: 'upsert' | 'delete';
  namespaceLabels?: Record<string, string>;
  encryptedSecret?: unknown;
  resourceVersion?: string;
  /** Stream position; default the next one. */
  sequence?: string;
}

export function objectMsg(o: KubeObject, opts: ObjectMsgOpts = {}): InstanceMessage {
  const resourceVersion = opts.resourceVersion ?? o.metadata.resourceVersion ?? nextRv();
  const op = opts.op ?? 'upsert';
  const object = { ...o, metadata: { ...o.metadata, resourceVersion } };
  return {
    type: 'object',
    version: 1,
    change: {
      version: 1,
      cluster: CLUSTER,
      kind: o.kind,
      apiVersion: o.apiVersion,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      name: o.metadata.name,
      uid: o.metadata.uid ?? `uid-${o.kind}-${o.metadata.namespace ?? ''}-${o.metadata.name}`,
      resourceVersion,
      op,
      namespaceLabels: opts.namespaceLabels ?? {},
      ...(op === 'upsert' ? { object } : {}),
      ...(opts.encryptedSecret ? { encryptedSecret: opts.encryptedSecret } : {}),
      sequence: opts.sequence ?? nextSequence(),
    },
  } as InstanceMessage;
}

export function nsMsg(type: 'hold' | 'release' | 'adopt', namespace: string, handoffTo?: string): InstanceMessage {
  if (type === 'release')
    return { type, version: 1, cluster: CLUSTER, namespace, ...(handoffTo ? { handoffTo } : {}) } as InstanceMessage;
  return { type, version: 1, cluster: CLUSTER, namespace } as InstanceMessage;
}

export function inventoryMsg(namespace: string, objects: KubeObject[], generatedAt: string): InstanceMessage {
  return {
    type: 'inventory',
    version: 1,
    inventory: {
      version: 1,
      cluster: CLUSTER,
      namespace,
      generatedAt,
      objects: objects.map((o) => ({
        kind: o.kind,
        name: o.metadata.name,
        uid: o.metadata.uid ?? `uid-${o.kind}-${o.metadata.namespace ?? ''}-${o.metadata.name}`,
        resourceVersion: o.metadata.resourceVersion ?? '1',
      })),
      sequence: nextSequence(),
    },
  };
}

export function sweepMsg(): InstanceMessage {
  return { type: 'sweep', version: 1, cluster: CLUSTER, requestedAt: '2026-01-01T00:00:00Z' };
}

export function ingress(
  namespace: string,
  name: string,
  rules: { host: string; path?: string; service?: string; port?: number }[],
  tls?: { hosts: string[]; secretName: string }[],
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace, uid: `uid-ing-${namespace}-${name}` },
    spec: {
      ...(tls ? { tls } : {}),
      rules: rules.map((r) => ({
        host: r.host,
        http: {
          paths: [
            {
              path: r.path ?? '/foo',
              pathType: 'Prefix',
              backend: { service: { name: r.service ?? 'avisvc', port: { number: r.port ?? 8080 } } },
            },
          ],
        },
      })),
    },
  };
}

export function service(
  namespace: string,
  name: string,
  type: 'ClusterIP' | 'LoadBalancer' = 'ClusterIP',
  port = 8080,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: `uid-svc-${namespace}-${name}` },
    spec: {
      type,
      ports: [{ name: 'foo0', port, targetPort: port, protocol: 'TCP' }],
      selector: { app: name },
    },
  };
}

export function endpointSlice(namespace: string, svc: string, addresses: string[], port = 8080): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc}-abcde`,
      namespace,
      uid: `uid-eps-${namespace}-${svc}`,
      labels: { 'kubernetes.io/service-name': svc },
    },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'foo0', port, protocol: 'TCP' }],
  };
}

export async function tlsSecret(
  namespace: string,
  name: string,
  cert: string,
  key: string,
  keyProvider: KeyProvider,
): Promise<{ object: KubeObject; encryptedSecret: unknown }> {
  const encryptedSecret = await encryptSecretPayload(
    JSON.stringify({ 'tls.key': Buffer.from(key).toString('base64') }),
    keyProvider,
    {
      context: { cluster: CLUSTER, namespace, name },
    },
  );
  return {
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name, namespace, uid: `uid-secret-${namespace}-${name}` },
      data: { 'tls.crt': Buffer.from(cert).toString('base64') },
    },
    encryptedSecret,
  };
}

export function node(name: string, ip: string, podCIDR?: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, ...(annotations ? { annotations } : {}) },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

/** Objects of a type on the simulator, by name. */
export function byName(sim: AviSim, type: string): Map<string, Record<string, unknown>> {
  return new Map(sim.objects(type).map((o) => [String(o.name), o]));
}

/** Write requests (POST/PUT/PATCH/DELETE) in the simulator's log since `from`. */
export function writesSince(sim: AviSim, from: number) {
  return sim
    .requestLog()
    .filter((e) => e.seq > from && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(e.method) && e.type !== 'login');
}

export function lastSeq(sim: AviSim): number {
  const log = sim.requestLog();
  return log.length ? log[log.length - 1]!.seq : 0;
}
