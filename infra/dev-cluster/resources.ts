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
  /** Custom resources: the CRD that defines this type (`<plural>.<group>`). */
  crd?: string;
  /** Custom resources: the version objects are stored at (all served versions share one store). */
  storageVersion?: string;
  /** Custom resources: the version's `openAPIV3Schema` (validation, pruning, defaults). */
  schema?: Record<string, unknown>;
  /** Custom resources: `additionalPrinterColumns` for `kubectl get`. */
  printerColumns?: { name: string; type: string; jsonPath: string; priority?: number }[];
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

/** The apiVersion objects of this type are stored with (the storage version for custom resources). */
export function storedApiVersion(r: ResourceType): string {
  const v = r.storageVersion ?? r.version;
  return r.group ? `${r.group}/${v}` : v;
}

/**
 * The store's key for a resource type: `<group>/<version>/<plural>`; for custom resources `<group>/(any)/<plural>`,
 * shared by every served version and kept when the CRD changes its storage version (objects stay where they are).
 */
export function resourceId(r: ResourceType): string {
  return `${r.group}/${r.crd ? '*' : r.version}/${r.plural}`;
}

/** The object as a client of this served version sees it (custom resources convert with strategy None). */
export function asServed<T extends object>(r: ResourceType, o: T): T {
  const av = apiVersionOf(r);
  return (o as { apiVersion?: unknown }).apiVersion === av ? o : { ...o, apiVersion: av };
}

/**
 * Kubernetes version priority (as CRD discovery orders versions): GA before beta before alpha, higher numbers
 * first (v2 > v1 > v1beta2 > v1beta1 > v1alpha1), anything else after them alphabetically.
 */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
}

/** Lookups by URL parts and by (apiVersion, kind). */
export class ResourceIndex {
  readonly all: ResourceType[];
  readonly #byPath = new Map<string, ResourceType>();
  readonly #byKind = new Map<string, ResourceType>();

  constructor(types: ResourceType[]) {
    this.all = types;
    for (const r of types) this.#register(r);
  }

  #register(r: ResourceType): void {
    this.#byPath.set(`${r.group}/${r.version}/${r.plural}`, r);
    this.#byKind.set(`${apiVersionOf(r)}|${r.kind}`, r);
  }

  /** Adds served types (custom resources); `all` is changed in place so holders of it see them. */
  add(types: ResourceType[]): void {
    for (const r of types) {
      this.all.push(r);
      this.#register(r);
    }
  }

  /** Removes the types a CRD defined; returns them. */
  removeCrd(crd: string): ResourceType[] {
    const gone = this.all.filter((r) => r.crd === crd);
    for (const r of gone) {
      this.all.splice(this.all.indexOf(r), 1);
      this.#byPath.delete(`${r.group}/${r.version}/${r.plural}`);
      this.#byKind.delete(`${apiVersionOf(r)}|${r.kind}`);
    }
    return gone;
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
    // Highest priority first: discovery reports it as the preferred version.
    return [...m.entries()].map(([group, versions]) => ({ group, versions: [...versions].sort(compareKubeVersions) }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all.filter((r) => r.group === group && r.version === version);
  }
}
