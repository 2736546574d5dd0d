// The router's decisions as a pure function: one validated bus event + the ownership index → queue deliveries
// and problems. No I/O here; handler.ts sends what this returns.
import {
  type BusEvent,
  CLUSTER_GROUP,
  groupIdFor,
  hashId,
  type InstanceMessage,
  type InventoryEvent,
  type NamespaceChangedEvent,
  type ObjectChangeEvent,
  objectDedupId,
  type ReleaseConfirmedEvent,
  SCHEMA_VERSION,
  type SweepRequestedEvent,
} from '../../shared/events/index.ts';
import { isPrimaryKind, type OwnerIndex } from '../../shared/registry/index.ts';
import type { InstanceConfig, OwnerResolution } from '../../shared/registry/types.ts';
import { isEveryInstanceCrKind } from './crd-routes.ts';

/** A queue: the per-instance sync queue, or the cluster's primary queue (static routes, VRF, SE group). */
export interface QueueTarget {
  queue: 'sync' | 'primary';
  cluster: string;
  /** The instance whose queue it is (for `primary`: the cluster's primary instance). */
  instanceId: string;
}

export interface Delivery {
  target: QueueTarget;
  message: InstanceMessage;
  /** SQS FIFO MessageGroupId: the namespace, or `_cluster` for cluster-scoped work. */
  groupId: string;
  /** SQS FIFO MessageDeduplicationId (a hash, ≤ 128 characters). */
  dedupId: string;
}

export type RouteProblemReason =
  | 'unknown-cluster'
  | 'ownership-conflict'
  | 'no-primary'
  | 'unknown-instance'
  | 'unroutable-kind';

/** Something the router will not route: recorded (dead-letter path), never deleted, never crashing the batch. */
export interface RouteProblem {
  reason: RouteProblemReason;
  message: string;
  cluster: string;
  namespace?: string;
  /** Instance ids involved (the conflicting owners, or the unknown id). */
  instances?: string[];
}

export interface RouteDecision {
  deliveries: Delivery[];
  problems: RouteProblem[];
  /** Why nothing was delivered when that is normal (e.g. no instance selects the namespace). */
  ignored?: string;
}

/** Cluster-scoped kinds every instance's model reads (an Ingress's class decides whether AKO handles it). */
const EVERY_INSTANCE_KINDS: ReadonlySet<string> = new Set(['IngressClass']);

export function route(event: BusEvent, index: OwnerIndex): RouteDecision {
  switch (event.detailType) {
    case 'object-change':
      return routeObjectChange(event.detail, index);
    case 'namespace-changed':
      return routeNamespaceChanged(event.detail, index, event.id);
    case 'release-confirmed':
      return routeReleaseConfirmed(event.detail, index, event.id);
    case 'inventory':
      return routeInventory(event.detail, index);
    case 'sweep-requested':
      return routeSweep(event.detail, index);
    case 'sync-status':
      return { deliveries: [], problems: [], ignored: 'status events are not routed to instances' };
  }
}

const syncQueue = (i: InstanceConfig): QueueTarget => ({ queue: 'sync', cluster: i.clusterName, instanceId: i.id });
const primaryQueue = (i: InstanceConfig): QueueTarget => ({
  queue: 'primary',
  cluster: i.clusterName,
  instanceId: i.id,
});

function unknownCluster(cluster: string, namespace?: string): RouteDecision {
  return problem({
    reason: 'unknown-cluster',
    cluster,
    ...(namespace ? { namespace } : {}),
    message: `cluster ${JSON.stringify(cluster)} is not in the instance registry; add an instance with AKOSettings.clusterName=${cluster} or fix the forwarder's cluster name`,
  });
}

function problem(p: RouteProblem): RouteDecision {
  return { deliveries: [], problems: [p] };
}

function conflict(cluster: string, namespace: string, instances: InstanceConfig[], what: string): RouteDecision {
  const ids = instances.map((i) => i.id);
  return problem({
    reason: 'ownership-conflict',
    cluster,
    namespace,
    instances: ids,
    message: `${what}: namespace ${namespace} in cluster ${cluster} is claimed by ${ids.join(' and ')}; routed nowhere and nothing deleted until the namespace labels or the selectors are fixed`,
  });
}

function noOwner(r: Extract<OwnerResolution, { kind: 'none' }>, cluster: string, namespace: string): RouteDecision {
  return {
    deliveries: [],
    problems: [],
    ignored: `namespace ${namespace} in cluster ${cluster} has no owner (${r.reason === 'blocked' ? 'blocked' : 'no instance selects it'})`,
  };
}

function routeObjectChange(change: ObjectChangeEvent, index: OwnerIndex): RouteDecision {
  const { cluster, kind } = change;
  const instances = index.instancesOf(cluster);
  if (instances.length === 0) return unknownCluster(cluster, change.namespace);
  const message: InstanceMessage = { type: 'object', version: SCHEMA_VERSION, change };
  const dedupId = objectDedupId(change);

  if (isPrimaryKind(kind)) {
    const primary = index.primaryOf(cluster);
    if (!primary) {
      return problem({
        reason: 'no-primary',
        cluster,
        message: `cluster ${cluster} has no primary instance to receive ${kind} ${change.name}`,
      });
    }
    const deliveries: Delivery[] = [{ target: primaryQueue(primary), message, groupId: CLUSTER_GROUP, dedupId }];
    // NodePort pools list node addresses, so those instances need the Nodes too.
    if (kind === 'Node') {
      for (const i of instances) {
        if (i.l7.serviceType === 'NodePort') {
          deliveries.push({ target: syncQueue(i), message, groupId: CLUSTER_GROUP, dedupId });
        }
      }
    }
    return { deliveries, problems: [] };
  }
  if (EVERY_INSTANCE_KINDS.has(kind) || isEveryInstanceCrKind(kind)) {
    return {
      deliveries: instances.map((i) => ({ target: syncQueue(i), message, groupId: CLUSTER_GROUP, dedupId })),
      problems: [],
    };
  }
  // A Namespace object belongs to the instance that owns it (its labels and tenant annotation feed the model).
  const namespace = kind === 'Namespace' ? change.name : change.namespace;
  if (!namespace) {
    return problem({
      reason: 'unroutable-kind',
      cluster,
      message: `cluster-scoped kind ${kind} (${change.name}) has no route; only Node, BlockAffinity, HostSubnet, CiliumNode, IngressClass, AviInfraSetting and Namespace are handled`,
    });
  }
  const labels =
    kind === 'Namespace' ? (change.object?.metadata.labels ?? change.namespaceLabels) : change.namespaceLabels;
  const owner = index.resolve(cluster, namespace, labels);
  if (owner.kind === 'conflict') return conflict(cluster, namespace, owner.instances, `${kind} ${change.name}`);
  const relist = kind === 'Namespace' && change.op === 'upsert' ? relistReleases(change, owner, instances) : [];
  if (owner.kind === 'none') return { ...noOwner(owner, cluster, namespace), deliveries: relist };
  return {
    deliveries: [{ target: syncQueue(owner.instance), message, groupId: groupIdFor(namespace), dedupId }, ...relist],
    problems: [],
  };
}

/**
 * Every Namespace the forwarder (re)lists is also a fact for the instances that do not own it: a move whose release
 * was lost (a killed process, labels changed while nothing ran) leaves the old owner serving. Each other instance
 * gets a relist release naming the owner; it releases only what it still serves, and confirms, so the owner adopts.
 */
function relistReleases(
  change: ObjectChangeEvent,
  owner: Exclude<OwnerResolution, { kind: 'conflict' }>,
  instances: readonly InstanceConfig[],
): Delivery[] {
  const ownerId = owner.kind === 'owner' ? owner.instance.id : undefined;
  const stamp = change.sequence ?? change.resourceVersion;
  const handoffId = hashId('relist', change.cluster, change.name, ownerId ?? '', stamp).slice(0, 32);
  return instances
    .filter((i) => i.id !== ownerId)
    .map((i) => {
      const message: InstanceMessage = {
        type: 'release',
        version: SCHEMA_VERSION,
        cluster: change.cluster,
        namespace: change.name,
        relist: true,
        handoffId,
        ...(ownerId ? { handoffTo: ownerId } : {}),
        ...(change.sequence ? { sequence: change.sequence } : {}),
      };
      return {
        target: syncQueue(i),
        message,
        groupId: groupIdFor(change.name),
        dedupId: hashId('relist', change.cluster, change.name, i.id, stamp),
      };
    });
}

/**
 * A label change that moves a namespace: the new owner holds (keeps objects, builds nothing), the old owner
 * releases (removes its Avi objects) and confirms; the adopt follows on release-confirmed, so the two never
 * write the same names at once.
 */
function routeNamespaceChanged(e: NamespaceChangedEvent, index: OwnerIndex, eventId: string): RouteDecision {
  const { cluster, namespace } = e;
  if (index.instancesOf(cluster).length === 0) return unknownCluster(cluster, namespace);
  const before = index.resolve(cluster, namespace, e.oldLabels);
  const after = index.resolve(cluster, namespace, e.newLabels);
  // Ambiguous new ownership: touch nothing (the old owner keeps serving; nothing is deleted).
  if (after.kind === 'conflict') return conflict(cluster, namespace, after.instances, 'namespace label change');

  const problems: RouteProblem[] = [];
  let oldOwner: InstanceConfig | undefined;
  if (before.kind === 'owner') oldOwner = before.instance;
  else if (before.kind === 'conflict') {
    problems.push(conflict(cluster, namespace, before.instances, 'previous labels').problems[0]!);
  }
  const newOwner = after.kind === 'owner' ? after.instance : undefined;
  if (oldOwner?.id === newOwner?.id) {
    return { deliveries: [], problems, ignored: `namespace ${namespace} keeps its owner` };
  }

  const stamp = e.resourceVersion ?? eventId;
  const deliver = (target: InstanceConfig, message: InstanceMessage): Delivery => ({
    target: syncQueue(target),
    message,
    groupId: groupIdFor(namespace),
    dedupId: hashId(message.type, cluster, namespace, target.id, stamp),
  });
  const base = { version: SCHEMA_VERSION, cluster, namespace, ...(e.sequence ? { sequence: e.sequence } : {}) };
  const deliveries: Delivery[] = [];
  // Every command of one move carries its hand-off id, so a late or repeated copy is recognised as finished.
  const handoffId = hashId('handoff', cluster, namespace, oldOwner?.id ?? '', newOwner?.id ?? '', stamp).slice(0, 32);
  if (oldOwner && newOwner) {
    deliveries.push(deliver(newOwner, { type: 'hold', ...base, from: oldOwner.id, handoffId }));
    deliveries.push(deliver(oldOwner, { type: 'release', ...base, handoffTo: newOwner.id, handoffId }));
  } else if (oldOwner) {
    deliveries.push(deliver(oldOwner, { type: 'release', ...base, handoffId }));
  } else if (newOwner) {
    deliveries.push(deliver(newOwner, { type: 'adopt', ...base, handoffId }));
  }
  return { deliveries, problems };
}

function routeReleaseConfirmed(e: ReleaseConfirmedEvent, index: OwnerIndex, eventId: string): RouteDecision {
  const { cluster, namespace } = e;
  if (index.instancesOf(cluster).length === 0) return unknownCluster(cluster, namespace);
  if (!e.toInstance) {
    return {
      deliveries: [],
      problems: [],
      ignored: `namespace ${namespace} released by ${e.fromInstance}, no adopter`,
    };
  }
  const adopter = index.instance(e.toInstance);
  if (!adopter || adopter.clusterName !== cluster) {
    return problem({
      reason: 'unknown-instance',
      cluster,
      namespace,
      instances: [e.toInstance],
      message: `release-confirmed names adopter ${e.toInstance}, which is not an instance of cluster ${cluster} in the registry`,
    });
  }
  const message: InstanceMessage = {
    type: 'adopt',
    version: SCHEMA_VERSION,
    cluster,
    namespace,
    from: e.fromInstance,
    ...(e.handoffId ? { handoffId: e.handoffId } : {}),
    ...(e.relist ? { relist: true } : {}),
    ...(e.sequence ? { sequence: e.sequence } : {}),
  };
  return {
    deliveries: [
      {
        target: syncQueue(adopter),
        message,
        groupId: groupIdFor(namespace),
        dedupId: hashId('adopt', cluster, namespace, adopter.id, e.fromInstance, eventId),
      },
    ],
    problems: [],
  };
}

function routeInventory(inv: InventoryEvent, index: OwnerIndex): RouteDecision {
  const { cluster, namespace } = inv;
  const instances = index.instancesOf(cluster);
  if (instances.length === 0) return unknownCluster(cluster, namespace || undefined);
  const message: InstanceMessage = { type: 'inventory', version: SCHEMA_VERSION, inventory: inv };
  const dedupId = hashId('inventory', cluster, namespace, inv.generatedAt);
  const groupId = groupIdFor(namespace);
  const toSync = (list: readonly InstanceConfig[]): Delivery[] =>
    list.map((i) => ({ target: syncQueue(i), message, groupId, dedupId }));

  if (namespace === '') {
    // Cluster-scoped objects: the primary's queue (nodes, CNI objects) and every instance (IngressClasses).
    const primary = index.primaryOf(cluster);
    const deliveries = toSync(instances);
    if (primary) deliveries.unshift({ target: primaryQueue(primary), message, groupId, dedupId });
    return { deliveries, problems: [] };
  }
  if (!inv.namespaceLabels) return { deliveries: toSync(instances), problems: [] };
  const owner = index.resolve(cluster, namespace, inv.namespaceLabels);
  if (owner.kind === 'conflict') return conflict(cluster, namespace, owner.instances, 'inventory');
  if (owner.kind === 'none') return noOwner(owner, cluster, namespace);
  return { deliveries: toSync([owner.instance]), problems: [] };
}

function routeSweep(e: SweepRequestedEvent, index: OwnerIndex): RouteDecision {
  const { cluster } = e;
  const instances = index.instancesOf(cluster);
  if (instances.length === 0) return unknownCluster(cluster);
  let targets: readonly InstanceConfig[] = instances;
  if (e.instance) {
    const one = index.instance(e.instance);
    if (!one || one.clusterName !== cluster) {
      return problem({
        reason: 'unknown-instance',
        cluster,
        instances: [e.instance],
        message: `sweep requested for ${e.instance}, which is not an instance of cluster ${cluster} in the registry`,
      });
    }
    targets = [one];
  }
  const message: InstanceMessage = {
    type: 'sweep',
    version: SCHEMA_VERSION,
    cluster,
    requestedAt: e.requestedAt,
    ...(e.models ? { models: e.models } : {}),
  };
  const deliveries: Delivery[] = [];
  for (const i of targets) {
    const dedupId = hashId('sweep', i.id, e.requestedAt, ...(e.models ?? []));
    deliveries.push({ target: syncQueue(i), message, groupId: CLUSTER_GROUP, dedupId });
    // A rebuild of named models is the sync function's alone; the primary's queue gets full sweeps.
    if (i.primary && !e.models) deliveries.push({ target: primaryQueue(i), message, groupId: CLUSTER_GROUP, dedupId });
  }
  return { deliveries, problems: [] };
}
