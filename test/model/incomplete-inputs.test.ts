// AKO's behaviour where inputs are incomplete, and the Ingress/Service features its users rely on. Expected
// names and fields come from AKO's own tests (tests/ingresstests, tests/integrationtest) and source
// (internal/nodes, internal/lib), never from this project's output.
import { describe, expect, it } from 'vitest';
import {
  affectedModels,
  applyChange,
  buildModels,
  buildSelectedModels,
  knownShardsOf,
} from '../../shared/model/index.ts';
import type { AviModel, CloudFacts, ClusterView, KubeObject } from '../../shared/model/types.ts';
import { objectKey } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

const nsd = [f.ns('default', { app: 'migrate' }), f.ns('red-ns', { app: 'migrate' })];

/** Applies changes the way the sync side does (affected before + after → selected rebuild), keeping the models. */
function driver(inst: InstanceConfig, objects: KubeObject[], facts: () => CloudFacts = () => ({})) {
  let view: ClusterView = f.view(nsd, objects);
  const models = new Map<string, AviModel>();
  for (const m of buildModels(inst, view, facts()).models) models.set(m.name, m);
  return {
    models,
    change(op: 'upsert' | 'delete', o: KubeObject) {
      const before = view.objects.find((x) => objectKey(x) === objectKey(o));
      const touched = new Set<string>();
      if (before) for (const n of affectedModels(inst, view, before)) touched.add(n);
      view = applyChange(view, { op, object: o });
      if (op === 'upsert') for (const n of affectedModels(inst, view, o)) touched.add(n);
      const rebuilt = buildSelectedModels(inst, view, touched, facts());
      for (const n of touched) models.delete(n);
      for (const m of rebuilt.models) models.set(m.name, m);
      // Level-triggered: the same as a full build of the new view.
      const full = buildModels(inst, JSON.parse(JSON.stringify(view)), facts());
      expect([...models.keys()].sort()).toEqual(full.models.map((m) => m.name));
      return rebuilt;
    },
    get(name: string): AviModel {
      const m = models.get(name);
      if (!m) throw new Error(`no model ${name}; have ${[...models.keys()].join(', ')}`);
      return m;
    },
  };
}

const fooIng = (svc = 'avisvc') =>
  f.ingress('default', 'foo-ing', [{ host: 'foo.com', paths: [{ path: '/foo', service: svc }] }]);
const SHARD0 = 'admin/cluster--Shared-L7-0'; // foo.com → shard 0 (spec §2.5)

describe('missing backend Service (AKO TestMultiIngressToSameSvc: the model keeps 1 VS, 1 datascript, 1 pool)', () => {
  it('the shard VS, its VsVip, the datascript and a pool with no servers stay; the cause is ServiceNotFound', () => {
    const s = buildModels(f.primary(), f.view(nsd, [f.aviClass(), fooIng('nosuch')]));
    const m = model(s, SHARD0);
    expect(names(m)).toEqual([
      'vsvip:cluster--Shared-L7-0',
      'pool:cluster--foo.com_foo-default-foo-ing',
      'poolgroup:cluster--Shared-L7-0',
      'vsdatascriptset:cluster--Shared-L7-0',
      'virtualservice:cluster--Shared-L7-0',
    ]);
    expect(body(object(m, 'pool', 'cluster--foo.com_foo-default-foo-ing')).servers).toEqual([]);
    expect(body(object(m, 'poolgroup', 'cluster--Shared-L7-0')).members).toEqual([
      expect.objectContaining({
        pool_ref: '/api/pool?name=cluster--foo.com_foo-default-foo-ing',
        priority_label: 'foo.com/foo',
      }),
    ]);
    expect(body(object(m, 'vsvip', 'cluster--Shared-L7-0')).dns_info).toEqual([{ fqdn: 'foo.com' }]);
    expect(s.skipped).toEqual([expect.objectContaining({ kind: 'Ingress', name: 'foo-ing', code: 'ServiceNotFound' })]);
  });

  it('a secure host whose Service is missing keeps its SNI child with an empty pool', () => {
    const ing = f.ingress('default', 'sec', [{ host: 'foo.com', paths: [{ path: '/', service: 'nosuch' }] }], {
      tls: [{ hosts: ['foo.com'], secretName: 'tls' }],
    });
    const m = model(buildModels(f.primary(), f.view(nsd, [f.aviClass(), ing, f.tlsSecret('default', 'tls')])), SHARD0);
    expect(names(m)).toContain('virtualservice:cluster--foo.com');
    expect(body(object(m, 'pool', 'cluster--default-foo.com_-sec')).servers).toEqual([]);
  });

  it('Service deleted → re-created: the shard model and its VsVip never leave (the VIP is kept)', () => {
    const [svc, slice] = f.avisvc('default');
    const d = driver(f.primary(), [f.aviClass(), svc!, slice!, fooIng()]);
    const vip = object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0');
    const pool = 'cluster--foo.com_foo-default-foo-ing';
    expect(body(object(d.get(SHARD0), 'pool', pool)).servers).toHaveLength(1);
    d.change('delete', svc!);
    expect(object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0')).toEqual(vip);
    expect(body(object(d.get(SHARD0), 'pool', pool)).servers).toEqual([]);
    d.change('upsert', svc!);
    expect(object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0')).toEqual(vip);
    expect(body(object(d.get(SHARD0), 'pool', pool)).servers).toEqual([
      expect.objectContaining({ ip: { addr: '1.1.1.1', type: 'V4' }, port: 8080 }),
    ]);
  });
});

describe('missing TLS secret (AKO TestL7ModelNoSecretToSecret, TestPortsForInsecureAndSecureSNI)', () => {
  const secure = () =>
    f.ingress('default', 'foo-no-secret', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc' }] }], {
      tls: [{ hosts: ['foo.com'], secretName: 'my-secret' }],
    });

  it('keeps the shard VS with ports 80 and 443, no SNI child, no redirect; the cause is SecretNotFound', () => {
    const s = buildModels(f.primary(), f.view(nsd, [f.aviClass(), ...f.avisvc('default'), secure()]));
    const m = model(s, SHARD0);
    expect(names(m)).toEqual([
      'vsvip:cluster--Shared-L7-0',
      'poolgroup:cluster--Shared-L7-0',
      'vsdatascriptset:cluster--Shared-L7-0',
      'virtualservice:cluster--Shared-L7-0',
    ]);
    const vs = body(object(m, 'virtualservice', 'cluster--Shared-L7-0'));
    expect(vs.services.map((p: { port: number; enable_ssl: boolean }) => [p.port, p.enable_ssl])).toEqual([
      [80, false],
      [443, true],
    ]);
    expect(vs.http_policies).toBeUndefined();
    expect(s.skipped).toEqual([
      expect.objectContaining({ name: 'foo-no-secret', field: 'spec.tls[0].secretName', code: 'SecretNotFound' }),
    ]);
  });

  it('Secret created → SNI child under the same VsVip; deleted → child gone, VsVip unchanged; re-created → back', () => {
    const d = driver(f.primary(), [f.aviClass(), ...f.avisvc('default'), secure()]);
    const vip = object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0');
    const secret = f.tlsSecret('default', 'my-secret');
    d.change('upsert', secret);
    expect(names(d.get(SHARD0))).toContain('virtualservice:cluster--foo.com');
    expect(names(d.get(SHARD0))).toContain('httppolicyset:cluster--Shared-L7-0'); // the redirect, now
    const withChild = object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0');
    d.change('delete', secret);
    expect(names(d.get(SHARD0))).not.toContain('virtualservice:cluster--foo.com');
    expect(object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0')).toEqual(vip);
    d.change('upsert', secret);
    expect(object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0')).toEqual(withChild);
  });

  it('an Opaque Secret with tls.crt/tls.key works like a kubernetes.io/tls one (AKO reads it by name)', () => {
    const opaque = { ...f.tlsSecret('default', 'my-secret'), type: 'Opaque' };
    const m = model(
      buildModels(f.primary(), f.view(nsd, [f.aviClass(), ...f.avisvc('default'), secure(), opaque])),
      SHARD0,
    );
    expect(names(m)).toContain('sslkeyandcertificate:cluster--foo.com');
    expect(names(m)).toContain('virtualservice:cluster--foo.com');
  });

  it('certificate data that is not PEM: no certificate, no child, the cause is InvalidCertificate (key never quoted)', () => {
    const bad = f.tlsSecret('default', 'my-secret', 'tlsCert', 'super-secret-key-material');
    const s = buildModels(f.primary(), f.view(nsd, [f.aviClass(), ...f.avisvc('default'), secure(), bad]));
    expect(names(model(s, SHARD0))).not.toContain('sslkeyandcertificate:cluster--foo.com');
    expect(s.skipped).toEqual([expect.objectContaining({ name: 'foo-no-secret', code: 'InvalidCertificate' })]);
    expect(s.skipped[0]!.reason).toContain('tls.crt is not PEM');
    expect(JSON.stringify(s.skipped)).not.toContain('super-secret-key-material');
    const keyBad = f.tlsSecret('default', 'my-secret', f.CERT_PEM, 'super-secret-key-material');
    const k = buildModels(f.primary(), f.view(nsd, [f.aviClass(), ...f.avisvc('default'), secure(), keyBad]));
    expect(k.skipped[0]).toMatchObject({ code: 'InvalidCertificate' });
    expect(k.skipped[0]!.reason).toContain('tls.key is not PEM');
    expect(JSON.stringify(k.skipped)).not.toContain('super-secret-key-material');
  });
});

describe('passthrough Ingress (AKO TestPassthroughIngress)', () => {
  it('always gets cluster--Shared-Passthrough-0-insecure with a 302 redirect of the host to HTTPS', () => {
    const ing = f.ingress('default', 'foo-pass', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }], {
      annotations: { 'passthrough.ako.vmware.com/enabled': 'true' },
    });
    const m = model(
      buildModels(f.primary(), f.view(nsd, [f.aviClass(), ...f.avisvc('default'), ing])),
      'admin/cluster--Shared-Passthrough-0',
    );
    const insecure = body(object(m, 'virtualservice', 'cluster--Shared-Passthrough-0-insecure'));
    expect(insecure.services).toEqual([{ port: 80, port_range_end: 80, enable_ssl: false, enable_http2: false }]);
    expect(insecure.vsvip_ref).toBe('/api/vsvip/?name=cluster--Shared-Passthrough-0');
    const rule = body(object(m, 'httppolicyset', 'cluster--Shared-Passthrough-0-insecure')).http_request_policy
      .rules[0];
    expect(rule.match.host_hdr.value).toEqual(['foo.com']);
    expect(rule.redirect_action).toEqual({
      protocol: 'HTTPS',
      port: 443,
      status_code: 'HTTP_REDIRECT_STATUS_CODE_302',
    });
  });
});

describe('ako.vmware.com/enable-shared-vip (AKO TestSharedVIPSvcWithTCPUDPProtocols)', () => {
  const lb = (name: string, protocol: string, key = 'shared-vip-key', extra: Record<string, unknown> = {}) =>
    f.service(
      'red-ns',
      name,
      [{ port: 8080, name: 'foo0', targetPort: 8080, protocol }],
      { type: 'LoadBalancer', ...extra },
      {
        'ako.vmware.com/enable-shared-vip': key,
      },
    );
  const sl = (svc: string, addr: string) => f.slice('red-ns', svc, [addr]);
  const objs = () => [
    lb('shared-vip-svc-01', 'TCP'),
    sl('shared-vip-svc-01', '1.1.1.1'),
    lb('shared-vip-svc-02', 'UDP'),
    sl('shared-vip-svc-02', '2.1.1.1'),
  ];
  const NAME = 'admin/cluster--red-ns-shared-vip-key';
  const VS = 'cluster--red-ns-shared-vip-key';
  const POOL1 = 'cluster--red-ns-shared-vip-svc-01-shared-vip-key-TCP-8080';
  const POOL2 = 'cluster--red-ns-shared-vip-svc-02-shared-vip-key-UDP-8080';

  it('one L4 VS cluster--<ns>-<key> with TCP 8080 and UDP 8080, one pool per Service port, one policy set', () => {
    const s = buildModels(f.primary(), f.view(nsd, objs()));
    expect(s.models.map((m) => m.name)).toEqual([NAME]);
    const m = model(s, NAME);
    expect(names(m)).toEqual([
      `vsvip:${VS}`,
      `pool:${POOL1}`,
      `pool:${POOL2}`,
      `l4policyset:${VS}`,
      `virtualservice:${VS}`,
    ]);
    const vs = body(object(m, 'virtualservice', VS));
    // Mixed protocols: TCP profile on the VS, UDP fast path as the override on the UDP port (avi_obj_vs.go).
    expect(vs.network_profile_ref).toBe('/api/networkprofile/?name=System-TCP-Proxy');
    expect(vs.services).toEqual([
      { port: 8080, port_range_end: 8080, enable_ssl: false, enable_http2: false },
      {
        port: 8080,
        port_range_end: 8080,
        enable_ssl: false,
        enable_http2: false,
        override_network_profile_ref: '/api/networkprofile/?name=System-UDP-Fast-Path',
      },
    ]);
    expect(vs.markers).toEqual([
      { key: 'clustername', values: ['cluster'] },
      { key: 'Namespace', values: ['red-ns'] },
      { key: 'GatewayName', values: ['shared-vip-key'] },
    ]);
    const rules = body(object(m, 'l4policyset', VS)).l4_connection_policy.rules;
    expect(
      rules.map((r: { match: { protocol: { protocol: string } }; action: { select_pool: { pool_ref: string } } }) => [
        r.match.protocol.protocol,
        r.action.select_pool.pool_ref,
      ]),
    ).toEqual([
      ['PROTOCOL_TCP', `/api/pool?name=${POOL1}`],
      ['PROTOCOL_UDP', `/api/pool?name=${POOL2}`],
    ]);
    expect(body(object(m, 'pool', POOL2)).servers).toEqual([
      expect.objectContaining({ ip: { addr: '2.1.1.1', type: 'V4' }, port: 8080 }),
    ]);
    expect(body(object(m, 'pool', POOL1)).markers).toEqual([
      { key: 'clustername', values: ['cluster'] },
      { key: 'Namespace', values: ['red-ns'] },
      { key: 'ServiceName', values: ['shared-vip-svc-01'] },
      { key: 'Port', values: ['8080'] },
      { key: 'Protocol', values: ['TCP'] },
      { key: 'GatewayName', values: ['shared-vip-key'] },
    ]);
  });

  it('one Service turned ClusterIP leaves one UDP pool and the UDP fast-path profile (TestSharedVIPSvcTransitionSingle)', () => {
    const d = driver(f.primary(), objs());
    d.change('upsert', lb('shared-vip-svc-01', 'TCP', 'shared-vip-key', { type: 'ClusterIP' }));
    const vs = body(object(d.get(NAME), 'virtualservice', VS));
    expect(vs.services.map((x: { port: number }) => x.port)).toEqual([8080]);
    expect(vs.network_profile_ref).toBe('/api/networkprofile/?name=System-UDP-Fast-Path');
    expect(names(d.get(NAME)).filter((n) => n.startsWith('pool:'))).toEqual([`pool:${POOL2}`]);
    d.change('upsert', lb('shared-vip-svc-01', 'TCP'));
    expect(names(d.get(NAME)).filter((n) => n.startsWith('pool:'))).toEqual([`pool:${POOL1}`, `pool:${POOL2}`]);
  });

  it('a Service without the annotation keeps its own VS; different keys make different VSes', () => {
    const own = f.service('red-ns', 'plain', undefined, { type: 'LoadBalancer' });
    const other = lb('other-svc', 'TCP', 'second-key');
    const s = buildModels(f.primary(), f.view(nsd, [...objs(), own, other]));
    expect(s.models.map((m) => m.name)).toEqual([
      'admin/cluster--red-ns-plain',
      'admin/cluster--red-ns-second-key',
      NAME,
    ]);
  });
});

describe('AKOSettings.ipFamily (AKO PopulateServers; TestV6BackendService expects ff06::1)', () => {
  const v6Slice = (svc: string, addr: string) => ({
    ...f.slice('default', svc, [addr], undefined, `${svc}-v6`),
    addressType: 'IPv6',
  });
  const dual = () => [
    f.aviClass(),
    f.service('default', 'avisvc', undefined, { ipFamilies: ['IPv4', 'IPv6'] }),
    f.slice('default', 'avisvc', ['1.1.1.1']),
    v6Slice('avisvc', 'ff06::1'),
    fooIng(),
  ];
  const servers = (inst: InstanceConfig, objs: KubeObject[]) =>
    body(
      object(model(buildModels(inst, f.view(nsd, objs)), SHARD0), 'pool', 'cluster--foo.com_foo-default-foo-ing'),
    ).servers.map((s: { ip: { addr: string; type: string } }) => s.ip);

  it('V4_V6: a dual-stack Service gets its IPv4 and IPv6 endpoints as servers', () => {
    expect(servers(f.primary({ 'AKOSettings.ipFamily': 'V4_V6' }), dual())).toEqual([
      { addr: '1.1.1.1', type: 'V4' },
      { addr: 'ff06::1', type: 'V6' },
    ]);
  });

  it('V4 (the default): IPv6 endpoints are not servers; V6: only they are', () => {
    expect(servers(f.primary(), dual())).toEqual([{ addr: '1.1.1.1', type: 'V4' }]);
    expect(servers(f.primary({ 'AKOSettings.ipFamily': 'V6' }), dual())).toEqual([{ addr: 'ff06::1', type: 'V6' }]);
  });

  it('an IPv6 single-stack Service under V4_V6 gives ff06::1', () => {
    const objs = [
      f.aviClass(),
      f.service('default', 'avisvc', undefined, { ipFamilies: ['IPv6'] }),
      v6Slice('avisvc', 'ff06::1'),
      fooIng(),
    ];
    expect(servers(f.primary({ 'AKOSettings.ipFamily': 'V4_V6' }), objs)).toEqual([{ addr: 'ff06::1', type: 'V6' }]);
  });

  it('a VIP network with v6cidr allocates V4_V6 (with cidr) or V6_ONLY (AKO UpdateV6)', () => {
    const vipOf = (net: Record<string, string>) =>
      body(
        object(
          model(buildModels(f.primary({ 'NetworkSettings.vipNetworkList': [net] }), f.view(nsd, dual())), SHARD0),
          'vsvip',
          'cluster--Shared-L7-0',
        ),
      ).vip[0];
    const both = vipOf({ networkName: 'net123', cidr: '10.10.10.0/24', v6cidr: '2002::/64' });
    expect(both.auto_allocate_ip_type).toBe('V4_V6');
    expect(both.ipam_network_subnet.subnet6).toEqual({ ip_addr: { addr: '2002::', type: 'V6' }, mask: 64 });
    expect(vipOf({ networkName: 'net123', v6cidr: '2002::/64' }).auto_allocate_ip_type).toBe('V6_ONLY');
    expect(vipOf({ networkName: 'net123', cidr: '10.10.10.0/24' }).auto_allocate_ip_type).toBeUndefined();
  });
});

describe('empty shards are kept (AKO keeps the empty shard VS and its VIP)', () => {
  it('the last Ingress leaving a known shard leaves an empty shard VS with its VsVip, PG and datascript', () => {
    const applied = new Set<string>();
    const d = driver(f.primary(), [f.aviClass(), ...f.avisvc('default'), fooIng()], () => ({ knownShards: applied }));
    applied.add(SHARD0);
    const vip = object(d.get(SHARD0), 'vsvip', 'cluster--Shared-L7-0');
    d.change('delete', fooIng());
    const m = d.get(SHARD0);
    expect(names(m)).toEqual([
      'vsvip:cluster--Shared-L7-0',
      'poolgroup:cluster--Shared-L7-0',
      'vsdatascriptset:cluster--Shared-L7-0',
      'virtualservice:cluster--Shared-L7-0',
    ]);
    expect(body(object(m, 'vsvip', 'cluster--Shared-L7-0')).vip).toEqual(body(vip).vip);
    expect(body(object(m, 'poolgroup', 'cluster--Shared-L7-0')).members).toEqual([]);
  });

  it('without the applied record the empty shard goes (nothing to keep)', () => {
    const d = driver(f.primary(), [f.aviClass(), ...f.avisvc('default'), fooIng()]);
    d.change('delete', fooIng());
    expect(d.models.size).toBe(0);
  });

  it('knownShardsOf keeps only this instance’s own shard names within the shard count', () => {
    const applied = [
      'admin/cluster--Shared-L7-0',
      'admin/cluster--Shared-L7-7',
      'admin/cluster--Shared-L7-8', // LARGE has 8 shards: 0..7
      'admin/cluster--blue-Shared-L7-1', // another instance's shard
      'admin/cluster--default-my-lb', // an L4 model
      'team-a/cluster--Shared-L7-3',
    ];
    expect(knownShardsOf(f.primary(), applied)).toEqual([
      'admin/cluster--Shared-L7-0',
      'admin/cluster--Shared-L7-7',
      'team-a/cluster--Shared-L7-3',
    ]);
    expect(knownShardsOf(f.blue(), applied)).toEqual(['admin/cluster--blue-Shared-L7-1']);
    expect(knownShardsOf(f.primary({ 'L7Settings.shardVSSize': 'DEDICATED' }), applied)).toEqual([]);
  });
});
