import type { InstanceConfig } from '../registry/types.ts';
import type { AviRefs } from './crd-refs.ts';

/** A Kubernetes object as the model sees it (already trimmed by the forwarder). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  // biome-ignore lint/suspicious/noExplicitAny: spec/status/data shapes vary per kind
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: spec/status/data shapes vary per kind
  status?: any;
  data?: Record<string, string>;
  type?: string;
  [extra: string]: unknown;
}

/** `<kind>/<namespace>/<name>` (namespace empty for cluster-scoped kinds). */
export type ObjectKey = string;

export function objectKey(o: Pick<KubeObject, 'kind' | 'metadata'>): ObjectKey {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/**
 * Everything the model reads: objects of the namespaces an instance owns, plus cluster-scoped ones.
 * The model indexes a view once per view object; a caller that applies changes one by one should advance
 * its view with `applyChange` (shared/model/index.ts), which carries the index and caches over — a new view
 * object per event means a full re-index.
 */
export interface ClusterView {
  /** Namespace objects (labels and annotations, e.g. the tenant annotation). */
  namespaces: KubeObject[];
  /** Namespaced objects (Ingress, Route, Service, EndpointSlice, Secret) and cluster-scoped ones (Node, IngressClass, CNI objects). */
  objects: KubeObject[];
}

/** Facts read from the controller, not from Kubernetes. */
export interface CloudFacts {
  /** DNS sub-domains of the cloud's DNS profile, used for L4 auto-FQDN. */
  dnsSubdomains?: string[];
  /**
   * Names (`<tenant>/<vs>`) of the models this instance has applied. Shared L7 shards among them are kept even
   * when no host lands on them any more (AKO keeps an empty shard VS and its VIP); other names are ignored.
   * The sync side passes its applied record (see `knownShardsOf`).
   */
  knownShards?: Iterable<string>;
  /**
   * Avi objects that CRDs (HostRule, HTTPRule, AviInfraSetting, L4Rule) may refer to, read from the
   * controller. A reference missing here rejects the CR (not the shard); absent = not checked.
   */
  aviRefs?: AviRefs;
  /**
   * Hosts another instance serves (first claimant keeps a host, shared/instance/host-claims.ts): host → who, in
   * words. The objects of this instance asking for such a host are skipped for it (HostConflict), nothing else.
   */
  hostsServedElsewhere?: ReadonlyMap<string, string>;
  /** List the hosts the built L7 models serve in `DesiredState.hosts` (for host claims; off by default). */
  collectHosts?: boolean;
}

export type AviType =
  | 'virtualservice'
  | 'vsvip'
  | 'pool'
  | 'poolgroup'
  | 'httppolicyset'
  | 'vsdatascriptset'
  | 'sslkeyandcertificate'
  | 'l4policyset'
  /** Route reencrypt with destinationCACertificate (added by the model). */
  | 'pkiprofile';

/**
 * One desired Avi object: `body` is the exact REST payload AKO would send (refs in name-query form,
 * `created_by` where the object type has it, markers, `cloud_config_cksum` where AKO sets one).
 */
export interface AviObject {
  type: AviType;
  name: string;
  tenant: string;
  body: Record<string, unknown>;
}

/** One model = one parent VS and everything hanging off it (AKO's `<tenant>/<vsName>`). */
export interface AviModel {
  /** `<tenant>/<parent VS name>` */
  name: string;
  tenant: string;
  /** Objects in create order (bottom-up: vsvip, certs, pools, pool groups, policies, datascripts, VS, SNI children). */
  objects: AviObject[];
  /** The Kubernetes objects that contributed to this model. */
  sources: ObjectKey[];
}

/**
 * Why an object (or part of it) was skipped or refused: the Kubernetes Event reason, naming the real cause.
 * `ServiceNotFound`, `SecretNotFound` and `ServicePortNotFound` do not remove what AKO keeps (the shard VS, its VIP,
 * an empty pool): the object is served as far as it can be and the Event tells the user what is missing.
 */
export type SkipCode =
  | 'ServiceNotFound'
  | 'ServicePortNotFound'
  | 'SecretNotFound'
  | 'InvalidCertificate'
  | 'InvalidHost'
  | 'HostConflict'
  | 'IngressClassMismatch'
  | 'InvalidAnnotation'
  | 'UnsupportedBackend'
  | 'NameTooLong'
  | 'InvalidAviInfraSetting'
  | 'InvalidL4Rule'
  | 'InvalidObject';

export interface SkippedObject {
  kind: string;
  namespace?: string;
  name: string;
  /** JSON-path-like field that is wrong, e.g. `spec.rules[0].host`. */
  field: string;
  reason: string;
  /** The cause as an Event reason (absent only in records made before codes existed). */
  code?: SkipCode;
}

export interface StaticRoute {
  route_id: string;
  prefix: { ip_addr: { addr: string; type: 'V4' | 'V6' }; mask: number };
  next_hop: { addr: string; type: 'V4' | 'V6' };
  labels: { key: 'clustername'; value: string }[];
}

/** A host an L7 model serves, and the first object (by key) asking for it. */
export interface ServedHost {
  host: string;
  model: string;
  kind: 'Ingress' | 'Route';
  namespace: string;
  name: string;
}

export interface DesiredState {
  models: AviModel[];
  skipped: SkippedObject[];
  /** The hosts of the built L7 models (what an instance claims against its siblings). */
  hosts?: ServedHost[];
}

export interface StaticRouteSet {
  routes: StaticRoute[];
  skipped: SkippedObject[];
}

/** Signatures the model module exports (shared/model/index.ts). */
export interface ModelApi {
  /** Full build: every model of the instance. Deterministic and independent of input order. */
  buildModels(instance: InstanceConfig, view: ClusterView, facts?: CloudFacts): DesiredState;
  /**
   * Names of the models an object change can touch (before and after states both considered by the caller).
   * `facts` (optional, added) makes host-less rules exact; without it they count for every shard of the tenant.
   */
  affectedModels(instance: InstanceConfig, view: ClusterView, changed: KubeObject, facts?: CloudFacts): string[];
  /** Rebuild only the named models (a name that no longer has content yields no model: the caller deletes it). */
  buildSelectedModels(
    instance: InstanceConfig,
    view: ClusterView,
    modelNames: Iterable<string>,
    facts?: CloudFacts,
  ): DesiredState;
  /** Primary only: the cluster's static routes from Nodes and CNI pod-CIDR objects. */
  buildStaticRoutes(instance: InstanceConfig, view: ClusterView): StaticRouteSet;
}
