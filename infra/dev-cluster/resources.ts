/**
 * The resource types the development API server serves, with the discovery facts kubectl and
 * client-node rely on (plural, kind, scope, short names, status subresource).
 */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** Plural resource name as it appears in URLs. */
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Has a `/status` subresource: main-resource writes keep status, status writes keep everything else. */
  status: boolean;
  categories?: string[];
}

export type CniKind = 'calico' | 'openshift' | 'cilium';

export interface ResourceOptions {
  /** Serve route.openshift.io/v1 Routes (an OpenShift cluster). */
  routes?: boolean;
  /** Serve the pod-CIDR CRDs of these CNIs. */
  cni?: CniKind[];
}

const core = (
  plural: string,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  status: boolean,
): ResourceType => ({
  group: '',
  version: 'v1',
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  shortNames,
  status,
});

const BASE: ResourceType[] = [
  core('namespaces', 'Namespace', false, ['ns'], true),
  core('nodes', 'Node', false, ['no'], true),
  { ...core('services', 'Service', true, ['svc'], true), categories: ['all'] },
  core('secrets', 'Secret', true, [], false),
  core('configmaps', 'ConfigMap', true, ['cm'], false),
  core('events', 'Event', true, ['ev'], false),
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingressclasses',
    singular: 'ingressclass',
    kind: 'IngressClass',
    namespaced: false,
    shortNames: [],
    status: false,
  },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    namespaced: true,
    shortNames: [],
    status: false,
  },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    status: false,
  },
];

const ROUTE: ResourceType = {
  group: 'route.openshift.io',
  version: 'v1',
  plural: 'routes',
  singular: 'route',
  kind: 'Route',
  namespaced: true,
  shortNames: [],
  status: true,
};

const CNI: Record<CniKind, ResourceType> = {
  calico: {
    group: 'crd.projectcalico.org',
    version: 'v1',
    plural: 'blockaffinities',
    singular: 'blockaffinity',
    kind: 'BlockAffinity',
    namespaced: false,
    shortNames: [],
    status: false,
  },
  openshift: {
    group: 'network.openshift.io',
    version: 'v1',
    plural: 'hostsubnets',
    singular: 'hostsubnet',
    kind: 'HostSubnet',
    namespaced: false,
    shortNames: [],
    status: false,
  },
  cilium: {
    group: 'cilium.io',
    version: 'v2',
    plural: 'ciliumnodes',
    singular: 'ciliumnode',
    kind: 'CiliumNode',
    namespaced: false,
    shortNames: ['cn'],
    status: true,
  },
};

export function resourceTypes(opts: ResourceOptions = {}): ResourceType[] {
  const out = [...BASE];
  if (opts.routes) out.push(ROUTE);
  for (const c of opts.cni ?? []) out.push(CNI[c]);
  return out;
}

export function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** `<group>/<version>/<plural>`: the store's key for a resource type. */
export function resourceId(r: ResourceType): string {
  return `${r.group}/${r.version}/${r.plural}`;
}

/** Lookups by URL parts and by (apiVersion, kind). */
export class ResourceIndex {
  readonly all: ResourceType[];
  readonly #byPath = new Map<string, ResourceType>();
  readonly #byKind = new Map<string, ResourceType>();

  constructor(types: ResourceType[]) {
    this.all = types;
    for (const r of types) {
      this.#byPath.set(resourceId(r), r);
      this.#byKind.set(`${apiVersionOf(r)}|${r.kind}`, r);
    }
  }

  byPath(group: string, version: string, plural: string): ResourceType | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.#byKind.get(`${apiVersion}|${kind}`);
  }

  groups(): { group: string; versions: string[] }[] {
    const m = new Map<string, Set<string>>();
    for (const r of this.all) {
      if (!r.group) continue;
      const s = m.get(r.group) ?? new Set<string>();
      s.add(r.version);
      m.set(r.group, s);
    }
    return [...m.entries()].map(([group, versions]) => ({ group, versions: [...versions] }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all.filter((r) => r.group === group && r.version === version);
  }
}
