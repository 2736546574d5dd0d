import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildOwnerIndex,
  type InstanceConfig,
  isPrimaryKind,
  type OwnerResolution,
  type Registry,
  resolveByScan,
  resolveInstance,
} from '../../shared/registry/index.ts';

function instance(
  cluster: string,
  namespace: string,
  opts: { primary?: boolean; key?: string; value?: string; blocked?: string[] } = {},
): InstanceConfig {
  return resolveInstance({
    namespace,
    values: {
      AKOSettings: {
        clusterName: cluster,
        primaryInstance: opts.primary ?? false,
        namespaceSelector: { labelKey: opts.key ?? '', labelValue: opts.value ?? '' },
        blockedNamespaceList: opts.blocked ?? [],
      },
    },
  });
}

const seed: Registry = {
  instances: [
    instance('demo', 'avi-system', { primary: true, key: 'app', value: 'migrate', blocked: ['kube-system'] }),
    instance('demo', 'blue', { key: 'key', value: 'value2' }),
  ],
};
const index = buildOwnerIndex(seed);
const ownerId = (r: OwnerResolution) => (r.kind === 'owner' ? r.instance.id : r.kind);

describe('owner index: the seed cluster', () => {
  it('app=migrate → the primary, key=value2 → blue', () => {
    expect(ownerId(index.resolve('demo', 'rednsmig', { app: 'migrate' }))).toBe('demo/avi-system');
    expect(ownerId(index.resolve('demo', 'team', { key: 'value2', other: 'x' }))).toBe('demo/blue');
  });

  it('labels that match nobody → none/no-match (exact value match, single key)', () => {
    expect(index.resolve('demo', 'greenns', { app: 'migrate1' })).toEqual({ kind: 'none', reason: 'no-match' });
    expect(index.resolve('demo', 'x', {})).toEqual({ kind: 'none', reason: 'no-match' });
    expect(index.resolve('demo', 'x', { APP: 'migrate' })).toEqual({ kind: 'none', reason: 'no-match' });
  });

  it('a blocked namespace loses even when its label matches', () => {
    expect(index.resolve('demo', 'kube-system', { app: 'migrate' })).toEqual({ kind: 'none', reason: 'blocked' });
  });

  it('a namespace matched through two different label keys is a conflict naming both', () => {
    const r = index.resolve('demo', 'both', { app: 'migrate', key: 'value2' });
    expect(r.kind).toBe('conflict');
    expect(r.kind === 'conflict' && r.instances.map((i) => i.id)).toEqual(['demo/avi-system', 'demo/blue']);
  });

  it('an unknown cluster → none/unknown-cluster', () => {
    expect(index.resolve('elsewhere', 'x', { app: 'migrate' })).toEqual({ kind: 'none', reason: 'unknown-cluster' });
  });

  it('primaryOf, instance and instancesOf', () => {
    expect(index.primaryOf('demo')?.id).toBe('demo/avi-system');
    expect(index.primaryOf('elsewhere')).toBeUndefined();
    expect(index.instance('demo/blue')?.createdBy).toBe('ako-demo-blue');
    expect(index.instancesOf('demo')).toHaveLength(2);
    expect(index.clusters()).toEqual(['demo']);
  });

  it('cluster-scoped kinds (Node and CNI pod-CIDR objects) belong to the primary', () => {
    for (const k of ['Node', 'BlockAffinity', 'HostSubnet', 'CiliumNode']) expect(isPrimaryKind(k)).toBe(true);
    for (const k of ['Ingress', 'Service', 'Namespace']) expect(isPrimaryKind(k)).toBe(false);
  });
});

describe('owner index: an empty selector', () => {
  const solo = buildOwnerIndex({ instances: [instance('solo', 'avi-system', { primary: true, blocked: ['b'] })] });
  it('claims every namespace except blocked ones', () => {
    expect(ownerId(solo.resolve('solo', 'anything', {}))).toBe('solo/avi-system');
    expect(solo.resolve('solo', 'b', {})).toEqual({ kind: 'none', reason: 'blocked' });
  });
});

// ---- properties: the index agrees with a scan; a namespace never has two owners -------------------------------

const KEYS = ['app', 'team', 'key', 'env'];
const VALUES = ['a', 'b', 'c', 'migrate'];
const NAMESPACES = ['n1', 'n2', 'n3', 'kube-system'];

const selector = fc.option(fc.record({ key: fc.constantFrom(...KEYS), value: fc.constantFrom(...VALUES) }), {
  nil: undefined,
  freq: 6,
});
/** Registries with arbitrary (even invalid) selectors: the index must still agree with the scan. */
const registryArb = fc
  .array(
    fc.record({
      cluster: fc.constantFrom('c1', 'c2', 'c3'),
      selector,
      blocked: fc.subarray(NAMESPACES, { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map(
    (specs): Registry => ({
      instances: specs.map((s, i) =>
        instance(s.cluster, `ns-${i}`, {
          primary: i === 0,
          ...(s.selector ? { key: s.selector.key, value: s.selector.value } : {}),
          blocked: s.blocked,
        }),
      ),
    }),
  );
const labelsArb = fc.dictionary(fc.constantFrom(...KEYS, 'other'), fc.constantFrom(...VALUES, 'zzz'), {
  maxKeys: 4,
});
const queryArb = fc.record({
  cluster: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
  namespace: fc.constantFrom(...NAMESPACES),
  labels: labelsArb,
});

const normalise = (r: OwnerResolution) =>
  r.kind === 'owner'
    ? { kind: 'owner', ids: [r.instance.id] }
    : r.kind === 'conflict'
      ? { kind: 'conflict', ids: r.instances.map((i) => i.id) }
      : r;

describe('owner index properties', () => {
  it('resolution agrees with a naive scan over all instances', () => {
    fc.assert(
      fc.property(registryArb, fc.array(queryArb, { minLength: 1, maxLength: 20 }), (registry, queries) => {
        const idx = buildOwnerIndex(registry);
        for (const q of queries) {
          expect(normalise(idx.resolve(q.cluster, q.namespace, q.labels))).toEqual(
            normalise(resolveByScan(registry, q.cluster, q.namespace, q.labels)),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('each namespace resolves to at most one instance, and that instance selects it and does not block it', () => {
    fc.assert(
      fc.property(registryArb, queryArb, (registry, q) => {
        const r = buildOwnerIndex(registry).resolve(q.cluster, q.namespace, q.labels);
        if (r.kind !== 'owner') return;
        const sel = r.instance.namespaceSelector;
        expect(r.instance.clusterName).toBe(q.cluster);
        if (sel) expect(q.labels[sel.labelKey]).toBe(sel.labelValue);
        expect(r.instance.blockedNamespaces).not.toContain(q.namespace);
        const others = registry.instances.filter(
          (i) =>
            i !== r.instance &&
            i.clusterName === q.cluster &&
            !i.blockedNamespaces.includes(q.namespace) &&
            (!i.namespaceSelector || q.labels[i.namespaceSelector.labelKey] === i.namespaceSelector.labelValue),
        );
        expect(others).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('the answer does not depend on label order or instance order', () => {
    fc.assert(
      fc.property(registryArb, queryArb, (registry, q) => {
        const a = buildOwnerIndex(registry).resolve(q.cluster, q.namespace, q.labels);
        const reversed = buildOwnerIndex({ instances: [...registry.instances].reverse() });
        const labels = Object.fromEntries(Object.entries(q.labels).reverse());
        expect(normalise(reversed.resolve(q.cluster, q.namespace, labels))).toEqual(normalise(a));
      }),
      { numRuns: 200 },
    );
  });
});

describe('owner index with many distinct selector keys in one cluster', () => {
  const MANY = Array.from({ length: 12 }, (_, i) => `k${i}`);
  const manyArb = fc
    .array(fc.record({ key: fc.constantFrom(...MANY), value: fc.constantFrom('x', 'y'), catchAll: fc.boolean() }), {
      minLength: 9,
      maxLength: 20,
    })
    .map(
      (specs): Registry => ({
        instances: specs.map((s, i) =>
          instance('big', `ns-${i}`, {
            primary: i === 0,
            ...(s.catchAll && i === 1 ? {} : { key: s.key, value: s.value }),
            blocked: i % 5 === 0 ? ['n1'] : [],
          }),
        ),
      }),
    );
  const labels = fc.dictionary(fc.constantFrom(...MANY, 'other'), fc.constantFrom('x', 'y', 'z'), { maxKeys: 6 });

  it('agrees with the scan whichever side it walks', () => {
    fc.assert(
      fc.property(manyArb, labels, fc.constantFrom('n1', 'n2'), (registry, l, ns) => {
        expect(normalise(buildOwnerIndex(registry).resolve('big', ns, l))).toEqual(
          normalise(resolveByScan(registry, 'big', ns, l)),
        );
      }),
      { numRuns: 200 },
    );
  });
});
