/**
 * The sweep: objects deleted while the forwarder was down disappear after the next inventory, hand edits are
 * restored, orphans carrying our created_by are removed, and nobody else's objects are ever touched. A partial
 * view deletes nothing. deleteConfig removes exactly the instance's objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, login } from '../avi-sim/helpers.ts';
import {
  byName,
  endpointSlice,
  ingress,
  instanceFor,
  inventoryMsg,
  makeRig,
  nextRv,
  objectMsg,
  type Rig,
  service,
  sweepMsg,
} from './harness.ts';

let sim: AviSim;
let primary: Rig;
let blue: Rig;
const NS = 'sweepns';
const BNS = 'bluesweep';
const L = { app: 'x' };

const svc = { ...service(NS, 'avisvc'), metadata: { ...service(NS, 'avisvc').metadata, resourceVersion: '' } };

beforeAll(async () => {
  sim = await startAviSim();
  primary = makeRig(sim, instanceFor(sim, { namespace: 'avi-system', primary: true }));
  blue = makeRig(sim, instanceFor(sim, { namespace: 'blue', primary: false, labelKey: 'k', labelValue: 'v' }));
  void svc;
});
afterAll(async () => {
  await sim?.close();
});

async function rawPut(type: string, obj: Record<string, unknown>) {
  const s = await login(sim.url);
  const res = await api(sim.url, s, { tenant: 'admin' }).put(`/api/${type}/${obj.uuid}`, obj);
  expect(res.status).toBe(200);
}

describe('sweep', () => {
  const objs = {
    svc: { ...service(NS, 'avisvc') },
    eps: { ...endpointSlice(NS, 'avisvc', ['1.1.1.1']) },
    a: { ...ingress(NS, 'ing-a', [{ host: 'foo.com' }]) },
    b: { ...ingress(NS, 'ing-b', [{ host: 'xyz.com' }]) },
  };
  const stamp = (o: (typeof objs)['a'], created: string) => {
    o.metadata = { ...o.metadata, resourceVersion: nextRv(), creationTimestamp: created };
  };

  it('objects deleted while the forwarder was down are removed after the next inventory', async () => {
    stamp(objs.svc, '2026-01-01T00:00:00Z');
    stamp(objs.eps, '2026-01-01T00:00:00Z');
    stamp(objs.b, '2026-01-01T00:00:00Z');
    stamp(objs.a, '2026-01-01T00:00:00Z');
    await primary.sync(Object.values(objs).map((o) => objectMsg(o, { namespaceLabels: L })));
    await blue.sync([
      objectMsg(service(BNS, 'avisvc'), { namespaceLabels: { k: 'v' } }),
      objectMsg(ingress(BNS, 'ing', [{ host: 'bar.com' }]), { namespaceLabels: { k: 'v' } }),
    ]);
    expect(byName(sim, 'pool').has('cluster--xyz.com_foo-sweepns-ing-b')).toBe(true);
    // ing-b deleted while events were lost; the next inventory lists the rest.
    const failed = await primary.sync([inventoryMsg(NS, [objs.svc, objs.eps, objs.a], '2026-01-01T06:00:00Z')]);
    expect(failed).toEqual([]);
    expect(byName(sim, 'pool').has('cluster--xyz.com_foo-sweepns-ing-b')).toBe(false);
    expect(byName(sim, 'pool').has('cluster--foo.com_foo-sweepns-ing-a')).toBe(true);
    expect(await primary.store.getObject(`Ingress/${NS}/ing-b`)).toMatchObject({ deleted: true });
  });

  it('restores a hand-edited object, deletes our orphans, and leaves other owners alone', async () => {
    await blue.sync([
      inventoryMsg(BNS, [service(BNS, 'avisvc'), ingress(BNS, 'ing', [{ host: 'bar.com' }])], '2026-01-01T06:00:00Z'),
    ]);
    const pool = byName(sim, 'pool').get('cluster--foo.com_foo-sweepns-ing-a')!;
    await rawPut('pool', { ...pool, servers: [{ ip: { addr: '9.9.9.9', type: 'V4' }, port: 1 }] });
    // An orphan of ours (no model wants it), a user's pool, another instance's pool and a foreign created_by.
    sim.create('pool', { name: 'cluster--orphan-pool', created_by: 'ako-cluster' });
    sim.create('pool', { name: 'users-own-pool' });
    sim.create('pool', { name: 'cluster--lookalike', created_by: 'ako-cluster-x' });
    const blueBefore = JSON.stringify(sim.objects('pool').filter((p) => p.created_by === 'ako-cluster-blue'));

    const report = await primary.sweep();
    expect(report).toMatchObject({ kind: 'sweep', ok: true, partial: [] });
    const pools = byName(sim, 'pool');
    const restored = pools.get('cluster--foo.com_foo-sweepns-ing-a')!;
    expect((restored.servers as { ip: { addr: string } }[]).map((s) => s.ip.addr)).toEqual(['1.1.1.1']);
    expect(pools.has('cluster--orphan-pool')).toBe(false);
    expect(pools.has('users-own-pool')).toBe(true);
    expect(pools.has('cluster--lookalike')).toBe(true);
    expect(JSON.stringify(sim.objects('pool').filter((p) => p.created_by === 'ako-cluster-blue'))).toBe(blueBefore);
    expect(byName(sim, 'virtualservice').get('cluster--blue-Shared-L7-1')).toMatchObject({
      created_by: 'ako-cluster-blue',
    });
  });

  it('a second sweep writes nothing', async () => {
    const before = sim.requestLog().length ? sim.requestLog().at(-1)!.seq : 0;
    await primary.sweep();
    const writes = sim.requestLog().filter((e) => e.seq > before && e.method !== 'GET' && e.type !== 'login');
    expect(writes).toEqual([]);
  });

  it('never deletes on a partial view: a namespace without inventory, or a failing list', async () => {
    await primary.sync([
      objectMsg(service('noinv', 'avisvc'), { namespaceLabels: L }),
      objectMsg(ingress('noinv', 'ing', [{ host: 'abc.com' }]), { namespaceLabels: L }),
    ]);
    sim.create('pool', { name: 'cluster--orphan-2', created_by: 'ako-cluster' });
    const r1 = await primary.sweep();
    expect(r1.kind === 'sweep' && r1.partial.join()).toMatch(/noinv/);
    expect(byName(sim, 'pool').has('cluster--orphan-2')).toBe(true);

    await primary.sync([
      inventoryMsg('noinv', [service('noinv', 'avisvc'), ingress('noinv', 'ing', [])], '2026-01-01T06:00:00Z'),
    ]);
    const off = sim.faults.add({ method: 'GET', type: 'pool', status: 503 });
    const r2 = await primary.sweep();
    off();
    expect(r2.kind === 'sweep' && r2.partial.join()).toMatch(/cannot list/);
    expect(byName(sim, 'pool').has('cluster--orphan-2')).toBe(true);

    // The sweep message on the queue runs the same sweep.
    expect(await primary.sync([sweepMsg()])).toEqual([]);
    expect(byName(sim, 'pool').has('cluster--orphan-2')).toBe(false);
  });
});

describe('deleteConfig (non-primary)', () => {
  it('removes every object carrying its created_by and nothing else', async () => {
    const blueOwned = () =>
      ['virtualservice', 'pool', 'poolgroup', 'vsdatascriptset'].flatMap((t) =>
        sim.objects(t).filter((o) => o.created_by === 'ako-cluster-blue'),
      );
    expect(blueOwned().length).toBeGreaterThan(0);
    const primaryBefore = sim.objects('virtualservice').filter((o) => o.created_by === 'ako-cluster').length;
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
    await rig.sync([objectMsg(ingress(BNS, 'late', [{ host: 'late.com' }]), { namespaceLabels: { k: 'v' } })]);
    expect(sim.requestLog().filter((e) => e.seq > before && e.method !== 'GET' && e.type !== 'login')).toEqual([]);
  });
});
