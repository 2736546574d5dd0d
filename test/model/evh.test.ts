// EVH mode: names from AKO's tests/evhtests/l7_evh_graph_test.go (child `Encode("cluster--foo.com")`, pool
// `Encode("cluster--default-foo.com_foo-<ing>-<svc>")`, PG `Encode("cluster--default-foo.com_foo-<ing>")`, policy set
// `Encode("cluster--default-foo.com")`, redirect set `Encode("cluster--foo.com")`), lib.go Encode (`<cluster>--` +
// sha1hex of the full name), avi_model_evh_nodes.go DeriveShardVSForEvh (parent `<cluster>--<akoNs->Shared-L7-EVH-<n>`)
// and avi_evh_obj.go (vh_type, vh_matches, min_pools_up).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateBody } from '../../infra/avi-sim/validation.ts';
import { affectedModels, buildModels, buildSelectedModels } from '../../shared/model/index.ts';
import type { CloudFacts, KubeObject } from '../../shared/model/types.ts';
import { hostRule, infraClass, infraSetting, refs } from './crd-fixtures.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

/** lib.go EncodeWithPrefix: `<cluster>--` + hex(sha1(name)), `name` already starting with `<cluster>--`. */
const enc = (name: string) => `cluster--${createHash('sha1').update(name).digest('hex')}`;

const facts: CloudFacts = { dnsSubdomains: [], aviRefs: refs() };
const evh = (set: Record<string, unknown> = {}) => f.primary({ 'AKOSettings.enableEVH': true, ...set });
const blueEvh = () => f.blue({ 'AKOSettings.enableEVH': true });
const nsDefault = [f.ns('default', { app: 'migrate' })];

function fooBarNoo(): KubeObject[] {
  return [
    f.aviClass(),
    ...f.avisvc('default'),
    f.tlsSecret('default', 'my-secret'),
    f.ingress('default', 'foo-with-targets', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc' }] }], {
      tls: [{ hosts: ['foo.com'], secretName: 'my-secret' }],
    }),
    f.ingress('default', 'bar-ing', [{ host: 'bar.com', paths: [{ path: '/bar', service: 'avisvc' }] }]),
  ];
}

describe('EVH names', () => {
  it('the worked example of the naming spec: cluster--foo.com → cluster--532fd312…', () => {
    expect(enc('cluster--foo.com')).toBe('cluster--532fd312059d5096118cb0bc3d1135a36cc4f826');
  });

  it('primary: parent Shared-L7-EVH-<n>; secure and insecure hosts each get a hashed child, pools, PGs, policy sets', () => {
    const state = buildModels(evh(), f.view(nsDefault, fooBarNoo()), facts);
    expect(state.skipped).toEqual([]);
    // foo.com → 0 and bar.com → 1 with LARGE (spec §2.5).
    expect(state.models.map((m) => m.name)).toEqual([
      'admin/cluster--Shared-L7-EVH-0',
      'admin/cluster--Shared-L7-EVH-1',
    ]);
    const m0 = model(state, 'admin/cluster--Shared-L7-EVH-0');
    const child = enc('cluster--foo.com');
    expect(names(m0)).toEqual([
      'vsvip:cluster--Shared-L7-EVH-0',
      `sslkeyandcertificate:${enc('cluster--foo.com')}`,
      'virtualservice:cluster--Shared-L7-EVH-0',
      `pool:${enc('cluster--default-foo.com_foo-foo-with-targets-avisvc')}`,
      `poolgroup:${enc('cluster--default-foo.com_foo-foo-with-targets')}`,
      `httppolicyset:${enc('cluster--default-foo.com')}`,
      `httppolicyset:${child}`,
      `virtualservice:${child}`,
    ]);
    const parent = body(object(m0, 'virtualservice', 'cluster--Shared-L7-EVH-0'));
    expect(parent.type).toBe('VS_TYPE_VH_PARENT');
    expect(parent.vh_type).toBe('VS_TYPE_VH_ENHANCED');
    expect(parent.ssl_key_and_certificate_refs).toEqual([`/api/sslkeyandcertificate/?name=${child}`]);
    expect(parent.vs_datascripts).toBeUndefined();
    const c = body(object(m0, 'virtualservice', child));
    expect(c.type).toBe('VS_TYPE_VH_CHILD');
    expect(c.vh_type).toBe('VS_TYPE_VH_ENHANCED');
    expect(c.vh_parent_vs_ref).toBe('/api/virtualservice/?name=cluster--Shared-L7-EVH-0');
    expect(c.min_pools_up).toBe(1);
    expect(c.vh_matches).toEqual([
      {
        host: 'foo.com',
        rules: [
          {
            name: 'VHMATCHRULENAME',
            matches: { path: { match_criteria: 'BEGINS_WITH', match_case: 'SENSITIVE', match_str: ['/'] } },
          },
        ],
      },
    ]);
    // The redirect set (no path) first at 11, then the path-switching set.
    expect(c.http_policies).toEqual([
      { index: 11, http_policy_set_ref: `/api/httppolicyset/?name=${child}` },
      { index: 12, http_policy_set_ref: `/api/httppolicyset/?name=${enc('cluster--default-foo.com')}` },
    ]);
    for (const o of m0.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();

    const m1 = model(state, 'admin/cluster--Shared-L7-EVH-1');
    const barChild = body(object(m1, 'virtualservice', enc('cluster--bar.com')));
    expect(barChild.http_policies).toEqual([
      { index: 11, http_policy_set_ref: `/api/httppolicyset/?name=${enc('cluster--default-bar.com')}` },
    ]);
    expect(names(m1)).toContain(`pool:${enc('cluster--default-bar.com_bar-bar-ing-avisvc')}`);
    expect(body(object(m1, 'virtualservice', 'cluster--Shared-L7-EVH-1')).ssl_key_and_certificate_refs).toBeUndefined();
    for (const o of m1.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();
  });

  it('non-primary: parent `<cluster>--<akoNs>-Shared-L7-EVH-<n>`, child names unchanged, created_by of the instance', () => {
    const state = buildModels(blueEvh(), f.view([f.ns('default', { key: 'value2' })], fooBarNoo()), facts);
    expect(state.models.map((m) => m.name)).toEqual([
      'admin/cluster--blue-Shared-L7-EVH-0',
      'admin/cluster--blue-Shared-L7-EVH-1',
    ]);
    const m0 = model(state, 'admin/cluster--blue-Shared-L7-EVH-0');
    const c = body(object(m0, 'virtualservice', enc('cluster--foo.com')));
    expect(c.vh_parent_vs_ref).toBe('/api/virtualservice/?name=cluster--blue-Shared-L7-EVH-0');
    expect(c.created_by).toBe('ako-cluster-blue');
  });

  it('L4 names are hashed in EVH mode (lib.go GetL4VSName goes through Encode)', () => {
    const svc = f.service('default', 'my-svc', [{ port: 80, targetPort: 8080 }], { type: 'LoadBalancer' });
    const state = buildModels(evh(), f.view(nsDefault, [svc, f.slice('default', 'my-svc', ['1.1.1.1'])]), facts);
    const name = enc('cluster--default-my-svc');
    expect(name).toBe('cluster--bfb1a2e425273642af7da74cade5f404c9d5c3d0');
    expect(state.models.map((m) => m.name)).toEqual([`admin/${name}`]);
    expect(names(model(state, `admin/${name}`))).toContain('pool:cluster--e8bc81d419a7f9bab025acb87bc24098555302ba');
    // buildSelectedModels finds the Service behind a hashed name.
    expect(buildSelectedModels(evh(), f.view(nsDefault, [svc]), [`admin/${name}`], facts).models).toHaveLength(1);
  });

  it('with an AviInfraSetting: `Shared-L7-EVH-<setting>-<n>` and `Encode(<cluster>--<setting>-<host>)`', () => {
    const setting = infraSetting('my-infrasetting', { l7Settings: { shardSize: 'SMALL' } });
    const objs = [
      f.aviClass(),
      infraClass('avi-lb-setting', 'my-infrasetting'),
      setting,
      ...f.avisvc('default'),
      f.ingress('default', 'ing', [{ host: 'bar.com', paths: [{ path: '/bar', service: 'avisvc' }] }], {
        className: 'avi-lb-setting',
      }),
    ];
    const state = buildModels(evh(), f.view(nsDefault, objs), facts);
    const m = model(state, 'admin/cluster--Shared-L7-EVH-my-infrasetting-0');
    expect(names(m)).toContain(`virtualservice:${enc('cluster--my-infrasetting-bar.com')}`);
    expect(names(m)).toContain(`pool:${enc('cluster--my-infrasetting-default-bar.com_bar-ing-avisvc')}`);
  });
});

describe('EVH with a HostRule', () => {
  it('applies the HostRule to the child; its Avi certificate and SSL profile go to the parent; aliases get vh_matches', () => {
    const hr = hostRule('default', 'hr', {
      fqdn: 'foo.com',
      tls: { sslKeyCertificate: { name: 'thisisaviref-sslkey', type: 'ref' }, sslProfile: 'thisisaviref-sslprof' },
      wafPolicy: 'thisisaviref-waf',
      aliases: ['alias1.com'],
    });
    const state = buildModels(evh(), f.view(nsDefault, [...fooBarNoo(), hr]), facts);
    const m0 = model(state, 'admin/cluster--Shared-L7-EVH-0');
    const child = body(object(m0, 'virtualservice', enc('cluster--foo.com')));
    expect(child.waf_policy_ref).toBe('/api/wafpolicy?name=thisisaviref-waf');
    expect(child.vh_matches.map((v: { host: string }) => v.host)).toEqual(['foo.com', 'alias1.com']);
    expect(child.ssl_profile_ref).toBeUndefined();
    const parent = body(object(m0, 'virtualservice', 'cluster--Shared-L7-EVH-0'));
    expect(parent.ssl_key_and_certificate_refs).toEqual(['/api/sslkeyandcertificate?name=thisisaviref-sslkey']);
    expect(parent.ssl_profile_ref).toBe('/api/sslprofile?name=thisisaviref-sslprof');
    expect(names(m0).filter((n) => n.startsWith('sslkeyandcertificate:'))).toEqual([]);
    const vip = body(object(m0, 'vsvip', 'cluster--Shared-L7-EVH-0'));
    expect(vip.dns_info.map((d: { fqdn: string }) => d.fqdn)).toEqual(['foo.com', 'alias1.com']);
    for (const o of m0.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();
  });
});

describe('EVH incremental builds', () => {
  it('affectedModels and buildSelectedModels use the EVH parent names', () => {
    const v = f.view(nsDefault, fooBarNoo());
    const ing = fooBarNoo().find((o) => o.metadata.name === 'foo-with-targets')!;
    expect(affectedModels(evh(), v, ing, facts)).toEqual(['admin/cluster--Shared-L7-EVH-0']);
    const sel = buildSelectedModels(evh(), v, ['admin/cluster--Shared-L7-EVH-0'], facts);
    expect(sel.models.map((m) => m.name)).toEqual(['admin/cluster--Shared-L7-EVH-0']);
    expect(sel.models[0]).toEqual(model(buildModels(evh(), v, facts), 'admin/cluster--Shared-L7-EVH-0'));
  });
});

describe('EVH with shardVSSize DEDICATED', () => {
  it('one normal VS per host named `Encode(<cluster>--<host>-L7-dedicated)-EVH` (dedicatedevhtests)', () => {
    const state = buildModels(evh({ 'L7Settings.shardVSSize': 'DEDICATED' }), f.view(nsDefault, fooBarNoo()), facts);
    const fooVs = `${enc('cluster--foo.com-L7-dedicated')}-EVH`;
    const barVs = `${enc('cluster--bar.com-L7-dedicated')}-EVH`;
    expect(state.models.map((m) => m.name).sort()).toEqual([`admin/${barVs}`, `admin/${fooVs}`].sort());
    const m = model(state, `admin/${fooVs}`);
    const vs = body(object(m, 'virtualservice', fooVs));
    expect(vs.type).toBe('VS_TYPE_NORMAL');
    expect(vs.application_profile_ref).toBe('/api/applicationprofile/?name=System-Secure-HTTP');
    expect(vs.services).toEqual([
      { port: 80, enable_ssl: false, enable_http2: false },
      { port: 443, enable_ssl: true, enable_http2: false },
    ]);
    expect(names(m)).toContain(`pool:${enc('cluster--default-foo.com_foo-foo-with-targets-avisvc-L7-dedicated')}`);
    expect(names(m)).toContain(`poolgroup:${enc('cluster--default-foo.com_foo-foo-with-targets-L7-dedicated')}`);
    expect(vs.ssl_key_and_certificate_refs).toEqual([`/api/sslkeyandcertificate/?name=${enc('cluster--foo.com')}`]);
    for (const o of m.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();
  });
});
