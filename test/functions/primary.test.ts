/**
 * §6.3 group C (static routes) through the primary function, plus the VRF check, the SE group label and the rule
 * that a non-primary instance never writes vrfcontext / serviceenginegroup (checked in the simulator's request log).
 * Every test starts from a fresh simulator (each passes alone and in any order).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, login } from '../avi-sim/helpers.ts';
import { instanceFor, inventoryMsg, lastSeq, makeRig, node, objectMsg, type Rig } from './harness.ts';

let sim: AviSim;
let primary: Rig;
let blue: Rig;

type Route = {
  route_id: string;
  prefix: { ip_addr: { addr: string }; mask: number };
  next_hop: { addr: string };
  labels?: { key: string; value: string }[];
};

function vrf(): Record<string, unknown> {
  return sim.objects('vrfcontext').find((v) => v.name === 'global')!;
}
function clusterRoutes(): Route[] {
  return ((vrf().static_routes as Route[] | undefined) ?? []).filter((r) =>
    r.labels?.some((l) => l.key === 'clustername' && l.value === 'cluster'),
  );
}
function summary(routes: Route[]) {
  return routes.map((r) => [`${r.prefix.ip_addr.addr}/${r.prefix.mask}`, r.next_hop.addr]).sort();
}
const ROUTE_ID = /^cluster-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-\d+$/;

beforeEach(async () => {
  sim = await startAviSim();
  const p = instanceFor(sim, { namespace: 'avi-system', primary: true });
  const b = instanceFor(sim, { namespace: 'blue', primary: false, labelKey: 'key', labelValue: 'value2' });
  primary = makeRig(sim, p, { clusterInstances: () => [p, b] });
  blue = makeRig(sim, b, { clusterInstances: () => [p, b] });
  // A user's unlabelled route and another cluster's route already in the VRF.
  const s = await login(sim.url);
  const v = vrf();
  const res = await api(sim.url, s, { tenant: 'admin' }).put(`/api/vrfcontext/${v.uuid}`, {
    ...v,
    static_routes: [
      {
        route_id: '1',
        prefix: { ip_addr: { addr: '172.16.0.0', type: 'V4' }, mask: 16 },
        next_hop: { addr: '10.10.0.1', type: 'V4' },
      },
      {
        route_id: 'clusterB-x-0',
        prefix: { ip_addr: { addr: '10.245.3.0', type: 'V4' }, mask: 24 },
        next_hop: { addr: '10.20.0.7', type: 'V4' },
        labels: [{ key: 'clustername', value: 'clusterB' }],
      },
    ],
  });
  expect(res.status).toBe(200);
});
afterEach(async () => {
  await sim?.close();
});

describe('static routes (primary)', () => {
  it('a node without a pod CIDR produces no VRF write', async () => {
    const from = lastSeq(sim);
    expect(await primary.primary([objectMsg(node('testNode0', '10.1.1.1'))])).toEqual([]);
    const vrfWrites = sim.requestLog().filter((e) => e.seq > from && e.type === 'vrfcontext' && e.method !== 'GET');
    expect(vrfWrites).toEqual([]);
  });

  it('node add / update / delete: one route, same route_id on update, gone on delete; foreign routes kept', async () => {
    expect(await primary.primary([objectMsg(node('testNode1', '10.1.1.2', '10.244.0.0/24'))])).toEqual([]);
    let mine = clusterRoutes();
    expect(summary(mine)).toEqual([['10.244.0.0/24', '10.1.1.2']]);
    expect(mine[0]!.route_id).toMatch(ROUTE_ID);
    const id = mine[0]!.route_id;
    const ids = ((vrf().static_routes as Route[]) ?? []).map((r) => r.route_id);
    expect(ids).toEqual(expect.arrayContaining(['1', 'clusterB-x-0']));
    // The SE group carries this cluster's label.
    const seg = sim.objects('serviceenginegroup').find((g) => g.name === 'Default-Group')!;
    expect(seg.labels).toEqual([{ key: 'clustername', value: 'cluster' }]);

    await primary.primary([objectMsg(node('testNode1', '10.1.1.2', '10.245.0.0/24'))]);
    mine = clusterRoutes();
    expect(summary(mine)).toEqual([['10.245.0.0/24', '10.1.1.2']]);
    expect(mine[0]!.route_id).toBe(id);

    await primary.primary([objectMsg(node('testNode1', '10.1.1.2', '10.245.0.0/24'), { op: 'delete' })]);
    expect(clusterRoutes()).toEqual([]);
    expect(((vrf().static_routes as Route[]) ?? []).map((r) => r.route_id).sort()).toEqual(['1', 'clusterB-x-0']);
  });

  it('multiple nodes: one route each with its own route_id; update keeps it; delete-all leaves none', async () => {
    await primary.primary([
      objectMsg(node('testNode5', '10.1.1.5', '10.244.5.0/24')),
      objectMsg(node('testNode6', '10.1.1.6', '10.244.6.0/24')),
    ]);
    let mine = clusterRoutes();
    expect(summary(mine)).toEqual([
      ['10.244.5.0/24', '10.1.1.5'],
      ['10.244.6.0/24', '10.1.1.6'],
    ]);
    const prefixOf = (r: Route) => r.route_id.replace(/-\d+$/, '');
    expect(new Set(mine.map(prefixOf)).size).toBe(2);
    const id6 = mine.find((r) => r.next_hop.addr === '10.1.1.6')!.route_id;
    await primary.primary([objectMsg(node('testNode6', '10.1.1.6', '10.244.16.0/24'))]);
    mine = clusterRoutes();
    expect(mine.find((r) => r.next_hop.addr === '10.1.1.6')!.route_id).toBe(id6);
    await primary.primary([
      objectMsg(node('testNode5', '10.1.1.5', '10.244.5.0/24'), { op: 'delete' }),
      objectMsg(node('testNode7', '10.1.1.7', '10.244.7.0/24')),
    ]);
    expect(summary(clusterRoutes())).toEqual([
      ['10.244.16.0/24', '10.1.1.6'],
      ['10.244.7.0/24', '10.1.1.7'],
    ]);
    await primary.primary([
      objectMsg(node('testNode6', '10.1.1.6', '10.244.16.0/24'), { op: 'delete' }),
      objectMsg(node('testNode7', '10.1.1.7', '10.244.7.0/24'), { op: 'delete' }),
    ]);
    expect(clusterRoutes()).toEqual([]);
  });

  it('pod CIDRs from the ako.vmware.com/pod-cidrs annotation, then back to spec.podCIDR', async () => {
    const ann = (v: string) => ({ 'ako.vmware.com/pod-cidrs': v });
    await primary.primary([
      objectMsg(node('testNode8', '10.1.1.8', '10.244.0.0/24', ann('192.168.1.0/24, 192.168.2.0/24 ,'))),
    ]);
    let mine = clusterRoutes();
    expect(summary(mine)).toEqual([
      ['192.168.1.0/24', '10.1.1.8'],
      ['192.168.2.0/24', '10.1.1.8'],
    ]);
    expect(mine.map((r) => r.route_id.slice(-2)).sort()).toEqual(['-0', '-1']);
    await primary.primary([objectMsg(node('testNode8', '10.1.1.8', '10.244.0.0/24', ann('192.168.3.0/24   ')))]);
    expect(summary(clusterRoutes())).toEqual([['192.168.3.0/24', '10.1.1.8']]);
    await primary.primary([objectMsg(node('testNode8', '10.1.1.8', '10.244.0.0/24'))]);
    mine = clusterRoutes();
    expect(summary(mine)).toEqual([['10.244.0.0/24', '10.1.1.8']]);
  });

  it('a duplicate prefix on two nodes is written once and reported', async () => {
    expect(await primary.primary([objectMsg(node('testNode8', '10.1.1.8', '10.244.0.0/24'))])).toEqual([]);
    expect(summary(clusterRoutes())).toEqual([['10.244.0.0/24', '10.1.1.8']]);
    await primary.primary([objectMsg(node('testNode9', '10.1.1.9', '10.244.0.0/24'))]);
    expect(summary(clusterRoutes())).toEqual([['10.244.0.0/24', '10.1.1.8']]);
    const failures = await primary.store.listFailures();
    expect(failures.some((f) => /10\.244\.0\.0\/24/.test(f.reason))).toBe(true);
    await primary.primary([objectMsg(node('testNode9', '10.1.1.9', '10.244.0.0/24'), { op: 'delete' })]);
  });

  it('the same batch twice writes the VRF once', async () => {
    const msgs = [objectMsg(node('testNode10', '10.1.1.10', '10.244.10.0/24'))];
    await primary.primary(msgs);
    const from = lastSeq(sim);
    await primary.primary(msgs);
    expect(sim.requestLog().filter((e) => e.seq > from && e.method !== 'GET')).toEqual([]);
  });
});

describe('cluster-scoped inventory', () => {
  it('a node deleted while events were lost loses its route after the next inventory', async () => {
    const a = node('invNodeA', '10.3.3.1', '10.243.1.0/24');
    const b = node('invNodeB', '10.3.3.2', '10.243.2.0/24');
    a.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    b.metadata.creationTimestamp = '2026-01-01T00:00:00Z';
    await primary.primary([objectMsg(a, { resourceVersion: '5001' }), objectMsg(b, { resourceVersion: '5002' })]);
    expect(summary(clusterRoutes()).filter(([p]) => p!.startsWith('10.243.'))).toHaveLength(2);
    // The listing has every node but B.
    const listed = (await primary.store.listObjects()).filter(
      (o) => o.kind === 'Node' && o.metadata.name !== 'invNodeB',
    );
    expect(await primary.primary([inventoryMsg('', listed, '2026-01-01T06:00:00Z')])).toEqual([]);
    expect(summary(clusterRoutes()).filter(([p]) => p!.startsWith('10.243.'))).toEqual([['10.243.1.0/24', '10.3.3.1']]);
    await primary.primary([objectMsg(a, { op: 'delete', resourceVersion: '5003' })]);
  });
});

describe('non-primary', () => {
  it('never sends a request to vrfcontext or serviceenginegroup, through either function', async () => {
    const from = lastSeq(sim);
    expect(await blue.primary([objectMsg(node('blueNode', '10.9.9.9', '10.249.0.0/24'))])).toEqual([]);
    const touched = sim
      .requestLog()
      .filter((e) => e.seq > from && (e.type === 'vrfcontext' || e.type === 'serviceenginegroup'));
    expect(touched).toEqual([]);
    expect(summary(clusterRoutes()).some(([p]) => p === '10.249.0.0/24')).toBe(false);
  });
});

describe('VRF check and deleteConfig', () => {
  it('a missing VRF is a clear error and nothing is written', async () => {
    const p = instanceFor(sim, {
      namespace: 'avi-system',
      primary: true,
      set: { 'ControllerSettings.vrfName': 'nope' },
    });
    const rig = makeRig(sim, p);
    const from = lastSeq(sim);
    expect(await rig.primary([objectMsg(node('n1', '10.1.2.1', '10.250.1.0/24'))])).toEqual([]);
    const failures = await rig.store.listFailures();
    expect(failures.map((f) => f.reason).join('\n')).toMatch(/VRF context "nope" does not exist/);
    expect(sim.requestLog().filter((e) => e.seq > from && e.type === 'vrfcontext' && e.method !== 'GET')).toEqual([]);
  });

  it('primary deleteConfig keeps routes and label while another instance still runs in ClusterIP mode', async () => {
    expect(await primary.primary([objectMsg(node('testNode11', '10.1.1.11', '10.244.11.0/24'))])).toEqual([]);
    const before = summary(clusterRoutes());
    expect(before.length).toBeGreaterThan(0);
    const p = instanceFor(sim, { namespace: 'avi-system', primary: true, set: { 'AKOSettings.deleteConfig': true } });
    const b = blue.instance;
    const rig = makeRig(sim, p, { clusterInstances: () => [p, b], store: primary.store });
    await rig.primary([objectMsg(node('testNode10', '10.1.1.10', '10.244.10.0/24'))]);
    expect(summary(clusterRoutes())).toEqual(before);
    const seg = sim.objects('serviceenginegroup').find((g) => g.name === 'Default-Group')!;
    expect(seg.labels).toEqual([{ key: 'clustername', value: 'cluster' }]);
    expect((await rig.store.listFailures()).map((f) => f.reason).join('\n')).toMatch(/cluster\/blue still run/);
  });

  it('primary deleteConfig removes the cluster routes and label when it is the last ClusterIP instance', async () => {
    expect(await primary.primary([objectMsg(node('testNode11', '10.1.1.11', '10.244.11.0/24'))])).toEqual([]);
    expect(summary(clusterRoutes())).toEqual([['10.244.11.0/24', '10.1.1.11']]);
    expect(sim.objects('serviceenginegroup').find((g) => g.name === 'Default-Group')!.labels).toEqual([
      { key: 'clustername', value: 'cluster' },
    ]);
    const p = instanceFor(sim, { namespace: 'avi-system', primary: true, set: { 'AKOSettings.deleteConfig': true } });
    const rig = makeRig(sim, p, { clusterInstances: () => [p], store: primary.store });
    await rig.primary([objectMsg(node('testNode10', '10.1.1.10', '10.244.10.0/24'))]);
    expect(clusterRoutes()).toEqual([]);
    expect(((vrf().static_routes as Route[]) ?? []).map((r) => r.route_id).sort()).toEqual(['1', 'clusterB-x-0']);
    const seg = sim.objects('serviceenginegroup').find((g) => g.name === 'Default-Group')!;
    expect(seg.labels ?? []).toEqual([]);
  });
});
