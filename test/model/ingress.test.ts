import { describe, expect, it } from 'vitest';
import { buildModels, sharedVsScript } from '../../shared/model/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

// spec §3.4: my-ing in default, foo.com insecure /foo, secure.example.com TLS with /api (Exact) and / (Prefix).
function workedExample(): KubeObject[] {
  return [
    f.aviClass(),
    f.service('default', 'svc1', [{ port: 80, name: 'http', targetPort: 8080 }]),
    f.slice('default', 'svc1', ['10.244.1.5'], [{ port: 8080, name: 'http' }]),
    f.service('default', 'svc2', [{ port: 8080, name: 'api', targetPort: 9090 }]),
    f.slice('default', 'svc2', [{ ip: '10.244.2.7', node: 'node-2' }], [{ port: 9090, name: 'api' }]),
    f.service('default', 'svc3', [{ port: 80, name: 'web', targetPort: 80 }]),
    f.slice('default', 'svc3', ['10.244.3.9'], [{ port: 80, name: 'web' }]),
    f.tlsSecret('default', 'my-secret'),
    f.ingress(
      'default',
      'my-ing',
      [
        { host: 'foo.com', paths: [{ path: '/foo', pathType: 'Prefix', service: 'svc1', port: 80 }] },
        {
          host: 'secure.example.com',
          paths: [
            { path: '/api', pathType: 'Exact', service: 'svc2', port: 8080 },
            { path: '/', pathType: 'Prefix', service: 'svc3', port: 80 },
          ],
        },
      ],
      { tls: [{ hosts: ['secure.example.com'], secretName: 'my-secret' }] },
    ),
  ];
}

const nsDefault = (labels: Record<string, string>) => [f.ns('default', labels)];

describe.each([
  { who: 'primary', inst: () => f.primary({}, 'c1'), labels: { app: 'migrate' }, part: '', createdBy: 'ako-c1' },
  {
    who: 'non-primary (blue)',
    inst: () => f.blue({}, 'c1'),
    labels: { key: 'value2' },
    part: 'blue-',
    createdBy: 'ako-c1-blue',
  },
])('worked example §3.4 — $who', ({ inst, labels, part, createdBy }) => {
  const state = buildModels(inst(), f.view(nsDefault(labels as unknown as Record<string, string>), workedExample()), {
    dnsSubdomains: [],
  });
  const vs0 = `c1--${part}Shared-L7-0`;
  const vs7 = `c1--${part}Shared-L7-7`;

  it('builds exactly the two shard models, nothing skipped', () => {
    expect(state.models.map((m) => m.name)).toEqual([`admin/${vs0}`, `admin/${vs7}`]);
    expect(state.skipped).toEqual([]);
  });

  it('shard 0: VsVip, insecure pool, shared PG, datascript, parent VS — in create order', () => {
    expect(names(model(state, `admin/${vs0}`))).toEqual([
      `vsvip:${vs0}`,
      'pool:c1--foo.com_foo-default-my-ing',
      `poolgroup:${vs0}`,
      `vsdatascriptset:${vs0}`,
      `virtualservice:${vs0}`,
    ]);
  });

  it('shard 0 payloads', () => {
    const m = model(state, `admin/${vs0}`);
    const vs = body(object(m, 'virtualservice', vs0));
    expect(vs).toMatchObject({
      name: vs0,
      created_by: createdBy,
      type: 'VS_TYPE_VH_PARENT',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      tenant_ref: '/api/tenant/?name=admin',
      application_profile_ref: '/api/applicationprofile/?name=System-HTTP',
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
      se_group_ref: '/api/serviceenginegroup?name=Default-Group',
      vrf_context_ref: '/api/vrfcontext?name=global',
      vsvip_ref: `/api/vsvip/?name=${vs0}`,
      services: [
        { port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false },
        { port: 443, port_range_end: 443, enable_ssl: true, enable_http2: false },
      ],
      vs_datascripts: [{ index: 0, vs_datascript_set_ref: `/api/vsdatascriptset/?name=${vs0}` }],
      markers: [{ key: 'clustername', values: ['c1'] }],
      error_page_profile_ref: '',
    });
    expect(vs.http_policies).toBeUndefined();
    expect(vs.cloud_config_cksum).toMatch(/^\d+$/);
    expect(vs.east_west_placement).toBeUndefined();

    const vip = body(object(m, 'vsvip', vs0));
    expect(vip.created_by).toBeUndefined();
    expect(vip.dns_info).toEqual([{ fqdn: 'foo.com' }]);
    expect(vip.vip).toEqual([
      { vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=net123' } },
    ]);
    expect(vip.east_west_placement).toBe(false);
    expect(vip.vsvip_cloud_config_cksum).toMatch(/^\d+$/);

    const pg = body(object(m, 'poolgroup', vs0));
    expect(pg.implicit_priority_labels).toBe(true);
    expect(pg.members).toEqual([
      { pool_ref: '/api/pool?name=c1--foo.com_foo-default-my-ing', priority_label: 'foo.com/foo', ratio: 100 },
    ]);
    expect(pg.created_by).toBe(createdBy);
    expect(pg.markers).toEqual([{ key: 'clustername', values: ['c1'] }]);

    const pool = body(object(m, 'pool', 'c1--foo.com_foo-default-my-ing'));
    expect(pool.servers).toEqual([
      { ip: { addr: '10.244.1.5', type: 'V4' }, port: 8080, external_uuid: '10.244.1.5:8080', enabled: true },
    ]);
    expect(pool.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-TCP']);
    expect(pool.vrf_ref).toBe('/api/vrfcontext?name=global');
    expect(pool.markers).toEqual([
      { key: 'clustername', values: ['c1'] },
      { key: 'Namespace', values: ['default'] },
      { key: 'Host', values: ['foo.com'] },
      { key: 'Path', values: ['/foo'] },
      { key: 'IngressName', values: ['my-ing'] },
    ]);
    expect(pool.default_server_port).toBeUndefined();
    const meta = JSON.parse(pool.service_metadata);
    expect(meta).toMatchObject({
      ingress_name: 'my-ing',
      namespace: 'default',
      hostnames: ['foo.com'],
      pool_ratio: 100,
    });

    const ds = body(object(m, 'vsdatascriptset', vs0));
    expect(ds.datascript).toEqual([{ evt: 'VS_DATASCRIPT_EVT_HTTP_REQ', script: sharedVsScript(vs0) }]);
    expect(ds.pool_group_refs).toEqual([`/api/poolgroup/?name=${vs0}`]);
    expect(ds.created_by).toBe(createdBy);
  });

  it('shard 7: redirect policy on the parent, SNI child with cert, per-namespace policy set and path PGs', () => {
    const m = model(state, `admin/${vs7}`);
    expect(names(m)).toEqual([
      `vsvip:${vs7}`,
      `poolgroup:${vs7}`,
      `httppolicyset:${vs7}`,
      `vsdatascriptset:${vs7}`,
      `virtualservice:${vs7}`,
      'sslkeyandcertificate:c1--secure.example.com',
      'pool:c1--default-secure.example.com_api-my-ing',
      'pool:c1--default-secure.example.com_-my-ing',
      'poolgroup:c1--default-secure.example.com_api-my-ing',
      'poolgroup:c1--default-secure.example.com_-my-ing',
      'httppolicyset:c1--default-secure.example.com',
      'virtualservice:c1--secure.example.com',
    ]);
    const redirect = body(object(m, 'httppolicyset', vs7));
    expect(redirect.http_request_policy.rules).toEqual([
      {
        name: `${vs7}-0`,
        index: 0,
        enable: true,
        match: {
          host_hdr: { match_criteria: 'HDR_EQUALS', value: ['secure.example.com'] },
          vs_port: { match_criteria: 'IS_IN', ports: [80] },
        },
        redirect_action: { protocol: 'HTTPS', port: 443, status_code: 'HTTP_REDIRECT_STATUS_CODE_302' },
      },
    ]);
    expect(body(object(m, 'virtualservice', vs7)).http_policies).toEqual([
      { index: 11, http_policy_set_ref: `/api/httppolicyset/?name=${vs7}` },
    ]);
    // A TLS host is not also served in clear: no insecure pool, empty shared PG.
    expect(body(object(m, 'poolgroup', vs7)).members).toEqual([]);
    expect(body(object(m, 'vsvip', vs7)).dns_info).toEqual([{ fqdn: 'secure.example.com' }]);

    const child = body(object(m, 'virtualservice', 'c1--secure.example.com'));
    expect(child).toMatchObject({
      created_by: createdBy,
      type: 'VS_TYPE_VH_CHILD',
      vh_parent_vs_ref: `/api/virtualservice/?name=${vs7}`,
      vh_domain_name: ['secure.example.com'],
      application_profile_ref: '/api/applicationprofile/?name=System-Secure-HTTP',
      network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
      east_west_placement: false,
      ign_pool_net_reach: false,
      ssl_key_and_certificate_refs: ['/api/sslkeyandcertificate/?name=c1--secure.example.com'],
      http_policies: [{ index: 11, http_policy_set_ref: '/api/httppolicyset/?name=c1--default-secure.example.com' }],
      markers: [
        { key: 'clustername', values: ['c1'] },
        { key: 'Namespace', values: ['default'] },
        { key: 'Host', values: ['secure.example.com'] },
      ],
    });
    expect(child.tenant_ref).toBeUndefined();
    expect(child.vsvip_ref).toBeUndefined();
    expect(child.services).toBeUndefined();
    expect(JSON.parse(child.service_metadata)).toMatchObject({
      namespace_ingress_name: ['default/my-ing'],
      namespace: 'default',
      hostnames: ['secure.example.com'],
    });

    const cert = body(object(m, 'sslkeyandcertificate', 'c1--secure.example.com'));
    expect(cert).toMatchObject({
      created_by: createdBy,
      certificate: { certificate: f.CERT_PEM },
      key: f.KEY_PEM,
      type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
      markers: [
        { key: 'clustername', values: ['c1'] },
        { key: 'Host', values: ['secure.example.com'] },
      ],
    });

    const hps = body(object(m, 'httppolicyset', 'c1--default-secure.example.com'));
    expect(hps.http_request_policy.rules).toEqual([
      {
        name: 'c1--default-secure.example.com-0',
        index: 0,
        enable: true,
        match: { path: { match_criteria: 'EQUALS', match_case: 'SENSITIVE', match_str: ['/api'] } },
        switching_action: {
          action: 'HTTP_SWITCHING_SELECT_POOLGROUP',
          pool_group_ref: '/api/poolgroup/?name=c1--default-secure.example.com_api-my-ing',
        },
      },
      {
        name: 'c1--default-secure.example.com-1',
        index: 1,
        enable: true,
        match: { path: { match_criteria: 'BEGINS_WITH', match_case: 'SENSITIVE', match_str: ['/'] } },
        switching_action: {
          action: 'HTTP_SWITCHING_SELECT_POOLGROUP',
          pool_group_ref: '/api/poolgroup/?name=c1--default-secure.example.com_-my-ing',
        },
      },
    ]);
    expect(hps.http_security_policy).toEqual({});
    const sniPg = body(object(m, 'poolgroup', 'c1--default-secure.example.com_api-my-ing'));
    expect(sniPg.implicit_priority_labels).toBe(false);
    expect(sniPg.members).toEqual([
      { pool_ref: '/api/pool?name=c1--default-secure.example.com_api-my-ing', ratio: 100 },
    ]);
    const sniPool = body(object(m, 'pool', 'c1--default-secure.example.com_api-my-ing'));
    expect(sniPool.servers).toEqual([
      {
        ip: { addr: '10.244.2.7', type: 'V4' },
        port: 9090,
        external_uuid: '10.244.2.7:9090',
        enabled: true,
        server_node: 'node-2',
      },
    ]);
    expect(sniPool.markers.map((x: { key: string }) => x.key)).toEqual([
      'clustername',
      'Namespace',
      'Host',
      'ServiceName',
      'Path',
      'IngressName',
    ]);
  });
});

describe('ingress rules', () => {
  const inst = f.primary();
  const nsd = [f.ns('default', { app: 'migrate' })];
  const build = (objs: KubeObject[], facts = {}) =>
    buildModels(inst, f.view(nsd, [f.aviClass(), ...f.avisvc('default'), ...objs]), facts);

  it('paths sort longest first, then path-less; Exact → EQUALS, ImplementationSpecific → BEGINS_WITH', () => {
    const s = build([
      f.tlsSecret('default', 's'),
      f.ingress(
        'default',
        'i',
        [
          {
            host: 'foo.com',
            paths: [
              { path: '/a', pathType: 'ImplementationSpecific', service: 'avisvc' },
              { service: 'avisvc' },
              { path: '/abc/def', pathType: 'Exact', service: 'avisvc' },
              { path: '/abc', service: 'avisvc' },
            ],
          },
        ],
        { tls: [{ hosts: ['foo.com'], secretName: 's' }] },
      ),
    ]);
    const rules = body(object(model(s, 'admin/cluster--Shared-L7-0'), 'httppolicyset', 'cluster--default-foo.com'))
      .http_request_policy.rules;
    expect(
      rules.map((r: { match?: { path: { match_str: string[]; match_criteria: string } } }) => r.match?.path),
    ).toEqual([
      { match_criteria: 'EQUALS', match_case: 'SENSITIVE', match_str: ['/abc/def'] },
      { match_criteria: 'BEGINS_WITH', match_case: 'SENSITIVE', match_str: ['/abc'] },
      { match_criteria: 'BEGINS_WITH', match_case: 'SENSITIVE', match_str: ['/a'] },
      undefined,
    ]);
  });

  it('IngressClass: a class that is not avi-lb is skipped with the field named', () => {
    const other: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx' },
    };
    const s = build([
      other,
      f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }], {
        className: 'nginx',
      }),
    ]);
    expect(s.models).toEqual([]);
    expect(s.skipped).toEqual([
      expect.objectContaining({ kind: 'Ingress', namespace: 'default', name: 'i', field: 'spec.ingressClassName' }),
    ]);
  });

  it('IngressClass: no class name needs avi-lb as default class', () => {
    const v = f.view(nsd, [
      f.aviClass(false),
      ...f.avisvc('default'),
      f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }]),
    ]);
    const s = buildModels(inst, v);
    expect(s.models).toEqual([]);
    expect(s.skipped[0]?.field).toBe('spec.ingressClassName');
    const named = buildModels(
      inst,
      f.view(nsd, [
        f.aviClass(false),
        ...f.avisvc('default'),
        f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }], {
          className: 'avi-lb',
        }),
      ]),
    );
    expect(named.models.map((m) => m.name)).toEqual(['admin/cluster--Shared-L7-0']);
  });

  it('invalid host skipped; unknown service keeps an empty pool, missing secret keeps the shard (AKO); each reported with its cause', () => {
    const s = build([
      f.ingress(
        'default',
        'i',
        [
          { host: 'bad_host!', paths: [{ path: '/', service: 'avisvc' }] },
          { host: 'xyz.com', paths: [{ path: '/', service: 'nosuch' }] },
          { host: 'secure.example.com', paths: [{ path: '/', service: 'avisvc' }] },
          { host: 'foo.com', paths: [{ path: '/ok', service: 'avisvc' }] },
        ],
        { tls: [{ hosts: ['secure.example.com'], secretName: 'missing' }] },
      ),
    ]);
    // foo.com → shard 0, xyz.com → 3, secure.example.com → 7 (spec §2.5).
    expect(s.models.map((m) => m.name)).toEqual([
      'admin/cluster--Shared-L7-0',
      'admin/cluster--Shared-L7-3',
      'admin/cluster--Shared-L7-7',
    ]);
    expect(s.skipped.map((x) => [x.field, x.code])).toEqual([
      ['spec.rules[0].host', 'InvalidHost'],
      ['spec.rules[1].http.paths[0].backend.service.name', 'ServiceNotFound'],
      ['spec.tls[0].secretName', 'SecretNotFound'],
    ]);
    expect(s.skipped[0]?.reason).toContain('not a DNS name');
    expect(s.skipped[1]?.reason).toContain('Service default/nosuch not found');
    expect(s.skipped[2]?.reason).toContain('default/missing not found');
    const empty = model(s, 'admin/cluster--Shared-L7-3');
    expect(body(object(empty, 'pool', 'cluster--xyz.com_-default-i')).servers).toEqual([]);
    const secure = model(s, 'admin/cluster--Shared-L7-7');
    expect(names(secure)).not.toContain('virtualservice:cluster--secure.example.com');
    expect(names(secure)).not.toContain('httppolicyset:cluster--Shared-L7-7');
  });

  it('names over 255 characters are skipped, not truncated', () => {
    const longName = 'n'.repeat(250);
    const s = build([f.ingress('default', longName, [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }])]);
    // The shard VS stays (AKO builds it before the hosts); the over-long pool is not made.
    expect(s.models.map((m) => m.name)).toEqual(['admin/cluster--Shared-L7-0']);
    expect(names(s.models[0]!).filter((n) => n.startsWith('pool:'))).toEqual([]);
    expect(s.skipped[0]).toMatchObject({ name: longName, field: 'spec.rules[0].http.paths[0]', code: 'NameTooLong' });
    expect(s.skipped[0]?.reason).toContain('255');
  });

  it('host-less rule gets <ing>.<ns>.<subdomain> when the cloud has DNS; hosts outside the sub-domains are dropped', () => {
    const s = build(
      [
        f.ingress('default', 'i', [
          { paths: [{ path: '/', service: 'avisvc' }] },
          { host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] },
        ]),
      ],
      { dnsSubdomains: ['avi.internal'] },
    );
    const all = s.models.flatMap((m) => m.objects.map((o) => o.name));
    expect(all).toContain('cluster--i.default.avi.internal_-default-i');
    expect(s.skipped).toEqual([expect.objectContaining({ field: 'spec.rules[1].host' })]);
  });

  it('shared VS auto-FQDN in dns_info: <vs>.<tenant>.<subdomain>, flat <vs>-<tenant>.<subdomain>, none when disabled', () => {
    const v = f.view(nsd, [
      f.aviClass(),
      ...f.avisvc('default'),
      f.ingress('default', 'i', [{ host: 'foo.avi.internal', paths: [{ path: '/', service: 'avisvc' }] }]),
    ]);
    const facts = { dnsSubdomains: ['avi.internal'] };
    const shard = (i: ReturnType<typeof f.primary>) => {
      const m = buildModels(i, v, facts).models[0]!;
      return body(m.objects[0]!).dns_info;
    };
    const sh = f.primary().l7.shardVSSize === 'LARGE' ? 'cluster--Shared-L7-' : '';
    const first = shard(f.primary());
    expect(first[0].fqdn).toMatch(new RegExp(`^${sh}\\d\\.admin\\.avi\\.internal$`));
    expect(first[1]).toEqual({ fqdn: 'foo.avi.internal' });
    expect(shard(f.primary({ 'L4Settings.autoFQDN': 'flat' }))[0].fqdn).toMatch(
      /^cluster--Shared-L7-\d-admin\.avi\.internal$/,
    );
    expect(shard(f.primary({ 'L4Settings.autoFQDN': 'disabled' }))).toEqual([{ fqdn: 'foo.avi.internal' }]);
    expect(shard(f.blue())[0].fqdn).toMatch(/^cluster--blue-Shared-L7-\d\.admin\.avi\.internal$/);
  });

  it('enable-tls annotation secures every host with the AKO-namespace router-certs-default', () => {
    const v = f.view(nsd, [
      f.aviClass(),
      ...f.avisvc('default'),
      f.tlsSecret('avi-system', 'router-certs-default'),
      f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }], {
        annotations: { 'ako.vmware.com/enable-tls': 'true' },
      }),
    ]);
    const m = buildModels(inst, v).models[0]!;
    expect(names(m)).toContain('sslkeyandcertificate:cluster--router-certs-default');
    expect(body(object(m, 'sslkeyandcertificate', 'cluster--router-certs-default')).markers).toEqual([
      { key: 'clustername', values: ['cluster'] },
    ]);
  });

  it('a bad boolean annotation skips the ingress with the annotation named', () => {
    const s = build([
      f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }], {
        annotations: { 'passthrough.ako.vmware.com/enabled': 'yes' },
      }),
    ]);
    expect(s.models).toEqual([]);
    expect(s.skipped[0]?.field).toBe('metadata.annotations["passthrough.ako.vmware.com/enabled"]');
  });

  it('tenant from the namespace annotation: model key, tenant_ref and dns tenant', () => {
    const v = f.view(
      [f.ns('team', { app: 'migrate' }, { 'ako.vmware.com/tenant-name': 'team-a' })],
      [
        f.aviClass(),
        ...f.avisvc('team'),
        f.ingress('team', 'i', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }]),
      ],
    );
    const m = buildModels(inst, v).models[0]!;
    expect(m.name).toBe('team-a/cluster--Shared-L7-0');
    expect(m.tenant).toBe('team-a');
    expect(m.objects.every((o) => o.tenant === 'team-a')).toBe(true);
    expect(body(object(m, 'pool', 'cluster--foo.com_-team-i')).tenant_ref).toBe('/api/tenant/?name=team-a');
  });

  it('ingresses in two namespaces sharing a TLS host share the SNI child, one policy set per namespace', () => {
    const v = f.view(
      [f.ns('a', { app: 'migrate' }), f.ns('b', { app: 'migrate' })],
      [
        f.aviClass(),
        ...f.avisvc('a'),
        ...f.avisvc('b'),
        f.tlsSecret('a', 's'),
        f.tlsSecret('b', 's'),
        f.ingress('a', 'ia', [{ host: 'foo.com', paths: [{ path: '/x', service: 'avisvc' }] }], {
          tls: [{ hosts: ['foo.com'], secretName: 's' }],
        }),
        f.ingress('b', 'ib', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }], {
          tls: [{ hosts: ['foo.com'], secretName: 's' }],
        }),
      ],
    );
    const m = buildModels(inst, v).models[0]!;
    const child = body(object(m, 'virtualservice', 'cluster--foo.com'));
    expect(child.http_policies).toEqual([
      { index: 11, http_policy_set_ref: '/api/httppolicyset/?name=cluster--b-foo.com' },
      { index: 12, http_policy_set_ref: '/api/httppolicyset/?name=cluster--a-foo.com' },
    ]);
    expect(m.objects.filter((o) => o.type === 'virtualservice')).toHaveLength(2);
  });

  it('dedicated mode: <cluster>--<host>-L7-dedicated, no datascript or shared PG, no AKO namespace for non-primary', () => {
    for (const i of [
      f.primary({ 'L7Settings.shardVSSize': 'DEDICATED' }),
      f.blue({ 'L7Settings.shardVSSize': 'DEDICATED' }),
    ]) {
      const v = f.view(
        [f.ns('default', { app: 'migrate', key: 'value2' })],
        [
          f.aviClass(),
          ...f.avisvc('default'),
          f.tlsSecret('default', 's'),
          f.ingress('default', 'i', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc' }] }], {
            tls: [{ hosts: ['foo.com'], secretName: 's' }],
          }),
        ],
      );
      const m = buildModels(i, v).models[0]!;
      expect(m.name).toBe('admin/cluster--foo.com-L7-dedicated');
      expect(names(m)).toEqual([
        'vsvip:cluster--foo.com-L7-dedicated',
        'sslkeyandcertificate:cluster--foo.com',
        'pool:cluster--default-foo.com_foo-i-L7-dedicated',
        'poolgroup:cluster--default-foo.com_foo-i-L7-dedicated',
        'httppolicyset:cluster--default-foo.com',
        'httppolicyset:cluster--foo.com-L7-dedicated',
        'virtualservice:cluster--foo.com-L7-dedicated',
      ]);
      const vs = body(object(m, 'virtualservice', 'cluster--foo.com-L7-dedicated'));
      expect(vs.type).toBe('VS_TYPE_NORMAL');
      expect(vs.application_profile_ref).toBe('/api/applicationprofile/?name=System-Secure-HTTP');
      expect(vs.services.map((x: { port: number }) => x.port)).toEqual([80, 443]);
      expect(vs.created_by).toBe(i.createdBy);
    }
  });

  it('passthrough annotation: shared passthrough VS with L4 datascript, PG <cluster>--<host>, pool <cluster>--<host>-<svc>', () => {
    const v = f.view(nsd, [
      f.aviClass(),
      ...f.avisvc('default'),
      f.ingress('default', 'i', [{ host: 'pass1.avi.internal', paths: [{ path: '/', service: 'avisvc' }] }], {
        annotations: { 'passthrough.ako.vmware.com/enabled': 'true' },
      }),
    ]);
    const m = buildModels(f.primary({ 'L7Settings.passthroughShardSize': 'MEDIUM' }), v).models[0]!;
    expect(m.name).toBe('admin/cluster--Shared-Passthrough-2');
    expect(names(m)).toEqual([
      'vsvip:cluster--Shared-Passthrough-2',
      'pool:cluster--pass1.avi.internal-avisvc',
      'poolgroup:cluster--pass1.avi.internal',
      'vsdatascriptset:cluster--Shared-Passthrough-2',
      'virtualservice:cluster--Shared-Passthrough-2',
      'httppolicyset:cluster--Shared-Passthrough-2-insecure',
      'virtualservice:cluster--Shared-Passthrough-2-insecure',
    ]);
    const ds = body(object(m, 'vsdatascriptset', 'cluster--Shared-Passthrough-2'));
    expect(ds.datascript[0].evt).toBe('VS_DATASCRIPT_EVT_L4_REQUEST');
    expect(ds.protocol_parser_refs).toEqual(['/api/protocolparser/?name=Default-TLS']);
    const vs = body(object(m, 'virtualservice', 'cluster--Shared-Passthrough-2'));
    expect(vs.services).toEqual([{ port: 443, port_range_end: 443, enable_ssl: false, enable_http2: false }]);
    expect(vs.application_profile_ref).toBe('/api/applicationprofile/?name=System-L4-Application');
    const b = buildModels(f.blue(), v).models[0]!;
    expect(b.name).toBe('admin/cluster--blue-Shared-Passthrough-0');
  });
});
