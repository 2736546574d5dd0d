import { describe, expect, it } from 'vitest';
import { buildModels } from '../../shared/model/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

function route(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name, namespace }, spec };
}

describe('OpenShift Route', () => {
  const inst = f.primary();
  const nsr = [f.ns('default', { app: 'migrate' })];
  const base = [...f.avisvc('default'), ...f.avisvc('default', '2.2.2.2', 'avisvc2')];

  it('insecure route: pool <cluster>--<host>-<ns>-<route>-<svc>, label = host', () => {
    const s = buildModels(
      inst,
      f.view(nsr, [...base, route('default', 'foo', { host: 'foo.com', to: { kind: 'Service', name: 'avisvc' } })]),
    );
    const m = model(s, 'admin/cluster--Shared-L7-0');
    expect(body(object(m, 'poolgroup', 'cluster--Shared-L7-0')).members).toEqual([
      { pool_ref: '/api/pool?name=cluster--foo.com-default-foo-avisvc', priority_label: 'foo.com', ratio: 100 },
    ]);
    expect(body(object(m, 'pool', 'cluster--foo.com-default-foo-avisvc')).markers).toContainEqual({
      key: 'ServiceName',
      values: ['avisvc'],
    });
  });

  it('alternate backends share the priority label, ratio = weight', () => {
    const s = buildModels(
      inst,
      f.view(nsr, [
        ...base,
        route('default', 'foo', {
          host: 'foo.com',
          path: '/foo',
          to: { kind: 'Service', name: 'avisvc', weight: 70 },
          alternateBackends: [{ kind: 'Service', name: 'avisvc2', weight: 30 }],
        }),
      ]),
    );
    expect(body(object(model(s, 'admin/cluster--Shared-L7-0'), 'poolgroup', 'cluster--Shared-L7-0')).members).toEqual([
      { pool_ref: '/api/pool?name=cluster--foo.com_foo-default-foo-avisvc', priority_label: 'foo.com/foo', ratio: 70 },
      { pool_ref: '/api/pool?name=cluster--foo.com_foo-default-foo-avisvc2', priority_label: 'foo.com/foo', ratio: 30 },
    ]);
  });

  it('edge with inline cert and caCertificate, Redirect: SNI child, CA cert, redirect rule (AKO secure route test names)', () => {
    const s = buildModels(
      inst,
      f.view(nsr, [
        ...base,
        route('default', 'foo', {
          host: 'foo.com',
          path: '/foo/bar',
          to: { kind: 'Service', name: 'avisvc' },
          tls: {
            termination: 'edge',
            certificate: f.CERT_PEM,
            key: f.KEY_PEM,
            caCertificate: 'CA-PEM',
            insecureEdgeTerminationPolicy: 'Redirect',
          },
        }),
      ]),
    );
    const m = model(s, 'admin/cluster--Shared-L7-0');
    expect(names(m)).toEqual([
      'vsvip:cluster--Shared-L7-0',
      'poolgroup:cluster--Shared-L7-0',
      'httppolicyset:cluster--Shared-L7-0',
      'vsdatascriptset:cluster--Shared-L7-0',
      'virtualservice:cluster--Shared-L7-0',
      'sslkeyandcertificate:cluster--foo.com-cacert',
      'sslkeyandcertificate:cluster--foo.com',
      'pool:cluster--default-foo.com_foo_bar-foo-avisvc',
      'poolgroup:cluster--default-foo.com_foo_bar-foo',
      'httppolicyset:cluster--default-foo.com',
      'virtualservice:cluster--foo.com',
    ]);
    expect(body(object(m, 'sslkeyandcertificate', 'cluster--foo.com')).ca_certs).toEqual([
      { ca_ref: '/api/sslkeyandcertificate/?name=cluster--foo.com-cacert', name: 'cluster--foo.com-cacert' },
    ]);
    expect(body(object(m, 'sslkeyandcertificate', 'cluster--foo.com-cacert')).type).toBe('SSL_CERTIFICATE_TYPE_CA');
  });

  it('edge without Redirect: no redirect policy; Allow: also an insecure pool on the shared PG', () => {
    const mk = (policy: string) =>
      buildModels(
        inst,
        f.view(nsr, [
          ...base,
          route('default', 'foo', {
            host: 'foo.com',
            to: { kind: 'Service', name: 'avisvc' },
            tls: {
              termination: 'edge',
              certificate: f.CERT_PEM,
              key: f.KEY_PEM,
              insecureEdgeTerminationPolicy: policy,
            },
          }),
        ]),
      ).models[0]!;
    expect(names(mk('None'))).not.toContain('httppolicyset:cluster--Shared-L7-0');
    const allow = mk('Allow');
    const pool = body(object(allow, 'pool', 'cluster--foo.com-default-foo-avisvc'));
    expect(JSON.parse(pool.service_metadata).insecureedgetermallow).toBe(true);
  });

  it('reencrypt: SNI pool sni_enabled with System-Standard, PKI profile from destinationCACertificate', () => {
    const m = buildModels(
      inst,
      f.view(nsr, [
        ...base,
        route('default', 'foo', {
          host: 'foo.com',
          to: { kind: 'Service', name: 'avisvc' },
          tls: {
            termination: 'reencrypt',
            certificate: f.CERT_PEM,
            key: f.KEY_PEM,
            destinationCACertificate: 'DEST-CA',
          },
        }),
      ]),
    ).models[0]!;
    const pool = body(object(m, 'pool', 'cluster--default-foo.com-foo-avisvc'));
    expect(pool.sni_enabled).toBe(true);
    expect(pool.ssl_profile_ref).toBe('/api/sslprofile?name=System-Standard');
    expect(pool.pki_profile_ref).toBe('/api/pkiprofile/?name=cluster--default-foo.com-foo-avisvc-pkiprofile');
    expect(body(object(m, 'pkiprofile', 'cluster--default-foo.com-foo-avisvc-pkiprofile')).ca_certs).toEqual([
      { certificate: 'DEST-CA' },
    ]);
  });

  it('edge without a key pair uses the AKO-namespace router-certs-default; missing → skipped', () => {
    const r = route('default', 'foo', {
      host: 'foo.com',
      to: { kind: 'Service', name: 'avisvc' },
      tls: { termination: 'edge' },
    });
    const missing = buildModels(inst, f.view(nsr, [...base, r]));
    // The shard VS stays without an SNI child (AKO's TestL7ModelNoSecretToSecret).
    expect(missing.models.map((m) => m.name)).toEqual(['admin/cluster--Shared-L7-0']);
    expect(names(missing.models[0]!)).not.toContain('virtualservice:cluster--foo.com');
    expect(missing.skipped[0]).toMatchObject({ kind: 'Route', name: 'foo', field: 'spec.tls', code: 'SecretNotFound' });
    const ok = buildModels(inst, f.view(nsr, [...base, r, f.tlsSecret('avi-system', 'router-certs-default')]));
    expect(names(ok.models[0]!)).toContain('sslkeyandcertificate:cluster--router-certs-default');
  });

  it('passthrough route: shared passthrough VS; Redirect adds the -insecure companion on port 80', () => {
    const m = buildModels(
      inst,
      f.view(nsr, [
        ...base,
        route('default', 'pass', {
          host: 'pass1.avi.internal',
          to: { kind: 'Service', name: 'avisvc' },
          tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'Redirect' },
        }),
      ]),
    ).models[0]!;
    expect(m.name).toBe('admin/cluster--Shared-Passthrough-0');
    expect(names(m)).toContain('virtualservice:cluster--Shared-Passthrough-0-insecure');
    expect(body(object(m, 'virtualservice', 'cluster--Shared-Passthrough-0-insecure')).services[0].port).toBe(80);
  });
});

describe('Service type LoadBalancer (L4)', () => {
  const nsd = [f.ns('default', { app: 'migrate' })];
  const lb = (extra: Record<string, unknown> = {}, annotations?: Record<string, string>, name = 'my-lb') =>
    f.service(
      'default',
      name,
      [
        { port: 80, name: 'http', targetPort: 8080, protocol: 'TCP' },
        { port: 53, name: 'dns', targetPort: 5353, protocol: 'UDP' },
      ],
      { type: 'LoadBalancer', ...extra },
      annotations,
    );
  const slices = f.slice(
    'default',
    'my-lb',
    ['10.0.0.1'],
    [
      { port: 8080, name: 'http' },
      { port: 5353, name: 'dns' },
    ],
  );

  it('spec §4 example: VS/VsVip/L4PS c1--default-my-lb, pools by protocol and port, rules named by pool ref', () => {
    for (const inst of [f.primary({}, 'c1'), f.blue({}, 'c1')]) {
      const s = buildModels(inst, f.view(nsd, [lb(), slices]), { dnsSubdomains: ['avi.internal'] });
      const m = model(s, 'admin/c1--default-my-lb');
      expect(names(m)).toEqual([
        'vsvip:c1--default-my-lb',
        'pool:c1--default-my-lb-TCP-80',
        'pool:c1--default-my-lb-UDP-53',
        'l4policyset:c1--default-my-lb',
        'virtualservice:c1--default-my-lb',
      ]);
      const ps = body(object(m, 'l4policyset', 'c1--default-my-lb'));
      expect(ps.l4_connection_policy.rules).toEqual([
        {
          name: '/api/pool?name=c1--default-my-lb-TCP-80',
          index: 0,
          action: {
            select_pool: {
              action_type: 'L4_RULE_ACTION_SELECT_POOL',
              pool_ref: '/api/pool?name=c1--default-my-lb-TCP-80',
            },
          },
          match: {
            port: { match_criteria: 'IS_IN', ports: [80] },
            protocol: { match_criteria: 'IS_IN', protocol: 'PROTOCOL_TCP' },
          },
        },
        {
          name: '/api/pool?name=c1--default-my-lb-UDP-53',
          index: 1,
          action: {
            select_pool: {
              action_type: 'L4_RULE_ACTION_SELECT_POOL',
              pool_ref: '/api/pool?name=c1--default-my-lb-UDP-53',
            },
          },
          match: {
            port: { match_criteria: 'IS_IN', ports: [53] },
            protocol: { match_criteria: 'IS_IN', protocol: 'PROTOCOL_UDP' },
          },
        },
      ]);
      expect(ps.markers).toEqual([
        { key: 'clustername', values: ['c1'] },
        { key: 'Namespace', values: ['default'] },
        { key: 'ServiceName', values: ['my-lb'] },
        { key: 'Protocol', values: ['TCP,UDP'] },
      ]);
      const vs = body(object(m, 'virtualservice', 'c1--default-my-lb'));
      expect(vs).toMatchObject({
        created_by: inst.createdBy,
        application_profile_ref: '/api/applicationprofile/?name=System-L4-Application',
        network_profile_ref: '/api/networkprofile/?name=System-TCP-Proxy',
        services: [
          { port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false },
          {
            port: 53,
            port_range_end: 53,
            enable_ssl: false,
            enable_http2: false,
            override_network_profile_ref: '/api/networkprofile/?name=System-UDP-Fast-Path',
          },
        ],
        l4_policies: [{ index: 0, l4_policy_set_ref: '/api/l4policyset/?name=c1--default-my-lb' }],
        remove_listening_port_on_vs_down: true,
        traffic_enabled: true,
      });
      expect(JSON.parse(vs.service_metadata)).toMatchObject({
        namespace_svc_name: ['default/my-lb'],
        hostnames: ['my-lb.default.avi.internal'],
      });
      expect(body(object(m, 'vsvip', 'c1--default-my-lb')).dns_info).toEqual([{ fqdn: 'my-lb.default.avi.internal' }]);
      const udp = body(object(m, 'pool', 'c1--default-my-lb-UDP-53'));
      expect(udp.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-UDP']);
      expect(udp.servers).toEqual([
        { ip: { addr: '10.0.0.1', type: 'V4' }, port: 5353, external_uuid: '10.0.0.1:5353', enabled: true },
      ]);
      expect(udp.markers).toContainEqual({ key: 'Port', values: ['53'] });
    }
  });

  it('UDP-only → UDP fast path; flat auto-FQDN; external-dns annotation wins; load-balancer IP', () => {
    const udpOnly = f.service('default', 'dns', [{ port: 53, protocol: 'UDP' }], {
      type: 'LoadBalancer',
      loadBalancerIP: '10.9.9.9',
    });
    const s = buildModels(f.primary({ 'L4Settings.autoFQDN': 'flat' }), f.view(nsd, [udpOnly]), {
      dnsSubdomains: ['avi.internal'],
    });
    const m = s.models[0]!;
    expect(body(object(m, 'virtualservice', 'cluster--default-dns')).network_profile_ref).toBe(
      '/api/networkprofile/?name=System-UDP-Fast-Path',
    );
    const vip = body(object(m, 'vsvip', 'cluster--default-dns'));
    expect(vip.dns_info).toEqual([{ fqdn: 'dns-default.avi.internal' }]);
    expect(vip.vip[0]).toMatchObject({ auto_allocate_ip: false, ip_address: { addr: '10.9.9.9', type: 'V4' } });
    const ext = buildModels(
      f.primary(),
      f.view(nsd, [lb({}, { 'external-dns.alpha.kubernetes.io/hostname': 'a.example.com,b.example.com' })]),
      {
        dnsSubdomains: ['avi.internal'],
      },
    );
    expect(body(ext.models[0]!.objects[0]!).dns_info).toEqual([{ fqdn: 'a.example.com' }, { fqdn: 'b.example.com' }]);
  });

  it('loadBalancerClass and layer7Only rules', () => {
    const v = (svc: KubeObject) => f.view(nsd, [svc]);
    expect(buildModels(f.primary(), v(lb({ loadBalancerClass: 'ako.vmware.com/avi-lb' }))).models).toHaveLength(1);
    expect(buildModels(f.primary(), v(lb({ loadBalancerClass: 'other.io/lb' }))).models).toHaveLength(0);
    expect(buildModels(f.primary({ 'L4Settings.defaultLBController': false }), v(lb())).models).toHaveLength(0);
    expect(
      buildModels(
        f.primary({ 'L4Settings.defaultLBController': false }),
        v(lb({ loadBalancerClass: 'ako.vmware.com/avi-lb' })),
      ).models,
    ).toHaveLength(1);
    expect(buildModels(f.primary({ 'AKOSettings.layer7Only': true }), v(lb())).models).toHaveLength(0);
  });

  it('disable-traffic annotation; a bad value is skipped with the annotation named', () => {
    const off = buildModels(f.primary(), f.view(nsd, [lb({}, { 'ako.vmware.com/disable-traffic': 'true' })]));
    expect(body(object(off.models[0]!, 'virtualservice', 'cluster--default-my-lb')).traffic_enabled).toBe(false);
    const bad = buildModels(f.primary(), f.view(nsd, [lb({}, { 'ako.vmware.com/disable-traffic': 'maybe' })]));
    expect(bad.models).toEqual([]);
    expect(bad.skipped[0]?.field).toBe('metadata.annotations["ako.vmware.com/disable-traffic"]');
  });
});
