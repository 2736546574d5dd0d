/** The kinds the forwarder watches, and how to reach them. */
export interface WatchedKind {
  kind: string;
  apiVersion: string;
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** Server-side filter (TLS secrets only). */
  fieldSelector?: string;
  /** Watched only when discovery shows the API (OpenShift Routes, CNI objects, AKO's CRDs: see crds.ts). */
  optional?: 'routes' | 'cni' | 'crd';
}

const k = (
  kind: string,
  group: string,
  version: string,
  plural: string,
  namespaced: boolean,
  extra: Partial<WatchedKind> = {},
): WatchedKind => ({
  kind,
  apiVersion: group ? `${group}/${version}` : version,
  group,
  version,
  plural,
  namespaced,
  ...extra,
});

export const NAMESPACE_KIND = k('Namespace', '', 'v1', 'namespaces', false);

export const WATCHED_KINDS: WatchedKind[] = [
  NAMESPACE_KIND,
  k('Node', '', 'v1', 'nodes', false),
  k('IngressClass', 'networking.k8s.io', 'v1', 'ingressclasses', false),
  k('Ingress', 'networking.k8s.io', 'v1', 'ingresses', true),
  k('Service', '', 'v1', 'services', true),
  k('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true),
  k('Secret', '', 'v1', 'secrets', true, { fieldSelector: 'type=kubernetes.io/tls' }),
  k('Route', 'route.openshift.io', 'v1', 'routes', true, { optional: 'routes' }),
  k('BlockAffinity', 'crd.projectcalico.org', 'v1', 'blockaffinities', false, { optional: 'cni' }),
  k('HostSubnet', 'network.openshift.io', 'v1', 'hostsubnets', false, { optional: 'cni' }),
  k('CiliumNode', 'cilium.io', 'v2', 'ciliumnodes', false, { optional: 'cni' }),
];

/** The collection path (all namespaces) of a kind. */
export function listPath(w: WatchedKind): string {
  return w.group ? `/apis/${w.group}/${w.version}/${w.plural}` : `/api/${w.version}/${w.plural}`;
}
