import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  affectedModels,
  applyChange,
  buildModels,
  buildSelectedModels,
  MAX_NAME_LENGTH,
  partitionByInstance,
} from '../../shared/model/index.ts';
import type { AviModel, ClusterView, KubeObject } from '../../shared/model/types.ts';
import { objectKey } from '../../shared/model/types.ts';
import { buildOwnerIndex } from '../../shared/registry/index.ts';
import * as f from './fixtures.ts';

const NAMESPACES = ['a', 'b', 'c'];
const HOSTS = ['foo.com', 'bar.com', 'xyz.com', 'abc.com', 'secure.example.com', 'Foo.com', 'bad_host'];
const SERVICES = ['s1', 's2', 'missing'];

const arbPath = fc.record({
  path: fc.constantFrom('', '/', '/foo', '/foo/bar', '/api'),
  pathType: fc.constantFrom('Exact', 'Prefix', 'ImplementationSpecific'),
  service: fc.constantFrom(...SERVICES),
});
const arbIngress = fc.record({
  ns: fc.constantFrom(...NAMESPACES),
  name: fc.constantFrom('i1', 'i2', 'i3'),
  rules: fc.array(
    fc.record({ host: fc.constantFrom(...HOSTS), paths: fc.array(arbPath, { minLength: 1, maxLength: 3 }) }),
    {
      minLength: 1,
      maxLength: 3,
    },
  ),
  tlsHosts: fc.subarray(HOSTS),
  secret: fc.constantFrom('sec', 'nosecret'),
});
type IngSpec = typeof arbIngress extends fc.Arbitrary<infer T> ? T : never;

function toIngress(s: IngSpec): KubeObject {
  return f.ingress(
    s.ns,
    s.name,
    s.rules.map((r) => ({
      host: r.host,
      paths: r.paths.map((p) => ({ ...p, ...(p.path ? {} : { path: undefined }) })),
    })),
    { tls: s.tlsHosts.length ? [{ hosts: s.tlsHosts, secretName: s.secret }] : undefined },
  );
}

function baseObjects(): KubeObject[] {
  const out: KubeObject[] = [f.aviClass()];
  for (const ns of NAMESPACES) {
    out.push(...f.avisvc(ns, '10.0.0.1', 's1'), ...f.avisvc(ns, '10.0.0.2', 's2'), f.tlsSecret(ns, 'sec'));
    out.push(f.service(ns, `lb-${ns}`, [{ port: 80 }], { type: 'LoadBalancer' }));
  }
  return out;
}

function viewOf(ings: IngSpec[], labels: Record<string, string> = { app: 'migrate' }): ClusterView {
  const uniq = new Map(ings.map((s) => [`${s.ns}/${s.name}`, toIngress(s)]));
  return f.view(
    NAMESPACES.map((n) => f.ns(n, labels)),
    [...baseObjects(), ...uniq.values()],
  );
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const a = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('model properties', () => {
  it('deterministic and independent of input order', () => {
    fc.assert(
      fc.property(fc.array(arbIngress, { maxLength: 6 }), fc.integer(), fc.boolean(), (ings, seed, primaryInst) => {
        const inst = primaryInst ? f.primary() : f.blue();
        const v = viewOf(ings);
        const shuffled = f.view(shuffle(v.namespaces, seed), shuffle(v.objects, seed + 1));
        const a = buildModels(inst, v, { dnsSubdomains: [] });
        const b = buildModels(inst, shuffled, { dnsSubdomains: [] });
        expect(b).toEqual(a);
        expect(buildModels(inst, JSON.parse(JSON.stringify(v)))).toEqual(a);
      }),
      { numRuns: 60 },
    );
  });

  it('every name is ≤ 255 characters, or its source is reported skipped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 253 }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom('', '/p', '/a/b'),
        (nameLen, labelLen, path) => {
          const name = `i${'x'.repeat(nameLen - 1)}`.slice(0, 253);
          const host = `${'h'.repeat(Math.min(labelLen, 63))}.example.com`;
          const v = f.view(
            [f.ns('default', { app: 'migrate' })],
            [
              f.aviClass(),
              ...f.avisvc('default'),
              f.tlsSecret('default', 'sec'),
              f.ingress('default', name, [{ host, paths: [{ path: path || undefined, service: 'avisvc' }] }], {
                tls: nameLen % 2 ? [{ hosts: [host], secretName: 'sec' }] : undefined,
              }),
            ],
          );
          const s = buildModels(f.primary(), v);
          for (const m of s.models)
            for (const o of m.objects) expect(o.name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
          const produced = s.models.some((m) => m.sources.includes(`Ingress/default/${name}`));
          if (!produced) expect(s.skipped.some((x) => x.kind === 'Ingress' && x.name === name)).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("each namespace's objects appear in at most one instance's output", () => {
    const registry = { instances: [f.primary(), f.blue()] };
    const owners = buildOwnerIndex(registry);
    const labelSet = fc.record({
      app: fc.constantFrom(undefined, 'migrate', 'other'),
      key: fc.constantFrom(undefined, 'value2', 'other'),
    });
    fc.assert(
      fc.property(fc.array(arbIngress, { maxLength: 6 }), fc.tuple(labelSet, labelSet, labelSet), (ings, labels) => {
        const v = viewOf(ings);
        const nsObjs = NAMESPACES.map((n, i) => {
          const l = Object.fromEntries(Object.entries(labels[i]!).filter(([, x]) => x !== undefined)) as Record<
            string,
            string
          >;
          return f.ns(n, l);
        });
        const p = partitionByInstance(registry.instances, (n, l) => owners.resolve('cluster', n, l), [
          ...nsObjs,
          ...v.objects,
        ]);
        const seenBy = new Map<string, string>();
        for (const inst of registry.instances) {
          const s = buildModels(inst, p.views.get(inst.id)!);
          for (const m of s.models) {
            for (const src of m.sources) {
              const ns = src.split('/')[1]!;
              if (!ns) continue;
              const prev = seenBy.get(ns);
              expect(prev === undefined || prev === inst.id).toBe(true);
              seenBy.set(ns, inst.id);
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('incremental rebuild (affected before+after → selected) equals a fresh full build after every change', () => {
    const arbChange = fc.oneof(
      arbIngress.map((s) => ({ op: 'upsert' as const, o: toIngress(s) })),
      fc.record({ ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom('i1', 'i2', 'i3') }).map((x) => ({
        op: 'delete' as const,
        o: f.ingress(x.ns, x.name, []),
      })),
      fc
        .record({
          ns: fc.constantFrom(...NAMESPACES),
          svc: fc.constantFrom('s1', 's2'),
          ip: fc.constantFrom('10.1.1.1', '10.1.1.2'),
        })
        .map((x) => ({ op: 'upsert' as const, o: f.slice(x.ns, x.svc, [x.ip]) })),
      fc.record({ ns: fc.constantFrom(...NAMESPACES), lb: fc.boolean() }).map((x) => ({
        op: 'upsert' as const,
        o: f.service(x.ns, 's1', undefined, x.lb ? { type: 'LoadBalancer' } : {}),
      })),
      fc.constantFrom(...NAMESPACES).map((ns) => ({ op: 'delete' as const, o: f.tlsSecret(ns, 'sec') })),
      fc.constantFrom(...NAMESPACES).map((ns) => ({ op: 'upsert' as const, o: f.tlsSecret(ns, 'sec', 'CERT2') })),
      fc.record({ ns: fc.constantFrom(...NAMESPACES), t: fc.constantFrom(undefined, 'admin', 'team') }).map((x) => ({
        op: 'upsert' as const,
        o: f.ns(x.ns, { app: 'migrate' }, x.t ? { 'ako.vmware.com/tenant-name': x.t } : undefined),
      })),
      // A rule without a host (it can land on any shard of its tenant); the Avi class made default or not.
      fc.record({ ns: fc.constantFrom(...NAMESPACES), name: fc.constantFrom('i1', 'i4') }).map((x) => ({
        op: 'upsert' as const,
        o: f.ingress(x.ns, x.name, [{ paths: [{ path: '/h', service: 's1' }] }]),
      })),
      fc.boolean().map((isDefault) => ({ op: 'upsert' as const, o: f.aviClass(isDefault) })),
    );
    // Shards of every size (one shard holds every host with SMALL), dedicated VSes, and NodePort servers (whose
    // fragments are never kept, so the rebuild reads every contributor).
    const arbSettings = fc.constantFrom<Record<string, unknown>>(
      {},
      { 'L7Settings.shardVSSize': 'SMALL' },
      { 'L7Settings.shardVSSize': 'DEDICATED' },
      { 'L7Settings.serviceType': 'NodePort' },
    );
    fc.assert(
      fc.property(
        arbSettings,
        fc.array(arbIngress, { maxLength: 4 }),
        fc.array(arbChange, { minLength: 1, maxLength: 8 }),
        (settings, ings, changes) => {
          const inst = f.primary(settings);
          let view = viewOf(ings);
          const models = new Map<string, AviModel>(buildModels(inst, view).models.map((m) => [m.name, m]));
          for (const c of changes) {
            const cur = (x: KubeObject) =>
              x.kind === 'Namespace'
                ? view.namespaces.find((n) => n.metadata.name === x.metadata.name)
                : view.objects.find((y) => objectKey(y) === objectKey(x));
            const before = cur(c.o);
            const names = new Set<string>(before ? affectedModels(inst, view, before) : []);
            view = applyChange(view, { op: c.op, object: c.o });
            if (c.op === 'upsert') for (const n of affectedModels(inst, view, c.o)) names.add(n);
            for (const n of names) models.delete(n);
            for (const m of buildSelectedModels(inst, view, names).models) models.set(m.name, m);
            const fresh = () => JSON.parse(JSON.stringify(view)) as ClusterView;
            const full = buildModels(inst, fresh()).models;
            expect([...models.keys()].sort()).toEqual(full.map((m) => m.name));
            for (const m of full) expect(models.get(m.name)).toEqual(m);
            // Every model rebuilt on the carried index says what a fresh full build says: models, skipped
            // fields and served hosts.
            const facts = { collectHosts: true };
            const candidates = view.objects.flatMap((o) => affectedModels(inst, view, o));
            const every = buildSelectedModels(inst, view, [...models.keys(), ...candidates], facts);
            const whole = buildModels(inst, fresh(), facts);
            expect(every.models).toEqual(whole.models);
            expect(every.skipped).toEqual(whole.skipped);
            const byHost = (a: { host: string }, b: { host: string }) => (a.host < b.host ? -1 : 1);
            expect([...(every.hosts ?? [])].sort(byHost)).toEqual([...(whole.hosts ?? [])].sort(byHost));
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
