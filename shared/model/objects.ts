import { checksum, checksumWithList, itemHash } from './checksum.ts';
import { type BuildContext, skip } from './context.ts';
import { fnv1a32, MAX_NAME_LENGTH } from './naming.ts';
import { type MarkerFields, markers, ref, type ServiceMetadata, serviceMetadata } from './refs.ts';
import type { PoolServer } from './servers.ts';
import type { AviObject, AviType, KubeObject } from './types.ts';

/** True when `name` fits Avi's limit; otherwise the source object is reported skipped (AKO skips, never truncates). */
export function nameFits(ctx: BuildContext, src: KubeObject, field: string, type: AviType, name: string): boolean {
  if (name.length <= MAX_NAME_LENGTH) return true;
  skip(
    ctx,
    src,
    field,
    `${type} name is ${name.length} characters, over Avi's limit of ${MAX_NAME_LENGTH}`,
    'NameTooLong',
  );
  return false;
}

export function obj(type: AviType, name: string, tenant: string, body: Record<string, unknown>): AviObject {
  return { type, name, tenant, body };
}

/** Adds `cloud_config_cksum` (after `name`, as AKO's payloads carry it near the top). */
export function withCksum(body: Record<string, unknown>, field = 'cloud_config_cksum'): Record<string, unknown> {
  const { name, ...rest } = body;
  return { name, [field]: checksum(body), ...rest };
}

export interface PoolSpec {
  name: string;
  tenant: string;
  servers: PoolServer[];
  markers?: MarkerFields;
  metadata?: ServiceMetadata;
  healthMonitor?: string;
  reencrypt?: { pkiProfile?: string };
}

/** The PKI profile that re-encrypts to a backend with a destination CA (AKO: one per pool, `<pool>-pkiprofile`). */
export function pkiProfileObject(
  ctx: BuildContext,
  name: string,
  tenant: string,
  destinationCA: string,
  poolMarkers: MarkerFields,
): AviObject {
  return obj('pkiprofile', name, tenant, {
    name,
    created_by: ctx.createdBy,
    tenant_ref: ref.tenant(tenant),
    ca_certs: [{ certificate: destinationCA }],
    crl_check: false,
    markers: markers(ctx.cluster, poolMarkers),
  });
}

export function poolObject(ctx: BuildContext, p: PoolSpec): AviObject {
  const body: Record<string, unknown> = {
    name: p.name,
    created_by: ctx.createdBy,
    tenant_ref: ref.tenant(p.tenant),
    cloud_ref: ref.cloud(ctx.cloud),
    service_metadata: serviceMetadata(p.metadata),
    sni_enabled: !!p.reencrypt,
  };
  if (p.reencrypt) {
    body.ssl_profile_ref = ref.sslProfile('System-Standard');
    if (p.reencrypt.pkiProfile) body.pki_profile_ref = ref.pkiProfile(p.reencrypt.pkiProfile);
  }
  body.graceful_disable_timeout = 1;
  const placement = placementNetworks(ctx);
  if (placement.length > 0) body.placement_networks = placement;
  body.vrf_ref = ref.vrf(ctx.vrf);
  body.markers = markers(ctx.cluster, p.markers);
  body.health_monitor_refs = [ref.healthMonitor(p.healthMonitor ?? 'System-TCP')];
  body.servers = p.servers;
  return obj('pool', p.name, p.tenant, withCksum(body));
}

function placementNetworks(ctx: BuildContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const n of ctx.instance.network.nodeNetworkList) {
    for (const cidr of n.cidrs ?? []) {
      const [addr, mask] = cidr.split('/');
      if (!addr || mask === undefined) continue;
      out.push({
        network_ref: ref.network(n.networkName),
        subnet: { ip_addr: { addr, type: addr.includes(':') ? 'V6' : 'V4' }, mask: Number(mask) },
      });
    }
  }
  return out;
}

export interface PgMember {
  pool: string;
  ratio: number;
  priorityLabel?: string;
  /** The member as sent and its JSON, prebuilt once per fragment (shared PGs are re-assembled on every rebuild). */
  json?: Record<string, unknown>;
  /** Dedup key and hash of the member's JSON. */
  key?: string;
  hash?: number;
}

/** Fills `json`/`text` once so later assemblies reuse them. */
export function prebuildMember(m: PgMember): PgMember {
  m.json = pgMemberJson(m);
  m.key = memberKey(m);
  m.hash = itemHash(JSON.stringify(m.json));
  return m;
}

function memberKey(m: PgMember): string {
  return m.priorityLabel === undefined ? m.pool : `${m.pool}|${m.priorityLabel}`;
}

export function pgMemberJson(m: PgMember): Record<string, unknown> {
  return {
    pool_ref: ref.pool(m.pool),
    ...(m.priorityLabel !== undefined ? { priority_label: m.priorityLabel } : {}),
    ratio: m.ratio,
  };
}

export function poolGroupObject(
  ctx: BuildContext,
  name: string,
  tenant: string,
  members: PgMember[],
  shared: boolean,
  markerFields?: MarkerFields,
  /** The caller guarantees distinct members (skips the de-duplication pass on large shared PGs). */
  distinct = false,
): AviObject {
  const seen = distinct ? undefined : new Set<string>();
  const uniq: Record<string, unknown>[] = [];
  const hashes: number[] = [];
  for (const m of members) {
    if (seen) {
      const k = m.key ?? memberKey(m);
      if (seen.has(k)) continue;
      seen.add(k);
    }
    if (m.priorityLabel !== undefined && m.priorityLabel.length > MAX_NAME_LENGTH) continue;
    const json = m.json ?? pgMemberJson(m);
    uniq.push(json);
    hashes.push(m.hash ?? itemHash(JSON.stringify(json)));
  }
  const head = {
    name,
    created_by: ctx.createdBy,
    tenant_ref: ref.tenant(tenant),
    cloud_ref: ref.cloud(ctx.cloud),
    implicit_priority_labels: shared,
    markers: markers(ctx.cluster, markerFields),
  };
  const body = {
    name,
    cloud_config_cksum: checksumWithList(head, hashes),
    created_by: head.created_by,
    tenant_ref: head.tenant_ref,
    cloud_ref: head.cloud_ref,
    members: uniq,
    implicit_priority_labels: shared,
    markers: head.markers,
  };
  return obj('poolgroup', name, tenant, body);
}

export function vsVipObject(
  ctx: BuildContext,
  name: string,
  tenant: string,
  fqdns: string[],
  ipAddress?: string,
  /** Given by a caller whose FQDNs are distinct: their hashes, in the same order (a shard has thousands). */
  fqdnHashes?: readonly number[],
): AviObject {
  const net = ctx.instance.network.vipNetworkList[0];
  const vip: Record<string, unknown> = { vip_id: '0', auto_allocate_ip: !ipAddress };
  if (ipAddress) vip.ip_address = { addr: ipAddress, type: ipAddress.includes(':') ? 'V6' : 'V4' };
  if (net) {
    const subnet: Record<string, unknown> = { network_ref: ref.network(net.networkName) };
    if (net.cidr) {
      const [addr, mask] = net.cidr.split('/');
      subnet.subnet = { ip_addr: { addr, type: 'V4' }, mask: Number(mask) };
    }
    if (net.v6cidr) {
      const [addr, mask] = net.v6cidr.split('/');
      subnet.subnet6 = { ip_addr: { addr, type: 'V6' }, mask: Number(mask) };
    }
    vip.ipam_network_subnet = subnet;
    // An IPv6 VIP network: dual stack with a v4 CIDR as well, else IPv6 only (AKO's UpdateV6).
    if (net.v6cidr) vip.auto_allocate_ip_type = net.cidr ? 'V4_V6' : 'V6_ONLY';
  }
  const unique = fqdnHashes ? fqdns : [...new Set(fqdns)];
  const head = {
    name,
    tenant_ref: ref.tenant(tenant),
    cloud_ref: ref.cloud(ctx.cloud),
    east_west_placement: false,
    vrf_context_ref: ref.vrf(ctx.vrf),
    markers: markers(ctx.cluster),
    vip: [vip],
  };
  const body = {
    name,
    vsvip_cloud_config_cksum: checksumWithList(head, fqdnHashes ?? unique.map(fnv1a32)),
    tenant_ref: head.tenant_ref,
    cloud_ref: head.cloud_ref,
    east_west_placement: false,
    dns_info: unique.map((fqdn) => ({ fqdn })),
    vrf_context_ref: head.vrf_context_ref,
    markers: head.markers,
    vip: head.vip,
  };
  return obj('vsvip', name, tenant, body);
}

export interface HttpRuleSpec {
  path: string;
  matchCriteria: 'EQUALS' | 'BEGINS_WITH';
  poolGroup: string;
}

/** Path rules, longest path first, then path-less ones (those match everything). */
export function sortRules(rules: HttpRuleSpec[]): HttpRuleSpec[] {
  return [...rules].sort((a, b) => {
    if (!a.path !== !b.path) return a.path ? -1 : 1;
    if (a.path.length !== b.path.length) return b.path.length - a.path.length;
    return a.path < b.path ? -1 : a.path > b.path ? 1 : a.poolGroup < b.poolGroup ? -1 : 1;
  });
}

export function httpPolicySetObject(
  ctx: BuildContext,
  name: string,
  tenant: string,
  rules: HttpRuleSpec[],
  markerFields?: MarkerFields,
): AviObject {
  const body = {
    name,
    created_by: ctx.createdBy,
    tenant_ref: ref.tenant(tenant),
    http_request_policy: {
      rules: sortRules(rules).map((r, i) => ({
        name: `${name}-${i}`,
        index: i,
        enable: true,
        ...(r.path
          ? { match: { path: { match_criteria: r.matchCriteria, match_case: 'SENSITIVE', match_str: [r.path] } } }
          : {}),
        switching_action: { action: 'HTTP_SWITCHING_SELECT_POOLGROUP', pool_group_ref: ref.poolGroup(r.poolGroup) },
      })),
    },
    http_security_policy: {},
    markers: markers(ctx.cluster, markerFields),
  };
  return obj('httppolicyset', name, tenant, withCksum(body));
}

/** One rule sending plain-HTTP requests for `hosts` to HTTPS (302), as AKO puts on the shared parent. */
export function redirectPolicySetObject(ctx: BuildContext, name: string, tenant: string, hosts: string[]): AviObject {
  const body = {
    name,
    created_by: ctx.createdBy,
    tenant_ref: ref.tenant(tenant),
    http_request_policy: {
      rules: [
        {
          name: `${name}-0`,
          index: 0,
          enable: true,
          match: {
            host_hdr: { match_criteria: 'HDR_EQUALS', value: [...new Set(hosts)] },
            vs_port: { match_criteria: 'IS_IN', ports: [80] },
          },
          redirect_action: { protocol: 'HTTPS', port: 443, status_code: 'HTTP_REDIRECT_STATUS_CODE_302' },
        },
      ],
    },
    http_security_policy: {},
    markers: markers(ctx.cluster),
  };
  return obj('httppolicyset', name, tenant, withCksum(body));
}

export function certObject(
  ctx: BuildContext,
  name: string,
  tenant: string,
  certificate: string,
  key: string | undefined,
  opts: { host?: string; ca?: boolean; caCertName?: string },
): AviObject {
  const body: Record<string, unknown> = {
    name,
    created_by: ctx.createdBy,
    tenant_ref: ref.tenant(tenant),
    certificate: { certificate },
  };
  if (key !== undefined) body.key = key;
  body.type = opts.ca ? 'SSL_CERTIFICATE_TYPE_CA' : 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE';
  if (opts.caCertName) body.ca_certs = [{ ca_ref: ref.sslCert(opts.caCertName), name: opts.caCertName }];
  body.markers = markers(ctx.cluster, opts.host ? { Host: [opts.host] } : undefined);
  return obj('sslkeyandcertificate', name, tenant, body);
}
