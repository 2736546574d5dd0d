import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Delivery, route } from '../../functions/router/route.ts';
import { type BusEvent, busEvent, objectDedupId, parseBusEvent } from '../../shared/events/index.ts';
import { change, index, objectEvent } from './fixtures.ts';

function parsed(raw: unknown): BusEvent {
  const r = parseBusEvent(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}
const decide = (raw: unknown) => route(parsed(raw), index);
const where = (d: Delivery) => `${d.target.queue}:${d.target.instanceId}`;

describe('object changes', () => {
  it('an Ingress in an app=migrate namespace goes to the primary instance, grouped by namespace', () => {
    const c = change({ kind: 'Ingress', namespace: 'rednsmig', name: 'foo', namespaceLabels: { app: 'migrate' } });
    const d = decide(objectEvent(c));
    expect(d.problems).toEqual([]);
    expect(d.deliveries).toHaveLength(1);
    expect(d.deliveries[0]).toMatchObject({
      target: { queue: 'sync', cluster: 'demo', instanceId: 'demo/avi-system' },
      groupId: 'rednsmig',
      dedupId: objectDedupId(c),
      message: { type: 'object', version: 1, change: { name: 'foo', kind: 'Ingress' } },
    });
  });

  it('a Service in a key=value2 namespace goes to the non-primary in blue', () => {
    const d = decide(
      objectEvent(change({ kind: 'Service', namespace: 'team', name: 's', namespaceLabels: { key: 'value2' } })),
    );
    expect(d.deliveries.map(where)).toEqual(['sync:demo/blue']);
  });

  it('a namespace no instance selects: nothing routed, nothing reported as an error', () => {
    const d = decide(
      objectEvent(change({ kind: 'Ingress', namespace: 'greenns', name: 'i', namespaceLabels: { app: 'migrate1' } })),
    );
    expect(d.deliveries).toEqual([]);
    expect(d.problems).toEqual([]);
    expect(d.ignored).toMatch(/greenns.*no owner/);
  });

  it('a blocked namespace is not routed even though its label matches', () => {
    const d = decide(
      objectEvent(
        change({ kind: 'Ingress', namespace: 'kube-system', name: 'i', namespaceLabels: { app: 'migrate' } }),
      ),
    );
    expect(d.deliveries).toEqual([]);
    expect(d.ignored).toMatch(/blocked/);
  });

  it('a namespace claimed by two instances: conflict naming both, routed nowhere', () => {
    const d = decide(
      objectEvent(
        change({ kind: 'Ingress', namespace: 'both', name: 'i', namespaceLabels: { app: 'migrate', key: 'value2' } }),
      ),
    );
    expect(d.deliveries).toEqual([]);
    expect(d.problems).toEqual([
      expect.objectContaining({
        reason: 'ownership-conflict',
        cluster: 'demo',
        namespace: 'both',
        instances: ['demo/avi-system', 'demo/blue'],
      }),
    ]);
  });

  it('an unknown cluster: a clear problem, not a crash', () => {
    const d = decide(
      objectEvent(change({ kind: 'Ingress', cluster: 'ghost', namespace: 'x', name: 'i', namespaceLabels: {} })),
    );
    expect(d.deliveries).toEqual([]);
    expect(d.problems).toEqual([
      expect.objectContaining({
        reason: 'unknown-cluster',
        cluster: 'ghost',
        message: expect.stringMatching(/"ghost" is not in the instance registry/),
      }),
    ]);
  });

  it('Nodes and CNI pod-CIDR objects go to the cluster primary queue, in the _cluster group', () => {
    for (const kind of ['Node', 'BlockAffinity', 'HostSubnet', 'CiliumNode']) {
      const d = decide(objectEvent(change({ kind, name: 'n1' })));
      expect(d.deliveries.map(where)).toEqual(['primary:demo/avi-system']);
      expect(d.deliveries[0]!.groupId).toBe('_cluster');
    }
  });

  it('in NodePort mode every instance also receives the Nodes (its pool servers are node addresses)', () => {
    const d = decide(objectEvent(change({ kind: 'Node', cluster: 'np', name: 'n1' })));
    expect(d.deliveries.map(where)).toEqual(['primary:np/avi-system', 'sync:np/avi-system', 'sync:np/team-b']);
  });

  it('IngressClasses go to every instance of the cluster', () => {
    const d = decide(objectEvent(change({ kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', name: 'avi-lb' })));
    expect(d.deliveries.map(where)).toEqual(['sync:demo/avi-system', 'sync:demo/blue']);
  });

  it('a Namespace object goes to the instance that owns it (by its own labels)', () => {
    const ns = change({
      kind: 'Namespace',
      name: 'team',
      namespaceLabels: { key: 'value2' },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { key: 'value2' } } },
    });
    const d = decide(objectEvent(ns));
    expect(d.deliveries.map(where)).toEqual(['sync:demo/blue', 'sync:demo/avi-system']);
    expect(d.deliveries[0]!.groupId).toBe('team');
    expect(d.deliveries[0]!.message.type).toBe('object');
    // Every other instance learns who owns it now: a relist release (a move whose release was lost is finished).
    expect(d.deliveries[1]!.message).toMatchObject({
      type: 'release',
      namespace: 'team',
      relist: true,
      handoffTo: 'demo/blue',
    });
    expect(d.deliveries[1]!.groupId).toBe('team');
  });

  it('a Namespace nobody selects tells every instance to release it; a Namespace delete tells nobody', () => {
    const ns = change({
      kind: 'Namespace',
      name: 'team',
      namespaceLabels: { other: 'x' },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { other: 'x' } } },
    });
    const d = decide(objectEvent(ns));
    expect(d.deliveries.map(where).sort()).toEqual(['sync:demo/avi-system', 'sync:demo/blue']);
    for (const x of d.deliveries) {
      expect(x.message).toMatchObject({ type: 'release', relist: true });
      expect(x.message).not.toHaveProperty('handoffTo');
    }
    expect(decide(objectEvent({ ...ns, op: 'delete' })).deliveries.filter((x) => x.message.type === 'release')).toEqual(
      [],
    );
  });

  it('an unknown cluster-scoped kind is reported, not guessed', () => {
    const d = decide(objectEvent(change({ kind: 'ClusterRole', name: 'x' })));
    expect(d.problems[0]).toMatchObject({ reason: 'unroutable-kind' });
  });

  it('deletes route like upserts (same owner, distinct dedup id)', () => {
    const up = change({
      kind: 'Ingress',
      namespace: 'rednsmig',
      name: 'foo',
      namespaceLabels: { app: 'migrate' },
      resourceVersion: '7',
    });
    const del = { ...up, op: 'delete' as const, object: undefined };
    const a = decide(objectEvent(up)).deliveries[0]!;
    const b = decide(objectEvent(del)).deliveries[0]!;
    expect(where(b)).toBe(where(a));
    expect(b.dedupId).not.toBe(a.dedupId);
  });
});

describe('namespace label changes', () => {
  const moved = (oldLabels: Record<string, string>, newLabels: Record<string, string>) =>
    decide(
      busEvent('namespace-changed', {
        version: 1,
        cluster: 'demo',
        namespace: 'team',
        oldLabels,
        newLabels,
        resourceVersion: '9',
      }),
    );

  it('owner A → owner B: hold to B, release (handing off to B) to A; no adopt yet', () => {
    const d = moved({ app: 'migrate' }, { key: 'value2' });
    expect(d.problems).toEqual([]);
    const handoffId = d.deliveries[0]?.message.type === 'hold' ? d.deliveries[0].message.handoffId : undefined;
    expect(handoffId).toMatch(/^[0-9a-f]{32}$/);
    expect(d.deliveries.map((x) => [where(x), x.message])).toEqual([
      [
        'sync:demo/blue',
        { type: 'hold', version: 1, cluster: 'demo', namespace: 'team', from: 'demo/avi-system', handoffId },
      ],
      [
        'sync:demo/avi-system',
        { type: 'release', version: 1, cluster: 'demo', namespace: 'team', handoffTo: 'demo/blue', handoffId },
      ],
    ]);
    expect(d.deliveries.every((x) => x.groupId === 'team')).toBe(true);
  });

  it('no owner → owner: adopt directly', () => {
    const d = moved({ app: 'migrate2' }, { app: 'migrate' });
    expect(d.deliveries.map((x) => [where(x), x.message.type])).toEqual([['sync:demo/avi-system', 'adopt']]);
  });

  it('owner → no owner: release to nobody, still with its own hand-off id (a late copy is recognised)', () => {
    const d = moved({ app: 'migrate' }, { app: 'migrate2' });
    expect(d.deliveries.map((x) => [where(x), x.message])).toEqual([
      [
        'sync:demo/avi-system',
        { type: 'release', version: 1, cluster: 'demo', namespace: 'team', handoffId: expect.any(String) },
      ],
    ]);
    expect(d.deliveries[0]!.message).not.toHaveProperty('handoffTo');
  });

  it('no owner → no owner, or the same owner: nothing', () => {
    expect(moved({ app: 'migrate2' }, { app: 'migrate1' }).deliveries).toEqual([]);
    expect(moved({ app: 'migrate' }, { app: 'migrate', extra: 'x' }).deliveries).toEqual([]);
  });

  it('moving back and forth gives each hand-off its own id (a stale adopt can be recognised)', () => {
    const ev = (oldLabels: Record<string, string>, newLabels: Record<string, string>, resourceVersion: string) =>
      decide(
        busEvent('namespace-changed', {
          version: 1,
          cluster: 'demo',
          namespace: 'team',
          oldLabels,
          newLabels,
          resourceVersion,
        }),
      );
    const there = ev({ app: 'migrate' }, { key: 'value2' }, '10');
    const back = ev({ key: 'value2' }, { app: 'migrate' }, '11');
    const idOf = (d: typeof there) => (d.deliveries[0]!.message as { handoffId?: string }).handoffId;
    expect(idOf(there)).not.toBe(idOf(back));
    expect(back.deliveries.map((x) => `${x.message.type}→${x.target.instanceId}`)).toEqual([
      'hold→demo/avi-system',
      'release→demo/blue',
    ]);
  });

  it('a change into a conflict: reported, routed nowhere, the old owner keeps everything', () => {
    const d = moved({ app: 'migrate' }, { app: 'migrate', key: 'value2' });
    expect(d.deliveries).toEqual([]);
    expect(d.problems[0]).toMatchObject({ reason: 'ownership-conflict', instances: ['demo/avi-system', 'demo/blue'] });
  });

  it('a change out of a conflict: the new owner adopts; the old conflict is reported', () => {
    const d = moved({ app: 'migrate', key: 'value2' }, { key: 'value2' });
    expect(d.deliveries.map((x) => [where(x), x.message.type])).toEqual([['sync:demo/blue', 'adopt']]);
    expect(d.problems[0]).toMatchObject({ reason: 'ownership-conflict' });
  });

  it('release-confirmed → adopt to the instance named in the hand-off', () => {
    const d = decide(
      busEvent('release-confirmed', {
        version: 1,
        cluster: 'demo',
        namespace: 'team',
        fromInstance: 'demo/avi-system',
        toInstance: 'demo/blue',
        handoffId: 'h1',
      }),
    );
    expect(d.deliveries.map((x) => [where(x), x.message, x.groupId])).toEqual([
      [
        'sync:demo/blue',
        { type: 'adopt', version: 1, cluster: 'demo', namespace: 'team', from: 'demo/avi-system', handoffId: 'h1' },
        'team',
      ],
    ]);
  });

  it('release-confirmed naming an instance the registry does not have: reported', () => {
    const d = decide(
      busEvent('release-confirmed', {
        version: 1,
        cluster: 'demo',
        namespace: 'team',
        fromInstance: 'demo/avi-system',
        toInstance: 'demo/red',
      }),
    );
    expect(d.deliveries).toEqual([]);
    expect(d.problems[0]).toMatchObject({ reason: 'unknown-instance', instances: ['demo/red'] });
  });

  it('release-confirmed without an adopter: nothing to do', () => {
    const d = decide(
      busEvent('release-confirmed', { version: 1, cluster: 'demo', namespace: 'team', fromInstance: 'demo/blue' }),
    );
    expect(d.deliveries).toEqual([]);
    expect(d.problems).toEqual([]);
  });
});

describe('inventories and sweeps', () => {
  const inv = (namespace: string, namespaceLabels?: Record<string, string>) =>
    busEvent('inventory', {
      version: 1,
      cluster: 'demo',
      namespace,
      ...(namespaceLabels ? { namespaceLabels } : {}),
      generatedAt: '2026-01-01T00:00:00Z',
      objects: [],
    });

  it('a namespace inventory goes to the namespace owner', () => {
    expect(decide(inv('team', { key: 'value2' })).deliveries.map(where)).toEqual(['sync:demo/blue']);
  });

  it('the cluster-scoped inventory goes to the primary queue and to every instance', () => {
    const d = decide(inv(''));
    expect(d.deliveries.map(where)).toEqual(['primary:demo/avi-system', 'sync:demo/avi-system', 'sync:demo/blue']);
    expect(d.deliveries.every((x) => x.groupId === '_cluster')).toBe(true);
  });

  it('an inventory without namespace labels goes to every instance of the cluster', () => {
    expect(decide(inv('team')).deliveries.map(where)).toEqual(['sync:demo/avi-system', 'sync:demo/blue']);
  });

  it('a sweep request reaches one instance (its primary queue too for the primary) or all', () => {
    const one = decide(
      busEvent('sweep-requested', {
        version: 1,
        cluster: 'demo',
        instance: 'demo/blue',
        requestedAt: '2026-01-01T00:00:00Z',
      }),
    );
    expect(one.deliveries.map(where)).toEqual(['sync:demo/blue']);
    const all = decide(
      busEvent('sweep-requested', { version: 1, cluster: 'demo', requestedAt: '2026-01-01T00:00:00Z' }),
    );
    expect(all.deliveries.map(where)).toEqual(['sync:demo/avi-system', 'primary:demo/avi-system', 'sync:demo/blue']);
  });

  it('a rebuild of named models (a host released to a waiting instance) reaches that sync queue only', () => {
    const d = decide(
      busEvent('sweep-requested', {
        version: 1,
        cluster: 'demo',
        instance: 'demo/avi-system',
        requestedAt: '2026-01-01T00:00:00Z',
        models: ['admin/demo--Shared-L7-3'],
      }),
    );
    expect(d.deliveries.map(where)).toEqual(['sync:demo/avi-system']);
    expect(d.deliveries[0]!.message).toMatchObject({ type: 'sweep', models: ['admin/demo--Shared-L7-3'] });
  });
});

describe('properties', () => {
  const labels = fc.dictionary(fc.constantFrom('app', 'key', 'x'), fc.constantFrom('migrate', 'value2', 'y'), {
    maxKeys: 3,
  });

  it('an object change reaches at most one sync queue, and the same event always routes the same way', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Ingress', 'Service', 'EndpointSlice', 'Secret', 'Route'),
        fc.constantFrom('a', 'b', 'c'),
        labels,
        (kind, ns, l) => {
          const ev = objectEvent(change({ kind, namespace: ns, name: 'o', namespaceLabels: l, resourceVersion: '1' }));
          const first = decide(ev);
          expect(first.deliveries.length + first.problems.length).toBeLessThanOrEqual(1);
          expect(decide(ev)).toEqual(first);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a label change never delivers release and adopt to the same instance, and hold only with a release', () => {
    fc.assert(
      fc.property(labels, labels, (oldLabels, newLabels) => {
        const d = decide(
          busEvent('namespace-changed', { version: 1, cluster: 'demo', namespace: 'n', oldLabels, newLabels }),
        );
        const types = d.deliveries.map((x) => x.message.type);
        const targets = d.deliveries.map(where);
        expect(new Set(targets).size).toBe(targets.length);
        if (types.includes('hold')) expect(types).toContain('release');
        expect(types.filter((t) => t === 'release')).toHaveLength(types.includes('release') ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });
});
