// Every key of AKO's Helm chart values (helm/ako/values.yaml, the AKO release the product targets) and every
// annotation AKO reads, with what ako-serverless does with it. The registry validates values against this table
// and the README's feature matrix is checked against it (test/registry/feature-matrix.test.ts).

/**
 * - `supported`: read and honoured as AKO does.
 * - `different`: read, with a deliberate difference (the note says which).
 * - `not-implemented`: changes which Avi objects AKO makes, and the product does not do it: a non-default value
 *   is an error (exit 2), since silently ignoring it would build different objects than AKO.
 * - `ignored`: has no effect on the Avi objects (pod, image, logging, RBAC settings): a note, never an error.
 */
export type KeyStatus = 'supported' | 'different' | 'not-implemented' | 'ignored';

export interface ChartKey {
  /** Dotted path from the values root. */
  key: string;
  status: KeyStatus;
  /** The chart's default (what counts as "not set" for a not-implemented key). */
  default?: unknown;
  /** True when anything below the key belongs to it (maps such as `resources`, `image`). */
  subtree?: boolean;
  /** What the product does (or what to do instead). */
  note: string;
}

const k = (key: string, status: KeyStatus, note: string, extra: Partial<ChartKey> = {}): ChartKey => ({
  key,
  status,
  note,
  ...extra,
});

export const CHART_KEYS: readonly ChartKey[] = [
  k('featureGates.GatewayAPI', 'not-implemented', 'Gateway API objects are not processed', { default: false }),
  k('featureGates.EnablePrometheus', 'ignored', 'metrics come from the serverless functions, not an AKO pod', {
    default: false,
  }),
  k('replicaCount', 'ignored', 'no AKO pod runs'),
  k('image', 'ignored', 'no AKO pod runs', { subtree: true }),
  k('GatewayAPI', 'ignored', 'no AKO Gateway API container runs', { subtree: true }),
  k('AKOSettings.primaryInstance', 'supported', 'static routes, VRF and SE-group labels come from the primary only'),
  k('AKOSettings.enableEvents', 'supported', 'false stops the Kubernetes Events for skipped objects'),
  k(
    'AKOSettings.logLevel',
    'supported',
    'level of the instance’s lines on the terminal (DEBUG, INFO, WARN, ERROR); the JSON log keeps everything',
  ),
  k('AKOSettings.fullSyncFrequency', 'supported', 'period of the sweep that re-reads the controller'),
  k('AKOSettings.apiServerPort', 'ignored', 'no AKO pod (liveness probe) runs'),
  k('AKOSettings.deleteConfig', 'supported', 'true removes the instance’s Avi objects'),
  k('AKOSettings.disableStaticRouteSync', 'supported', 'primary only'),
  k('AKOSettings.clusterName', 'supported', 'name prefix and created_by'),
  k('AKOSettings.cniPlugin', 'supported', 'pod CIDRs for static routes; node addresses (calico, antrea)'),
  k('AKOSettings.enableEVH', 'supported', 'EVH parent/child VSes with vh_matches and AKO\u2019s hashed child names', {
    default: false,
  }),
  k('AKOSettings.layer7Only', 'supported', 'no L4 VSes for LoadBalancer Services'),
  k('AKOSettings.namespaceSelector.labelKey', 'supported', 'namespaces this instance serves'),
  k('AKOSettings.namespaceSelector.labelValue', 'supported', 'namespaces this instance serves'),
  k('AKOSettings.servicesAPI', 'not-implemented', 'Services API (Gateway) L4 VSes are not built', { default: false }),
  k('AKOSettings.vipPerNamespace', 'not-implemented', 'one EVH parent VS per namespace is not built', {
    default: 'false',
  }),
  k('AKOSettings.istioEnabled', 'not-implemented', 'Istio mTLS pool settings are not applied', { default: false }),
  k('AKOSettings.blockedNamespaceList', 'supported', 'namespaces never served'),
  k(
    'AKOSettings.ipFamily',
    'different',
    'V4, V6 or V4_V6 choose the pool servers’ address families; empty means V4 (AKO: V4_V6 on vCenter, No-Access and NSX-T clouds, whose type the registry does not know)',
    { default: '' },
  ),
  k(
    'AKOSettings.useDefaultSecretsOnly',
    'not-implemented',
    'restricting TLS secrets to the AKO namespace is not applied',
    { default: 'false' },
  ),
  k('AKOSettings.vpcMode', 'not-implemented', 'NSX-T VPC mode is not supported', { default: false }),
  k('NetworkSettings.nodeNetworkList', 'supported', 'pool placement networks'),
  k('NetworkSettings.enableRHI', 'not-implemented', 'route health injection (BGP) is not set on VSes', {
    default: false,
  }),
  k('NetworkSettings.nsxtT1LR', 'not-implemented', 'NSX-T tier-1 placement is not set', { default: '' }),
  k('NetworkSettings.bgpPeerLabels', 'not-implemented', 'BGP peer labels are not set on VsVips', { default: [] }),
  k('NetworkSettings.vipNetworkList', 'supported', 'VIP network, cidr and v6cidr (IPv6 VIPs)'),
  k('NetworkSettings.defaultDomain', 'supported', 'default DNS sub-domain'),
  k('L7Settings.defaultIngController', 'supported', 'Ingresses without a class'),
  k('L7Settings.noPGForSNI', 'not-implemented', 'SNI children always switch to pool groups (no `--policy-to-pool`)', {
    default: false,
  }),
  k('L7Settings.serviceType', 'supported', 'ClusterIP, NodePort or NodePortLocal pool servers'),
  k('L7Settings.shardVSSize', 'supported', 'LARGE, MEDIUM, SMALL or DEDICATED'),
  k('L7Settings.passthroughShardSize', 'supported', 'LARGE, MEDIUM or SMALL'),
  k('L7Settings.enableMCI', 'not-implemented', 'multi-cluster ingress objects are not processed', {
    default: 'false',
  }),
  k('L7Settings.fqdnReusePolicy', 'not-implemented', 'only InterNamespaceAllowed (the default) is applied', {
    default: 'InterNamespaceAllowed',
  }),
  k('L4Settings.defaultLBController', 'supported', 'LoadBalancer Services without a class'),
  k('L4Settings.defaultDomain', 'supported', 'default DNS sub-domain for L4 FQDNs'),
  k('L4Settings.autoFQDN', 'supported', 'default, flat or disabled'),
  k('ControllerSettings.serviceEngineGroupName', 'supported', 'SE group of every VS'),
  k('ControllerSettings.controllerVersion', 'supported', 'X-Avi-Version header'),
  k('ControllerSettings.cloudName', 'supported', 'cloud of every VS'),
  k('ControllerSettings.controllerHost', 'supported', 'the controller the instance writes to'),
  k('ControllerSettings.tenantName', 'supported', 'default tenant (namespaces can override it)'),
  k('ControllerSettings.vrfName', 'supported', 'VRF of VSes and static routes'),
  k(
    'ControllerSettings.dedicatedTenantMode',
    'ignored',
    'only changes which tenants AKO reads; every instance reads its own objects only',
  ),
  k('nodePortSelector.key', 'supported', 'NodePort mode: nodes used as servers'),
  k('nodePortSelector.value', 'supported', 'NodePort mode: nodes used as servers'),
  k('resources', 'ignored', 'no AKO pod runs', { subtree: true }),
  k('securityContext', 'ignored', 'no AKO pod runs', { subtree: true }),
  k('podSecurityContext', 'ignored', 'no AKO pod runs', { subtree: true }),
  k('rbac.pspEnable', 'ignored', 'no AKO pod runs'),
  k('avicredentials.username', 'supported', 'controller login'),
  k('avicredentials.password', 'supported', 'controller login (never logged)'),
  k('avicredentials.authtoken', 'supported', 'controller login (never logged)'),
  k('avicredentials.certificateAuthorityData', 'supported', 'verifies the controller’s TLS certificate'),
  k('persistentVolumeClaim', 'ignored', 'no AKO pod runs'),
  k('mountPath', 'ignored', 'no AKO pod runs'),
  k('logFile', 'ignored', 'no AKO pod runs'),
  k('akoGatewayLogFile', 'ignored', 'no AKO pod runs'),
  k('ako-crd-operator', 'ignored', 'the CRD operator is a separate deployment', { subtree: true }),
];

/** The annotations AKO reads on Kubernetes objects, with what the product does. */
export interface AnnotationEntry {
  annotation: string;
  on: string;
  status: KeyStatus;
  note: string;
}

const a = (annotation: string, on: string, status: KeyStatus, note: string): AnnotationEntry => ({
  annotation,
  on,
  status,
  note,
});

export const AKO_ANNOTATIONS: readonly AnnotationEntry[] = [
  a('ako.vmware.com/enable-tls', 'Ingress', 'supported', 'every host secured with router-certs-default'),
  a('passthrough.ako.vmware.com/enabled', 'Ingress', 'supported', 'shared passthrough VS and its -insecure redirect'),
  a('ako.vmware.com/enable-shared-vip', 'Service', 'supported', 'one L4 VS per namespace and value'),
  a('ako.vmware.com/load-balancer-ip', 'Service', 'supported', 'requested VIP'),
  a('ako.vmware.com/application-profile', 'Service', 'supported', 'L4 VS application profile'),
  a('ako.vmware.com/disable-traffic', 'Service', 'supported', 'traffic_enabled false'),
  a('external-dns.alpha.kubernetes.io/hostname', 'Service', 'supported', 'L4 VsVip FQDNs'),
  a('ako.vmware.com/tenant-name', 'Namespace', 'supported', 'Avi tenant of the namespace’s objects'),
  a('ingressclass.kubernetes.io/is-default-class', 'IngressClass', 'supported', 'class-less Ingresses'),
  a('nodeportlocal.antrea.io', 'Pod', 'supported', 'NodePortLocal servers'),
  a('projectcalico.org/IPv4Address', 'Node', 'supported', 'node address (calico)'),
  a('projectcalico.org/IPv6Address', 'Node', 'supported', 'node IPv6 address (calico)'),
  a('node.antrea.io/transport-addresses', 'Node', 'supported', 'node address (antrea)'),
  a('k8s.ovn.org/node-subnets', 'Node', 'supported', 'pod CIDRs for static routes (ovn-kubernetes)'),
  a('ako.vmware.com/pod-cidrs', 'Node', 'supported', 'pod CIDRs for static routes'),
  a('ako.vmware.com/host-fqdn-vs-uuid-map', 'Ingress, Service, Route', 'supported', 'written as status'),
  a('ako.vmware.com/controller-cluster-uuid', 'Ingress, Service, Route', 'supported', 'written as status'),
  a(
    'aviinfrasetting.ako.vmware.com/name',
    'Namespace, Service',
    'supported',
    'selects the AviInfraSetting (SE group, networks, shard size, shard names)',
  ),
  a('ako.vmware.com/l4rule', 'Service', 'supported', 'applies the named L4Rule (VS and pool properties)'),
  a('skipnodeport.ako.vmware.com/enabled', 'Service', 'not-implemented', 'NodePort mode always uses node ports'),
  a('nodeportlocal.antrea.io/enabled', 'Service', 'ignored', 'set by Antrea; the Pod annotation is what is read'),
  a('ako.vmware.com/wcp-se-group', 'Namespace', 'not-implemented', 'vSphere with Tanzu only'),
  a('ako.vmware.com/wcp-cloud-name', 'Namespace', 'not-implemented', 'vSphere with Tanzu only'),
];

/** The chart key a dotted path belongs to: itself, or the subtree key above it. */
export function chartKeyOf(path: string): ChartKey | undefined {
  for (const c of CHART_KEYS) {
    if (c.key === path) return c;
    if (c.subtree && path.startsWith(`${c.key}.`)) return c;
  }
  return undefined;
}

/** Whether `path` is a strict prefix of some chart key (a map the user may descend into). */
export function isChartPrefix(path: string): boolean {
  return CHART_KEYS.some((c) => c.key.startsWith(`${path}.`));
}
