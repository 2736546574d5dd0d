// Status back to Kubernetes, read the way users read it: kubectl against the development cluster.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../infra/local/runtime.ts';
import { endpointSlice, ingress, namespace, service, startTestRuntime } from './support.ts';

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
if (!hasKubectl) console.warn('kubectl is not installed: the kubectl checks of the status tests are skipped');

type Obj = {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
};

// A story: status after the first sync, after a namespace move, a conflict, a deletion; not shuffled.
describe('status write-back through the embedded runtime', { shuffle: false }, () => {
  let rt: Runtime;
  const dev = () => rt.devClusters.get('demo')!;
  // Asynchronous: the development cluster answers kubectl from this very process.
  const kubectlJson = async (...args: string[]) =>
    JSON.parse((await promisify(execFile)('kubectl', ['--server', dev().url, ...args, '-o', 'json'])).stdout) as {
      items: Obj[];
    };
  const vipOf = (vsName: string) => {
    const vsvip = rt.aviSim!.objects('vsvip').find((v) => v.name === vsName);
    return (vsvip?.vip as { ip_address: { addr: string } }[] | undefined)?.[0]?.ip_address.addr;
  };
  const ingressStatus = (ns: string, name: string) =>
    (dev().get('networking.k8s.io/v1', 'Ingress', ns, name) as Obj | undefined)?.status?.loadBalancer?.ingress ?? [];

  beforeAll(async () => {
    rt = await startTestRuntime();
    const d = dev();
    d.apply(namespace('red', { app: 'migrate' }));
    d.apply(namespace('green', { key: 'value2' }));
    for (const ns of ['red', 'green']) {
      d.apply(service(ns, 'web'));
      d.apply(endpointSlice(ns, 'web', ['10.244.1.5']));
    }
    d.apply(ingress('red', 'web', 'foo.com', 'web'));
    d.apply(ingress('green', 'web', 'bar.com', 'web'));
    d.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: 'red', name: 'lb' },
      spec: { type: 'LoadBalancer', ports: [{ name: 'tcp', port: 443, targetPort: 8443, protocol: 'TCP' }] },
    });
    await rt.waitForConvergence({ timeoutMs: 60_000 });
  });

  it.skipIf(!hasKubectl)(
    'kubectl get svc -A shows the L4 virtual service VIP on the LoadBalancer Service',
    async () => {
      const items = (await kubectlJson('get', 'svc', '-A')).items;
      const lb = items.find((i) => i.metadata.namespace === 'red' && i.metadata.name === 'lb')!;
      // L4 VS and VsVip name: <cluster>--<namespace>-<service>.
      expect(lb.status?.loadBalancer?.ingress).toEqual([{ ip: vipOf('demo--red-lb') }]);
      const web = items.find((i) => i.metadata.namespace === 'red' && i.metadata.name === 'web')!;
      expect(web.status?.loadBalancer?.ingress ?? []).toEqual([]);
    },
  );

  afterAll(async () => {
    await rt?.stop();
  });

  it.skipIf(!hasKubectl)('kubectl get ingress -A shows the simulator VIP of each owner, host by host', async () => {
    const items = (await kubectlJson('get', 'ingress', '-A')).items;
    const red = items.find((i) => i.metadata.namespace === 'red')!;
    const green = items.find((i) => i.metadata.namespace === 'green')!;
    expect(red.status?.loadBalancer?.ingress).toEqual([{ ip: vipOf('demo--Shared-L7-0'), hostname: 'foo.com' }]);
    expect(green.status?.loadBalancer?.ingress).toEqual([{ ip: vipOf('demo--blue-Shared-L7-1'), hostname: 'bar.com' }]);
    const uuidMap = JSON.parse(red.metadata.annotations?.['ako.vmware.com/host-fqdn-vs-uuid-map'] ?? '{}');
    const vsUuid = rt.aviSim!.objects('virtualservice').find((v) => v.name === 'demo--Shared-L7-0')?.uuid;
    expect(uuidMap).toEqual({ 'foo.com': vsUuid });
    expect(red.metadata.annotations?.['ako.vmware.com/tenant-name']).toBe('admin');
  });

  it('a no-op resync makes zero status patches', async () => {
    dev().hooks.resetCounters();
    const before = rt.syncQueues.get('demo/avi-system')!.stats.deleted;
    rt.requestSweep();
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    // The sweeps ran (consumed, not dead-lettered) and rewrote nothing.
    expect(rt.syncQueues.get('demo/avi-system')!.stats.deleted).toBe(before + 1);
    expect(rt.deadLetters()).toEqual([]);
    expect(dev().hooks.counters().statusPatches ?? 0).toBe(0);
  });

  it('moving a namespace to the other instance changes the status to the new owner VIP', async () => {
    dev().label('v1', 'Namespace', undefined, 'green', { key: null, app: 'migrate' });
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    // bar.com → shard 1 of the primary now.
    expect(ingressStatus('green', 'web')).toEqual([{ ip: vipOf('demo--Shared-L7-1'), hostname: 'bar.com' }]);
  });

  it('an ownership conflict leaves status untouched and says so in an Event on the namespace', async () => {
    const before = ingressStatus('red', 'web');
    dev().label('v1', 'Namespace', undefined, 'red', { key: 'value2' }); // now matches both selectors
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    expect(ingressStatus('red', 'web')).toEqual(before);
    const events = dev().list('events.k8s.io/v1', 'Event', 'default') as unknown as {
      reason?: string;
      regarding?: { kind?: string; name?: string };
    }[];
    expect(events.some((e) => e.reason === 'OwnershipConflict' && e.regarding?.name === 'red')).toBe(true);
  });

  it("deleting an Ingress's last host clears its status entry", async () => {
    dev().label('v1', 'Namespace', undefined, 'red', { key: null });
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    const one = ingress('red', 'web', 'foo.com', 'web');
    one.spec.rules = [];
    dev().apply(one);
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    expect(ingressStatus('red', 'web')).toEqual([]);
  });
});
