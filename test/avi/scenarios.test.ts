/** AKO's REST-level scenarios (spec avi-rest-api §6.3) replayed against the simulator. */
import { describe, expect, it } from 'vitest';
import type { AviSim } from '../../infra/avi-sim/index.ts';
import { createReconciler } from '../../shared/avi/index.ts';
import { instanceFor, l4Model, sharedModel } from './fixtures.ts';
import { clientFor, withSim } from './helpers.ts';

const primary = instanceFor('cluster', 'avi-system', true);
const rec = (sim: AviSim) =>
  createReconciler({ client: clientFor(sim, { owner: 'ako-cluster', clusterName: 'cluster' }), instance: primary });

/** Writes as `<METHOD> <type> <name>` (names of DELETEs looked up from what the simulator held before). */
function writes(sim: AviSim, names: Map<string, string>) {
  return sim
    .requestLog()
    .filter((e) => e.method !== 'GET' && e.type !== 'login')
    .map(
      (e) =>
        `${e.method} ${e.type} ${(e.body as { name?: string } | undefined)?.name ?? names.get(e.uuid ?? '') ?? e.uuid}`,
    );
}
function names(sim: AviSim) {
  const out = new Map<string, string>();
  for (const list of Object.values(sim.dump())) for (const o of list) out.set(o.uuid as string, o.name as string);
  return out;
}

const ing = (host: string, path: string, ingName = 'foo-with-targets', servers = ['1.1.1.1']) => ({
  host,
  path,
  ns: 'default',
  ing: ingName,
  servers,
});

describe('AKO REST scenarios', () => {
  it('TestCreateIngressCacheSync / TestDeletePoolCacheSync: a removed host PUTs the PG, then DELETEs its pool; VS, VsVip, PG, DS stay', async () => {
    await withSim({}, async (sim) => {
      const r = rec(sim);
      const two = sharedModel({
        cluster: 'cluster',
        createdBy: 'ako-cluster',
        vsName: 'cluster--Shared-L7-0',
        hosts: [ing('foo.com', '/foo'), ing('bar.com', '/foo', 'other')],
      });
      const one = sharedModel({
        cluster: 'cluster',
        createdBy: 'ako-cluster',
        vsName: 'cluster--Shared-L7-0',
        hosts: [ing('bar.com', '/foo', 'other')],
      });
      const first = await r.apply(two, undefined);
      const before = names(sim);
      sim.resetCounters();
      const res = await r.apply(one, first.applied);
      expect(res.ok).toBe(true);
      const w = writes(sim, before);
      expect(w.slice(0, 2).sort()).toEqual(['PUT poolgroup cluster--Shared-L7-0', 'PUT vsvip cluster--Shared-L7-0']);
      expect(w.slice(2)).toEqual(['DELETE pool cluster--foo.com_foo-default-foo-with-targets']);
      for (const t of ['virtualservice', 'vsvip', 'poolgroup', 'vsdatascriptset'])
        expect(sim.objects(t)).toHaveLength(1);
    });
  });

  it('TestUpdateSNICacheSync: a path change PUTs the HTTPPS, creates the new pool and PG, deletes the old, never PUTs the child VS', async () => {
    await withSim({}, async (sim) => {
      const r = rec(sim);
      const model = (path: string) =>
        sharedModel({
          cluster: 'cluster',
          createdBy: 'ako-cluster',
          vsName: 'cluster--Shared-L7-0',
          hosts: [],
          sni: [{ ...ing('foo.com', path), cert: 'foo' }],
        });
      const first = await r.apply(model('/foo'), undefined);
      const before = names(sim);
      sim.resetCounters();
      const res = await r.apply(model('/bar-updated'), first.applied);
      expect(res.ok).toBe(true);
      expect(writes(sim, before)).toEqual([
        'POST pool cluster--default-foo.com_bar-updated-foo-with-targets',
        'POST poolgroup cluster--default-foo.com_bar-updated-foo-with-targets',
        'PUT httppolicyset cluster--default-foo.com',
        'DELETE poolgroup cluster--default-foo.com_foo-foo-with-targets',
        'DELETE pool cluster--default-foo.com_foo-foo-with-targets',
      ]);
    });
  });

  it('TestCUDSecretCacheSync: an updated secret PUTs the certificate with the new PEM; the key never shows on reads', async () => {
    await withSim({}, async (sim) => {
      const r = rec(sim);
      const model = (pem: string) =>
        sharedModel({
          cluster: 'cluster',
          createdBy: 'ako-cluster',
          vsName: 'cluster--Shared-L7-0',
          hosts: [],
          sni: [{ ...ing('foo.com', '/foo'), cert: 'foo' }],
          certPem: () => pem,
        });
      const first = await r.apply(model('-----BEGIN CERTIFICATE-----\nv1\n-----END CERTIFICATE-----\n'), undefined);
      sim.resetCounters();
      const pem2 = '-----BEGIN CERTIFICATE-----\nv2\n-----END CERTIFICATE-----\n';
      const res = await r.apply(model(pem2), first.applied);
      expect(res.ok).toBe(true);
      expect(writes(sim, new Map())).toEqual(['PUT sslkeyandcertificate cluster--foo.com']);
      const cert = sim.objects('sslkeyandcertificate')[0]!;
      expect((cert.certificate as { certificate: string }).certificate).toBe(pem2);
      expect(JSON.stringify(cert)).not.toContain('SECRETKEY');
    });
  });

  it('TestCreateServiceLBWithFaultCacheSync: a 400 on the VS POST is not retried; VsVip, pool and L4PS exist; the next pass creates only the VS', async () => {
    await withSim({}, async (sim) => {
      const r = rec(sim);
      const model = l4Model({
        cluster: 'cluster',
        createdBy: 'ako-cluster',
        ns: 'red-ns',
        svc: 'testsvc',
        port: 8080,
        servers: ['1.1.1.1'],
      });
      sim.faults.add({ method: 'POST', type: 'virtualservice', status: 400, body: { error: 'bad request' }, times: 1 });
      const first = await r.apply(model, undefined);
      expect(first.ok).toBe(false);
      const vsOp = first.operations.find((o) => o.type === 'virtualservice')!;
      expect(vsOp).toMatchObject({ op: 'create', ok: false, status: 400, failure: 'permanent' });
      expect(vsOp.message).toContain('bad request');
      expect(sim.requestLog().filter((e) => e.method === 'POST' && e.type === 'virtualservice')).toHaveLength(1);
      expect(sim.objects('pool').map((p) => p.name)).toEqual(['cluster--red-ns-testsvc-TCP-8080']);
      expect(sim.objects('l4policyset')).toHaveLength(1);
      sim.resetCounters();
      const second = await r.apply(model, first.applied);
      expect(second.ok).toBe(true);
      expect(writes(sim, new Map())).toEqual(['POST virtualservice cluster--red-ns-testsvc']);
    });
  });
});
