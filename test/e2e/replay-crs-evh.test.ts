/**
 * `replay` with AKO's CRD manifests, a HostRule, an HTTPRule and an AviInfraSetting, for a primary instance and a
 * non-primary EVH instance: every object the instances wrote is valid against the controller's swagger, and the CR
 * statuses are what `kubectl get hostrule -o yaml` shows (AKO's status.status Accepted / Rejected + status.error).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateBody } from '../../infra/avi-sim/validation.ts';
import { replay } from '../../infra/local/commands/replay.ts';
import { readStep } from '../../infra/local/steps.ts';

const EXAMPLES = join(__dirname, '../../examples');

const REGISTRY = `
instances:
  - namespace: avi-system
    set:
      AKOSettings.clusterName: demo
      AKOSettings.primaryInstance: true
      AKOSettings.namespaceSelector.labelKey: app
      AKOSettings.namespaceSelector.labelValue: migrate
  - namespace: blue
    set:
      AKOSettings.clusterName: demo
      AKOSettings.primaryInstance: false
      AKOSettings.enableEVH: true
      AKOSettings.namespaceSelector.labelKey: key
      AKOSettings.namespaceSelector.labelValue: value2
`;

/** CRs for the EVH instance's namespace (payments): one accepted HostRule and HTTPRule, one rejected HostRule. */
const PAYMENTS_CRS = `
apiVersion: ako.vmware.com/v1beta1
kind: HostRule
metadata: {name: pay-host, namespace: payments}
spec:
  virtualhost:
    fqdn: pay.example.com
    wafPolicy: System-WAF-Policy
    enableVirtualHost: true
---
apiVersion: ako.vmware.com/v1beta1
kind: HostRule
metadata: {name: foo-host, namespace: payments}
spec:
  virtualhost:
    fqdn: foo.com
    wafPolicy: No-Such-WAF-Policy
---
apiVersion: ako.vmware.com/v1beta1
kind: HTTPRule
metadata: {name: pay-lb, namespace: payments}
spec:
  fqdn: pay.example.com
  paths:
    - target: /v1
      loadBalancerPolicy: {algorithm: LB_ALGORITHM_LEAST_CONNECTIONS}
`;

type Cr = {
  kind: string;
  metadata: { namespace?: string; name: string };
  status?: { status?: string; error?: string };
};

describe('replay of AKO CRs with an EVH instance', () => {
  it('writes swagger-valid objects and CR statuses kubectl reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-crs-'));
    writeFileSync(join(dir, 'instances.yaml'), REGISTRY);
    writeFileSync(join(dir, 'payments-crs.yaml'), PAYMENTS_CRS);
    const crdSteps = readdirSync(join(EXAMPLES, 'crds'))
      .sort()
      .flatMap((f) => readStep(join(EXAMPLES, 'crds', f)));
    let crs: Cr[] = [];
    const result = await replay(
      join(dir, 'instances.yaml'),
      [
        crdSteps,
        readStep(join(EXAMPLES, 'manifests/demo.yaml')),
        [...readStep(join(EXAMPLES, 'crs/demo.yaml')), ...readStep(join(dir, 'payments-crs.yaml'))],
      ],
      {
        timeoutMs: 120_000,
        beforeStop: async (url) => {
          const { stdout } = await promisify(execFile)('kubectl', [
            '--server',
            url,
            'get',
            'hostrule,httprule,aviinfrasetting',
            '-A',
            '-o',
            'yaml',
          ]);
          crs = (parse(stdout) as { items: Cr[] }).items;
        },
      },
    );
    expect(result.deadLetters).toEqual([]);

    // Every object on the controller passes the controller's own schema.
    const types = Object.keys(result.objects);
    expect(types).toEqual(expect.arrayContaining(['virtualservice', 'vsvip', 'pool', 'poolgroup']));
    for (const [type, objects] of Object.entries(result.objects))
      for (const o of objects)
        expect(() => validateBody(type, o), `${type} ${(o as { name?: string }).name}`).not.toThrow();

    // The EVH instance's parent and child for pay.example.com (AKO: VS_TYPE_VH_PARENT / CHILD; the enhanced vh_type
    // is VS_TYPE_VH_ENHANCED in the controller's swagger — the "VS_TYPE_VH_TYPE_ENHANCED" is not a value).
    const vses = result.objects.virtualservice as Record<string, unknown>[];
    const evhParent = vses.find((v) => String(v.name).startsWith('demo--blue-Shared-L7-EVH-'));
    expect(evhParent).toMatchObject({ type: 'VS_TYPE_VH_PARENT', created_by: 'ako-demo-blue' });
    const payChild = vses.find(
      (v) => v.type === 'VS_TYPE_VH_CHILD' && JSON.stringify(v.vh_matches ?? []).includes('pay.example.com'),
    );
    expect(payChild).toMatchObject({ vh_type: 'VS_TYPE_VH_ENHANCED', created_by: 'ako-demo-blue' });
    // The accepted HostRule's WAF policy is on the child; the rejected one changed nothing.
    expect(String(payChild?.waf_policy_ref ?? '')).toMatch(/wafpolicy/);

    const status = (kind: string, ns: string | undefined, name: string) =>
      crs.find((c) => c.kind === kind && c.metadata.namespace === ns && c.metadata.name === name)?.status;
    expect(status('HostRule', 'payments', 'pay-host')).toMatchObject({ status: 'Accepted' });
    expect(status('HostRule', 'payments', 'foo-host')?.status).toBe('Rejected');
    expect(status('HostRule', 'payments', 'foo-host')?.error).toContain('No-Such-WAF-Policy');
    expect(status('HTTPRule', 'payments', 'pay-lb')).toMatchObject({ status: 'Accepted' });
    expect(status('HostRule', 'shop', 'secure-host')).toMatchObject({ status: 'Accepted' });
    expect(status('HTTPRule', 'shop', 'cart-lb')).toMatchObject({ status: 'Accepted' });
    expect(status('AviInfraSetting', undefined, 'gold')).toMatchObject({ status: 'Accepted' });
  }, 180_000);
});
