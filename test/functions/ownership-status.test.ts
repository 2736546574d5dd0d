/**
 * Status only from objects the instance owns, end to end through the embedded runtime and the simulator's REST API:
 * names held by another owner (created beforehand through the REST API) never put that owner's address into an
 * Ingress's status; the Ingress gets an Event naming who holds the name instead.
 */
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.ts';
import { createAviClient } from '../../shared/avi/index.ts';
import { shardVsName } from '../../shared/model/index.ts';
import { SecretValue } from '../../shared/secret.ts';
import { endpointSlice, ingress, namespace, service, startTestRuntime } from '../e2e/support.ts';

type Obj = {
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
  reason?: string;
  note?: string;
  regarding?: { kind?: string; name?: string };
};

const FOREIGN = 'ako-other-cluster';

/** A client of another owner (another cluster, or a person) on the same controller. */
function foreignClient(rt: Runtime) {
  return createAviClient({
    host: rt.aviSim!.url,
    username: rt.aviSim!.username,
    password: new SecretValue('admin'),
    owner: FOREIGN,
  });
}

async function withRuntime(fn: (rt: Runtime) => Promise<void>) {
  const rt = await startTestRuntime();
  try {
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    await fn(rt);
  } finally {
    await rt.stop();
  }
}

function apply(rt: Runtime, host: string) {
  const d = rt.devClusters.get('demo')!;
  d.apply(namespace('red', { app: 'migrate' }));
  d.apply(service('red', 'web'));
  d.apply(endpointSlice('red', 'web', ['10.244.1.5']));
  d.apply(ingress('red', 'web', host, 'web'));
}

const ingressOf = (rt: Runtime) =>
  rt.devClusters.get('demo')!.get('networking.k8s.io/v1', 'Ingress', 'red', 'web') as Obj | undefined;
const eventsOf = (rt: Runtime) =>
  (rt.devClusters.get('demo')!.list('events.k8s.io/v1', 'Event', 'red') as Obj[]).filter(
    (e) => e.regarding?.kind === 'Ingress' && e.regarding.name === 'web',
  );
const allVips = (rt: Runtime) =>
  rt
    .aviSim!.objects('vsvip')
    .flatMap((v) => ((v.vip as { ip_address?: { addr?: string } }[] | undefined) ?? []).map((x) => x.ip_address?.addr));

describe('status from the instance’s own objects only', () => {
  it('a shard VS and VsVip name held by another owner: no address, the foreign objects untouched, an Event names the owner', async () => {
    await withRuntime(async (rt) => {
      const primary = rt.registry.instances.find((i) => i.primary)!;
      const host = 'foo.com';
      const vsName = shardVsName(primary, host, primary.l7.shardVSSize);
      const other = foreignClient(rt);
      const vsvip = await other.create('vsvip', {
        name: vsName,
        vip: [{ vip_id: '0', auto_allocate_ip: true }],
      });
      const vs = await other.create('virtualservice', {
        name: vsName,
        created_by: FOREIGN,
        vsvip_ref: `/api/vsvip/${vsvip.uuid}`,
        services: [{ port: 80 }],
      });
      const foreignVip = (vsvip.vip as { ip_address?: { addr?: string } }[])[0]?.ip_address?.addr;
      expect(foreignVip).toBeTruthy();

      apply(rt, host);
      await rt.waitForConvergence({ timeoutMs: 60_000 });

      // The foreign objects are exactly as their owner left them.
      const vsNow = rt.aviSim!.objects('virtualservice').find((v) => v.uuid === vs.uuid)!;
      expect(vsNow.created_by).toBe(FOREIGN);
      expect(vsNow._last_modified).toBe(vs._last_modified);
      const vsvipNow = rt.aviSim!.objects('vsvip').find((v) => v.uuid === vsvip.uuid)!;
      expect(vsvipNow._last_modified).toBe(vsvip._last_modified);

      const status = ingressOf(rt)?.status?.loadBalancer?.ingress ?? [];
      expect(status.map((s) => s.ip)).not.toContain(foreignVip);
      expect(status).toEqual([]);
      const events = eventsOf(rt);
      expect(events.some((e) => e.reason === 'AviObjectCollision' && e.note?.includes(FOREIGN))).toBe(true);
    });
  });

  it('a pool name held by another owner: that host gets no address although the shard VS is ours', async () => {
    await withRuntime(async (rt) => {
      const host = 'pool-clash.com';
      apply(rt, 'other.com'); // the shard VS exists and is ours
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const poolName = `demo--${host}_-red-web`;
      const other = foreignClient(rt);
      await other.create('pool', { name: poolName, created_by: FOREIGN });

      const d = rt.devClusters.get('demo')!;
      d.apply(ingress('red', 'web', host, 'web'));
      await rt.waitForConvergence({ timeoutMs: 60_000 });

      const pool = rt.aviSim!.objects('pool').find((p) => p.name === poolName)!;
      expect(pool.created_by).toBe(FOREIGN);
      expect(ingressOf(rt)?.status?.loadBalancer?.ingress ?? []).toEqual([]);
      const events = eventsOf(rt);
      expect(events.some((e) => e.reason === 'AviObjectCollision' && e.note?.includes(poolName))).toBe(true);
    });
  });

  it('an Ingress on objects the instance owns gets its own VsVip address (no read by name)', async () => {
    await withRuntime(async (rt) => {
      const primary = rt.registry.instances.find((i) => i.primary)!;
      const host = 'mine.com';
      rt.aviSim!.resetCounters();
      apply(rt, host);
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const vsName = shardVsName(primary, host, primary.l7.shardVSSize);
      const ours = rt.aviSim!.objects('vsvip').find((v) => v.name === vsName)!;
      const ip = (ours.vip as { ip_address: { addr: string } }[])[0]!.ip_address.addr;
      expect(ingressOf(rt)?.status?.loadBalancer?.ingress).toEqual([{ ip, hostname: host }]);
      expect(allVips(rt)).toContain(ip);
      // Status did not read VsVips from the controller.
      expect(rt.aviSim!.counters().byKey['GET vsvip 200'] ?? 0).toBe(0);
    });
  });
});
