import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterPiecesBlockers, dedupeRoutes, staticRoutesEnabled, vrfNameOf } from '../../functions/primary/decide.ts';
import { findOrphans, missingInventories, orphanRecord, wantedIds } from '../../functions/sweep/decide.ts';
import {
  coalesceChanges,
  contributes,
  expandFailuresByGroup,
  inventoryPrunes,
  messagesOfFailedModels,
  namespaceTransition,
  type ObjectChange,
  segmentBatch,
  type WorkItem,
} from '../../functions/sync/plan.ts';
import { formatStreamSequence } from '../../shared/events/index.ts';
import type { StaticRoute } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';

function change(
  id: string,
  rv: string,
  op: 'upsert' | 'delete' = 'upsert',
  key = 'Ingress/ns/a',
  uid = 'u1',
  sequence?: number,
): ObjectChange {
  return {
    ...(sequence === undefined ? {} : { sequence: formatStreamSequence(1_767_225_600_000, sequence) }),
    type: 'object',
    messageId: id,
    groupId: 'ns',
    key,
    kind: 'Ingress',
    namespace: 'ns',
    name: 'a',
    uid,
    resourceVersion: rv,
    op,
  };
}

describe('coalescing', () => {
  it('keeps the latest stream position per object, whatever the resourceVersions say', () => {
    // The API server was restored between m1 and m2: resourceVersions went back; the stream order did not.
    const out = coalesceChanges([
      change('m1', '500', 'upsert', undefined, 'u1', 5),
      change('m2', '7', 'upsert', undefined, 'u1', 7),
      change('m3', '600', 'upsert', undefined, 'u1', 6),
    ]);
    expect(out.get('Ingress/ns/a')!.winner.messageId).toBe('m2');
    expect(out.get('Ingress/ns/a')!.messageIds).toEqual(['m1', 'm2', 'm3']);
  });

  it('without stream positions: delivery order; a delete at the same version ends the object', () => {
    // resourceVersions are compared only for equality: "9" after "10" is simply the later delivery.
    const out = coalesceChanges([change('m1', '10'), change('m2', '9')]);
    expect(out.get('Ingress/ns/a')!.winner.messageId).toBe('m2');
    const tie = coalesceChanges([change('m1', '7', 'delete'), change('m2', '7')]);
    expect(tie.get('Ingress/ns/a')!.winner.op).toBe('delete');
  });

  it('does not depend on the order of the batch (property)', () => {
    const arb = fc.array(
      fc.record({ rv: fc.integer({ min: 1, max: 30 }), del: fc.boolean(), obj: fc.constantFrom('a', 'b', 'c') }),
      { minLength: 1, maxLength: 12 },
    );
    const withOrder = arb.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc.shuffledSubarray(
          list.map((_, i) => i),
          { minLength: list.length, maxLength: list.length },
        ),
      ),
    );
    fc.assert(
      fc.property(withOrder, ([list, order]) => {
        const changes = list.map((x, i) =>
          // Position i in the forwarder's stream; resourceVersions random (they order nothing).
          change(`m${i}`, String(x.rv), x.del ? 'delete' : 'upsert', `Ingress/ns/${x.obj}`, 'u1', i),
        );
        const a = coalesceChanges(changes);
        const b = coalesceChanges(order.map((i) => changes[i]!));
        for (const [k, v] of a) {
          const w = b.get(k)!.winner;
          expect([w.resourceVersion, w.op]).toEqual([v.winner.resourceVersion, v.winner.op]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('segments and failures', () => {
  it('splits object runs at namespace commands, keeping FIFO order', () => {
    const items: WorkItem[] = [
      change('m1', '1'),
      { type: 'release', messageId: 'm2', groupId: 'ns', namespace: 'ns' },
      change('m3', '2'),
      change('m4', '3'),
    ];
    expect(
      segmentBatch(items).map((s) => (s.type === 'objects' ? s.changes.map((c) => c.messageId) : s.item.type)),
    ).toEqual([['m1'], 'release', ['m3', 'm4']]);
  });

  it('retries the messages behind a failed model and every later message of their group', () => {
    const mm = new Map([
      ['m1', new Set(['admin/s0'])],
      ['m2', new Set(['admin/s1'])],
    ]);
    const failed = messagesOfFailedModels(mm, new Set(['admin/s0']));
    expect([...failed]).toEqual(['m1']);
    const ordered = [
      { messageId: 'm1', groupId: 'a' },
      { messageId: 'm2', groupId: 'b' },
      { messageId: 'm3', groupId: 'a' },
    ];
    expect(expandFailuresByGroup(ordered, failed)).toEqual(['m1', 'm3']);
  });
});

describe('namespace ownership transitions', () => {
  it('hold keeps objects silent, adopt brings them in, release removes and confirms', () => {
    expect(namespaceTransition(undefined, 'hold')).toEqual({ next: 'held', rebuild: true, confirmRelease: false });
    expect(namespaceTransition('held', 'adopt')).toEqual({ next: 'owned', rebuild: true, confirmRelease: false });
    expect(namespaceTransition('owned', 'adopt').rebuild).toBe(false);
    expect(namespaceTransition('owned', 'release')).toEqual({ next: 'released', rebuild: true, confirmRelease: true });
    // A repeated release is confirmed again (the first confirmation may have been lost).
    expect(namespaceTransition('released', 'release')).toEqual({
      next: 'released',
      rebuild: false,
      confirmRelease: true,
    });
    expect(contributes(undefined)).toBe(true);
    expect(contributes('held')).toBe(false);
    expect(contributes('released')).toBe(false);
  });
});

describe('inventory prune', () => {
  const seq = (n: number) => formatStreamSequence(1_767_225_600_000, n);
  const stored = [
    { key: 'Ingress/ns/a', kind: 'Ingress', name: 'a', uid: '1', resourceVersion: '10', sequence: seq(1) },
    { key: 'Ingress/ns/b', kind: 'Ingress', name: 'b', uid: '2', resourceVersion: '20', sequence: seq(2) },
    {
      key: 'Ingress/ns/c',
      kind: 'Ingress',
      name: 'c',
      uid: '3',
      resourceVersion: '40',
      creationTimestamp: '2026-01-01T10:00:00Z',
      sequence: seq(9),
    },
  ];
  it('removes what the listing no longer has, when its last event is earlier in the stream than the listing', () => {
    // The listing was taken at stream position 5 (resourceVersions restarted: "3" orders nothing).
    const pr = inventoryPrunes(stored, [{ kind: 'Ingress', name: 'a', resourceVersion: '3' }], { sequence: seq(5) });
    // b (event 2 < 5) was deleted; c (event 9) came after the listing: kept.
    expect(pr.map((p) => p.name)).toEqual(['b']);
  });
  it('uses the creation time when versions cannot prove it', () => {
    const unsequenced = stored.map(({ sequence: _s, ...rest }) => rest);
    const pr = inventoryPrunes(unsequenced, [{ kind: 'Ingress', name: 'a', resourceVersion: '10' }], {
      takenAt: '2026-01-01T12:00:00Z',
    });
    expect(pr.map((p) => p.name)).toEqual(['c']);
  });
  it('keeps everything when nothing proves an object older', () => {
    expect(inventoryPrunes(stored, [])).toEqual([]);
  });
});

describe('sweep decisions', () => {
  it('finds orphans by identity and lists missing inventories', () => {
    const owned = [
      { type: 'pool' as const, name: 'p1', tenant: 'admin', uuid: 'pool-1', body: {} },
      { type: 'pool' as const, name: 'p2', tenant: 'admin', uuid: 'pool-2', body: {} },
    ];
    const wanted = wantedIds([
      {
        name: 'admin/vs',
        tenant: 'admin',
        sources: [],
        objects: [{ type: 'pool', name: 'p1', tenant: 'admin', body: {} }],
      },
    ]);
    expect(findOrphans(owned, wanted).map((o) => o.name)).toEqual(['p2']);
    expect(orphanRecord(findOrphans(owned, wanted), () => 3).objects[0]).toMatchObject({ uuid: 'pool-2', tier: 3 });
    expect(missingInventories(['a', 'b'], ['b', '_cluster'])).toEqual(['a']);
  });
});

describe('primary decisions', () => {
  const inst = (over: Partial<InstanceConfig> & { serviceType?: 'ClusterIP' | 'NodePort' }) =>
    ({
      id: over.id ?? 'c/ako',
      clusterName: 'c',
      deleteConfig: over.deleteConfig ?? false,
      disableStaticRouteSync: over.disableStaticRouteSync ?? false,
      l7: { serviceType: over.serviceType ?? 'ClusterIP' },
      controller: { vrfName: '' },
    }) as unknown as InstanceConfig;

  it('static routes only in ClusterIP mode and when not disabled', () => {
    expect(staticRoutesEnabled(inst({}))).toBe(true);
    expect(staticRoutesEnabled(inst({ serviceType: 'NodePort' }))).toBe(false);
    expect(staticRoutesEnabled(inst({ disableStaticRouteSync: true }))).toBe(false);
    expect(vrfNameOf(inst({}), 'vrf-net')).toBe('vrf-net');
    expect(vrfNameOf(inst({}))).toBe('global');
  });

  it('deleteConfig keeps routes while another instance still runs in ClusterIP mode', () => {
    const self = inst({ id: 'c/ako', deleteConfig: true });
    expect(clusterPiecesBlockers(self, [self, inst({ id: 'c/blue' })]).map((i) => i.id)).toEqual(['c/blue']);
    expect(clusterPiecesBlockers(self, [self, inst({ id: 'c/blue', serviceType: 'NodePort' })])).toEqual([]);
    expect(clusterPiecesBlockers(self, [self, inst({ id: 'c/blue', deleteConfig: true })])).toEqual([]);
  });

  it('writes a prefix once and reports the duplicate', () => {
    const r = (id: string, addr: string): StaticRoute => ({
      route_id: id,
      prefix: { ip_addr: { addr, type: 'V4' }, mask: 24 },
      next_hop: { addr: '10.0.0.1', type: 'V4' },
      labels: [{ key: 'clustername', value: 'c' }],
    });
    const out = dedupeRoutes([r('c-a-0', '10.244.0.0'), r('c-b-0', '10.244.0.0'), r('c-b-1', '10.244.1.0')]);
    expect(out.routes.map((x) => x.route_id)).toEqual(['c-a-0', 'c-b-1']);
    expect(out.duplicates).toEqual([{ route: r('c-b-0', '10.244.0.0'), keptRouteId: 'c-a-0' }]);
  });
});
