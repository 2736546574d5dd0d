// HTTPRule: expected fields from AKO's tests/ingresstests/crd_test.go (TestHTTPRuleCreateDelete,
// TestHTTPRuleCreateDeleteWithPkiRef, TestHTTPRuleCreateDeleteEnableHTTP2), internal/nodes/crd_translator.go
// BuildPoolHTTPRule and internal/k8s/validator.go ValidateHTTPRuleObj.
import { describe, expect, it } from 'vitest';
import { validateBody } from '../../infra/avi-sim/validation.ts';
import { buildCrStatuses, buildModels, PKI_AND_DEST_CA_ERROR } from '../../shared/model/index.ts';
import type { CloudFacts, KubeObject } from '../../shared/model/types.ts';
import { httpRule, refs } from './crd-fixtures.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

const facts: CloudFacts = { dnsSubdomains: [], aviRefs: refs() };
const nsDefault = [f.ns('default', { app: 'migrate' })];
const M0 = 'admin/cluster--Shared-L7-0';

/** foo.com with /foo and /bar, secure (SNI pools) — AKO's TestHTTPRuleCreateDelete setup. */
function secureFoo(): KubeObject[] {
  return [
    f.aviClass(),
    ...f.avisvc('default'),
    f.tlsSecret('default', 'my-secret'),
    f.ingress(
      'default',
      'foo-with-targets',
      [
        {
          host: 'foo.com',
          paths: [
            { path: '/foo', service: 'avisvc' },
            { path: '/bar', service: 'avisvc' },
          ],
        },
      ],
      { tls: [{ hosts: ['foo.com'], secretName: 'my-secret' }] },
    ),
  ];
}

const FOO_POOL = 'cluster--default-foo.com_foo-foo-with-targets';
const BAR_POOL = 'cluster--default-foo.com_bar-foo-with-targets';

function rule(paths: Record<string, unknown>[], ns = 'default'): KubeObject {
  return httpRule(ns, 'samplerr-foo', 'foo.com', paths);
}

describe('HTTPRule on SNI pools', () => {
  it('sets algorithm, hash, health monitors and re-encryption with a PKI profile on the matching path only', () => {
    const v = f.view(nsDefault, [
      ...secureFoo(),
      rule([
        {
          target: '/foo',
          loadBalancerPolicy: {
            algorithm: 'LB_ALGORITHM_CONSISTENT_HASH',
            hash: 'LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS',
          },
          healthMonitors: ['thisisaviref-hm2', 'thisisaviref-hm1'],
          tls: { type: 'reencrypt', sslProfile: 'thisisaviref-sslprof', pkiProfile: 'thisisaviref-pki' },
          applicationPersistence: 'thisisaviref-persistence',
        },
      ]),
    ]);
    const m = model(buildModels(f.primary(), v, facts), M0);
    const foo = body(object(m, 'pool', FOO_POOL));
    expect(foo.lb_algorithm).toBe('LB_ALGORITHM_CONSISTENT_HASH');
    expect(foo.lb_algorithm_hash).toBe('LB_ALGORITHM_CONSISTENT_HASH_SOURCE_IP_ADDRESS');
    expect(foo.health_monitor_refs).toEqual([
      '/api/healthmonitor?name=thisisaviref-hm2',
      '/api/healthmonitor?name=thisisaviref-hm1',
    ]);
    expect(foo.sni_enabled).toBe(true);
    expect(foo.ssl_profile_ref).toBe('/api/sslprofile?name=thisisaviref-sslprof');
    expect(foo.pki_profile_ref).toBe('/api/pkiprofile?name=thisisaviref-pki');
    expect(foo.application_persistence_profile_ref).toBe(
      '/api/applicationpersistenceprofile?name=thisisaviref-persistence',
    );
    expect(JSON.parse(foo.service_metadata).crd_status).toEqual({
      type: 'HTTPRule',
      value: 'default/samplerr-foo//foo',
      status: 'ACTIVE',
    });
    expect(() => validateBody('pool', foo)).not.toThrow();
    const bar = body(object(m, 'pool', BAR_POOL));
    expect(bar.lb_algorithm).toBeUndefined();
    expect(bar.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-TCP']);
  });

  it('destinationCA creates `<pool>-pkiprofile` and default SSL profile System-Standard; target / covers every path', () => {
    const v = f.view(nsDefault, [
      ...secureFoo(),
      rule([{ target: '/', tls: { type: 'reencrypt', destinationCA: 'CA-PEM' }, enableHTTP2: true }]),
    ]);
    const m = model(buildModels(f.primary(), v, facts), M0);
    for (const pool of [FOO_POOL, BAR_POOL]) {
      const b = body(object(m, 'pool', pool));
      expect(b.ssl_profile_ref).toBe('/api/sslprofile?name=System-Standard');
      expect(b.pki_profile_ref).toBe(`/api/pkiprofile?name=${pool}-pkiprofile`);
      expect(b.enable_http2).toBe(true);
      expect(body(object(m, 'pkiprofile', `${pool}-pkiprofile`)).ca_certs).toEqual([{ certificate: 'CA-PEM' }]);
    }
    // The PKI profile is created before the pool that refers to it.
    const n = names(m);
    expect(n.indexOf(`pkiprofile:${FOO_POOL}-pkiprofile`)).toBeLessThan(n.indexOf(`pool:${FOO_POOL}`));
  });

  it('update: a new algorithm replaces the old one; delete: the pool is back to defaults', () => {
    const v1 = f.view(nsDefault, [
      ...secureFoo(),
      rule([{ target: '/foo', loadBalancerPolicy: { algorithm: 'LB_ALGORITHM_ROUND_ROBIN' } }]),
    ]);
    const v2 = f.view(nsDefault, [
      ...secureFoo(),
      rule([{ target: '/foo', loadBalancerPolicy: { algorithm: 'LB_ALGORITHM_LEAST_LOAD' } }]),
    ]);
    const p1 = body(object(model(buildModels(f.primary(), v1, facts), M0), 'pool', FOO_POOL));
    const p2 = body(object(model(buildModels(f.primary(), v2, facts), M0), 'pool', FOO_POOL));
    const p3 = body(
      object(model(buildModels(f.primary(), f.view(nsDefault, secureFoo()), facts), M0), 'pool', FOO_POOL),
    );
    expect(p1.lb_algorithm).toBe('LB_ALGORITHM_ROUND_ROBIN');
    expect(p2.lb_algorithm).toBe('LB_ALGORITHM_LEAST_LOAD');
    expect(p3.lb_algorithm).toBeUndefined();
    expect(new Set([p1.cloud_config_cksum, p2.cloud_config_cksum, p3.cloud_config_cksum]).size).toBe(3);
  });

  it('applies to insecure shared-VS pools too', () => {
    const objs = [
      f.aviClass(),
      ...f.avisvc('default'),
      f.ingress('default', 'ing', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc' }] }]),
      rule([{ target: '/foo', healthMonitors: ['thisisaviref-hm1'] }]),
    ];
    const m = model(buildModels(f.primary(), f.view(nsDefault, objs), facts), M0);
    expect(body(object(m, 'pool', 'cluster--foo.com_foo-default-ing')).health_monitor_refs).toEqual([
      '/api/healthmonitor?name=thisisaviref-hm1',
    ]);
  });
});

describe('HTTPRule rejections', () => {
  const cases: [string, Record<string, unknown>[], string][] = [
    [
      'missing health monitor',
      [{ target: '/foo', healthMonitors: ['nope'] }],
      'healthmonitor "nope" not found on controller',
    ],
    [
      'missing PKI profile',
      [{ target: '/foo', tls: { type: 'reencrypt', pkiProfile: 'nope' } }],
      'pkiprofile "nope" not found on controller',
    ],
    [
      'PKI profile and destinationCA both set',
      [{ target: '/foo', tls: { type: 'reencrypt', pkiProfile: 'thisisaviref-pki', destinationCA: 'x' } }],
      PKI_AND_DEST_CA_ERROR,
    ],
    [
      'bad field: unknown algorithm',
      [{ target: '/foo', loadBalancerPolicy: { algorithm: 'FASTEST' } }],
      'spec.paths[0].loadBalancerPolicy.algorithm "FASTEST" is not an Avi load-balancing algorithm',
    ],
    ['bad field: target without /', [{ target: 'foo' }], 'spec.paths[0].target must be a path starting with /'],
  ];
  it.each(cases)('%s', (_w, paths, error) => {
    const v = f.view(nsDefault, [...secureFoo(), rule(paths)]);
    const pool = body(object(model(buildModels(f.primary(), v, facts), M0), 'pool', FOO_POOL));
    expect(pool.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-TCP']);
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'HTTPRule', namespace: 'default', name: 'samplerr-foo', status: 'Rejected', error },
    ]);
  });
});

describe('HTTPRule ownership', () => {
  it('an HTTPRule of another namespace does not touch this Ingress`s pools (pool names carry the namespace)', () => {
    const other = rule([{ target: '/foo', healthMonitors: ['thisisaviref-hm1'] }], 'other');
    const v = f.view([...nsDefault, f.ns('other', { app: 'migrate' })], [...secureFoo(), other]);
    const pool = body(object(model(buildModels(f.primary(), v, facts), M0), 'pool', FOO_POOL));
    expect(pool.health_monitor_refs).toEqual(['/api/healthmonitor/?name=System-TCP']);
  });

  it('an HTTPRule held by another instance (absent from this view) gets no status here', () => {
    expect(buildCrStatuses(f.primary(), f.view(nsDefault, secureFoo()), facts)).toEqual([]);
    const blueView = f.view([f.ns('team-b', { key: 'value2' })], [rule([{ target: '/foo' }], 'team-b')]);
    expect(buildCrStatuses(f.blue(), blueView, facts)).toEqual([
      { kind: 'HTTPRule', namespace: 'team-b', name: 'samplerr-foo', status: 'Accepted', error: '' },
    ]);
  });
});
