import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppliedModel } from '../../shared/avi/types.ts';
import { formatStreamSequence } from '../../shared/events/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import type { InstanceStore } from '../../shared/store/index.ts';

/**
 * One behavioural contract for every InstanceStore adapter.
 * `open(instanceId)` returns a handle on an EMPTY instance; calling it twice with the same id returns two
 * handles on the same state (two writers).
 */
export interface StoreHarness {
  name: string;
  open(instanceId: string): InstanceStore;
  /** Property-test runs (each run uses a fresh instance). */
  propertyRuns: number;
  /** Backend requests the adapter documents for an applied in-order upsert and for a redelivered one. */
  expectedOps: { upsert: { reads: number; writes: number }; duplicate: { reads: number; writes: number } };
}

let seq = 0;
const freshId = (tag: string) => `c${++seq}/${tag}`;

/** Position n of a forwarder stream started at `stream` (ms): what the forwarder stamps on every event. */
export const at = (n: number, stream = 1_767_225_600_000) => ({ sequence: formatStreamSequence(stream, n) });

export function ingress(
  name: string,
  ns: string,
  uid: string,
  rv: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, uid, resourceVersion: rv },
    spec: { rules: [{ host: `${name}.example.com` }], ...extra },
  };
}

const node = (name: string, uid: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, uid, resourceVersion: rv },
  spec: { podCIDR: '10.244.0.0/24' },
});

const names = (objs: KubeObject[]) =>
  objs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

/** Event of the property test: one key, several uids in sequence, at stream position `n`. */
type Ev = { op: 'upsert' | 'delete'; uid: string; rv: string; body: number; n: number };

/**
 * Streams as a forwarder publishes them: each uid lives, changes, is deleted (maybe unseen), then the next uid;
 * the API server may be restored from a backup in between (the same uid comes back, resourceVersions restart
 * lower). Each event gets the next stream position; resourceVersions order nothing.
 */
const streamArb = fc
  .array(
    fc.record({
      upserts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      delete: fc.constantFrom('none', 'new-version', 'last-version'),
      restoreAfter: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((lives) => {
    const events: Ev[] = [];
    let rv = 6;
    let uidNo = 0;
    let n = 0;
    lives.forEach((life) => {
      const uid = `uid-${uidNo}`;
      for (const step of life.upserts) {
        rv += step;
        events.push({ op: 'upsert', uid, rv: String(rv), body: rv, n: ++n });
      }
      if (life.delete === 'new-version') events.push({ op: 'delete', uid, rv: String(++rv), body: 0, n: ++n });
      if (life.delete === 'last-version') events.push({ op: 'delete', uid, rv: String(rv), body: 0, n: ++n });
      // A restore brings the same uid back at a restarted (lower) resourceVersion; otherwise a new uid follows.
      if (life.restoreAfter) rv = 1;
      else uidNo++;
    });
    return events;
  });

async function applyEvent(store: InstanceStore, ev: Ev) {
  if (ev.op === 'upsert')
    return store.upsertObject(ingress('web', 'team-a', ev.uid, ev.rv, { marker: ev.body }), at(ev.n));
  return store.deleteObject('Ingress/team-a/web', ev.uid, ev.rv, at(ev.n));
}

export function describeStoreContract(h: StoreHarness): void {
  describe(`InstanceStore contract: ${h.name}`, () => {
    describe('objects: ordering and idempotency', () => {
      it('stores an upsert and returns a copy that callers cannot change', async () => {
        const s = h.open(freshId('basic'));
        const obj = ingress('web', 'team-a', 'u1', '5');
        expect(await s.upsertObject(obj)).toBe('applied');
        obj.spec.rules[0].host = 'changed.example.com';
        const got = await s.getObject('Ingress/team-a/web');
        expect(got).toMatchObject({ key: 'Ingress/team-a/web', uid: 'u1', resourceVersion: '5', deleted: false });
        expect(got?.object?.spec.rules[0].host).toBe('web.example.com');
        got!.object!.spec.rules[0].host = 'mutated';
        expect((await s.getObject('Ingress/team-a/web'))?.object?.spec.rules[0].host).toBe('web.example.com');
        expect(await s.getObject('Ingress/team-a/missing')).toBeUndefined();
      });

      it('orders by stream position: later applies, earlier is stale, the same is a duplicate', async () => {
        const s = h.open(freshId('order'));
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '9'), at(1))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '10', { v: 10 }), at(2))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '9', { v: 9 }), at(1))).toBe('stale');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '10', { v: 10 }), at(2))).toBe('duplicate');
        const got = await s.getObject('Ingress/ns/web');
        expect(got).toMatchObject({ resourceVersion: '10', sequence: at(2).sequence });
        expect(got?.object?.spec.v).toBe(10);
      });

      it('never orders resourceVersions: a restored API server (restarted versions) converges', async () => {
        const s = h.open(freshId('restore'));
        await s.upsertObject(ingress('web', 'ns', 'u1', '90017', { v: 'before' }), at(7));
        // Restored from a backup: the same uid at a much lower resourceVersion, relisted by the forwarder.
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '312', { v: 'restored' }), at(8))).toBe('applied');
        // Rebuilt: a fresh uid at a restarted resourceVersion.
        expect(await s.upsertObject(ingress('web', 'ns', 'u9', '3', { v: 'rebuilt' }), at(9))).toBe('applied');
        expect(await s.deleteObject('Ingress/ns/web', 'u1', '90018', at(5))).toBe('stale');
        expect((await s.listObjects('ns')).map((o) => o.spec.v)).toEqual(['rebuilt']);
        // A forwarder restarted later starts a later stream: its relist wins over anything of the old stream.
        expect(
          await s.upsertObject(ingress('web', 'ns', 'u9', '2', { v: 'new stream' }), at(1, 1_767_225_700_000)),
        ).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u9', '4', { v: 'old stream' }), at(10))).toBe('stale');
        expect((await s.listObjects('ns')).map((o) => o.spec.v)).toEqual(['new stream']);
      });

      it('without a stream position: the latest arrival wins ("9" after "10" is newer, not older)', async () => {
        const s = h.open(freshId('arrival'));
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '10', { v: 10 }))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '9', { v: 9 }))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '9', { v: 9 }))).toBe('duplicate');
        expect((await s.getObject('Ingress/ns/web'))?.object?.spec.v).toBe(9);
      });

      it('a redelivered version at a later position moves the position: an event in between stays stale', async () => {
        const s = h.open(freshId('advance'));
        await s.upsertObject(ingress('web', 'ns', 'u1', '5', { v: 5 }), at(1));
        // The same version again at position 3 (e.g. republished after a namespace's labels changed) ...
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '5', { v: 5 }), at(3))).toBe('duplicate');
        // ... so a late event from position 2 is older than what is stored.
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '4', { v: 4 }), at(2))).toBe('stale');
        expect((await s.getObject('Ingress/ns/web'))?.sequence).toBe(at(3).sequence);
      });

      it('rejects a malformed stream position with a clear error', async () => {
        const s = h.open(freshId('bad-seq'));
        await expect(s.upsertObject(ingress('web', 'ns', 'u1', '1'), { sequence: '42' })).rejects.toThrow(
          /Ingress\/ns\/web: stream sequence "42"/,
        );
      });

      it('a delete leaves a tombstone: hidden from lists, late upserts of that uid ignored', async () => {
        const s = h.open(freshId('tomb'));
        await s.upsertObject(ingress('web', 'ns', 'u1', '3'));
        expect(await s.deleteObject('Ingress/ns/web', 'u1', '4')).toBe('applied');
        expect(await s.deleteObject('Ingress/ns/web', 'u1', '4')).toBe('duplicate');
        expect(await s.listObjects('ns')).toEqual([]);
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '3'))).toBe('stale');
        const got = await s.getObject('Ingress/ns/web');
        expect(got).toMatchObject({ deleted: true, uid: 'u1', resourceVersion: '4' });
        // The tombstone keeps the last known object so a consumer can see what the deleted object touched.
        expect(got?.object?.metadata.name).toBe('web');
      });

      it('a delete observed at the last known version (relist, sweep) removes the live object', async () => {
        const s = h.open(freshId('relist'));
        await s.upsertObject(ingress('web', 'ns', 'u1', '7'));
        expect(await s.deleteObject('Ingress/ns/web', 'u1', '7')).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '7'))).toBe('stale');
        expect(await s.listObjects()).toEqual([]);
      });

      it('a delete that arrives before any upsert still blocks the late upsert', async () => {
        const s = h.open(freshId('early-delete'));
        expect(await s.deleteObject('Ingress/ns/web', 'u1', '8')).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '6'))).toBe('stale');
        expect(await s.listObjects('ns')).toEqual([]);
      });

      it('a re-created object (new uid) wins, and late events of the old uid are ignored', async () => {
        const s = h.open(freshId('recreate'));
        await s.upsertObject(ingress('web', 'ns', 'old', '3'));
        await s.deleteObject('Ingress/ns/web', 'old', '4');
        expect(await s.upsertObject(ingress('web', 'ns', 'new', '20'))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'old', '3'))).toBe('stale');
        expect(await s.deleteObject('Ingress/ns/web', 'old', '4')).toBe('stale');
        const live = await s.listObjects('ns');
        expect(live.map((o) => o.metadata.uid)).toEqual(['new']);
      });

      it('with opaque (non-integer) versions a new uid still wins and the old uid stays retired', async () => {
        const s = h.open(freshId('opaque'));
        await s.upsertObject(ingress('web', 'ns', 'old', 'abc'));
        expect(await s.upsertObject(ingress('web', 'ns', 'old', 'abc'))).toBe('duplicate');
        expect(await s.upsertObject(ingress('web', 'ns', 'new', 'xyz'))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'old', 'abd'))).toBe('stale');
        expect(await s.deleteObject('Ingress/ns/web', 'new', 'xz0')).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'new', 'xz1'))).toBe('stale');
      });

      it('lists one namespace exactly (no prefix matches) or everything, cluster-scoped included', async () => {
        const s = h.open(freshId('list'));
        await s.upsertObject(ingress('a', 'team', 'u1', '1'));
        await s.upsertObject(ingress('b', 'team-a', 'u2', '2'));
        await s.upsertObject(ingress('c', 'team-a', 'u3', '3'));
        await s.upsertObject(node('node-1', 'n1', '4'));
        await s.deleteObject('Ingress/team-a/c', 'u3', '5');
        expect(names(await s.listObjects('team'))).toEqual(['Ingress/team/a']);
        expect(names(await s.listObjects('team-a'))).toEqual(['Ingress/team-a/b']);
        expect(names(await s.listObjects(''))).toEqual(['Node//node-1']);
        expect(names(await s.listObjects())).toEqual(['Ingress/team-a/b', 'Ingress/team/a', 'Node//node-1']);
        expect(await s.listObjects('nobody')).toEqual([]);
      });

      it('keeps instances apart', async () => {
        const a = h.open(freshId('iso-a'));
        const b = h.open(freshId('iso-b'));
        await a.upsertObject(ingress('web', 'ns', 'u1', '1'));
        expect(await b.listObjects()).toEqual([]);
        expect(await b.getObject('Ingress/ns/web')).toBeUndefined();
      });

      it('stores objects larger than a DynamoDB item (400 KB) and their tombstones', async () => {
        const s = h.open(freshId('large'));
        const big = 'x'.repeat(900_000);
        const secret: KubeObject = {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/tls',
          metadata: { name: 'bundle', namespace: 'ns', uid: 's1', resourceVersion: '10' },
          data: { 'tls.crt': big, note: 'ünïcödé ✓' },
        };
        expect(await s.upsertObject(secret)).toBe('applied');
        expect((await s.getObject('Secret/ns/bundle'))?.object?.data).toEqual(secret.data);
        expect((await s.listObjects('ns'))[0]?.data?.note).toBe('ünïcödé ✓');
        expect(
          await s.upsertObject({ ...secret, metadata: { ...secret.metadata, resourceVersion: '11' }, data: {} }),
        ).toBe('applied');
        expect((await s.getObject('Secret/ns/bundle'))?.object?.data).toEqual({});
        expect(await s.deleteObject('Secret/ns/bundle', 's1', '12')).toBe('applied');
        expect(await s.listObjects('ns')).toEqual([]);
      });

      it('rejects objects without a resourceVersion with a clear error', async () => {
        const s = h.open(freshId('bad'));
        const obj = ingress('web', 'ns', 'u1', '1');
        delete obj.metadata.resourceVersion;
        await expect(s.upsertObject(obj)).rejects.toThrow(/Ingress\/ns\/web has no metadata.resourceVersion/);
        await expect(s.deleteObject('Ingress/ns/web', 'u1', '')).rejects.toThrow(/resourceVersion/);
      });

      it('issues the documented number of backend requests per upsert and per redelivery', async () => {
        const s = h.open(freshId('ops'));
        const before = { ...s.ops };
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '1'), at(1))).toBe('applied');
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '2'), at(2))).toBe('applied');
        expect((s.ops.reads - before.reads) / 2).toBe(h.expectedOps.upsert.reads);
        expect((s.ops.writes - before.writes) / 2).toBe(h.expectedOps.upsert.writes);
        const mid = { ...s.ops };
        expect(await s.upsertObject(ingress('web', 'ns', 'u1', '2'), at(2))).toBe('duplicate');
        expect(s.ops.reads - mid.reads).toBe(h.expectedOps.duplicate.reads);
        expect(s.ops.writes - mid.writes).toBe(h.expectedOps.duplicate.writes);
      });
    });

    describe('ordering properties', () => {
      it('any permutation of a stream, with redeliveries, ends in the state the in-order stream ends in', async () => {
        await fc.assert(
          fc.asyncProperty(
            streamArb.chain((events) =>
              fc.record({
                events: fc.constant(events),
                shuffled: fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
                redelivered: fc.subarray(events),
              }),
            ),
            async ({ events, shuffled, redelivered }) => {
              const inOrder = h.open(freshId('prop-in-order'));
              for (const ev of events) await applyEvent(inOrder, ev);
              const permuted = h.open(freshId('prop-permuted'));
              for (const ev of [...shuffled, ...redelivered]) await applyEvent(permuted, ev);

              // Worked out from the stream alone: its last event decides the final state.
              const last = events[events.length - 1]!;
              for (const s of [inOrder, permuted]) {
                const got = await s.getObject('Ingress/team-a/web');
                expect(got).toMatchObject({
                  uid: last.uid,
                  resourceVersion: last.rv,
                  deleted: last.op === 'delete',
                  sequence: at(last.n).sequence,
                });
                const live = await s.listObjects('team-a');
                if (last.op === 'delete') expect(live).toEqual([]);
                else expect(live.map((o) => o.spec.marker)).toEqual([last.body]);
              }
            },
          ),
          { numRuns: h.propertyRuns },
        );
      });

      it('two writers racing on one key never regress the version', async () => {
        const id = freshId('race');
        const a = h.open(id);
        const b = h.open(id);
        const versions = Array.from({ length: 30 }, (_, i) => 100 + i);
        // Interleave writers and versions: each writer gets every other version, in shuffled order.
        const order = [...versions].sort((x, y) => ((x * 7919) % 31) - ((y * 7919) % 31));
        const outcomes = await Promise.all(
          order.map((v, i) => (i % 2 === 0 ? a : b).upsertObject(ingress('web', 'ns', 'u1', String(v), { v }), at(v))),
        );
        const final = await a.getObject('Ingress/ns/web');
        expect(final?.resourceVersion).toBe('129');
        expect(final?.object?.spec.v).toBe(129);
        expect(outcomes.every((o) => o === 'applied' || o === 'stale')).toBe(true);
        expect(outcomes[order.indexOf(129)]).toBe('applied');
        // A delete racing with older upserts still wins.
        const late = await Promise.all([
          a.deleteObject('Ingress/ns/web', 'u1', '130', at(130)),
          b.upsertObject(ingress('web', 'ns', 'u1', '128'), at(128)),
          a.upsertObject(ingress('web', 'ns', 'u1', '129'), at(129)),
        ]);
        expect(late[0]).toBe('applied');
        expect(await b.listObjects('ns')).toEqual([]);
      });
    });

    describe('applied models', () => {
      const model = (name: string, n: number, checksum = 'c1'): AppliedModel => ({
        name,
        objects: Array.from({ length: n }, (_, i) => ({
          type: 'pool' as const,
          name: `cluster--team-a-web-${i}-pool-with-a-fairly-long-name-to-take-space`,
          tenant: 'admin',
          uuid: `pool-${i.toString(16).padStart(32, '0')}`,
          checksum: `${checksum}-${i}`,
        })),
      });

      it('puts, replaces, lists and deletes per-model records', async () => {
        const s = h.open(freshId('applied'));
        expect(await s.getApplied('admin/vs1')).toBeUndefined();
        await s.putApplied(model('admin/vs1', 2));
        await s.putApplied(model('admin/vs2', 1));
        await s.putApplied(model('admin/vs1', 3, 'c2'));
        const got = await s.getApplied('admin/vs1');
        expect(got?.objects).toHaveLength(3);
        expect(got?.objects[2]?.checksum).toBe('c2-2');
        expect((await s.listApplied()).map((m) => m.name).sort()).toEqual(['admin/vs1', 'admin/vs2']);
        // Fields a caller adds to its records (e.g. the sync's model sources) survive the round trip.
        await s.putApplied({ ...model('admin/vs3', 1), sources: ['Ingress/ns/web'] } as AppliedModel);
        expect(await s.getApplied('admin/vs3')).toMatchObject({ sources: ['Ingress/ns/web'] });
        await s.deleteApplied('admin/vs3');
        await s.deleteApplied('admin/vs1');
        await s.deleteApplied('admin/never');
        expect((await s.listApplied()).map((m) => m.name)).toEqual(['admin/vs2']);
      });

      it('keeps a model with thousands of objects (larger than one DynamoDB item)', async () => {
        const s = h.open(freshId('applied-large'));
        const big = model('admin/shard-0', 4000);
        await s.putApplied(big);
        expect(await s.getApplied('admin/shard-0')).toEqual(big);
        await s.putApplied(model('admin/shard-0', 1));
        expect((await s.getApplied('admin/shard-0'))?.objects).toHaveLength(1);
        await s.putApplied(big);
        expect(await s.listApplied()).toEqual([big]);
      });
    });

    describe('namespace ownership', () => {
      it('tracks owned, held and released namespaces', async () => {
        const s = h.open(freshId('ns'));
        expect(await s.getNamespaceState('team-a')).toBeUndefined();
        await s.setNamespaceOwned('team-a', true);
        await s.setNamespaceOwned('team-b', true);
        await s.setNamespaceState('team-c', 'held', 'ownership conflict with prod/other');
        expect((await s.getOwnedNamespaces()).sort()).toEqual(['team-a', 'team-b']);
        await s.setNamespaceOwned('team-b', false);
        expect(await s.getOwnedNamespaces()).toEqual(['team-a']);
        expect(await s.getNamespaceState('team-c')).toMatchObject({
          namespace: 'team-c',
          state: 'held',
          reason: 'ownership conflict with prod/other',
        });
        const states = (await s.listNamespaceStates()).map((n) => `${n.namespace}=${n.state}`).sort();
        expect(states).toEqual(['team-a=owned', 'team-b=released', 'team-c=held']);
        expect(Number.isNaN(Date.parse((await s.getNamespaceState('team-a'))!.since))).toBe(false);
        // biome-ignore lint/suspicious/noExplicitAny: testing a wrong value from untyped callers
        await expect(s.setNamespaceState('team-a', 'mine' as any)).rejects.toThrow(/must be owned, held or released/);
      });

      it('purges every object record of a released namespace and nothing else', async () => {
        const s = h.open(freshId('purge'));
        await s.upsertObject(ingress('a', 'team-a', 'u1', '1'));
        await s.upsertObject(ingress('b', 'team-a', 'u2', '2'));
        await s.deleteObject('Ingress/team-a/b', 'u2', '3');
        await s.upsertObject(ingress('c', 'team-ab', 'u3', '4'));
        expect(await s.purgeNamespaceObjects('team-a')).toBe(2);
        expect(await s.getObject('Ingress/team-a/b')).toBeUndefined();
        expect(names(await s.listObjects())).toEqual(['Ingress/team-ab/c']);
        expect(await s.purgeNamespaceObjects('team-a')).toBe(0);
      });
    });

    describe('inventories', () => {
      const inv = (namespace: string, observedAt: string, n: number) => ({
        namespace,
        cluster: 'prod',
        observedAt,
        entries: Array.from({ length: n }, (_, i) => ({
          kind: 'Ingress',
          name: `ingress-${i}`,
          uid: `uid-${i}`,
          resourceVersion: String(1000 + i),
        })),
      });

      it('keeps the latest inventory per namespace; older ones are stale, the same time duplicate', async () => {
        const s = h.open(freshId('inv'));
        expect(await s.putInventory(inv('team-a', '2026-01-01T00:00:10Z', 2))).toBe('applied');
        expect(await s.putInventory(inv('team-a', '2026-01-01T00:00:05Z', 9))).toBe('stale');
        expect(await s.putInventory(inv('team-a', '2026-01-01T00:00:10Z', 2))).toBe('duplicate');
        expect(await s.putInventory(inv('team-a', '2026-01-01T00:00:20Z', 3))).toBe('applied');
        expect(await s.putInventory(inv('_cluster', '2026-01-01T00:00:20Z', 1))).toBe('applied');
        expect((await s.getInventory('team-a'))?.entries).toHaveLength(3);
        expect(await s.getInventory('team-b')).toBeUndefined();
        expect((await s.listInventories()).map((i) => i.namespace).sort()).toEqual(['_cluster', 'team-a']);
        await expect(s.putInventory(inv('team-a', 'yesterday', 1))).rejects.toThrow(/observedAt "yesterday"/);
      });

      it('keeps inventories of thousands of objects', async () => {
        const s = h.open(freshId('inv-large'));
        const big = inv('team-a', '2026-01-01T00:00:00Z', 8000);
        await s.putInventory(big);
        expect(await s.getInventory('team-a')).toEqual(big);
      });
    });

    describe('permanent failures', () => {
      it('records, replaces by id, lists and clears failures', async () => {
        const s = h.open(freshId('fail'));
        await s.recordFailure({
          objectKey: 'Ingress/ns/web',
          model: 'admin/vs1',
          reason: 'bad host',
          at: '2026-01-01T00:00:00Z',
        });
        await s.recordFailure({
          objectKey: 'Ingress/ns/web',
          model: 'admin/vs1',
          reason: 'bad host again',
          at: '2026-01-01T00:01:00Z',
          detail: { field: 'spec.rules[0].host' },
        });
        await s.recordFailure({
          id: 'collision:admin/vs2',
          reason: 'owned by another instance',
          at: '2026-01-01T00:02:00Z',
        });
        const all = (await s.listFailures()).sort((x, y) => x.at.localeCompare(y.at));
        expect(all).toHaveLength(2);
        expect(all[0]).toMatchObject({
          id: 'admin/vs1|Ingress/ns/web',
          reason: 'bad host again',
          detail: { field: 'spec.rules[0].host' },
        });
        await s.clearFailure('admin/vs1|Ingress/ns/web');
        expect((await s.listFailures()).map((f) => f.id)).toEqual(['collision:admin/vs2']);
        await expect(s.recordFailure({ reason: '', at: 'x' })).rejects.toThrow(/needs a reason/);
      });
    });
  });
}
