/**
 * AKO's CRs end to end through the embedded runtime: CRDs applied to the development cluster, a HostRule whose
 * Avi references exist is Accepted and applied to the host's virtual service, one naming a WAF policy the
 * controller does not have is Rejected (AKO's `status.status` / `status.error`, what `kubectl get hostrule -o yaml`
 * shows) and changes nothing on the controller; the rest of the shard is still served.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { endpointSlice, ingress, namespace, service, startTestRuntime } from './support.ts';

const CRD_DIR = join(__dirname, '../../examples/crds');

type CrObj = { status?: { status?: string; error?: string } };

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('HostRule status and effect through the runtime', () => {
  it('Accepted rule applied to the SNI child; a rule with a missing WAF policy Rejected, the host still served', async () => {
    const rt = await startTestRuntime();
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const d = rt.devClusters.get('demo')!;
      for (const f of readdirSync(CRD_DIR).sort()) {
        for (const doc of parseAllDocuments(readFileSync(join(CRD_DIR, f), 'utf8'))) {
          const crd = doc.toJS();
          if (crd) d.apply(crd);
        }
      }
      d.apply(namespace('red', { app: 'migrate' }));
      d.apply(service('red', 'web'));
      d.apply(endpointSlice('red', 'web', ['10.244.1.5']));
      // HostRules act on secure hosts (the SNI child), as AKO's do: both Ingresses terminate TLS.
      const pems = await generate([{ name: 'commonName', value: 'example.com' }], { keyType: 'ec', curve: 'P-256' });
      d.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { namespace: 'red', name: 'tls' },
        data: {
          'tls.crt': Buffer.from(pems.cert).toString('base64'),
          'tls.key': Buffer.from(pems.private).toString('base64'),
        },
      });
      const secure = (name: string, host: string) => {
        const ing = ingress('red', name, host, 'web');
        return { ...ing, spec: { ...ing.spec, tls: [{ hosts: [host], secretName: 'tls' }] } };
      };
      d.apply(secure('good', 'good.example.com'));
      d.apply(secure('bad', 'bad.example.com'));
      const hostRule = (name: string, fqdn: string, wafPolicy: string) => ({
        apiVersion: 'ako.vmware.com/v1beta1',
        kind: 'HostRule',
        metadata: { name, namespace: 'red' },
        spec: { virtualhost: { fqdn, wafPolicy } },
      });
      d.apply(hostRule('good', 'good.example.com', 'System-WAF-Policy'));
      d.apply(hostRule('bad', 'bad.example.com', 'no-such-waf-policy'));

      const statusOf = (name: string) =>
        (d.get('ako.vmware.com/v1beta1', 'HostRule', 'red', name) as CrObj | undefined)?.status;
      const good = await waitFor('HostRule good status', () =>
        statusOf('good')?.status ? statusOf('good') : undefined,
      );
      const bad = await waitFor('HostRule bad status', () => (statusOf('bad')?.status ? statusOf('bad') : undefined));
      expect(good.status).toBe('Accepted');
      expect(bad.status).toBe('Rejected');
      expect(bad.error).toContain('no-such-waf-policy');

      // The accepted rule's WAF policy lands on the host's VS; the rejected rule leaves its host's VS without one.
      const wafUuid = rt.aviSim!.objects('wafpolicy').find((w) => w.name === 'System-WAF-Policy')?.uuid;
      expect(wafUuid).toBeTruthy();
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const vsOf = (host: string) =>
        rt.aviSim!.objects('virtualservice').find((v) => (v.vh_domain_name as string[] | undefined)?.includes(host));
      const goodVs = await waitFor('VS with the WAF policy', () =>
        String(vsOf('good.example.com')?.waf_policy_ref ?? '').includes(String(wafUuid))
          ? vsOf('good.example.com')
          : undefined,
      );
      expect(goodVs.created_by).toBe('ako-demo');
      const badVs = vsOf('bad.example.com');
      expect(badVs).toBeDefined();
      expect(badVs!.waf_policy_ref).toBeUndefined();
    } finally {
      await rt.stop();
    }
  });

  it('an Ingress whose IngressClass names an AviInfraSetting is served by the setting`s shard and reports its VIP', async () => {
    const rt = await startTestRuntime();
    try {
      await rt.waitForConvergence({ timeoutMs: 60_000 });
      const d = rt.devClusters.get('demo')!;
      for (const f of readdirSync(CRD_DIR).sort()) {
        for (const doc of parseAllDocuments(readFileSync(join(CRD_DIR, f), 'utf8'))) {
          const crd = doc.toJS();
          if (crd) d.apply(crd);
        }
      }
      d.apply({
        apiVersion: 'ako.vmware.com/v1beta1',
        kind: 'AviInfraSetting',
        metadata: { name: 'gold' },
        spec: { seGroup: { name: 'Default-Group' } },
      });
      d.apply({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'avi-gold' },
        spec: {
          controller: 'ako.vmware.com/avi-lb',
          parameters: { apiGroup: 'ako.vmware.com', kind: 'AviInfraSetting', name: 'gold' },
        },
      });
      d.apply(namespace('red', { app: 'migrate' }));
      d.apply(service('red', 'web'));
      d.apply(endpointSlice('red', 'web', ['10.244.1.5']));
      const ing = ingress('red', 'gold', 'gold.example.com', 'web');
      d.apply({ ...ing, spec: { ...ing.spec, ingressClassName: 'avi-gold' } });

      type Ing = { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } };
      const lb = await waitFor('Ingress status', () => {
        const got = (d.get('networking.k8s.io/v1', 'Ingress', 'red', 'gold') as Ing | undefined)?.status?.loadBalancer
          ?.ingress;
        return got?.length ? got : undefined;
      });
      // AKO's shard name for an AviInfraSetting: <cluster>--Shared-L7-<setting>-<n> (primary instance).
      const vs = rt.aviSim!.objects('virtualservice').find((v) => /^demo--Shared-L7-gold-\d+$/.test(String(v.name)));
      expect(vs).toBeDefined();
      const vsvip = rt.aviSim!.objects('vsvip').find((v) => String(vs!.vsvip_ref).includes(String(v.uuid)));
      const ip = (vsvip?.vip as { ip_address?: { addr?: string } }[] | undefined)?.[0]?.ip_address?.addr;
      expect(lb).toEqual([{ ip, hostname: 'gold.example.com' }]);
      const status = (d.get('ako.vmware.com/v1beta1', 'AviInfraSetting', undefined, 'gold') as CrObj | undefined)
        ?.status;
      expect(status?.status).toBe('Accepted');
    } finally {
      await rt.stop();
    }
  });
});
