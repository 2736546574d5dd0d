// AviInfraSetting: names and fields from AKO's tests/ingresstests/ingressclass_test.go (shard
// `cluster--Shared-L7-<setting>-<n>`, SNI child `cluster--<setting>-baz.com`, pools `cluster--<setting>-bar.com_foo-default-<ing>`,
// SE group from the setting; the IngressClass setting wins over the namespace one), internal/nodes/dequeue_ingestion.go
// GetShardVSName (non-primary: `<cluster>--<akoNs>-Shared-L7-<setting>-<n>`) and internal/k8s/validator.go.
import { describe, expect, it } from 'vitest';
import { validateBody } from '../../infra/avi-sim/validation.ts';
import { affectedModels, applyChange, buildCrStatuses, buildModels } from '../../shared/model/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import { infraClass, infraFacts, infraSetting, SETTING, shardSetting } from './crd-fixtures.ts';
import * as f from './fixtures.ts';
import { body, model, names, object } from './helpers.ts';

const facts = infraFacts;
const setting = shardSetting;

/** baz.com secure (my-secret), bar.com insecure; Ingress of class avi-lb-setting. */
function bazBar(className = 'avi-lb-setting', ns = 'default'): KubeObject[] {
  return [
    f.aviClass(),
    infraClass('avi-lb-setting', SETTING),
    ...f.avisvc(ns),
    f.tlsSecret(ns, 'my-secret'),
    f.ingress(
      ns,
      'foo-with-class',
      [
        { host: 'baz.com', paths: [{ path: '/foo', service: 'avisvc' }] },
        { host: 'bar.com', paths: [{ path: '/foo', service: 'avisvc' }] },
      ],
      { className, tls: [{ hosts: ['baz.com'], secretName: 'my-secret' }] },
    ),
  ];
}

const nsDefault = [f.ns('default', { app: 'migrate' })];

describe('AviInfraSetting through an IngressClass', () => {
  it('names the shard, SNI child, pools after the setting and uses its SE group and VIP network', () => {
    const state = buildModels(f.primary(), f.view(nsDefault, [...bazBar(), setting()]), facts);
    expect(state.skipped).toEqual([]);
    expect(state.models.map((m) => m.name)).toEqual([`admin/cluster--Shared-L7-${SETTING}-0`]);
    const m = model(state, `admin/cluster--Shared-L7-${SETTING}-0`);
    expect(names(m)).toEqual(
      expect.arrayContaining([
        `vsvip:cluster--Shared-L7-${SETTING}-0`,
        `pool:cluster--${SETTING}-bar.com_foo-default-foo-with-class`,
        `poolgroup:cluster--Shared-L7-${SETTING}-0`,
        `vsdatascriptset:cluster--Shared-L7-${SETTING}-0`,
        `httppolicyset:cluster--Shared-L7-${SETTING}-0`,
        `virtualservice:cluster--${SETTING}-baz.com`,
        `sslkeyandcertificate:cluster--${SETTING}-baz.com`,
        `pool:cluster--${SETTING}-default-baz.com_foo-foo-with-class`,
        `poolgroup:cluster--${SETTING}-default-baz.com_foo-foo-with-class`,
        `httppolicyset:cluster--${SETTING}-default-baz.com`,
      ]),
    );
    const parent = body(object(m, 'virtualservice', `cluster--Shared-L7-${SETTING}-0`));
    expect(parent.se_group_ref).toBe(`/api/serviceenginegroup?name=thisisaviref-${SETTING}-seGroup`);
    const child = body(object(m, 'virtualservice', `cluster--${SETTING}-baz.com`));
    expect(child.se_group_ref).toBe(`/api/serviceenginegroup?name=thisisaviref-${SETTING}-seGroup`);
    const vip = body(object(m, 'vsvip', `cluster--Shared-L7-${SETTING}-0`));
    expect(vip.vip[0].ipam_network_subnet).toEqual({
      network_ref: '/api/network/?name=thisisaviref-networkName',
      subnet: { ip_addr: { addr: '10.10.10.0', type: 'V4' }, mask: 24 },
    });
    // lib.go Populate*Markers: per-host objects carry InfrasettingName after Host; the shard's own do not.
    expect(body(object(m, 'pool', `cluster--${SETTING}-bar.com_foo-default-foo-with-class`)).markers).toEqual([
      { key: 'clustername', values: ['cluster'] },
      { key: 'Namespace', values: ['default'] },
      { key: 'Host', values: ['bar.com'] },
      { key: 'InfrasettingName', values: [SETTING] },
      { key: 'Path', values: ['/foo'] },
      { key: 'IngressName', values: ['foo-with-class'] },
    ]);
    expect(child.markers).toContainEqual({ key: 'InfrasettingName', values: [SETTING] });
    expect(parent.markers).toEqual([{ key: 'clustername', values: ['cluster'] }]);
    for (const o of m.objects) expect(() => validateBody(o.type, o.body)).not.toThrow();
    expect(buildCrStatuses(f.primary(), f.view(nsDefault, [...bazBar(), setting()]), facts)).toEqual([
      { kind: 'AviInfraSetting', name: SETTING, status: 'Accepted', error: '' },
    ]);
  });

  it('non-primary: `<cluster>--<akoNs>-Shared-L7-<setting>-<n>`; per-host names carry no AKO namespace', () => {
    const state = buildModels(f.blue(), f.view([f.ns('default', { key: 'value2' })], [...bazBar(), setting()]), facts);
    const m = model(state, `admin/cluster--blue-Shared-L7-${SETTING}-0`);
    expect(names(m)).toContain(`virtualservice:cluster--${SETTING}-baz.com`);
    expect(body(object(m, 'virtualservice', `cluster--blue-Shared-L7-${SETTING}-0`)).created_by).toBe(
      'ako-cluster-blue',
    );
  });

  it('shard size LARGE spreads hosts as the default does (bar.com → 1, baz.com → 1)', () => {
    const state = buildModels(f.primary(), f.view(nsDefault, [...bazBar(), setting('LARGE')]), facts);
    expect(state.models.map((m) => m.name)).toEqual([`admin/cluster--Shared-L7-${SETTING}-1`]);
  });

  it('update: a new shard size moves the hosts; affectedModels names both the old and the new shard', () => {
    const v1 = f.view(nsDefault, [...bazBar(), setting('SMALL')]);
    const before = buildModels(f.primary(), v1, facts).models.map((m) => m.name);
    const v2 = applyChange(v1, { op: 'upsert', object: setting('LARGE') });
    const after = buildModels(f.primary(), v2, facts).models.map((m) => m.name);
    expect(before).toEqual([`admin/cluster--Shared-L7-${SETTING}-0`]);
    expect(after).toEqual([`admin/cluster--Shared-L7-${SETTING}-1`]);
    const ing = bazBar().find((o) => o.kind === 'Ingress')!;
    expect(affectedModels(f.primary(), v1, ing, facts)).toEqual([`admin/cluster--Shared-L7-${SETTING}-0`]);
    expect(affectedModels(f.primary(), v2, ing, facts)).toEqual([`admin/cluster--Shared-L7-${SETTING}-1`]);
  });

  it('delete: the Ingress of a class whose setting is gone is skipped with AKO`s error, nothing else is built', () => {
    const state = buildModels(f.primary(), f.view(nsDefault, bazBar()), facts);
    expect(state.models).toEqual([]);
    expect(state.skipped).toEqual([
      {
        kind: 'Ingress',
        namespace: 'default',
        name: 'foo-with-class',
        field: 'spec.ingressClassName',
        reason: `aviinfrasetting.ako.vmware.com "${SETTING}" not found`,
        code: 'InvalidAviInfraSetting',
      },
    ]);
  });
});

describe('AviInfraSetting through the namespace annotation', () => {
  it('applies SE group and shard size without a name prefix (namespace-scoped, lib.IsInfraSettingNSScoped)', () => {
    const ns = f.ns('default', { app: 'migrate' }, { 'aviinfrasetting.ako.vmware.com/name': SETTING });
    const objs = [...bazBar('avi-lb'), setting('SMALL')];
    const state = buildModels(f.primary(), f.view([ns], objs), facts);
    const m = model(state, 'admin/cluster--Shared-L7-0');
    expect(names(m)).toContain('virtualservice:cluster--baz.com');
    expect(names(m)).toContain('pool:cluster--bar.com_foo-default-foo-with-class');
    expect(body(object(m, 'virtualservice', 'cluster--Shared-L7-0')).se_group_ref).toBe(
      `/api/serviceenginegroup?name=thisisaviref-${SETTING}-seGroup`,
    );
  });
});

describe('AviInfraSetting rejections', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing SE group', { seGroup: { name: 'nope-seg' } }, 'serviceenginegroup "nope-seg" not found on controller'],
    [
      'missing network',
      { network: { vipNetworks: [{ networkName: 'thisisBADaviref-networkName' }] } },
      'network "thisisBADaviref-networkName" not found on controller',
    ],
    [
      'bad CIDR',
      { network: { vipNetworks: [{ networkName: 'thisisaviref-networkName', cidr: '10.10.10.0/33' }] } },
      'invalid CIDR configuration 10.10.10.0/33 detected for networkName thisisaviref-networkName in vipNetworkList',
    ],
    [
      'BGP peer labels without RHI',
      { network: { bgpPeerLabels: ['peer1'] } },
      'BGPPeerLabels cannot be set if EnableRhi is false.',
    ],
    [
      'a field AKO has and this model does not apply (listeners)',
      { network: { listeners: [{ port: 8443, enableSSL: true }] } },
      'spec.network.listeners is not supported by ako-serverless yet; remove it from the AviInfraSetting',
    ],
    [
      'bad field: shard size',
      { l7Settings: { shardSize: 'HUGE' } },
      'spec.l7Settings.shardSize "HUGE" must be one of LARGE, MEDIUM, SMALL, DEDICATED',
    ],
  ];
  it.each(cases)('%s: Rejected, and the Ingress naming it is skipped (not the whole instance)', (_w, spec, error) => {
    const other = f.ingress('default', 'plain', [{ host: 'foo.com', paths: [{ path: '/', service: 'avisvc' }] }]);
    const v = f.view(nsDefault, [...bazBar(), other, infraSetting(SETTING, spec)]);
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([
      { kind: 'AviInfraSetting', name: SETTING, status: 'Rejected', error },
    ]);
    const state = buildModels(f.primary(), v, facts);
    expect(state.models.map((m) => m.name)).toEqual(['admin/cluster--Shared-L7-0']);
    expect(state.skipped).toContainEqual({
      kind: 'Ingress',
      namespace: 'default',
      name: 'foo-with-class',
      field: 'spec.ingressClassName',
      reason: `Referred AviInfraSetting ${SETTING} is invalid`,
      code: 'InvalidAviInfraSetting',
    });
  });
});

describe('AviInfraSetting ownership', () => {
  it('a setting no IngressClass/namespace of this instance uses gets no status from it and changes nothing', () => {
    const v = f.view(nsDefault, [f.aviClass(), ...f.avisvc('default'), setting()]);
    expect(buildCrStatuses(f.primary(), v, facts)).toEqual([]);
  });
});

describe('affectedModels for CR changes', () => {
  it('an AviInfraSetting change names the shards its Ingresses leave and join', () => {
    const v = f.view(nsDefault, [...bazBar(), setting('SMALL')]);
    expect(affectedModels(f.primary(), v, setting('LARGE'), facts)).toEqual([
      `admin/cluster--Shared-L7-${SETTING}-0`,
      `admin/cluster--Shared-L7-${SETTING}-1`,
    ]);
  });
});

describe('AviInfraSetting for a LoadBalancer Service (annotation)', () => {
  it('the L4 VS takes the setting`s SE group and VIP network; its name does not change', () => {
    const svc = f.service(
      'default',
      'web',
      [{ port: 80, targetPort: 8080 }],
      { type: 'LoadBalancer' },
      {
        'aviinfrasetting.ako.vmware.com/name': SETTING,
      },
    );
    const state = buildModels(
      f.primary(),
      f.view(nsDefault, [svc, f.slice('default', 'web', ['1.1.1.1']), setting()]),
      facts,
    );
    const m = model(state, 'admin/cluster--default-web');
    expect(body(object(m, 'virtualservice', 'cluster--default-web')).se_group_ref).toBe(
      `/api/serviceenginegroup?name=thisisaviref-${SETTING}-seGroup`,
    );
    expect(body(object(m, 'vsvip', 'cluster--default-web')).vip[0].ipam_network_subnet.network_ref).toBe(
      '/api/network/?name=thisisaviref-networkName',
    );
  });
});
