/**
 * Hand-written models shaped like AKO's payloads (spec: ako-naming-and-objects §5.4), for the reconciler tests.
 * Names follow AKO: shared VS `<cluster>--Shared-L7-<n>`, pools `<cluster>--<host>_<path>-<ns>-<ing>`,
 * SNI child `<cluster>--<host>`, L4 VS `<cluster>--<ns>-<svc>`.
 */
import type { AviModel, AviObject } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';

export function instanceFor(cluster: string, namespace: string, primary: boolean): InstanceConfig {
  const createdBy = primary ? `ako-${cluster}` : `ako-${cluster}-${namespace}`;
  return {
    id: `${cluster}/${namespace}`,
    clusterName: cluster,
    namespace,
    primary,
    namespaceSelector: null,
    blockedNamespaces: [],
    cniPlugin: '',
    layer7Only: false,
    disableStaticRouteSync: false,
    deleteConfig: false,
    fullSyncFrequency: 1800,
    l7: { serviceType: 'ClusterIP', shardVSSize: 'LARGE', passthroughShardSize: 'SMALL', defaultIngController: true },
    l4: { defaultLBController: true, autoFQDN: 'default', defaultDomain: '' },
    controller: {
      host: 'unused',
      version: '',
      cloudName: 'Default-Cloud',
      serviceEngineGroupName: 'Default-Group',
      tenantName: 'admin',
      vrfName: 'global',
    },
    network: {
      vipNetworkList: [{ networkName: 'vip-net', cidr: '10.250.250.0/24' }],
      nodeNetworkList: [],
      defaultDomain: '',
    },
    nodePortSelector: null,
    credentials: {},
    createdBy,
    namePrefix: `${cluster}--`,
    sharedVsPrefix: primary ? `${cluster}--Shared-L7-` : `${cluster}--${namespace}-Shared-L7-`,
    unknownKeys: [],
  };
}

const T = 'admin';
const tenantRef = `/api/tenant/?name=${T}`;
const cloudRef = '/api/cloud?name=Default-Cloud';
const vrfRef = '/api/vrfcontext?name=global';
const emptyMeta =
  '{"namespace_ingress_name":null,"ingress_name":"","namespace":"","hostnames":null,"namespace_svc_name":null,"crd_status":{"type":"","value":"","status":""},"pool_ratio":0,"passthrough_parent_ref":"","passthrough_child_ref":"","gateway":"","httproute":"","httproute_rule_name":"","insecureedgetermallow":false,"is_mci_ingress":false,"fqdn_reuse_policy":"","host_namespace_ingress_name":null}';

const obj = (type: AviObject['type'], name: string, body: Record<string, unknown>): AviObject => ({
  type,
  name,
  tenant: T,
  body: { name, ...body },
});

export interface HostPath {
  host: string;
  path: string;
  ns: string;
  ing: string;
  servers: string[];
  port?: number;
}

export interface SniHost {
  host: string;
  ns: string;
  ing: string;
  path: string;
  servers: string[];
  cert: string;
}

function pool(
  name: string,
  createdBy: string,
  cluster: string,
  hp: { ns: string; host: string; path: string; ing: string; servers: string[]; port?: number },
  cksum: string,
): AviObject {
  return obj('pool', name, {
    cloud_config_cksum: cksum,
    created_by: createdBy,
    tenant_ref: tenantRef,
    cloud_ref: cloudRef,
    vrf_ref: vrfRef,
    service_metadata: JSON.stringify({ ingress_name: hp.ing, namespace: hp.ns, hostnames: [hp.host] }),
    sni_enabled: false,
    graceful_disable_timeout: 1,
    health_monitor_refs: ['/api/healthmonitor/?name=System-TCP'],
    markers: [
      { key: 'clustername', values: [cluster] },
      { key: 'Namespace', values: [hp.ns] },
      { key: 'Host', values: [hp.host] },
      { key: 'Path', values: [hp.path] },
      { key: 'IngressName', values: [hp.ing] },
    ],
    servers: hp.servers.map((ip) => ({
      ip: { addr: ip, type: 'V4' },
      port: hp.port ?? 8080,
      external_uuid: `${ip}:${hp.port ?? 8080}`,
      enabled: true,
    })),
  });
}

const cksum = (s: string) => {
  let h = 0x811c9dc5;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return String(h);
};

/** A shared L7 VS model: VsVip, pools, pool group, datascript, optional redirect HTTPPS + SNI children. */
export function sharedModel(opts: {
  cluster: string;
  createdBy: string;
  vsName: string;
  hosts: HostPath[];
  sni?: SniHost[];
  certPem?: (host: string) => string;
}): AviModel {
  const { cluster, createdBy, vsName } = opts;
  const objects: AviObject[] = [];
  const fqdns = [...opts.hosts.map((h) => h.host), ...(opts.sni ?? []).map((s) => s.host)];
  objects.push(
    obj('vsvip', vsName, {
      tenant_ref: tenantRef,
      cloud_ref: cloudRef,
      east_west_placement: false,
      dns_info: fqdns.map((fqdn) => ({ fqdn })),
      vsvip_cloud_config_cksum: cksum(fqdns.join(',')),
      vrf_context_ref: vrfRef,
      markers: [{ key: 'clustername', values: [cluster] }],
      vip: [{ vip_id: '0', auto_allocate_ip: true }],
    }),
  );
  const poolNames: string[] = [];
  for (const hp of opts.hosts) {
    const name = `${cluster}--${hp.host}_${hp.path.replace(/^\//, '').replace(/\//g, '_')}-${hp.ns}-${hp.ing}`;
    poolNames.push(name);
    objects.push(pool(name, createdBy, cluster, hp, cksum(`${name}|${hp.servers.join(',')}`)));
  }
  for (const s of opts.sni ?? []) {
    objects.push(
      obj('sslkeyandcertificate', `${cluster}--${s.host}`, {
        created_by: createdBy,
        tenant_ref: tenantRef,
        type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
        certificate: { certificate: (opts.certPem ?? defaultPem)(s.host) },
        key: `-----BEGIN PRIVATE KEY-----\nSECRETKEY-${s.host}\n-----END PRIVATE KEY-----\n`,
        markers: [
          { key: 'clustername', values: [cluster] },
          { key: 'Host', values: [s.host] },
        ],
      }),
    );
    const base = `${cluster}--${s.ns}-${s.host}_${s.path.replace(/^\//, '').replace(/\//g, '_')}-${s.ing}`;
    objects.push(pool(base, createdBy, cluster, s, cksum(`${base}|${s.servers.join(',')}`)));
    objects.push(
      obj('poolgroup', base, {
        cloud_config_cksum: cksum(`pg|${base}`),
        created_by: createdBy,
        tenant_ref: tenantRef,
        cloud_ref: cloudRef,
        members: [{ pool_ref: `/api/pool?name=${base}`, ratio: 1 }],
        implicit_priority_labels: false,
        markers: [{ key: 'clustername', values: [cluster] }],
      }),
    );
    objects.push(
      obj('httppolicyset', `${cluster}--${s.ns}-${s.host}`, {
        cloud_config_cksum: cksum(`hps|${base}|${s.path}`),
        created_by: createdBy,
        tenant_ref: tenantRef,
        http_request_policy: {
          rules: [
            {
              name: `${cluster}--${s.ns}-${s.host}-0`,
              index: 0,
              enable: true,
              match: { path: { match_criteria: 'BEGINS_WITH', match_str: [s.path] } },
              switching_action: {
                action: 'HTTP_SWITCHING_SELECT_POOLGROUP',
                pool_group_ref: `/api/poolgroup/?name=${base}`,
              },
            },
          ],
        },
        http_security_policy: {},
        markers: [{ key: 'clustername', values: [cluster] }],
      }),
    );
  }
  objects.push(
    obj('poolgroup', vsName, {
      cloud_config_cksum: cksum(`pg|${poolNames.join(',')}`),
      created_by: createdBy,
      tenant_ref: tenantRef,
      cloud_ref: cloudRef,
      implicit_priority_labels: true,
      members: opts.hosts.map((hp, i) => ({
        pool_ref: `/api/pool?name=${poolNames[i]}`,
        priority_label: `${hp.host}${hp.path}`,
      })),
      markers: [{ key: 'clustername', values: [cluster] }],
    }),
  );
  if ((opts.sni ?? []).length > 0) {
    objects.push(
      obj('httppolicyset', `${vsName}`, {
        cloud_config_cksum: cksum(`redirect|${(opts.sni ?? []).map((s) => s.host).join(',')}`),
        created_by: createdBy,
        tenant_ref: tenantRef,
        http_request_policy: {
          rules: (opts.sni ?? []).map((s, i) => ({
            name: `${vsName}-redirect-${i}`,
            index: i,
            enable: true,
            match: {
              host_hdr: { match_criteria: 'HDR_EQUALS', value: [s.host] },
              vs_port: { match_criteria: 'IS_IN', ports: [80] },
            },
            redirect_action: { protocol: 'HTTPS', port: 443, status_code: 'HTTP_REDIRECT_STATUS_CODE_302' },
          })),
        },
        http_security_policy: {},
        markers: [{ key: 'clustername', values: [cluster] }],
      }),
    );
  }
  objects.push(
    obj('vsdatascriptset', vsName, {
      created_by: createdBy,
      tenant_ref: tenantRef,
      datascript: [{ evt: 'VS_DATASCRIPT_EVT_HTTP_REQ', script: 'local pg = avi.vs.name()\navi.poolgroup.select(pg)' }],
      pool_group_refs: [`/api/poolgroup/?name=${vsName}`],
      markers: [{ key: 'clustername', values: [cluster] }],
    }),
  );
  const vs: Record<string, unknown> = {
    cloud_config_cksum: cksum(`vs|${vsName}|${(opts.sni ?? []).length > 0}`),
    created_by: createdBy,
    cloud_ref: cloudRef,
    tenant_ref: tenantRef,
    application_profile_ref: '/api/applicationprofile/?name=System-HTTP',
    network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
    se_group_ref: '/api/serviceenginegroup?name=Default-Group',
    vrf_context_ref: vrfRef,
    vsvip_ref: `/api/vsvip/?name=${vsName}`,
    type: 'VS_TYPE_VH_PARENT',
    services: [
      { port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false },
      { port: 443, port_range_end: 443, enable_ssl: true, enable_http2: false },
    ],
    vs_datascripts: [{ index: 0, vs_datascript_set_ref: `/api/vsdatascriptset/?name=${vsName}` }],
    markers: [{ key: 'clustername', values: [cluster] }],
    service_metadata: emptyMeta,
    error_page_profile_ref: '',
  };
  if ((opts.sni ?? []).length > 0)
    vs.http_policies = [{ index: 11, http_policy_set_ref: `/api/httppolicyset/?name=${vsName}` }];
  objects.push(obj('virtualservice', vsName, vs));
  for (const s of opts.sni ?? []) {
    const child = `${cluster}--${s.host}`;
    objects.push({
      type: 'virtualservice',
      name: child,
      tenant: T,
      body: {
        name: child,
        cloud_config_cksum: cksum(`child|${child}`),
        created_by: createdBy,
        type: 'VS_TYPE_VH_CHILD',
        vh_parent_vs_ref: `/api/virtualservice/?name=${vsName}`,
        vh_domain_name: [s.host],
        application_profile_ref: '/api/applicationprofile/?name=System-Secure-HTTP',
        network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
        east_west_placement: false,
        ign_pool_net_reach: false,
        cloud_ref: cloudRef,
        se_group_ref: '/api/serviceenginegroup?name=Default-Group',
        vrf_context_ref: vrfRef,
        ssl_key_and_certificate_refs: [`/api/sslkeyandcertificate/?name=${child}`],
        http_policies: [{ index: 11, http_policy_set_ref: `/api/httppolicyset/?name=${cluster}--${s.ns}-${s.host}` }],
        markers: [
          { key: 'clustername', values: [cluster] },
          { key: 'Namespace', values: [s.ns] },
          { key: 'Host', values: [s.host] },
        ],
        service_metadata: JSON.stringify({
          namespace_ingress_name: [`${s.ns}/${s.ing}`],
          namespace: s.ns,
          hostnames: [s.host],
        }),
      },
    });
  }
  return {
    name: `${T}/${vsName}`,
    tenant: T,
    objects,
    sources: [
      ...opts.hosts.map((h) => `Ingress/${h.ns}/${h.ing}`),
      ...(opts.sni ?? []).map((s) => `Ingress/${s.ns}/${s.ing}`),
    ],
  };
}

/** An L4 LoadBalancer Service model: VsVip, pool, L4 policy set, VS. */
export function l4Model(opts: {
  cluster: string;
  createdBy: string;
  ns: string;
  svc: string;
  port: number;
  servers: string[];
}): AviModel {
  const { cluster, createdBy, ns, svc, port } = opts;
  const vsName = `${cluster}--${ns}-${svc}`;
  const poolName = `${cluster}--${ns}-${svc}-TCP-${port}`;
  const poolRef = `/api/pool?name=${poolName}`;
  const objects: AviObject[] = [
    obj('vsvip', vsName, {
      tenant_ref: tenantRef,
      cloud_ref: cloudRef,
      east_west_placement: false,
      dns_info: [],
      vsvip_cloud_config_cksum: cksum(vsName),
      vrf_context_ref: vrfRef,
      markers: [{ key: 'clustername', values: [cluster] }],
      vip: [{ vip_id: '0', auto_allocate_ip: true }],
    }),
    pool(
      poolName,
      createdBy,
      cluster,
      { ns, host: '', path: '', ing: '', servers: opts.servers, port },
      cksum(`${poolName}|${opts.servers.join(',')}`),
    ),
    obj('l4policyset', vsName, {
      created_by: createdBy,
      tenant_ref: tenantRef,
      markers: [
        { key: 'clustername', values: [cluster] },
        { key: 'Namespace', values: [ns] },
        { key: 'ServiceName', values: [svc] },
        { key: 'Protocol', values: ['TCP'] },
      ],
      l4_connection_policy: {
        rules: [
          {
            name: poolRef,
            index: 0,
            action: { select_pool: { action_type: 'L4_RULE_ACTION_SELECT_POOL', pool_ref: poolRef } },
            match: {
              port: { match_criteria: 'IS_IN', ports: [port] },
              protocol: { match_criteria: 'IS_IN', protocol: 'PROTOCOL_TCP' },
            },
          },
        ],
      },
    }),
    obj('virtualservice', vsName, {
      cloud_config_cksum: cksum(`l4|${vsName}|${port}`),
      created_by: createdBy,
      cloud_ref: cloudRef,
      tenant_ref: tenantRef,
      application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
      se_group_ref: '/api/serviceenginegroup?name=Default-Group',
      vrf_context_ref: vrfRef,
      vsvip_ref: `/api/vsvip/?name=${vsName}`,
      services: [{ port, port_range_end: port, enable_ssl: false, enable_http2: false }],
      l4_policies: [{ index: 0, l4_policy_set_ref: `/api/l4policyset/?name=${vsName}` }],
      markers: [
        { key: 'clustername', values: [cluster] },
        { key: 'Namespace', values: [ns] },
        { key: 'ServiceName', values: [svc] },
      ],
      service_metadata: JSON.stringify({ namespace_svc_name: [`${ns}/${svc}`], hostnames: [] }),
      error_page_profile_ref: '',
    }),
  ];
  return { name: `${T}/${vsName}`, tenant: T, objects, sources: [`Service/${ns}/${svc}`] };
}

function defaultPem(host: string): string {
  return `-----BEGIN CERTIFICATE-----\nMIIB-${host}\n-----END CERTIFICATE-----\n`;
}
