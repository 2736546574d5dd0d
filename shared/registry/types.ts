import type { SecretValue } from '../secret.ts';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'NodePortLocal';
export type ShardSize = 'LARGE' | 'MEDIUM' | 'SMALL' | 'DEDICATED';
export type PassthroughShardSize = 'LARGE' | 'MEDIUM' | 'SMALL';
export type AutoFqdn = 'default' | 'flat' | 'disabled';
export type IpFamily = 'V4' | 'V6' | 'V4_V6';
/** AKO's log levels (`AKOSettings.logLevel`). */
export type AkoLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type CniPlugin =
  | ''
  | 'calico'
  | 'canal'
  | 'flannel'
  | 'openshift'
  | 'antrea'
  | 'ncp'
  | 'ovn-kubernetes'
  | 'cilium';

export interface NamespaceSelector {
  labelKey: string;
  labelValue: string;
}

export interface VipNetwork {
  networkName: string;
  cidr?: string;
  v6cidr?: string;
}

export interface NodeNetwork {
  networkName: string;
  cidrs: string[];
}

export interface ControllerCredentials {
  username?: string;
  password?: SecretValue;
  authtoken?: SecretValue;
  /** PEM CA bundle used to verify the controller's certificate. */
  certificateAuthorityData?: string;
}

/**
 * One logical AKO instance: what `helm install -n <namespace> -f values.yaml --set ...` describes.
 * Passed explicitly to every function that needs it (no package-global configuration).
 */
export interface InstanceConfig {
  /** Stable identity `<clusterName>/<namespace>`; also the store key prefix and the queue name stem. */
  id: string;
  clusterName: string;
  /** The namespace the instance is installed in (helm -n). */
  namespace: string;
  primary: boolean;
  /** null when labelKey or labelValue is blank: the instance then selects every namespace. */
  namespaceSelector: NamespaceSelector | null;
  blockedNamespaces: string[];
  cniPlugin: CniPlugin;
  /** `AKOSettings.enableEvents` (default true): Kubernetes Events for skipped objects. Absent means true. */
  enableEvents?: boolean;
  /** `AKOSettings.logLevel`: the level of this instance's lines on the terminal (absent: the runtime's default). */
  logLevel?: AkoLogLevel;
  /** `AKOSettings.ipFamily`: address families of pool servers (empty or absent means V4). */
  ipFamily?: IpFamily;
  layer7Only: boolean;
  disableStaticRouteSync: boolean;
  deleteConfig: boolean;
  /** Seconds; 0 disables the periodic sweep. */
  fullSyncFrequency: number;
  l7: {
    serviceType: ServiceType;
    shardVSSize: ShardSize;
    passthroughShardSize: PassthroughShardSize;
    defaultIngController: boolean;
    /** `AKOSettings.enableEVH`: enhanced virtual hosting (EVH parent/child VSes, hashed names). */
    enableEVH?: boolean;
  };
  l4: {
    defaultLBController: boolean;
    autoFQDN: AutoFqdn;
    defaultDomain: string;
  };
  controller: {
    host: string;
    version: string;
    cloudName: string;
    serviceEngineGroupName: string;
    tenantName: string;
    vrfName: string;
  };
  network: {
    vipNetworkList: VipNetwork[];
    nodeNetworkList: NodeNetwork[];
    defaultDomain: string;
  };
  nodePortSelector: { key: string; value: string } | null;
  credentials: ControllerCredentials;

  // Derived names (AKO conventions), computed once by the registry.
  /** `ako-<cluster>` for the primary, `ako-<cluster>-<namespace>` otherwise. */
  createdBy: string;
  /** `<cluster>--` (identical for every instance of a cluster). */
  namePrefix: string;
  /** `<cluster>--Shared-L7-` (primary) or `<cluster>--<namespace>-Shared-L7-` (non-primary). */
  sharedVsPrefix: string;
  /** AKO chart keys present in the values that have no effect on Avi objects (image, resources, ...): a note. */
  unknownKeys: string[];
}

export interface Registry {
  /** Absolute path of the registry file, when loaded from one. */
  source?: string;
  instances: InstanceConfig[];
}

export type OwnerResolution =
  | { kind: 'owner'; instance: InstanceConfig }
  | { kind: 'none'; reason: 'no-match' | 'blocked' | 'unknown-cluster' }
  | { kind: 'conflict'; instances: InstanceConfig[] };
