// EVH instances end to end: an Ingress served by an EVH parent (`<cluster>--<akoNs->Shared-L7-EVH-<n>`) gets the
// parent's VIP in its status and the EVH child's uuid in AKO's host → VS annotation, for a primary and a non-primary.
import { describe, expect, it } from 'vitest';
import { evhChildName, evhParentName } from '../../shared/model/index.ts';
import { endpointSlice, ingress, namespace, SEED_REGISTRY, service, startTestRuntime } from './support.ts';

const EVH_REGISTRY = SEED_REGISTRY.replace(
  /AKOSettings\.clusterName: demo/g,
  'AKOSettings.clusterName: demo\n      AKOSettings.enableEVH: true',
);

type Ing = {
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
  metadata: { annotations?: Record<string, string> };
};

describe('EVH status', () => {
  it('each instance reports its EVH parent VIP and child uuid', async () => {
    const rt = await startTestRuntime(EVH_REGISTRY);
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const d = rt.devClusters.get('demo')!;
      const cases = [
        { ns: 'red', labels: { app: 'migrate' } as Record<string, string>, host: 'red.example.com', primary: true },
        { ns: 'green', labels: { key: 'value2' } as Record<string, string>, host: 'green.example.com', primary: false },
      ];
      for (const c of cases) {
        d.apply(namespace(c.ns, c.labels));
        d.apply(service(c.ns, 'web'));
        d.apply(endpointSlice(c.ns, 'web', ['10.244.1.5']));
        d.apply(ingress(c.ns, 'web', c.host, 'web'));
      }
      for (const c of cases) {
        const instance = rt.registry.instances.find((i) => i.primary === c.primary)!;
        const parent = evhParentName(instance, c.host, instance.l7.shardVSSize);
        const until = Date.now() + 45_000;
        let ing: Ing | undefined;
        while (Date.now() < until) {
          ing = d.get('networking.k8s.io/v1', 'Ingress', c.ns, 'web') as Ing | undefined;
          if (ing?.status?.loadBalancer?.ingress?.length) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const vs = rt.aviSim!.objects('virtualservice');
        const parentVs = vs.find((v) => v.name === parent);
        expect(parentVs?.type).toBe('VS_TYPE_VH_PARENT');
        const vsvip = rt
          .aviSim!.objects('vsvip')
          .find((v) => String(parentVs?.vsvip_ref ?? '').includes(String(v.uuid)));
        const ip = (vsvip?.vip as { ip_address?: { addr?: string } }[] | undefined)?.[0]?.ip_address?.addr;
        expect(ip).toBeTruthy();
        expect(ing?.status?.loadBalancer?.ingress).toEqual([{ ip, hostname: c.host }]);
        const child = vs.find((v) => v.name === evhChildName(instance, c.host));
        expect(child?.type).toBe('VS_TYPE_VH_CHILD');
        const map = JSON.parse(ing?.metadata.annotations?.['ako.vmware.com/host-fqdn-vs-uuid-map'] ?? '{}');
        expect(map[c.host]).toBe(child?.uuid);
      }
    } finally {
      await rt.stop();
    }
  });
});
