// HostRule: expected names, refs and statuses from AKO's tests/ingresstests/crd_test.go
// (TestCreateDeleteHostRule, TestInsecureToSecureHostRule, TestGoodToBadHostRule, TestValidationsOfHostruleFQDNAliases)
// and internal/k8s/validator.go ValidateHostRuleObj / internal/rest/avi_obj_vs.go AviVsHttpPSAdd.
import { describe, expect, it } from 'vitest';
import { validateBody } from '../../infra/avi-sim/validation.ts';
import { affectedModels, buildCrStatuses, buildModels } from '../../shared/model/index.ts';
import type { CloudFacts, KubeObject } from '../../shared/model/types.ts';
import { hostRule, refs } from './crd-fixtures.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

const facts: CloudFacts = { dnsSubdomains: [], aviRefs: refs() };
const nsDefault = [f.ns('default', { app: 'migrate' })];

function secureFoo(): KubeObject[] {
  return [
    f.aviClass(),
    ...f.avisvc('default'),
    f.tlsSecret('default', 'my-secret'),
    f.ingress('default', 'foo-with-targets', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc' }] }], {
      tls: [{ hosts: ['foo.com'], secretName: 'my-secret' }],
    }),
  ];
}

function insecureFoo(): KubeObject[] {
  return [
    f.aviClass(),
    ...f.avisvc('default'),
    f.ingress('default', 'foo-with-targets', [{ host: 'foo.com', paths: [{ path: '/foo', service: 'avisvc' }] }]),
  ];
}

/** integrationtest.SetupHostRule: every reference AKO's tests set, plus the Avi certificate when `secure`. */
function fullHostRule(name = 'samplehr-foo', fqdn = 'foo.com', secure = true): KubeObject {
  return hostRule('default', name, {
    fqdn,
    ...(secure
      ? { tls: { sslKeyCertificate: { name: 'thisisaviref-sslkey', type: 'ref' }, sslProfile: 'thisisaviref-sslprof' } }
      : {}),
    httpPolicy: { policySets: ['thisisaviref-httpps2', 'thisisaviref-httpps1'], overwrite: false },
    wafPolicy: 'thisisaviref-waf',
    applicationProfile: 'thisisaviref-appprof',
    analyticsProfile: 'thisisaviref-analyticsprof',
    errorPageProfile: 'thisisaviref-errorprof',
    icapProfile: ['thisisaviref-icapprof'],
    datascripts: ['thisisaviref-ds2', 'thisisaviref-ds1'],
    enableVirtualHost: true,
  });
}

const M0 = 'admin/cluster--Shared-L7-0';

describe('HostRule on a secure host (SNI child cluster--foo.com)', () => {
  it('accepts and applies every reference with AKO ref forms and indexes', () => {
    const state = buildModels(f.primary(), f.view(nsDefault, [...secureFoo(), fullHostRule()]), facts);
    const m = model(state, M0);
    const child = body(object(m, 'virtualservice', 'cluster--foo.com'));
    expect(child.ssl_key_and_certificate_refs).toEqual(['/api/sslkeyandcertificate?name=thisisaviref-sslkey']);
    expect(child.waf_policy_ref).toBe('/api/wafpolicy?name=thisisaviref-waf');
    expect(child.application_profile_ref).toBe('/api/applicationprofile?name=thisisaviref-appprof');
    expect(child.analytics_profile_ref).toBe('/api/analyticsprofile?name=thisisaviref-analyticsprof');
    expect(child.error_page_profile_ref).toBe('/api/errorpageprofile?name=thisisaviref-errorprof');
    expect(child.ssl_profile_ref).toBe('/api/sslprofile?name=thisisaviref-sslprof');
    expect(child.icap_request_profile_refs).toEqual(['/api/icapprofile?name=thisisaviref-icapprof']);
    expect(child.enabled).toBe(true);
    // AKO's own set at 11, the HostRule's after len(own) + 11 + 5 = 17, in the HostRule's order.
    expect(child.http_policies).toEqual([
      { index: 11, http_policy_set_ref: '/api/httppolicyset/?name=cluster--default-foo.com' },
      { index: 17, http_policy_set_ref: '/api/httppolicyset?name=thisisaviref-httpps2' },
      { index: 18, http_policy_set_ref: '/api/httppolicyset?name=thisisaviref-httpps1' },
    ]);
    expect(child.vs_datascripts).toEqual([
      { index: 0, vs_datascript_set_ref: '/api/vsdatascriptset?name=thisisaviref-ds2' },
      { index: 1, vs_datascript_set_ref: '/api/vsdatascriptset?name=thisisaviref-ds1' },
    ]);
    expect(JSON.parse(child.service_metadata).crd_status).toEqual({
      type: 'HostRule',
      value: 'default/samplehr-foo',
      status: 'ACTIVE',
    });
    // The Secret's key pair is not created when the HostRule names an Avi certificate.
    expect(names(m)).not.toContain('sslkeyandcertificate:cluster--foo.com');
    expect(() => validateBody('virtualservice', child)).not.toThrow();
    expect(buildCrStatuses(f.primary(), f.view(nsDefault, [...secureFoo(), fullHostRule()]), facts)).toEqual([
      { kind: 'HostRule', namespace: 'default', name: 'samplehr-foo', status: 'Accepted', error: '' },
    ]);
  });

  it('update: changing the WAF policy changes the child; delete: the child is back to the Ingress defaults', () => {
    const v1 = f.view(nsDefault, [...secureFoo(), fullHostRule()]);
    const updated = fullHostRule();
    updated.spec.virtualhost.wafPolicy = 'other-waf';
    const withOther = { ...facts, aviRefs: refs({ wafpolicy: ['thisisaviref-waf', 'other-waf'] }) };
    const m2 = model(buildModels(f.primary(), f.view(nsDefault, [...secureFoo(), updated]), withOther), M0);
    expect(body(object(m2, 'virtualservice', 'cluster--foo.com')).waf_policy_ref).toBe('/api/wafpolicy?name=other-waf');

    const before = body(object(model(buildModels(f.primary(), v1, facts), M0), 'virtualservice', 'cluster--foo.com'));
    const m3 = model(buildModels(f.primary(), f.view(nsDefault, secureFoo()), facts), M0);
    const child = body(object(m3, 'virtualservice', 'cluster--foo.com'));
    expect(child.waf_policy_ref).toBeUndefined();
    expect(child.ssl_key_and_certificate_refs).toEqual(['/api/sslkeyandcertificate/?name=cluster--foo.com']);
    expect(names(m3)).toContain('sslkeyandcertificate:cluster--foo.com');
    expect(child.cloud_config_cksum).not.toBe(before.cloud_config_cksum);
  });

  it('overwrite drops AKO`s own path policy set; FQDN aliases go to vh_domain_name, markers and the parent VsVip', () => {
    const hr = hostRule('default', 'hr', {
      fqdn: 'foo.com',
      httpPolicy: { policySets: ['thisisaviref-httpps1'], overwrite: true },
      aliases: ['alias1.com', 'alias2.com'],
    });
    const m = model(buildModels(f.primary(), f.view(nsDefault, [...secureFoo(), hr]), facts), M0);
    const child = body(object(m, 'virtualservice', 'cluster--foo.com'));
    expect(child.http_policies).toEqual([
      { index: 16, http_policy_set_ref: '/api/httppolicyset?name=thisisaviref-httpps1' },
    ]);
    expect(names(m)).not.toContain('httppolicyset:cluster--default-foo.com');
    expect(child.vh_domain_name).toEqual(['foo.com', 'alias1.com', 'alias2.com']);
    expect(child.markers).toContainEqual({ key: 'Host', values: ['foo.com', 'alias1.com', 'alias2.com'] });
    const vip = body(object(m, 'vsvip', 'cluster--Shared-L7-0'));
    expect(vip.dns_info.map((d: { fqdn: string }) => d.fqdn)).toEqual(['foo.com', 'alias1.com', 'alias2.com']);
  });
});

describe('HostRule with an Avi certificate on an insecure host (TestInsecureToSecureHostRule)', () => {
  it('makes the host secure: SNI child with the Avi certificate, redirect on the parent, no pool on the parent', () => {
    const state = buildModels(f.primary(), f.view(nsDefault, [...insecureFoo(), fullHostRule()]), facts);
    const m = model(state, M0);
    const child = body(object(m, 'virtualservice', 'cluster--foo.com'));
    expect(child.ssl_key_and_certificate_refs).toEqual(['/api/sslkeyandcertificate?name=thisisaviref-sslkey']);
    expect(child.waf_policy_ref).toBe('/api/wafpolicy?name=thisisaviref-waf');
    const redirect = body(object(m, 'httppolicyset', 'cluster--Shared-L7-0'));
    expect(redirect.http_request_policy.rules[0].redirect_action.status_code).toBe('HTTP_REDIRECT_STATUS_CODE_302');
    expect(names(m).filter((n) => n.startsWith('sslkeyandcertificate:'))).toEqual([]);
    expect(names(m)).not.toContain('pool:cluster--foo.com_foo-default-foo-with-targets');
  });

  it('without the certificate the insecure host keeps its shared-VS pool and no SNI child', () => {
    const m = model(
      buildModels(f.primary(), f.view(nsDefault, [...insecureFoo(), fullHostRule('hr', 'foo.com', false)]), facts),
      M0,
    );
    expect(names(m)).toContain('pool:cluster--foo.com_foo-default-foo-with-targets');
    expect(m.objects.filter((o) => o.type === 'virtualservice').map((o) => o.name)).toEqual(['cluster--Shared-L7-0']);
  });
});

describe('HostRule rejections (status text as AKO writes it); the shard is still built', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'bad WAF reference',
      { fqdn: 'foo.com', wafPolicy: 'thisisBADaviref' },
      'wafpolicy "thisisBADaviref" not found on controller',
    ],
    [
      'bad certificate reference',
      { fqdn: 'foo.com', tls: { sslKeyCertificate: { name: 'nope', type: 'ref' } } },
      'sslkeyandcertificate "nope" not found on controller',
    ],
    [
      'missing Secret',
      { fqdn: 'foo.com', tls: { sslKeyCertificate: { name: 'gone', type: 'secret' } } },
      'secrets "gone" not found',
    ],
    ['duplicate aliases', { fqdn: 'foo.com', aliases: ['alias1.com', 'alias1.com'] }, 'Aliases must be unique'],
    [
      'alias equal to the FQDN',
      { fqdn: 'foo.com', aliases: ['foo.com', 'alias1.com'] },
      'Duplicate entry found. Aliases field has same entry as the FQDN field',
    ],
    [
      'aliases with a non-Exact FQDN type',
      { fqdn: 'foo', fqdnType: 'Contains', aliases: ['alias1.com'] },
      'Aliases is supported only when FQDN type is set as Exact',
    ],
    [
      'two ICAP profiles',
      { fqdn: 'foo.com', icapProfile: ['a', 'b'] },
      'Can only have 1 ICAP profile associated with VS',
    ],
    [
      'GSLB FQDN equal to the FQDN',
      { fqdn: 'foo.com', gslb: { fqdn: 'foo.com' } },
      'GSLB FQDN and local FQDN are same',
    ],
    ['bad field: no fqdn', { wafPolicy: 'thisisaviref-waf' }, 'spec.virtualhost.fqdn is required'],
    [
      'a field AKO has and this model does not apply (useRegex)',
      { fqdn: 'foo.com', useRegex: true },
      'spec.virtualhost.useRegex is not supported by ako-serverless yet; remove it from the HostRule',
    ],
    [
      'bad field: enableVirtualHost not a boolean',
      { fqdn: 'foo.com', enableVirtualHost: 'yes' },
      'spec.virtualhost.enableVirtualHost must be a boolean',
    ],
  ];
  it.each(cases)('%s', (_what, vh, error) => {
    const v = f.view(nsDefault, [...secureFoo(), hostRule('default', 'bad', vh)]);
    const state = buildModels(f.primary(), v, facts);
    const child = body(object(model(state, M0), 'virtualservice', 'cluster--foo.com'));
    expect(child.waf_policy_ref).toBeUndefined();
    expect(JSON.parse(child.service_metadata).crd_status.type).toBe('');
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'HostRule', namespace: 'default', name: 'bad', status: 'Rejected', error },
    ]);
  });

  it('a second HostRule for the same FQDN is rejected and the first one still applies', () => {
    const first = fullHostRule('first');
    const second = hostRule('default', 'second', { fqdn: 'foo.com', wafPolicy: 'thisisaviref-waf' });
    const v = f.view(nsDefault, [...secureFoo(), second, first]);
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'HostRule', namespace: 'default', name: 'first', status: 'Accepted', error: '' },
      {
        kind: 'HostRule',
        namespace: 'default',
        name: 'second',
        status: 'Rejected',
        error: 'duplicate fqdn foo.com found in default/first',
      },
    ]);
    const child = body(object(model(buildModels(f.primary(), v, facts), M0), 'virtualservice', 'cluster--foo.com'));
    expect(JSON.parse(child.service_metadata).crd_status.value).toBe('default/first');
  });
});

describe('HostRule ownership across instances', () => {
  it('a HostRule in a namespace of another instance never changes this instance`s VS, and gets no status from it', () => {
    // The router gives each instance the objects of its own namespaces: `default` is the primary's,
    // `team-b` (label key=value2) is blue's. The HostRule for foo.com lives in team-b.
    const hr = fullHostRule();
    hr.metadata.namespace = 'team-b';
    const primaryView = f.view(nsDefault, secureFoo());
    const blueView = f.view([f.ns('team-b', { key: 'value2' })], [f.aviClass(), hr]);
    const child = body(
      object(model(buildModels(f.primary(), primaryView, facts), M0), 'virtualservice', 'cluster--foo.com'),
    );
    expect(child.waf_policy_ref).toBeUndefined();
    expect(buildCrStatuses(f.primary(), primaryView, facts)).toEqual([]);
    // blue validates its own HostRule (and has no Ingress for foo.com, so builds nothing).
    expect(buildModels(f.blue(), blueView, facts).models).toEqual([]);
    expect(buildCrStatuses(f.blue(), blueView, facts)).toEqual([
      { kind: 'HostRule', namespace: 'team-b', name: 'samplehr-foo', status: 'Accepted', error: '' },
    ]);
  });

  it('a HostRule of another tenant does not apply (crd_translator.go tenant check)', () => {
    const v = f.view(
      [f.ns('default', { app: 'migrate' }), f.ns('other', { app: 'migrate' }, { 'ako.vmware.com/tenant-name': 't2' })],
      [...secureFoo(), { ...fullHostRule(), metadata: { ...fullHostRule().metadata, namespace: 'other' } }],
    );
    const child = body(object(model(buildModels(f.primary(), v, facts), M0), 'virtualservice', 'cluster--foo.com'));
    expect(child.waf_policy_ref).toBeUndefined();
  });
});

describe('affectedModels for HostRule changes', () => {
  it('names the shard of the Ingress with that host, and nothing for an unknown host', () => {
    const v = f.view(nsDefault, [...secureFoo(), fullHostRule()]);
    expect(affectedModels(f.primary(), v, fullHostRule(), facts)).toEqual([M0]);
    expect(affectedModels(f.primary(), v, fullHostRule('x', 'nothere.com'), facts)).toEqual([]);
  });
});

describe('HostRule on a dedicated VS (shardVSSize DEDICATED)', () => {
  it('applies to `<cluster>--<host>-L7-dedicated` like to an SNI child (avi_obj_vs.go setDedicatedVSNodeProperties)', () => {
    const inst = f.primary({ 'L7Settings.shardVSSize': 'DEDICATED' });
    const m = model(
      buildModels(inst, f.view(nsDefault, [...secureFoo(), fullHostRule()]), facts),
      'admin/cluster--foo.com-L7-dedicated',
    );
    const vs = body(object(m, 'virtualservice', 'cluster--foo.com-L7-dedicated'));
    expect(vs.waf_policy_ref).toBe('/api/wafpolicy?name=thisisaviref-waf');
    expect(vs.ssl_key_and_certificate_refs).toEqual(['/api/sslkeyandcertificate?name=thisisaviref-sslkey']);
    // AKO's own two sets (the redirect at 10, the path set at 11), then the HostRule's from 2 + 11 + 5 = 18.
    expect(vs.http_policies.slice(2)).toEqual([
      { index: 18, http_policy_set_ref: '/api/httppolicyset?name=thisisaviref-httpps2' },
      { index: 19, http_policy_set_ref: '/api/httppolicyset?name=thisisaviref-httpps1' },
    ]);
    expect(() => validateBody('virtualservice', vs)).not.toThrow();
  });
});

describe('HostRule on the shared VS (TestCreateDeleteSharedVSHostRule)', () => {
  it('FQDN = the shard name without a DNS profile: WAF, datascripts replacing AKO`s, listeners, static VIP', () => {
    const hr = hostRule('default', 'shared', {
      fqdn: 'cluster--Shared-L7-0',
      wafPolicy: 'thisisaviref-waf',
      datascripts: ['thisisaviref-ds1'],
      httpPolicy: { policySets: ['thisisaviref-httpps1'] },
      tcpSettings: { listeners: [{ port: 8081 }, { port: 6443, enableSSL: true }], loadBalancerIP: '10.10.10.1' },
    });
    const v = f.view(nsDefault, [...secureFoo(), hr]);
    const m = model(buildModels(f.primary(), v, facts), M0);
    const vs = body(object(m, 'virtualservice', 'cluster--Shared-L7-0'));
    expect(vs.waf_policy_ref).toBe('/api/wafpolicy?name=thisisaviref-waf');
    expect(vs.vs_datascripts).toEqual([
      { index: 0, vs_datascript_set_ref: '/api/vsdatascriptset?name=thisisaviref-ds1' },
    ]);
    expect(vs.http_policies).toEqual([
      { index: 11, http_policy_set_ref: '/api/httppolicyset/?name=cluster--Shared-L7-0' },
      { index: 17, http_policy_set_ref: '/api/httppolicyset?name=thisisaviref-httpps1' },
    ]);
    expect(vs.services).toEqual([
      { port: 8081, port_range_end: 8081, enable_ssl: false, enable_http2: false },
      { port: 6443, port_range_end: 6443, enable_ssl: true, enable_http2: false },
    ]);
    const vip = body(object(m, 'vsvip', 'cluster--Shared-L7-0'));
    expect(vip.vip[0].ip_address).toEqual({ addr: '10.10.10.1', type: 'V4' });
    for (const o of m.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();
    // The SNI child is untouched by the shared VS's HostRule.
    expect(body(object(m, 'virtualservice', 'cluster--foo.com')).waf_policy_ref).toBeUndefined();
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'HostRule', namespace: 'default', name: 'shared', status: 'Accepted', error: '' },
    ]);
  });

  it('listeners without SSL are rejected (validator.go)', () => {
    const hr = hostRule('default', 'shared', {
      fqdn: 'cluster--Shared-L7-0',
      tcpSettings: { listeners: [{ port: 8081 }] },
    });
    expect(buildCrStatuses(f.primary(), f.view(nsDefault, [...secureFoo(), hr]), facts)).toEqual([
      {
        kind: 'HostRule',
        namespace: 'default',
        name: 'shared',
        status: 'Rejected',
        error: 'Hosting parent virtualservice must have SSL enabled',
      },
    ]);
  });
});

describe('HostRule certificate on an OpenShift Route (validator.go ParseHostPathForRoute)', () => {
  it('secures a plain Route with the Avi certificate (SNI child, no key pair created)', () => {
    const route: KubeObject = {
      apiVersion: 'route.openshift.io/v1',
      kind: 'Route',
      metadata: { name: 'foo', namespace: 'default' },
      spec: { host: 'foo.com', path: '/foo', to: { kind: 'Service', name: 'avisvc' } },
    };
    const v = f.view(nsDefault, [...f.avisvc('default'), route, fullHostRule()]);
    const m = model(buildModels(f.primary(), v, facts), M0);
    const child = body(object(m, 'virtualservice', 'cluster--foo.com'));
    expect(child.ssl_key_and_certificate_refs).toEqual(['/api/sslkeyandcertificate?name=thisisaviref-sslkey']);
    expect(names(m).filter((n) => n.startsWith('sslkeyandcertificate:'))).toEqual([]);
  });
});
