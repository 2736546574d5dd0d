import { describe, expect, it } from 'vitest';
import type { AviSim } from '../../infra/avi-sim/index.ts';
import { createReconciler } from '../../shared/avi/index.ts';
import { instanceFor, l4Model, sharedModel } from './fixtures.ts';
import { clientFor, withSim } from './helpers.ts';

const primary = instanceFor('c1', 'avi-system', true);

const fooOnly = () =>
  sharedModel({
    cluster: 'c1',
    createdBy: 'ako-c1',
    vsName: 'c1--Shared-L7-0',
    hosts: [{ host: 'foo.com', path: '/foo', ns: 'default', ing: 'ing1', servers: ['10.0.0.1'] }],
  });
const withSni = () =>
  sharedModel({
    cluster: 'c1',
    createdBy: 'ako-c1',
    vsName: 'c1--Shared-L7-0',
    hosts: [{ host: 'foo.com', path: '/foo', ns: 'default', ing: 'ing1', servers: ['10.0.0.1'] }],
    sni: [{ host: 'sec.com', path: '/a', ns: 'default', ing: 'ing2', servers: ['10.0.0.2'], cert: 'x' }],
  });
const l4 = () => l4Model({ cluster: 'c1', createdBy: 'ako-c1', ns: 'red', svc: 'web', port: 80, servers: ['1.1.1.1'] });

function setup(sim: AviSim, instance = primary, opts = {}) {
  const client = clientFor(sim, { owner: instance.createdBy, clusterName: instance.clusterName, ...opts });
  return { client, reconciler: createReconciler({ client, instance }) };
}

const writes = (sim: AviSim) =>
  sim
    .requestLog()
    .filter((e) => e.method !== 'GET' && e.type !== 'login')
    .map((e) => `${e.method} ${e.type} ${nameOf(e)}`);

function nameOf(e: { body?: unknown; uuid?: string; type?: string }): string {
  const b = e.body as { name?: string } | undefined;
  if (b?.name) return b.name;
  return e.uuid ? (uuidNames.get(e.uuid) ?? e.uuid) : '?';
}
const uuidNames = new Map<string, string>();
function rememberNames(sim: AviSim) {
  for (const list of Object.values(sim.dump())) for (const o of list) uuidNames.set(o.uuid as string, o.name as string);
}

describe('reconciler: create, update, delete', () => {
  it('creates a shared VS with an SNI child bottom-up, and AKO-shaped objects land on the controller', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const res = await reconciler.apply(withSni(), undefined);
      expect(res.ok).toBe(true);
      expect(res.operations.every((o) => o.op === 'create')).toBe(true);
      const posted = writes(sim);
      expect([...posted].sort()).toEqual(
        [
          'POST vsvip c1--Shared-L7-0',
          'POST sslkeyandcertificate c1--sec.com',
          'POST pool c1--foo.com_foo-default-ing1',
          'POST pool c1--default-sec.com_a-ing2',
          'POST poolgroup c1--default-sec.com_a-ing2',
          'POST poolgroup c1--Shared-L7-0',
          'POST httppolicyset c1--default-sec.com',
          'POST httppolicyset c1--Shared-L7-0',
          'POST vsdatascriptset c1--Shared-L7-0',
          'POST virtualservice c1--Shared-L7-0',
          'POST virtualservice c1--sec.com',
        ].sort(),
      );
      // Bottom-up along every reference: nothing is sent before what it refers to was created.
      const at = (type: string, name: string) => posted.indexOf(`POST ${type} ${name}`);
      for (const o of withSni().objects) {
        for (const m of JSON.stringify(o.body).matchAll(/\/api\/([a-z0-9]+)\/?\?name=([^"]+)/g)) {
          const dep = at(m[1]!, m[2]!);
          if (dep >= 0) expect(dep).toBeLessThan(at(o.type, o.name));
        }
      }
      expect(posted.at(-1)).toBe('POST virtualservice c1--sec.com');
      const vs = sim.objects('virtualservice');
      const child = vs.find((v) => v.name === 'c1--sec.com')!;
      expect(child.type).toBe('VS_TYPE_VH_CHILD');
      expect(String(child.vh_parent_vs_ref)).toMatch(/#c1--Shared-L7-0$/);
      const vip = sim.objects('vsvip')[0]!;
      expect((vip.vip as { ip_address?: { addr: string } }[])[0]!.ip_address?.addr).toMatch(/^10\.250\.250\./);
      expect(res.applied!.objects.map((o) => o.uuid).every((u) => /^[a-z]+-/.test(u))).toBe(true);
      expect(res.applied!.objects).toHaveLength(11);
    });
  });

  it('a no-op resync makes zero requests at all', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const first = await reconciler.apply(withSni(), undefined);
      const l4first = await reconciler.apply(l4(), undefined);
      sim.resetCounters();
      const again = await reconciler.apply(withSni(), first.applied);
      const l4again = await reconciler.apply(l4(), l4first.applied);
      expect(again.operations.every((o) => o.op === 'skip' && o.ok)).toBe(true);
      expect(l4again.operations.every((o) => o.op === 'skip')).toBe(true);
      expect(sim.counters().total).toBe(0);
      expect(again.applied).toEqual(first.applied);
    });
  });

  it('a changed pool is PUT alone (with its new checksum); the child VS is not touched', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const first = await reconciler.apply(withSni(), undefined);
      sim.resetCounters();
      const next = withSni();
      const pool = next.objects.find((o) => o.name === 'c1--foo.com_foo-default-ing1')!;
      (pool.body.servers as unknown[]).push({
        ip: { addr: '10.0.0.3', type: 'V4' },
        port: 8080,
        external_uuid: '10.0.0.3:8080',
        enabled: true,
      });
      pool.body.cloud_config_cksum = '424242';
      const res = await reconciler.apply(next, first.applied);
      expect(res.ok).toBe(true);
      expect(writes(sim)).toEqual(['PUT pool c1--foo.com_foo-default-ing1']);
      const stored = sim.objects('pool').find((p) => p.name === pool.name)!;
      expect(stored.cloud_config_cksum).toBe('424242');
      expect(stored.servers).toHaveLength(2);
      const rec = res.applied!.objects.find((o) => o.name === pool.name && o.type === 'pool')!;
      expect(rec.uuid).toBe(first.applied!.objects.find((o) => o.name === pool.name && o.type === 'pool')!.uuid);
    });
  });

  it('removing the TLS host: parent updated first, then child VS, HTTPPS, PG, pool, cert deleted top-down', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const first = await reconciler.apply(withSni(), undefined);
      rememberNames(sim);
      const address = (sim.objects('vsvip')[0]!.vip as { ip_address?: unknown }[])[0]!.ip_address;
      expect(address).toBeDefined();
      sim.resetCounters();
      const res = await reconciler.apply(fooOnly(), first.applied);
      expect(res.ok).toBe(true);
      const w = writes(sim);
      // The two policy sets are deleted in the same step (neither refers to the other).
      expect(w.slice(3, 5).sort()).toEqual([
        'DELETE httppolicyset c1--Shared-L7-0',
        'DELETE httppolicyset c1--default-sec.com',
      ]);
      expect([...w.slice(0, 3), ...w.slice(5)]).toEqual([
        'PUT vsvip c1--Shared-L7-0',
        'PUT virtualservice c1--Shared-L7-0',
        'DELETE virtualservice c1--sec.com',
        'DELETE poolgroup c1--default-sec.com_a-ing2',
        'DELETE pool c1--default-sec.com_a-ing2',
        'DELETE sslkeyandcertificate c1--sec.com',
      ]);
      // The shared VsVip was trimmed (sec.com gone from dns_info), kept its address.
      const vip = sim.objects('vsvip')[0]!;
      expect((vip.dns_info as { fqdn: string }[]).map((d) => d.fqdn)).toEqual(['foo.com']);
      expect((vip.vip as { ip_address?: unknown }[])[0]!.ip_address).toEqual(address);
      expect(res.applied!.objects.map((o) => o.name).sort()).toEqual(
        fooOnly()
          .objects.map((o) => o.name)
          .sort(),
      );
    });
  });

  it('removes a whole model top-down and leaves nothing of ours', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const a = await reconciler.apply(withSni(), undefined);
      const b = await reconciler.apply(l4(), undefined);
      rememberNames(sim);
      sim.resetCounters();
      const ra = await reconciler.remove(a.applied!);
      const rb = await reconciler.remove(b.applied!);
      expect(ra.ok && rb.ok).toBe(true);
      expect(ra.applied).toBeUndefined();
      expect(writes(sim).slice(-4)).toEqual([
        'DELETE virtualservice c1--red-web',
        'DELETE l4policyset c1--red-web',
        'DELETE pool c1--red-web-TCP-80',
        'DELETE vsvip c1--red-web',
      ]);
      expect(writes(sim)[0]).toBe('DELETE virtualservice c1--sec.com');
      for (const t of [
        'virtualservice',
        'pool',
        'poolgroup',
        'vsvip',
        'httppolicyset',
        'vsdatascriptset',
        'l4policyset',
        'sslkeyandcertificate',
      ])
        expect(sim.objects(t).filter((o) => String(o.name).startsWith('c1--'))).toEqual([]);
    });
  });

  it('re-creates an object deleted behind its back (404 on update)', async () => {
    await withSim({}, async (sim) => {
      const { client, reconciler } = setup(sim);
      const first = await reconciler.apply(l4(), undefined);
      const vsUuid = first.applied!.objects.find((o) => o.type === 'virtualservice')!.uuid;
      await client.delete('virtualservice', vsUuid);
      const next = l4();
      next.objects.at(-1)!.body.cloud_config_cksum = 'changed';
      const res = await reconciler.apply(next, first.applied);
      expect(res.ok).toBe(true);
      expect(res.operations.find((o) => o.type === 'virtualservice')).toMatchObject({ op: 'create', ok: true });
      expect(sim.objects('virtualservice').map((v) => v.cloud_config_cksum)).toEqual(['changed']);
      expect(res.applied!.objects.find((o) => o.type === 'virtualservice')!.uuid).not.toBe(vsUuid);
    });
  });

  it('with the controller state (applyWithCurrent) repairs drift and re-creates missing objects', async () => {
    await withSim({}, async (sim) => {
      const { client, reconciler } = setup(sim);
      const first = await reconciler.apply(l4(), undefined);
      const vs = first.applied!.objects.find((o) => o.type === 'virtualservice')!;
      await client.delete('virtualservice', vs.uuid);
      const owned = await reconciler.listOwned();
      expect(owned.map((o) => `${o.type}:${o.name}`).sort()).toEqual([
        'l4policyset:c1--red-web',
        'pool:c1--red-web-TCP-80',
      ]);
      const current = new Map(owned.map((o) => [`${o.tenant}/${o.type}/${o.name}`, { uuid: o.uuid, body: o.body }]));
      // The VsVip is attributed through its VS, which is gone: the sweep reads it by name.
      const vip = (await client.getByName('vsvip', 'c1--red-web'))!;
      current.set('admin/vsvip/c1--red-web', { uuid: vip.uuid!, body: vip });
      sim.resetCounters();
      const res = await reconciler.applyWithCurrent(l4(), first.applied, current);
      expect(res.ok).toBe(true);
      expect(res.operations.map((o) => o.op)).toEqual(['skip', 'skip', 'skip', 'create']);
      expect(sim.counters().writes).toBe(1);
    });
  });

  it('lists owned objects across tenants, VsVips through their VSes, nothing of other instances', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      await reconciler.apply(withSni(), undefined);
      await reconciler.apply(l4(), undefined);
      const blue = instanceFor('c1', 'blue', false);
      const { reconciler: blueRec } = setup(sim, blue);
      const blueModel = l4Model({
        cluster: 'c1',
        createdBy: blue.createdBy,
        ns: 'blue-ns',
        svc: 'api',
        port: 8443,
        servers: ['2.2.2.2'],
      });
      expect((await blueRec.apply(blueModel, undefined)).ok).toBe(true);
      const mine = await reconciler.listOwned();
      const expected = [...withSni().objects, ...l4().objects].map((o) => `${o.type}:${o.name}`).sort();
      expect(mine.map((o) => `${o.type}:${o.name}`).sort()).toEqual(expected);
      expect(mine.every((o) => o.tenant === 'admin')).toBe(true);
      const theirs = await blueRec.listOwned();
      expect(theirs.map((o) => `${o.type}:${o.name}`).sort()).toEqual(
        blueModel.objects.map((o) => `${o.type}:${o.name}`).sort(),
      );
    });
  });
});

describe('reconciler: conflicts', () => {
  it('409 with our created_by: adopts the existing object and updates it', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const model = l4();
      const pool = model.objects.find((o) => o.type === 'pool')!;
      const existing = sim.create('pool', { ...pool.body, servers: [] });
      const res = await reconciler.apply(model, undefined);
      expect(res.ok).toBe(true);
      expect(res.operations.find((o) => o.type === 'pool')).toMatchObject({
        op: 'adopt',
        ok: true,
        uuid: existing.uuid,
      });
      expect(sim.objects('pool')[0]!.servers).toHaveLength(1);
      expect(res.applied!.objects.find((o) => o.type === 'pool')!.uuid).toBe(existing.uuid);
    });
  });

  it('409 with a foreign created_by: stops that object and its referrers, reports a collision, never writes the foreign object', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const model = l4();
      const pool = model.objects.find((o) => o.type === 'pool')!;
      // Another cluster's AKO (or a person) made it: a collision that stays until someone renames or removes it.
      const foreign = sim.create('pool', { ...pool.body, created_by: 'ako-othercluster', servers: [] });
      const res = await reconciler.apply(model, undefined);
      expect(res.ok).toBe(false);
      const poolOp = res.operations.find((o) => o.type === 'pool')!;
      expect(poolOp).toMatchObject({ op: 'create', ok: false, failure: 'permanent' });
      expect(poolOp.message).toMatch(/ownership collision/);
      expect(poolOp.message).toMatch(/ako-othercluster/);
      // L4 policy set and VS refer to the pool: not attempted.
      expect(
        res.operations
          .filter((o) => !o.ok)
          .map((o) => o.type)
          .sort(),
      ).toEqual(['l4policyset', 'pool', 'virtualservice']);
      const after = sim.objects('pool')[0]!;
      expect(after._last_modified).toBe(foreign._last_modified);
      expect(sim.requestLog().filter((e) => e.uuid === foreign.uuid && e.method !== 'GET')).toEqual([]);
      // Nothing recorded for objects that do not exist; the VsVip that was created is recorded.
      expect(res.applied!.objects.map((o) => o.type)).toEqual(['vsvip']);
      // Removing what we applied never touches the foreign pool.
      const removed = await reconciler.remove(res.applied!);
      expect(removed.ok).toBe(true);
      expect(sim.objects('pool')).toHaveLength(1);
    });
  });

  it('409 held by another instance of the same cluster: a hand-off not finished yet, retried, never written', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const model = l4();
      const pool = model.objects.find((o) => o.type === 'pool')!;
      const sibling = sim.create('pool', { ...pool.body, created_by: 'ako-c1-blue', servers: [] });
      const res = await reconciler.apply(model, undefined);
      const poolOp = res.operations.find((o) => o.type === 'pool')!;
      expect(poolOp).toMatchObject({ op: 'create', ok: false, failure: 'transient', heldBy: 'ako-c1-blue' });
      expect(poolOp.message).toMatch(/another instance of cluster c1 still holds it/);
      expect(sim.requestLog().filter((e) => e.uuid === sibling.uuid && e.method !== 'GET')).toEqual([]);
      // Once the other instance let go, the retry creates it.
      const blueClient = clientFor(sim, { owner: 'ako-c1-blue', clusterName: 'c1' });
      await blueClient.remove('pool', sibling.uuid as string, { tenant: 'admin', name: String(sibling.name) });
      const again = await reconciler.apply(model, res.applied);
      expect(again.ok).toBe(true);
      expect(sim.objects('pool')[0]).toMatchObject({ created_by: 'ako-c1' });
    });
  });

  it('a 412 on update re-reads and retries', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      const first = await reconciler.apply(l4(), undefined);
      sim.faults.add({ method: 'PUT', type: 'pool', status: 412, times: 2 });
      const next = l4();
      next.objects[1]!.body.cloud_config_cksum = 'v2';
      const res = await reconciler.apply(next, first.applied);
      expect(res.ok).toBe(true);
      expect(sim.objects('pool')[0]!.cloud_config_cksum).toBe('v2');
    });
  });
});

describe('reconciler: VRF static routes and SE group', () => {
  const route = (cluster: string, id: string, addr: string) => ({
    route_id: `${cluster}-${id}`,
    prefix: { ip_addr: { addr, type: 'V4' as const }, mask: 24 },
    next_hop: { addr: '10.1.1.2', type: 'V4' as const },
    labels: [{ key: 'clustername' as const, value: cluster }],
  });
  const userRoute = {
    route_id: '1',
    prefix: { ip_addr: { addr: '172.16.0.0', type: 'V4' }, mask: 16 },
    next_hop: { addr: '10.10.0.1', type: 'V4' },
  };
  const seedVrf = (sim: AviSim) =>
    sim.create('vrfcontext', {
      name: 'shared-vrf',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      static_routes: [userRoute, route('c10', 'aaa-0', '10.244.10.0'), route('c1', 'old-0', '10.244.9.0')],
    });
  const routesOf = (sim: AviSim) =>
    (sim.objects('vrfcontext').find((v) => v.name === 'shared-vrf')!.static_routes as { route_id: string }[]).map(
      (r) => r.route_id,
    );

  it("replaces only this cluster's routes (c1 never touches c10's), and a repeat sync writes nothing", async () => {
    await withSim({}, async (sim) => {
      seedVrf(sim);
      const { reconciler } = setup(sim);
      const res = await reconciler.syncStaticRoutes('shared-vrf', [
        route('c1', 'n1-0', '10.244.1.0'),
        route('c1', 'n2-0', '10.244.2.0'),
      ]);
      expect(res).toMatchObject({ op: 'update', ok: true, type: 'vrfcontext' });
      expect(routesOf(sim)).toEqual(['1', 'c10-aaa-0', 'c1-n1-0', 'c1-n2-0']);
      sim.resetCounters();
      const again = await reconciler.syncStaticRoutes('shared-vrf', [
        route('c1', 'n2-0', '10.244.2.0'),
        route('c1', 'n1-0', '10.244.1.0'),
      ]);
      expect(again).toMatchObject({ op: 'skip', ok: true });
      expect(sim.counters().writes).toBe(0);
      const cleared = await reconciler.syncStaticRoutes('shared-vrf', []);
      expect(cleared.ok).toBe(true);
      expect(routesOf(sim)).toEqual(['1', 'c10-aaa-0']);
    });
  });

  it('only the primary writes routes, and only routes labelled with its cluster', async () => {
    await withSim({}, async (sim) => {
      seedVrf(sim);
      const { reconciler } = setup(sim, instanceFor('c1', 'blue', false));
      const res = await reconciler.syncStaticRoutes('shared-vrf', [route('c1', 'n1-0', '10.244.1.0')]);
      expect(res).toMatchObject({ ok: false, failure: 'permanent' });
      const { reconciler: p } = setup(sim);
      const bad = await p.syncStaticRoutes('shared-vrf', [route('c10', 'n1-0', '10.244.1.0')]);
      expect(bad).toMatchObject({ ok: false, failure: 'permanent' });
      expect(sim.requestLog().filter((e) => e.method === 'PUT')).toEqual([]);
    });
  });

  it('two primaries (c1, c2) racing on one VRF with 412s both converge; the user route survives', async () => {
    await withSim({}, async (sim) => {
      seedVrf(sim);
      // Each primary syncs in sequence (one queue per cluster); the two clusters race each other.
      const opts = { maxConflictRetries: 30 };
      const one = setup(sim, instanceFor('c1', 'avi-system', true), opts).reconciler;
      const two = setup(sim, instanceFor('c2', 'avi-system', true), opts).reconciler;
      sim.faults.add({ method: 'PUT', type: 'vrfcontext', status: 412, every: 3 });
      const run = async (r: typeof one, cluster: string, net: number) => {
        const out = [];
        for (let i = 0; i < 6; i++)
          out.push(await r.syncStaticRoutes('shared-vrf', [route(cluster, `r${i}-0`, `10.${net}.${i}.0`)]));
        return out;
      };
      const results = (await Promise.all([run(one, 'c1', 244), run(two, 'c2', 245)])).flat();
      expect(results.every((r) => r.ok)).toBe(true);
      // Final syncs decide the end state.
      expect((await one.syncStaticRoutes('shared-vrf', [route('c1', 'final-0', '10.244.99.0')])).ok).toBe(true);
      expect((await two.syncStaticRoutes('shared-vrf', [route('c2', 'final-0', '10.245.99.0')])).ok).toBe(true);
      expect(routesOf(sim).sort()).toEqual(['1', 'c1-final-0', 'c10-aaa-0', 'c2-final-0']);
      expect(sim.requestLog().some((e) => e.status === 412)).toBe(true);
    });
  });

  it('labels the SE group for its cluster, and refuses one labelled for another cluster', async () => {
    await withSim({}, async (sim) => {
      const { reconciler } = setup(sim);
      expect(await reconciler.ensureSeGroupLabel()).toMatchObject({ op: 'update', ok: true });
      expect(await reconciler.ensureSeGroupLabel()).toMatchObject({ op: 'skip', ok: true });
      const seg = sim.objects('serviceenginegroup')[0]!;
      expect(seg.labels).toEqual([{ key: 'clustername', value: 'c1' }]);
      const other = setup(sim, instanceFor('c10', 'avi-system', true)).reconciler;
      const refused = await other.ensureSeGroupLabel();
      expect(refused).toMatchObject({ ok: false, failure: 'permanent' });
      expect(refused.message).toMatch(/clustername=c1/);
      expect(await reconciler.removeSeGroupLabel()).toMatchObject({ op: 'update', ok: true });
      expect(sim.objects('serviceenginegroup')[0]!.labels ?? []).toEqual([]);
      expect(await reconciler.vrfExists('global')).toBe(true);
      expect(await reconciler.vrfExists('nope')).toBe(false);
    });
  });
});
