/** The kinds the forwarder watches, and how to reach them. */
export interface WatchedKind {
  kind: string;
  apiVersion: string;
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** Server-side filter (Secrets: everything but Helm release records). */
  fieldSelector?: string;
  /**
   * Client-side filter on the trimmed object: objects it rejects are treated as absent (never published; one that
   * stops qualifying is published as deleted). Secrets: only those carrying TLS material.
   */
  keep?: (trimmed: Record<string, unknown>) => boolean;
  /** Watched only when discovery shows the API (OpenShift Routes, CNI objects). */
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

/** A (trimmed) Secret that can serve as a TLS key pair: typed kubernetes.io/tls, or with tls.crt or tls.key. */
export function isTlsSecret(o: Record<string, unknown>): boolean {
  if (o.type === 'kubernetes.io/tls') return true;
  const data = o.data as Record<string, unknown> | undefined;
  return !!data && (typeof data['tls.crt'] === 'string' || typeof data['tls.key'] === 'string');
}

export const NAMESPACE_KIND = k('Namespace', '', 'v1', 'namespaces', false);

export const WATCHED_KINDS: WatchedKind[] = [
  NAMESPACE_KIND,
  k('Node', '', 'v1', 'nodes', false),
  k('IngressClass', 'networking.k8s.io', 'v1', 'ingressclasses', false),
  k('Ingress', 'networking.k8s.io', 'v1', 'ingresses', true),
  k('Service', '', 'v1', 'services', true),
  k('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true),
  // AKO reads a TLS Secret by name whatever its type (an Opaque Secret with tls.crt/tls.key works); only Helm
  // release records are never read. Secrets without TLS material are not forwarded.
  k('Secret', '', 'v1', 'secrets', true, { fieldSelector: 'type!=helm.sh/release.v1', keep: isTlsSecret }),
  k('Route', 'route.openshift.io', 'v1', 'routes', true, { optional: 'routes' }),
  k('BlockAffinity', 'crd.projectcalico.org', 'v1', 'blockaffinities', false, { optional: 'cni' }),
  k('HostSubnet', 'network.openshift.io', 'v1', 'hostsubnets', false, { optional: 'cni' }),
  k('CiliumNode', 'cilium.io', 'v2', 'ciliumnodes', false, { optional: 'cni' }),
];

/** The collection path (all namespaces) of a kind. */
export function listPath(w: WatchedKind): string {
  return w.group ? `/apis/${w.group}/${w.version}/${w.plural}` : `/api/${w.version}/${w.plural}`;
}
