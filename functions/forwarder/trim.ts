/**
 * Trimming: only the fields the model needs leave the forwarder. Pure functions of the raw object.
 * Private key fields of TLS Secrets are split off so they can be encrypted before publication.
 */
import type { KubeObject } from '../../shared/model/types.ts';

// biome-ignore lint/suspicious/noExplicitAny: raw Kubernetes JSON
type Raw = Record<string, any>;

/** Annotations the model (or the status write-back) reads; every other annotation is dropped. */
const KEPT_ANNOTATION_PREFIXES = [
  'ako.vmware.com/',
  'passthrough.ako.vmware.com/',
  // A namespace's AviInfraSetting (AKO's namespace-scoped infra setting).
  'aviinfrasetting.ako.vmware.com/',
  'nodeportlocal.antrea.io',
  'node.antrea.io/',
  'k8s.ovn.org/node-subnets',
  'k8s.ovn.org/node-primary-ifaddr',
  'projectcalico.org/IPv4Address',
  'projectcalico.org/IPv6Address',
  'io.cilium.network.ipv4-pod-cidr',
  'io.cilium.network.ipv6-pod-cidr',
  'kubernetes.io/ingress.class',
  'ingressclass.kubernetes.io/is-default-class',
  'external-dns.alpha.kubernetes.io/hostname',
  'route.openshift.io/termination',
];

/**
 * Annotations the status write-back itself writes on Ingresses/Routes/Services (AKO's outputs). Forwarding them
 * would turn every status write into an object change, and every object change into a rebuild of its shard: on a
 * cold start of n Ingresses that is n shard rebuilds after the controller is done. The Namespace's tenant-name is
 * an input (the tenant of its objects) and is kept.
 */
const OUTPUT_ANNOTATIONS = new Set(['ako.vmware.com/host-fqdn-vs-uuid-map', 'ako.vmware.com/controller-cluster-uuid']);
const TENANT_NAME = 'ako.vmware.com/tenant-name';

export function keepAnnotation(key: string, kind?: string): boolean {
  if (OUTPUT_ANNOTATIONS.has(key)) return false;
  if (key === TENANT_NAME && kind !== undefined && kind !== 'Namespace') return false;
  return KEPT_ANNOTATION_PREFIXES.some((p) => key.startsWith(p));
}

/** Secret data fields forwarded in clear (certificates) and encrypted (private keys). */
const CERT_FIELDS = ['tls.crt', 'ca.crt', 'alt.crt'];
export const PRIVATE_KEY_FIELDS = ['tls.key', 'alt.key'];

function trimMetadata(md: Raw | undefined, kind: string): KubeObject['metadata'] {
  const m = md ?? {};
  const out: KubeObject['metadata'] = { name: String(m.name ?? '') };
  if (m.namespace) out.namespace = m.namespace;
  if (m.uid) out.uid = m.uid;
  if (m.resourceVersion) out.resourceVersion = m.resourceVersion;
  if (typeof m.generation === 'number') out.generation = m.generation;
  if (m.labels && Object.keys(m.labels).length) out.labels = { ...m.labels };
  if (m.annotations) {
    const kept = Object.entries(m.annotations as Record<string, string>).filter(([key]) => keepAnnotation(key, kind));
    if (kept.length) out.annotations = Object.fromEntries(kept);
  }
  if (m.creationTimestamp) out.creationTimestamp = String(m.creationTimestamp);
  if (m.deletionTimestamp) out.deletionTimestamp = String(m.deletionTimestamp);
  return out;
}

/** Top-level fields dropped from every kind besides metadata (status is re-added per kind). */
const DROPPED_TOP = new Set(['metadata', 'status', 'kind', 'apiVersion']);

/**
 * Trims a raw object of `kind`. The result still carries TLS private keys in `data` (the informer cache
 * keeps them as any informer does); `splitPrivateKeys` takes them out before publication.
 */
export function trimObject(kind: string, apiVersion: string, raw: Raw): KubeObject {
  const out: KubeObject = { apiVersion, kind, metadata: trimMetadata(raw.metadata, kind) };
  for (const [key, v] of Object.entries(raw)) {
    if (!DROPPED_TOP.has(key)) out[key] = v;
  }
  switch (kind) {
    case 'Namespace':
      delete out.spec;
      break;
    case 'Node': {
      // Addresses give the static route's next hop; conditions, images and capacity are irrelevant.
      const addresses = raw.status?.addresses;
      if (Array.isArray(addresses)) out.status = { addresses };
      if (out.spec) {
        const { podCIDR, podCIDRs, unschedulable } = out.spec as Raw;
        out.spec = {
          ...(podCIDR ? { podCIDR } : {}),
          ...(podCIDRs ? { podCIDRs } : {}),
          ...(unschedulable ? { unschedulable } : {}),
        };
      }
      break;
    }
    case 'Secret': {
      const data = (raw.data ?? {}) as Record<string, string>;
      const kept: Record<string, string> = {};
      for (const f of [...CERT_FIELDS, ...PRIVATE_KEY_FIELDS]) if (typeof data[f] === 'string') kept[f] = data[f];
      out.data = kept;
      out.type = raw.type;
      break;
    }
    case 'CiliumNode': {
      const ipam = raw.spec?.ipam;
      out.spec = ipam ? { ipam: { podCIDRs: ipam.podCIDRs ?? [] } } : {};
      break;
    }
    default:
      break;
  }
  return out;
}

/** Separates private key fields from a trimmed Secret: the object to publish and the fields to encrypt. */
export function splitPrivateKeys(o: KubeObject): { object: KubeObject; privateData?: Record<string, string> } {
  if (o.kind !== 'Secret' || !o.data) return { object: o };
  const publicData: Record<string, string> = {};
  const privateData: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.data)) {
    if (PRIVATE_KEY_FIELDS.includes(k)) privateData[k] = v;
    else publicData[k] = v;
  }
  return {
    object: { ...o, data: publicData },
    ...(Object.keys(privateData).length ? { privateData } : {}),
  };
}

/** Same content apart from resourceVersion (a no-op update the consumers need not see). */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}

/** The smaller Secret sent when the full one does not fit an event: the CA bundle (not used for the VS) dropped. */
export function reduceSecret(o: KubeObject): KubeObject | undefined {
  if (o.kind !== 'Secret' || !o.data) return undefined;
  const { 'ca.crt': _ca, ...rest } = o.data;
  if (Object.keys(rest).length === Object.keys(o.data).length) return undefined;
  return { ...o, data: rest };
}
