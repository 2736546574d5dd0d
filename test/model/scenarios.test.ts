// spec/avi-rest-api.md §6.3 scenarios that concern the model, re-expressed against the pure model:
// every step is applied incrementally (affectedModels before+after → buildSelectedModels) and checked
// against a full build of the same view.
import { describe, expect, it } from 'vitest';
import {
  affectedModels,
  applyChange,
  buildModels,
  buildSelectedModels,
  partitionByInstance,
} from '../../shared/model/index.ts';
import type { AviModel, ClusterView, KubeObject } from '../../shared/model/types.ts';
import { objectKey } from '../../shared/model/types.ts';
import { buildOwnerIndex } from '../../shared/registry/index.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import * as f from './fixtures.ts';
import { body, names, object } from './helpers.ts';

/** Desired state kept the way the sync function keeps it: full build once, then only affected models. */
class Desired {
  models = new Map<string, AviModel>();
  constructor(
    readonly inst: InstanceConfig,
    public view: ClusterView,
  ) {
    for (const m of buildModels(inst, view).models) this.models.set(m.name, m);
  }
  private current(o: KubeObject): KubeObject | undefined {
    if (o.kind === 'Namespace') return this.view.namespaces.find((n) => n.metadata.name === o.metadata.name);
    return this.view.objects.find((x) => objectKey(x) === objectKey(o));
  }
  change(op: 'upsert' | 'delete', o: KubeObject): Set<string> {
    const before = this.current(o);
    const names = new Set<string>();
    if (before) for (const n of affectedModels(this.inst, this.view, before)) names.add(n);
    this.view = applyChange(this.view, { op, object: o });
    if (op === 'upsert') for (const n of affectedModels(this.inst, this.view, o)) names.add(n);
    const rebuilt = buildSelectedModels(this.inst, this.view, names);
    for (const n of names) this.models.delete(n);
    for (const m of rebuilt.models) this.models.set(m.name, m);
    // Level-triggered: the incremental result equals a full build of a fresh copy of the view (no caches).
    const full = buildModels(this.inst, JSON.parse(JSON.stringify(this.view))).models;
    expect([...this.models.keys()].sort()).toEqual(full.map((m) => m.name));
    for (const m of full) expect(this.models.get(m.name)).toEqual(m);
    return names;
  }
  get(name: string): AviModel {
    const m = this.models.get(name);
    if (!m) throw new Error(`no model ${name}`);
    return m;
  }
}

const fooIng = (ns: string, name = 'foo-with-targets', host = 'foo.com', svc = 'avisvc', path = '/foo') =>
  f.ingress(ns, name, [{ host, paths: [{ path, service: svc }] }]);
const secureIng = (ns: string, name: string, hosts: { host: string; secret?: string }[], path = '/foo') =>
  f.ingress(
    ns,
    name,
    hosts.map((h) => ({ host: h.host, paths: [{ path, service: 'avisvc' }] })),
    { tls: hosts.filter((h) => h.secret).map((h) => ({ hosts: [h.host], secretName: h.secret! })) },
  );

describe('Group A: namespace sync', () => {
  const registry = { instances: [f.primary(), f.blue()] };
  const owners = buildOwnerIndex(registry);
  const split = (objects: KubeObject[]) =>
    partitionByInstance(registry.instances, (n, l) => owners.resolve('cluster', n, l), objects);

  it('1. labelled namespace builds shard 0 with the pool; a host change moves it to shard 1; other labels build nothing', () => {
    const all = [f.ns('rednsmig', { app: 'migrate' }), f.aviClass(), ...f.avisvc('rednsmig'), fooIng('rednsmig')];
    const p = split(all);
    const d = new Desired(registry.instances[0]!, p.views.get('cluster/avi-system')!);
    expect([...d.models.keys()]).toEqual(['admin/cluster--Shared-L7-0']);
    expect(names(d.get('admin/cluster--Shared-L7-0'))).toContain('pool:cluster--foo.com_foo-rednsmig-foo-with-targets');

    d.change('upsert', f.service('rednsmig', 'avisvc1'));
    d.change('upsert', f.slice('rednsmig', 'avisvc1', ['2.2.2.1']));
    const touched = d.change('upsert', fooIng('rednsmig', 'foo-with-targets', 'bar.com', 'avisvc1'));
    expect([...touched].sort()).toEqual(['admin/cluster--Shared-L7-0', 'admin/cluster--Shared-L7-1']);
    const m1 = d.get('admin/cluster--Shared-L7-1');
    expect(body(object(m1, 'pool', 'cluster--bar.com_foo-rednsmig-foo-with-targets')).servers[0].ip.addr).toBe(
      '2.2.2.1',
    );
    expect(d.models.has('admin/cluster--Shared-L7-0')).toBe(false);

    const green = split([
      f.ns('greenns', { app: 'migrate1' }),
      f.aviClass(),
      ...f.avisvc('greenns'),
      fooIng('greenns'),
    ]);
    for (const v of green.views.values()) expect(buildModels(registry.instances[0]!, v).models).toEqual([]);
    expect(green.unowned).toEqual([{ namespace: 'greenns', reason: 'no-match' }]);
  });

  it('2–4. relabelling moves a namespace into or out of an instance view (valid↔invalid)', () => {
    const objs = (label: string) => [
      f.ns('bluemigns', { app: label }),
      f.aviClass(),
      ...f.avisvc('bluemigns'),
      fooIng('bluemigns'),
    ];
    const build = (label: string) =>
      buildModels(registry.instances[0]!, split(objs(label)).views.get('cluster/avi-system')!).models.map(
        (m) => m.name,
      );
    expect(build('migrate')).toEqual(['admin/cluster--Shared-L7-0']);
    expect(build('migrate2')).toEqual([]);
    expect(build('migrate1')).toEqual([]);
  });

  it('each namespace lands in exactly one instance: app=migrate → primary, key=value2 → blue, both → nobody', () => {
    const p = split([
      f.ns('a', { app: 'migrate' }),
      f.ns('b', { key: 'value2' }),
      f.ns('c', { app: 'migrate', key: 'value2' }),
      ...f.avisvc('a'),
      ...f.avisvc('b'),
      ...f.avisvc('c'),
    ]);
    expect(p.views.get('cluster/avi-system')!.namespaces.map((n) => n.metadata.name)).toEqual(['a']);
    expect(p.views.get('cluster/blue')!.namespaces.map((n) => n.metadata.name)).toEqual(['b']);
    expect(p.unowned.map((u) => u.namespace)).toEqual(['c']);
    expect(p.unowned[0]!.reason).toContain('claimed by');
  });
});

describe('Group B: ingress create/update/delete (namespace default)', () => {
  const inst = f.primary();
  const start = (objs: KubeObject[]) =>
    new Desired(inst, f.view([f.ns('default', { app: 'migrate' })], [f.aviClass(), ...f.avisvc('default'), ...objs]));

  it('5. create → shard 0 with one pool, PG, DS, no certs; delete → the shard has no content (model gone)', () => {
    const d = start([fooIng('default', 'ing')]);
    const m = d.get('admin/cluster--Shared-L7-0');
    expect(m.objects.filter((o) => o.type === 'pool')).toHaveLength(1);
    expect(m.objects.filter((o) => o.type === 'sslkeyandcertificate')).toHaveLength(0);
    d.change('delete', fooIng('default', 'ing'));
    // AKO keeps the empty shared VS; a level-triggered full build cannot know a shard ever existed, so no model.
    expect(d.models.size).toBe(0);
  });

  it('7. endpoints scaled → 2 servers and a new checksum; service → LoadBalancer → no servers + L4 VS; back', () => {
    const d = start([fooIng('default', 'ing')]);
    const pool = () => body(object(d.get('admin/cluster--Shared-L7-0'), 'pool', 'cluster--foo.com_foo-default-ing'));
    const ck = pool().cloud_config_cksum;
    d.change('upsert', f.slice('default', 'avisvc', ['1.1.1.1', '1.1.1.2']));
    expect(pool().servers).toHaveLength(2);
    expect(pool().cloud_config_cksum).not.toBe(ck);
    d.change('upsert', f.service('default', 'avisvc', undefined, { type: 'LoadBalancer' }));
    expect(pool().servers).toEqual([]);
    expect(d.models.has('admin/cluster--default-avisvc')).toBe(true);
    d.change('upsert', f.service('default', 'avisvc'));
    expect(pool().servers).toHaveLength(2);
    expect(d.models.has('admin/cluster--default-avisvc')).toBe(false);
  });

  it('8. host foo.com → bar.com: old pool gone from shard 0, new pool in shard 1', () => {
    const d = start([fooIng('default', 'ing')]);
    d.change('upsert', fooIng('default', 'ing', 'bar.com'));
    expect(names(d.get('admin/cluster--Shared-L7-1'))).toContain('pool:cluster--bar.com_foo-default-ing');
    expect(d.models.has('admin/cluster--Shared-L7-0')).toBe(false);
  });

  it('9–10. SNI create; path update renames PG/pool, keeps the policy set name and the child checksum', () => {
    const d = start([f.tlsSecret('default', 'sec'), secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }])]);
    const m = d.get('admin/cluster--Shared-L7-0');
    expect(names(m)).toEqual([
      'vsvip:cluster--Shared-L7-0',
      'poolgroup:cluster--Shared-L7-0',
      'httppolicyset:cluster--Shared-L7-0',
      'vsdatascriptset:cluster--Shared-L7-0',
      'virtualservice:cluster--Shared-L7-0',
      'sslkeyandcertificate:cluster--foo.com',
      'pool:cluster--default-foo.com_foo-ing',
      'poolgroup:cluster--default-foo.com_foo-ing',
      'httppolicyset:cluster--default-foo.com',
      'virtualservice:cluster--foo.com',
    ]);
    expect(body(object(m, 'virtualservice', 'cluster--foo.com')).http_policies).toEqual([
      { index: 11, http_policy_set_ref: '/api/httppolicyset/?name=cluster--default-foo.com' },
    ]);
    const childCk = body(object(m, 'virtualservice', 'cluster--foo.com')).cloud_config_cksum;
    d.change('upsert', secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }], '/bar-updated'));
    const m2 = d.get('admin/cluster--Shared-L7-0');
    expect(names(m2)).toContain('poolgroup:cluster--default-foo.com_bar-updated-ing');
    expect(names(m2)).not.toContain('poolgroup:cluster--default-foo.com_foo-ing');
    expect(body(object(m2, 'virtualservice', 'cluster--foo.com')).cloud_config_cksum).toBe(childCk);
  });

  it('11. TLS removed: child and redirect gone, an insecure pool joins the shared PG', () => {
    const d = start([f.tlsSecret('default', 'sec'), secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }])]);
    d.change('upsert', secureIng('default', 'ing', [{ host: 'foo.com' }]));
    const m = d.get('admin/cluster--Shared-L7-0');
    expect(names(m)).not.toContain('virtualservice:cluster--foo.com');
    expect(names(m)).not.toContain('httppolicyset:cluster--Shared-L7-0');
    expect(body(object(m, 'poolgroup', 'cluster--Shared-L7-0')).members).toHaveLength(1);
  });

  it('12. secret missing → shard VS without cert/child; added → both plus redirect; updated → new certificate; deleted → child gone, shard stays', () => {
    const d = start([secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }])]);
    // AKO keeps the shard VS (ports 80 and 443) with no SNI child and no redirect (TestL7ModelNoSecretToSecret).
    const bare = d.get('admin/cluster--Shared-L7-0');
    expect(names(bare)).not.toContain('virtualservice:cluster--foo.com');
    expect(names(bare)).not.toContain('httppolicyset:cluster--Shared-L7-0');
    expect(
      body(object(bare, 'virtualservice', 'cluster--Shared-L7-0')).services.map((x: { port: number }) => x.port),
    ).toEqual([80, 443]);
    d.change('upsert', f.tlsSecret('default', 'sec'));
    let m = d.get('admin/cluster--Shared-L7-0');
    expect(names(m)).toContain('sslkeyandcertificate:cluster--foo.com');
    expect(names(m)).toContain('virtualservice:cluster--foo.com');
    expect(names(m)).toContain('httppolicyset:cluster--Shared-L7-0');
    const newCert = '-----BEGIN CERTIFICATE-----\nMIIBnew\n-----END CERTIFICATE-----\n';
    d.change('upsert', f.tlsSecret('default', 'sec', newCert));
    m = d.get('admin/cluster--Shared-L7-0');
    expect(body(object(m, 'sslkeyandcertificate', 'cluster--foo.com')).certificate.certificate).toBe(newCert);
    d.change('delete', f.tlsSecret('default', 'sec'));
    expect([...d.models.keys()]).toEqual(['admin/cluster--Shared-L7-0']);
    expect(names(d.get('admin/cluster--Shared-L7-0'))).not.toContain('virtualservice:cluster--foo.com');
  });

  it('13. multi host, multi secret: foo.com child on -0, bar.com child on -1, xyz.com insecure on -3', () => {
    const d = start([
      f.tlsSecret('default', 'a'),
      f.tlsSecret('default', 'b'),
      secureIng('default', 'ing', [
        { host: 'foo.com', secret: 'a' },
        { host: 'bar.com', secret: 'b' },
        { host: 'xyz.com' },
      ]),
    ]);
    expect(names(d.get('admin/cluster--Shared-L7-0'))).toContain('virtualservice:cluster--foo.com');
    expect(names(d.get('admin/cluster--Shared-L7-1'))).toContain('virtualservice:cluster--bar.com');
    expect(names(d.get('admin/cluster--Shared-L7-3'))).toContain('pool:cluster--xyz.com_foo-default-ing');
    d.change('delete', f.tlsSecret('default', 'b'));
    d.change(
      'upsert',
      secureIng('default', 'ing', [{ host: 'foo.com', secret: 'a' }, { host: 'bar.com' }, { host: 'xyz.com' }]),
    );
    const m1 = d.get('admin/cluster--Shared-L7-1');
    expect(names(m1)).not.toContain('virtualservice:cluster--bar.com');
    expect(names(m1)).toContain('pool:cluster--bar.com_foo-default-ing');
  });

  it('14. profiles: shared VS System-HTTP, SNI child System-Secure-HTTP, both System-TCP-Proxy', () => {
    const d = start([f.tlsSecret('default', 'sec'), secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }])]);
    for (const o of d.get('admin/cluster--Shared-L7-0').objects.filter((x) => x.type === 'virtualservice')) {
      expect(body(o).application_profile_ref).toMatch(
        o.name.includes('Shared') ? /System-HTTP$/ : /System-Secure-HTTP$/,
      );
      expect(body(o).network_profile_ref).toMatch(/System-TCP-Proxy$/);
    }
  });

  it('15. shard naming convention: foo.com (TLS) and noo.com with /foo/bar', () => {
    const d = start([
      f.tlsSecret('default', 'sec'),
      f.ingress(
        'default',
        'ing',
        [
          { host: 'foo.com', paths: [{ path: '/foo/bar', service: 'avisvc' }] },
          { host: 'noo.com', paths: [{ path: '/foo/bar', service: 'avisvc' }] },
        ],
        { tls: [{ hosts: ['foo.com'], secretName: 'sec' }] },
      ),
    ]);
    const all = [...d.models.values()].flatMap((m) => names(m));
    expect(all).toEqual(
      expect.arrayContaining([
        'virtualservice:cluster--Shared-L7-0',
        'poolgroup:cluster--Shared-L7-0',
        'vsdatascriptset:cluster--Shared-L7-0',
        'vsvip:cluster--Shared-L7-0',
        'virtualservice:cluster--foo.com',
        'poolgroup:cluster--default-foo.com_foo_bar-ing',
        'pool:cluster--default-foo.com_foo_bar-ing',
        'sslkeyandcertificate:cluster--foo.com',
      ]),
    );
    expect(all.some((n) => n.startsWith('pool:cluster--noo.com_foo_bar-default-ing'))).toBe(true);
  });

  it('16. a resync of an unchanged view gives identical models (checksums included)', () => {
    const objs = [
      f.tlsSecret('default', 'sec'),
      secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }, { host: 'bar.com' }]),
    ];
    const v = f.view([f.ns('default', { app: 'migrate' })], [f.aviClass(), ...f.avisvc('default'), ...objs]);
    const copy = JSON.parse(JSON.stringify(v));
    expect(buildModels(inst, copy)).toEqual(buildModels(inst, v));
  });
});

describe('23. multi-AKO naming (non-primary in blue, selector key=value2)', () => {
  it('shared VS/VsVip/PG/DS carry blue-, created_by ako-cluster-blue, pool/SNI/cert names unchanged, no static routes', () => {
    const inst = f.blue();
    const v = f.view(
      [f.ns('default', { key: 'value2' })],
      [
        f.aviClass(),
        ...f.avisvc('default'),
        f.tlsSecret('default', 'sec'),
        secureIng('default', 'ing', [{ host: 'foo.com', secret: 'sec' }, { host: 'xyz.com' }]),
      ],
    );
    const s = buildModels(inst, v);
    expect(s.models.map((m) => m.name)).toEqual(['admin/cluster--blue-Shared-L7-0', 'admin/cluster--blue-Shared-L7-3']);
    const all = s.models.flatMap((m) => m.objects);
    for (const o of all) {
      if (o.type !== 'vsvip') expect(body(o).created_by).toBe('ako-cluster-blue');
    }
    expect(all.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        'cluster--foo.com',
        'cluster--default-foo.com_foo-ing',
        'cluster--xyz.com_foo-default-ing',
      ]),
    );
  });
});
