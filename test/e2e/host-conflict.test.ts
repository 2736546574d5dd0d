// The same host asked for by Ingresses in namespaces of two instances of one cluster: the first claimant keeps it,
// the other is told why it is not served (kubectl describe, the status page), the holder is told someone else asked,
// and once the holder lets the host go the other takes it up. Never two VIPs for one host.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.ts';
import { endpointSlice, ingress, namespace, service, startTestRuntime } from './support.ts';

const kubectl = async (server: string, ...args: string[]) =>
  (await promisify(execFile)('kubectl', ['--server', server, ...args])).stdout;

const HOST = 'shop.example.com';

/** Who serves HOST on the controller: the VsVips whose FQDNs list it, and the pools named after it. */
function servingHost(rt: Runtime) {
  const vips = rt
    .aviSim!.objects('vsvip')
    .filter((v) => ((v.dns_info as { fqdn?: string }[] | undefined) ?? []).some((d) => d.fqdn === HOST));
  const pools = rt.aviSim!.objects('pool').filter((p) => String(p.name).includes(HOST));
  return { vips: vips.map((v) => String(v.name)), pools: pools.map((p) => `${p.name} ${p.created_by}`) };
}

async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 45_000;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}

describe('one host asked for in namespaces of two instances', () => {
  it('the first claimant keeps it, the other is told why, and takes it up once the first lets go', async () => {
    const rt = await startTestRuntime();
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const dev = rt.devClusters.get('demo')!;
      for (const [ns, labels] of [
        ['red', { app: 'migrate' }],
        ['blueteam', { key: 'value2' }],
      ] as const) {
        dev.apply(namespace(ns, labels));
        dev.apply(service(ns, 'web'));
        dev.apply(endpointSlice(ns, 'web', [ns === 'red' ? '10.1.0.1' : '10.2.0.1']));
      }
      // red (the primary's) asks first.
      dev.apply(ingress('red', 'web', HOST, 'web'));
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      expect(servingHost(rt).pools).toEqual([`demo--${HOST}_-red-web ako-demo`]);

      dev.apply(ingress('blueteam', 'web', HOST, 'web'));
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      // One VIP for the host: only the primary's shard VsVip lists it; the blue instance made no pool for it.
      const serving = servingHost(rt);
      expect(serving.pools).toEqual([`demo--${HOST}_-red-web ako-demo`]);
      expect(serving.vips).toHaveLength(1);
      expect(serving.vips[0]).toMatch(/^demo--Shared-L7-\d+$/);

      // The one not served says why, naming the holder; the holder is told someone else asked.
      const blue = await until(
        () => kubectl(dev.url, 'describe', 'ingress', 'web', '-n', 'blueteam'),
        (d) => d.includes('HostConflict'),
        'HostConflict on blueteam/web',
      );
      expect(blue).toMatch(/Warning\s+HostConflict\s/);
      expect(blue).toContain('Ingress red/web of instance demo/avi-system');
      const red = await until(
        () => kubectl(dev.url, 'describe', 'ingress', 'web', '-n', 'red'),
        (d) => d.includes('HostConflict'),
        'HostConflict on red/web',
      );
      expect(red).toContain('Ingress blueteam/web of instance demo/blue');
      // The status page lists it with the other warnings.
      const warnings = (await rt.snapshot()).instances.flatMap((i) => i.warnings);
      expect(warnings).toContainEqual(
        expect.objectContaining({ object: 'Ingress blueteam/web', reason: 'HostConflict' }),
      );
      // Its status carries no address (the host's address is the other instance's).
      const status = dev.list('networking.k8s.io/v1', 'Ingress').find((i) => i.metadata.namespace === 'blueteam');
      expect(
        (status as { status?: { loadBalancer?: { ingress?: unknown[] } } }).status?.loadBalancer?.ingress ?? [],
      ).toEqual([]);

      // The holder lets go: the waiting instance serves the host, still on one VIP.
      dev.delete('networking.k8s.io/v1', 'Ingress', 'red', 'web');
      const after = await until(
        () => servingHost(rt),
        (s) => s.pools.length === 1 && s.pools[0] === `demo--${HOST}_-blueteam-web ako-demo-blue`,
        'the blue instance to take the host',
      );
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      expect(servingHost(rt).vips).toHaveLength(1);
      expect(servingHost(rt).vips[0]).toMatch(/^demo--blue-Shared-L7-\d+$/);
      expect(after.pools).toHaveLength(1);
    } finally {
      await rt.stop();
    }
  });
});
