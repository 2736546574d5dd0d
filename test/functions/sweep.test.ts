/**
 * The sweep: objects deleted while the forwarder was down disappear after the next inventory, hand edits are
 * restored, orphans carrying our created_by are removed, and nobody else's objects are ever touched. A partial,
 * stale or empty view deletes nothing. deleteConfig removes exactly the instance's objects.
 * Every test builds its own simulator and instances (each passes alone and in any order).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, login } from '../avi-sim/helpers.ts';
import {
  byName,
  endpointSlice,
  ingress,
  instanceFor,
  inventoryMsg,
  makeRig,
  objectMsg,
  type Rig,
  service,
  sweepMsg,
} from './harness.ts';

const NS = 'sweepns';
const BNS = 'bluesweep';
const L = { app: 'x' };
const BL = { k: 'v' };
/** The rigs' clock is 2026-01-01T00:00:00Z; listings taken just before it are current. */
const LISTED_AT = '2026-01-01T00:00:00Z';

interface World {
  sim: AviSim;
  primary: Rig;
  blue: Rig;
  objs: Record<'svc' | 'eps' | 'a' | 'b', ReturnType<typeof ingress>>;
}

let world: World | undefined;
afterEach(async () => {
  await world?.sim.close();
  world = undefined;
});

/** A controller with the primary's sweepns (2 Ingresses) and blue's bluesweep applied, and their listings. */
async function setup(opts: { inventories?: boolean } = {}): Promise<World> {
  const sim = await startAviSim();
  const primary = makeRig(sim, instanceFor(sim, { namespace: 'avi-system', primary: true }));
  const blue = makeRig(sim, instanceFor(sim, { namespace: 'blue', primary: false, labelKey: 'k', labelValue: 'v' }));
  const objs = {
    svc: service(NS, 'avisvc'),
    eps: endpointSlice(NS, 'avisvc', ['1.1.1.1']),
    a: ingress(NS, 'ing-a', [{ host: 'foo.com' }]),
    b: ingress(NS, 'ing-b', [{ host: 'xyz.com' }]),
  };
  world = { sim, primary, blue, objs };
  expect(await primary.sync(Object.values(objs).map((o) => objectMsg(o, { namespaceLabels: L })))).toEqual([]);
  const blueObjs = [service(BNS, 'avisvc'), ingress(BNS, 'ing', [{ host: 'bar.com' }])];
  expect(await blue.sync(blueObjs.map((o) => objectMsg(o, { namespaceLabels: BL })))).toEqual([]);
  // Setup must have worked, or every later expectation would pass for the wrong reason.
  expect(byName(sim, 'pool').has('cluster--xyz.com_foo-sweepns-ing-b')).toBe(true);
  expect(byName(sim, 'virtualservice').get('cluster--blue-Shared-L7-1')).toMatchObject({
    created_by: 'ako-cluster-blue',
  });
  if (opts.inventories !== false) {
    expect(await primary.sync([inventoryMsg(NS, Object.values(objs), LISTED_AT)])).toEqual([]);
    expect(await primary.sync([inventoryMsg('', [], LISTED_AT)])).toEqual([]);
    expect(await blue.sync([inventoryMsg(BNS, blueObjs, LISTED_AT), inventoryMsg('', [], LISTED_AT)])).toEqual([]);
  }
  return world;
}

async function rawPut(sim: AviSim, type: string, obj: Record<string, unknown>) {
  const s = await login(sim.url);
  const res = await api(sim.url, s, { tenant: 'admin' }).put(`/api/${type}/${obj.uuid}`, obj);
  expect(res.status).toBe(200);
}

describe('sweep', () => {
  it('objects deleted while the forwarder was down are removed after the next inventory', async () => {
    const { sim, primary, objs } = await setup({ inventories: false });
    // ing-b deleted while events were lost; the next listing (later in the stream) lists the rest.
    const failed = await primary.sync([inventoryMsg(NS, [objs.svc, objs.eps, objs.a], LISTED_AT)]);
    expect(failed).toEqual([]);
    expect(byName(sim, 'pool').has('cluster--xyz.com_foo-sweepns-ing-b')).toBe(false);
    expect(byName(sim, 'pool').has('cluster--foo.com_foo-sweepns-ing-a')).toBe(true);
    expect(await primary.store.getObject(`Ingress/${NS}/ing-b`)).toMatchObject({ deleted: true });
  });

  it('an object created after the listing was taken is kept (its event is later in the stream)', async () => {
    const { sim, primary, objs } = await setup({ inventories: false });
    const listing = inventoryMsg(NS, [objs.svc, objs.eps, objs.a, objs.b], LISTED_AT);
    // Created after the LIST, delivered before the listing: not in it, but newer than it.
    const late = ingress(NS, 'ing-late', [{ host: 'late.com' }]);
    expect(await primary.sync([objectMsg(late, { namespaceLabels: L })])).toEqual([]);
    expect(await primary.sync([listing])).toEqual([]);
    expect(await primary.store.getObject(`Ingress/${NS}/ing-late`)).toMatchObject({ deleted: false });
    expect(byName(sim, 'pool').has('cluster--late.com_foo-sweepns-ing-late')).toBe(true);
  });

  it('restores a hand-edited object, deletes our orphans, and leaves other owners alone', async () => {
    const { sim, primary } = await setup();
    const pool = byName(sim, 'pool').get('cluster--foo.com_foo-sweepns-ing-a')!;
    await rawPut(sim, 'pool', { ...pool, servers: [{ ip: { addr: '9.9.9.9', type: 'V4' }, port: 1 }] });
    // An orphan of ours (no model wants it), a user's pool, another instance's pool and a foreign created_by.
    sim.create('pool', { name: 'cluster--orphan-pool', created_by: 'ako-cluster' });
    sim.create('pool', { name: 'users-own-pool' });
    sim.create('pool', { name: 'cluster--lookalike', created_by: 'ako-cluster-x' });
    const blueBefore = JSON.stringify(sim.objects('pool').filter((p) => p.created_by === 'ako-cluster-blue'));
    expect(blueBefore).not.toBe('[]');

    const report = await primary.sweep();
    expect(report).toMatchObject({ kind: 'sweep', ok: true, partial: [] });
    const pools = byName(sim, 'pool');
    const restored = pools.get('cluster--foo.com_foo-sweepns-ing-a')!;
    expect((restored.servers as { ip: { addr: string } }[]).map((s) => s.ip.addr)).toEqual(['1.1.1.1']);
    expect(pools.has('cluster--orphan-pool')).toBe(false);
    expect(pools.has('users-own-pool')).toBe(true);
    expect(pools.has('cluster--lookalike')).toBe(true);
    expect(JSON.stringify(sim.objects('pool').filter((p) => p.created_by === 'ako-cluster-blue'))).toBe(blueBefore);
  });

  it('a second sweep writes nothing', async () => {
    const { sim, primary } = await setup();
    expect(await primary.sweep()).toMatchObject({ kind: 'sweep', ok: true, partial: [] });
    const before = sim.requestLog().length ? sim.requestLog().at(-1)!.seq : 0;
    expect(await primary.sweep()).toMatchObject({ kind: 'sweep', ok: true, partial: [] });
    const writes = sim.requestLog().filter((e) => e.seq > before && e.method !== 'GET' && e.type !== 'login');
    expect(writes).toEqual([]);
  });

  it('never deletes on a partial view: a namespace without inventory, or a failing list', async () => {
    const { sim, primary } = await setup();
    await primary.sync([
      objectMsg(service('noinv', 'avisvc'), { namespaceLabels: L }),
      objectMsg(ingress('noinv', 'ing', [{ host: 'abc.com' }]), { namespaceLabels: L }),
    ]);
    sim.create('pool', { name: 'cluster--orphan-2', created_by: 'ako-cluster' });
    const r1 = await primary.sweep();
    expect(r1.kind === 'sweep' && r1.partial.join()).toMatch(/noinv/);
    expect(byName(sim, 'pool').has('cluster--orphan-2')).toBe(true);

    await primary.sync([inventoryMsg('noinv', [service('noinv', 'avisvc'), ingress('noinv', 'ing', [])], LISTED_AT)]);
    const off = sim.faults.add({ method: 'GET', type: 'pool', status: 503 });
    const r2 = await primary.sweep();
    off();
    expect(r2.kind === 'sweep' && r2.partial.join()).toMatch(/cannot list/);
    expect(byName(sim, 'pool').has('cluster--orphan-2')).toBe(true);

    // The sweep message on the queue runs the same sweep, now on a complete view.
    expect(await primary.sync([sweepMsg()])).toEqual([]);
    expect(byName(sim, 'pool').has('cluster--orphan-2')).toBe(false);
  });

  it('never deletes before the whole cluster was listed, or from a listing that is not current', async () => {
    const { sim, primary, objs } = await setup({ inventories: false });
    expect(await primary.sync([inventoryMsg(NS, Object.values(objs), LISTED_AT)])).toEqual([]);
    sim.create('pool', { name: 'cluster--orphan-3', created_by: 'ako-cluster' });
    const r1 = await primary.sweep();
    expect(r1.kind === 'sweep' && r1.partial.join()).toMatch(/no cluster-scoped inventory/);
    expect(byName(sim, 'pool').has('cluster--orphan-3')).toBe(true);
    // A cluster listing from two days before the rigs' clock: the forwarder is not running.
    expect(await primary.sync([inventoryMsg('', [], '2025-12-30T00:00:00Z')])).toEqual([]);
    const r2 = await primary.sweep();
    expect(r2.kind === 'sweep' && r2.partial.join()).toMatch(/cluster listing is \d+ s old/);
    expect(byName(sim, 'pool').has('cluster--orphan-3')).toBe(true);
  });

  it('never deletes from an empty view (a wrong or rebuilt cluster): the controller keeps every object', async () => {
    const { sim } = await setup();
    // A fresh installation of the primary (empty state) whose cluster shows nothing: a complete listing of
    // an empty cluster, e.g. `start` against the development cluster with the real controller.
    const fresh = makeRig(sim, instanceFor(sim, { namespace: 'avi-system', primary: true }));
    expect(await fresh.sync([inventoryMsg('', [], LISTED_AT)])).toEqual([]);
    const ours = () => sim.objects('pool').filter((p) => p.created_by === 'ako-cluster').length;
    const before = ours();
    expect(before).toBeGreaterThan(0);
    const r = await fresh.sweep();
    expect(r.kind === 'sweep' && r.partial.join()).toMatch(/empty view/);
    expect(ours()).toBe(before);
    expect(byName(sim, 'virtualservice').has('cluster--Shared-L7-0')).toBe(true);
  });
});

describe('deleteConfig (non-primary)', () => {
  it('removes every object carrying its created_by and nothing else', async () => {
    const { sim, blue } = await setup();
    sim.create('pool', { name: 'users-own-pool' });
    const blueOwned = () =>
      ['virtualservice', 'pool', 'poolgroup', 'vsdatascriptset'].flatMap((t) =>
        sim.objects(t).filter((o) => o.created_by === 'ako-cluster-blue'),
      );
    expect(blueOwned().length).toBeGreaterThan(0);
    const primaryBefore = sim.objects('virtualservice').filter((o) => o.created_by === 'ako-cluster').length;
    expect(primaryBefore).toBeGreaterThan(0);
    const inst = instanceFor(sim, {
      namespace: 'blue',
      primary: false,
      labelKey: 'k',
      labelValue: 'v',
      set: { 'AKOSettings.deleteConfig': true },
    });
    const rig = makeRig(sim, inst, { store: blue.store });
    const r = await rig.sweep();
    expect(r).toMatchObject({ kind: 'delete-config', ok: true });
    expect(blueOwned()).toEqual([]);
    expect(byName(sim, 'vsvip').has('cluster--blue-Shared-L7-1')).toBe(false);
    expect(sim.objects('virtualservice').filter((o) => o.created_by === 'ako-cluster').length).toBe(primaryBefore);
    expect(byName(sim, 'pool').has('users-own-pool')).toBe(true);
    // Stopped syncing: new messages write nothing.
    const before = sim.requestLog().at(-1)!.seq;
    await rig.sync([objectMsg(ingress(BNS, 'late', [{ host: 'late.com' }]), { namespaceLabels: BL })]);
    expect(sim.requestLog().filter((e) => e.seq > before && e.method !== 'GET' && e.type !== 'login')).toEqual([]);
  });
});
