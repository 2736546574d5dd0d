/**
 * Writes per object through the sync handler against the simulator (its request log counts):
 *  - cold start: nothing is written before the first inventory of the instance's namespaces; then each object once;
 *  - burst coalescing: while messages wait behind a batch, the shard's pool group / VsVip are written once when the
 *    backlog is drained, not once per batch;
 *  - a backend edit costs one request (the pool PUT, guarded by the cached _last_modified, no read).
 */

import { describe, expect, it } from 'vitest';
import { createSyncBatchProcessor, type SyncHandlerDeps } from '../../functions/sync/handler.ts';
import type { AviSim } from '../../infra/avi-sim/index.ts';
import { createReconciler } from '../../shared/avi/index.ts';
import { silentLogger } from '../../shared/log.ts';
import { createMemoryStore } from '../../shared/store/index.ts';
import { withSim } from '../avi/helpers.ts';
import {
  clientFor,
  endpointSlice,
  ingress,
  instanceFor,
  inventoryMsg,
  objectMsg,
  service,
  sqsEvent,
} from './harness.ts';

const NS = 'red';
const LABELS = { team: 'red' };

function rig(sim: AviSim, extra: Partial<SyncHandlerDeps> = {}) {
  // One shard: every host lands on the same shared VS, pool group and VsVip.
  const instance = instanceFor(sim, {
    namespace: 'avi-system',
    primary: true,
    labelKey: 'team',
    labelValue: 'red',
    set: { 'L7Settings.shardVSSize': 'SMALL' },
  });
  const client = clientFor(sim, instance);
  const process = createSyncBatchProcessor({
    instance,
    store: createMemoryStore(instance.id),
    reconciler: createReconciler({ client, instance }),
    publish: () => undefined,
    deadLetter: () => undefined,
    logger: silentLogger,
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...extra,
  });
  return {
    instance,
    send: async (messages: Parameters<typeof sqsEvent>[0]) =>
      ((await process(sqsEvent(messages))) ?? { batchItemFailures: [] }).batchItemFailures,
  };
}

const base = () => [service(NS, 'avisvc'), endpointSlice(NS, 'avisvc', ['10.0.0.1'])];
const ing = (i: number) => ingress(NS, `ing-${i}`, [{ host: `h${i}.example.com` }]);
const writesOf = (sim: AviSim, type: string) =>
  sim.requestLog().filter((e) => e.type === type && e.method !== 'GET' && e.status < 300).length;
const apiRequests = (sim: AviSim) =>
  sim.requestLog().filter((e) => e.path.startsWith('/api/') && e.type !== 'initial-data').length;

describe('cold start: nothing before the first inventory, then every object once', () => {
  it('stores changes without writing until the inventory arrives, then writes each object once', async () => {
    await withSim({}, async (sim) => {
      const r = rig(sim, { initialSync: { maxWaitMs: 3_600_000 } });
      const objs = [...base(), ing(1), ing(2), ing(3)];
      expect(await r.send(objs.slice(0, 3).map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
      expect(await r.send(objs.slice(3).map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
      expect(sim.requestLog().filter((e) => e.method !== 'GET' && e.type !== 'login')).toEqual([]);

      expect(await r.send([inventoryMsg(NS, objs, '2026-01-01T00:00:00Z')])).toEqual([]);
      expect(writesOf(sim, 'pool')).toBe(3);
      expect(writesOf(sim, 'poolgroup')).toBe(1);
      expect(writesOf(sim, 'vsvip')).toBe(1);
      expect(writesOf(sim, 'virtualservice')).toBe(1);
      // Every write was a create: nothing written twice.
      const nonGet = sim
        .requestLog()
        .filter((e) => e.method !== 'GET' && e.type !== 'login' && e.path.startsWith('/api/'));
      expect(
        nonGet
          .filter((e) => e.type !== 'serviceenginegroup' && e.type !== 'vrfcontext')
          .every((e) => e.method === 'POST'),
      ).toBe(true);
    });
  });

  it('without any inventory, the wait ends and the models are written (nothing deleted)', async () => {
    await withSim({}, async (sim) => {
      const r = rig(sim, { initialSync: { maxWaitMs: 0 } });
      expect(await r.send([...base(), ing(1)].map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
      expect(writesOf(sim, 'pool')).toBe(1);
      expect(writesOf(sim, 'virtualservice')).toBe(1);
    });
  });
});

describe('burst coalescing', () => {
  it('while messages wait behind each batch, the shard objects are written once when the backlog is drained', async () => {
    await withSim({}, async (sim) => {
      let waiting = 0;
      const r = rig(sim, { coalesce: { queued: () => waiting, maxDeferMs: 3_600_000 } });
      // Batch 1: base objects and ing-1; 20 more messages wait.
      const batches = [
        [...base(), ing(1)],
        [ing(2), ing(3)],
        [ing(4), ing(5)],
      ];
      for (const [i, b] of batches.entries()) {
        const behind = (batches.length - 1 - i) * 2;
        waiting = b.length + behind;
        expect(await r.send(b.map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
        if (behind > 0) expect(writesOf(sim, 'pool')).toBe(0);
      }
      expect(writesOf(sim, 'pool')).toBe(5);
      expect(writesOf(sim, 'poolgroup')).toBe(1);
      expect(writesOf(sim, 'vsvip')).toBe(1);
      expect(writesOf(sim, 'virtualservice')).toBe(1);
    });
  });

  it('without a backlog every batch is written at once (no deferral)', async () => {
    await withSim({}, async (sim) => {
      const r = rig(sim, { coalesce: { queued: () => 0 } });
      expect(await r.send([...base(), ing(1)].map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
      expect(writesOf(sim, 'pool')).toBe(1);
      expect(await r.send([objectMsg(ing(2), { namespaceLabels: LABELS })])).toEqual([]);
      expect(writesOf(sim, 'pool')).toBe(2);
      expect(writesOf(sim, 'poolgroup')).toBe(2);
    });
  });
});

describe('one request per necessary write', () => {
  it('a backend edit is one pool PUT carrying the cached _last_modified, with no read', async () => {
    await withSim({}, async (sim) => {
      const r = rig(sim);
      expect(await r.send([...base(), ing(1)].map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
      sim.resetCounters();
      expect(await r.send([objectMsg(endpointSlice(NS, 'avisvc', ['10.0.0.9']), { namespaceLabels: LABELS })])).toEqual(
        [],
      );
      const log = sim.requestLog().filter((e) => e.path.startsWith('/api/'));
      expect(log.map((e) => `${e.method} ${e.type} ${e.status}`)).toEqual(['PUT pool 200']);
      expect((log[0]!.body as { _last_modified?: string })._last_modified).toBeTruthy();
      expect(apiRequests(sim)).toBe(1);
      // The next edit is guarded by the _last_modified our own PUT response returned: again one request.
      sim.resetCounters();
      expect(
        await r.send([objectMsg(endpointSlice(NS, 'avisvc', ['10.0.0.10']), { namespaceLabels: LABELS })]),
      ).toEqual([]);
      expect(
        sim
          .requestLog()
          .filter((e) => e.path.startsWith('/api/'))
          .map((e) => `${e.method} ${e.type} ${e.status}`),
      ).toEqual(['PUT pool 200']);
    });
  });

  it('a concurrent change (412): the one object is re-read, ownership re-checked, and the write retried', async () => {
    await withSim({}, async (sim) => {
      const r = rig(sim);
      expect(await r.send([...base(), ing(1)].map((o) => objectMsg(o, { namespaceLabels: LABELS })))).toEqual([]);
      // Someone (a person, with our created_by kept) edits the pool: our cached _last_modified is stale now.
      const pool = sim.objects('pool')[0]!;
      const person = clientFor(sim, r.instance);
      await person.put('pool', String(pool.uuid), { ...pool, description: 'edited' });
      sim.resetCounters();
      expect(await r.send([objectMsg(endpointSlice(NS, 'avisvc', ['10.0.0.9']), { namespaceLabels: LABELS })])).toEqual(
        [],
      );
      const log = sim.requestLog().filter((e) => e.path.startsWith('/api/'));
      expect(log.map((e) => `${e.method} ${e.type} ${e.status}`)).toEqual([
        'PUT pool 412',
        'GET pool 200',
        'PUT pool 200',
      ]);
      const servers = (sim.objects('pool')[0]!.servers as { ip: { addr: string } }[]).map((s) => s.ip.addr);
      expect(servers).toEqual(['10.0.0.9']);
    });
  });
});
