import { ADMIN_TENANT, type ObjectService } from './objects.ts';

export interface VipNetworkOptions {
  /** Name of the network VsVips allocate from when they name none (default `vip-network`). */
  name?: string;
  /** IPv4 subnet in CIDR form (default 10.250.250.0/24). */
  cidr?: string;
  /** First and last VIP address (default: .10 to .250 of the subnet, or the subnet's hosts). */
  range?: [string, string];
}

export const DEFAULT_VIP_NETWORK = 'vip-network';
export const DEFAULT_VIP_CIDR = '10.250.250.0/24';

function defaultRange(cidr: string): [string, string] | undefined {
  const [addr, maskText] = cidr.split('/');
  const parts = (addr ?? '').split('.');
  if (maskText !== '24' || parts.length !== 4) return undefined;
  const p = parts.slice(0, 3).join('.');
  return [`${p}.10`, `${p}.250`];
}

/**
 * The objects a fresh controller has: the `admin` tenant (uuid `admin`), `Default-Cloud`, `Default-Group`,
 * the `global` and `management` VRFs, the System-* application/network profiles and health monitors, and
 * a few supporting system objects. Plus the VIP network(s) with a subnet so VsVip auto-allocation works
 * (the first one is where a VIP that names no network is allocated).
 */
export function seedSystemObjects(svc: ObjectService, vipNetworks: VipNetworkOptions[] = [{}]): void {
  const store = svc.store;
  store.put({
    type: 'tenant',
    uuid: ADMIN_TENANT,
    tenant: ADMIN_TENANT,
    name: 'admin',
    body: { name: 'admin', local: true, description: 'Default tenant', config_settings: {} },
    lastModified: store.stamp(),
    seq: store.seq(),
  });
  const create = (type: string, body: Record<string, unknown>) => svc.create(type, body, ADMIN_TENANT);
  const cloud = create('cloud', { name: 'Default-Cloud', vtype: 'CLOUD_NONE' });
  const cloudRef = '/api/cloud/?name=Default-Cloud';
  create('vrfcontext', { name: 'global', cloud_ref: cloudRef, system_default: true });
  create('vrfcontext', { name: 'management', cloud_ref: cloudRef, system_default: true });
  create('serviceenginegroup', { name: 'Default-Group', cloud_ref: cloudRef });

  const names: string[] = [];
  vipNetworks.forEach((vip, i) => {
    const name = vip.name ?? (i === 0 ? DEFAULT_VIP_NETWORK : `${DEFAULT_VIP_NETWORK}-${i + 1}`);
    const cidr = vip.cidr ?? (i === 0 ? DEFAULT_VIP_CIDR : `10.250.${250 - i}.0/24`);
    const [addr, mask] = cidr.split('/');
    const range = vip.range ?? defaultRange(cidr);
    names.push(name);
    create('network', {
      name,
      cloud_ref: cloudRef,
      vrf_context_ref: '/api/vrfcontext/?name=global',
      dhcp_enabled: false,
      configured_subnets: [
        {
          prefix: { ip_addr: { addr, type: 'V4' }, mask: Number(mask) },
          ...(range
            ? {
                static_ip_ranges: [
                  {
                    range: { begin: { addr: range[0], type: 'V4' }, end: { addr: range[1], type: 'V4' } },
                    type: 'STATIC_IPS_FOR_VIP',
                  },
                ],
              }
            : {}),
        },
      ],
    });
  });
  create('ipamdnsproviderprofile', {
    name: 'Default-IPAM',
    type: 'IPAMDNS_TYPE_INTERNAL',
    internal_profile: {
      usable_networks: names.map((n) => ({ nw_ref: `/api/network/?name=${encodeURIComponent(n)}` })),
    },
  });
  svc.patch(
    'cloud',
    cloud.uuid,
    { replace: { ipam_provider_ref: '/api/ipamdnsproviderprofile/?name=Default-IPAM' } },
    ADMIN_TENANT,
  );

  const appProfiles: [string, string][] = [
    ['System-HTTP', 'APPLICATION_PROFILE_TYPE_HTTP'],
    ['System-Secure-HTTP', 'APPLICATION_PROFILE_TYPE_HTTP'],
    ['System-L4-Application', 'APPLICATION_PROFILE_TYPE_L4'],
    ['System-SSL-Application', 'APPLICATION_PROFILE_TYPE_SSL'],
    ['System-DNS', 'APPLICATION_PROFILE_TYPE_DNS'],
    ['System-Syslog', 'APPLICATION_PROFILE_TYPE_SYSLOG'],
  ];
  for (const [n, t] of appProfiles) create('applicationprofile', { name: n, type: t });
  const netProfiles: [string, string][] = [
    ['System-TCP-Proxy', 'PROTOCOL_TYPE_TCP_PROXY'],
    ['System-TCP-Fast-Path', 'PROTOCOL_TYPE_TCP_FAST_PATH'],
    ['System-UDP-Fast-Path', 'PROTOCOL_TYPE_UDP_FAST_PATH'],
    ['System-UDP-Per-Pkt', 'PROTOCOL_TYPE_UDP_FAST_PATH'],
    ['System-UDP-No-SNAT', 'PROTOCOL_TYPE_UDP_FAST_PATH'],
    ['System-UDP-Proxy', 'PROTOCOL_TYPE_UDP_PROXY'],
    ['System-SCTP-Proxy', 'PROTOCOL_TYPE_SCTP_PROXY'],
  ];
  for (const [n, t] of netProfiles) create('networkprofile', { name: n, profile: { type: t } });
  const monitors: [string, string][] = [
    ['System-TCP', 'HEALTH_MONITOR_TCP'],
    ['System-UDP', 'HEALTH_MONITOR_UDP'],
    ['System-HTTP', 'HEALTH_MONITOR_HTTP'],
    ['System-HTTPS', 'HEALTH_MONITOR_HTTPS'],
    ['System-Ping', 'HEALTH_MONITOR_PING'],
    ['System-DNS', 'HEALTH_MONITOR_DNS'],
    ['System-SCTP', 'HEALTH_MONITOR_SCTP'],
  ];
  for (const [n, t] of monitors) create('healthmonitor', { name: n, type: t });
  create('sslprofile', { name: 'System-Standard' });
  create('sslprofile', { name: 'System-Standard-PFS' });
  create('analyticsprofile', { name: 'System-Analytics-Profile' });
  create('applicationpersistenceprofile', {
    name: 'System-Persistence-Client-IP',
    persistence_type: 'PERSISTENCE_TYPE_CLIENT_IP_ADDRESS',
  });
  create('applicationpersistenceprofile', {
    name: 'System-Persistence-Http-Cookie',
    persistence_type: 'PERSISTENCE_TYPE_HTTP_COOKIE',
  });
  create('applicationpersistenceprofile', {
    name: 'System-Persistence-TLS',
    persistence_type: 'PERSISTENCE_TYPE_TLS',
  });
  create('protocolparser', { name: 'Default-TLS' });
  seedSecurityObjects(create);
}

/**
 * What a controller ships for the objects AKO's CRDs name: the System WAF profile and policy (HostRule
 * `wafPolicy`), the custom error page profile (HostRule `errorPageProfile`) and the System string groups.
 */
function seedSecurityObjects(create: (type: string, body: Record<string, unknown>) => unknown): void {
  create('wafprofile', { name: 'System-WAF-Profile', config: {} });
  create('wafpolicy', {
    name: 'System-WAF-Policy',
    mode: 'WAF_MODE_DETECTION_ONLY',
    waf_profile_ref: '/api/wafprofile/?name=System-WAF-Profile',
  });
  create('errorpageprofile', { name: 'Custom-Error-Page-Profile' });
  const groups: [string, string[]][] = [
    ['System-Cacheable-Resource-Types', ['image/.*', 'text/css', 'application/javascript']],
    ['System-Compressible-Content-Types', ['text/html', 'text/css', 'application/javascript', 'application/json']],
    ['System-Devices-Mobile', ['iPhone', 'Android', 'Windows Phone']],
  ];
  for (const [name, keys] of groups) {
    create('stringgroup', { name, type: 'SG_TYPE_STRING', kv: keys.map((key) => ({ key })) });
  }
}
