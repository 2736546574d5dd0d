/** Reference strings exactly as AKO sends them (name-query form, including its slash inconsistencies). */
export const ref = {
  cloud: (name: string) => `/api/cloud?name=${name}`,
  tenant: (name: string) => `/api/tenant/?name=${goQueryEscape(name)}`,
  seGroup: (name: string) => `/api/serviceenginegroup?name=${name}`,
  vrf: (name: string) => `/api/vrfcontext?name=${name}`,
  applicationProfile: (name: string) => `/api/applicationprofile/?name=${name}`,
  networkProfile: (name: string) => `/api/networkprofile/?name=${name}`,
  vsvip: (name: string) => `/api/vsvip/?name=${name}`,
  parentVs: (name: string) => `/api/virtualservice/?name=${name}`,
  httpPolicySet: (name: string) => `/api/httppolicyset/?name=${name}`,
  datascript: (name: string) => `/api/vsdatascriptset/?name=${name}`,
  l4PolicySet: (name: string) => `/api/l4policyset/?name=${name}`,
  /** PG member and L4 rule pool refs have no slash before `?`. */
  pool: (name: string) => `/api/pool?name=${name}`,
  poolGroup: (name: string) => `/api/poolgroup/?name=${name}`,
  sslCert: (name: string) => `/api/sslkeyandcertificate/?name=${name}`,
  healthMonitor: (name: string) => `/api/healthmonitor/?name=${name}`,
  network: (name: string) => `/api/network/?name=${name}`,
  sslProfile: (name: string) => `/api/sslprofile?name=${name}`,
  pkiProfile: (name: string) => `/api/pkiprofile/?name=${name}`,
  protocolParser: (name: string) => `/api/protocolparser/?name=${name}`,
};

export interface Marker {
  key: string;
  values: string[];
}

/** Non-cluster marker fields in AKO's struct order (utils.AviObjectMarkers); the Go field name is the key. */
export interface MarkerFields {
  Namespace?: string;
  Host?: string[];
  InfrasettingName?: string;
  ServiceName?: string;
  Path?: string[];
  Port?: string;
  Protocol?: string;
  IngressName?: string[];
  /** Shared-VIP L4 VS and pools: the `ako.vmware.com/enable-shared-vip` value. */
  GatewayName?: string;
}

const MARKER_ORDER: (keyof MarkerFields)[] = [
  'Namespace',
  'Host',
  'InfrasettingName',
  'ServiceName',
  'Path',
  'Port',
  'Protocol',
  'IngressName',
  'GatewayName',
];

/** `clustername` first, then every non-empty field (lists are kept if they have any element, even `""`). */
export function markers(clusterName: string, fields?: MarkerFields): Marker[] {
  const out: Marker[] = [{ key: 'clustername', values: [clusterName] }];
  if (!fields) return out;
  for (const key of MARKER_ORDER) {
    const v = fields[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length > 0) out.push({ key, values: [...v] });
    } else if (v !== '') {
      out.push({ key, values: [v] });
    }
  }
  return out;
}

export interface ServiceMetadata {
  namespace_ingress_name?: string[] | null;
  ingress_name?: string;
  namespace?: string;
  hostnames?: string[] | null;
  namespace_svc_name?: string[] | null;
  pool_ratio?: number;
  passthrough_parent_ref?: string;
  passthrough_child_ref?: string;
  insecureedgetermallow?: boolean;
}

/** Go's json.Marshal of AKO's ServiceMetadataObj: all 16 keys, always, in this order, compact. */
export function serviceMetadata(m: ServiceMetadata = {}): string {
  return JSON.stringify({
    namespace_ingress_name: m.namespace_ingress_name ?? null,
    ingress_name: m.ingress_name ?? '',
    namespace: m.namespace ?? '',
    hostnames: m.hostnames ?? null,
    namespace_svc_name: m.namespace_svc_name ?? null,
    crd_status: { type: '', value: '', status: '' },
    pool_ratio: m.pool_ratio ?? 0,
    passthrough_parent_ref: m.passthrough_parent_ref ?? '',
    passthrough_child_ref: m.passthrough_child_ref ?? '',
    gateway: '',
    httproute: '',
    httproute_rule_name: '',
    insecureedgetermallow: m.insecureedgetermallow ?? false,
    is_mci_ingress: false,
    fqdn_reuse_policy: '',
    host_namespace_ingress_name: null,
  });
}

const SAFE = /^[A-Za-z0-9\-_.~]*$/;

/** Go's url.QueryEscape: everything but `[A-Za-z0-9-_.~]` percent-encoded, space as `+`. */
export function goQueryEscape(s: string): string {
  if (SAFE.test(s)) return s; // the common case (admin, team-a): nothing to escape
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
