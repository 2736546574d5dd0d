// End to end on the cluster side: kubectl installs AKO's CRDs and rules on the dev cluster, the forwarder publishes
// them, the router sends each to the right instance(s), the owning instance's status update is written back by the
// forwarder's status applier, and kubectl reads it.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import { createStatusApplier } from '../../functions/forwarder/status.ts';
import { route } from '../../functions/router/route.ts';
import { parseBusEvent } from '../../shared/events/index.ts';
import { buildOwnerIndex, parseRegistry } from '../../shared/registry/index.ts';
import { eventually, type Rig, startRig } from './harness.ts';

function kubectlInstalled(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAVE_KUBECTL = kubectlInstalled();

const CRD_DIR = join(__dirname, '../../examples/crds');

const registry = parseRegistry(
  `
instances:
  - namespace: avi-system
    set:
      AKOSettings.clusterName: dev
      AKOSettings.primaryInstance: "true"
      AKOSettings.namespaceSelector.labelKey: team
      AKOSettings.namespaceSelector.labelValue: red
  - namespace: blue
    set:
      AKOSettings.clusterName: dev
      AKOSettings.primaryInstance: "false"
      AKOSettings.namespaceSelector.labelKey: team
      AKOSettings.namespaceSelector.labelValue: blue
`,
  { baseDir: '/' },
);
const owners = buildOwnerIndex(registry);

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: billing, labels: {team: red}}
---
apiVersion: ako.vmware.com/v1beta1
kind: HostRule
metadata: {name: shop-host, namespace: shop}
spec: {virtualhost: {fqdn: shop.example.com, wafPolicy: no-such-waf}}
---
apiVersion: ako.vmware.com/v1beta1
kind: HTTPRule
metadata: {name: billing-paths, namespace: billing}
spec: {fqdn: billing.example.com, paths: [{target: /, healthMonitors: [System-HTTP]}]}
---
apiVersion: ako.vmware.com/v1beta1
kind: AviInfraSetting
metadata: {name: infra-blue}
spec: {seGroup: {name: se-blue}}
`;

describe.skipIf(!HAVE_KUBECTL)('AKO CRs from kubectl through forwarder and router, status back to kubectl', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('routes each CR to its owner (AviInfraSetting to all) and shows the owner status in kubectl get -o yaml', async () => {
    rig = await startRig({ forwarder: { crdDiscoverySeconds: 0.05 } });
    await rig.fwd.ready;
    const dir = mkdtempSync(join(tmpdir(), 'crd-e2e-'));
    writeFileSync(join(dir, 'rules.yaml'), MANIFESTS);
    const dc = rig.dc;
    const kubectl = (...args: string[]) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          'kubectl',
          ['--server', dc.url, '--cache-dir', join(dir, 'cache'), ...args],
          { env: { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') }, timeout: 30_000 },
          (err, stdout, stderr) =>
            err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
        );
      });
    await kubectl('apply', '-f', CRD_DIR);
    await kubectl('apply', '-f', join(dir, 'rules.yaml'));

    const routed = () => {
      const out = new Map<string, string[]>();
      for (const e of rig!.pub.entries) {
        const parsed = parseBusEvent({ source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail) });
        if (!parsed.ok) throw new Error(parsed.reason);
        if (parsed.value.detailType !== 'object-change') continue;
        const d = parsed.value.detail;
        if (!['HostRule', 'HTTPRule', 'AviInfraSetting'].includes(d.kind)) continue;
        const decision = route(parsed.value, owners);
        out.set(`${d.kind}/${d.name}`, decision.deliveries.map((x) => x.target.instanceId).sort());
      }
      return out;
    };
    await eventually(() => routed().size === 3, 'the three CRs published');
    expect(Object.fromEntries(routed())).toEqual({
      'HostRule/shop-host': ['dev/blue'],
      'HTTPRule/billing-paths': ['dev/avi-system'],
      'AviInfraSetting/infra-blue': ['dev/avi-system', 'dev/blue'],
    });

    // What the owning instances report back, written by the forwarder's status applier.
    const applier = createStatusApplier(kubeRequester(rig.kc));
    const results = await applier.apply([
      {
        target: { apiVersion: 'ako.vmware.com/v1beta1', kind: 'HostRule', namespace: 'shop', name: 'shop-host' },
        instance: 'dev/blue',
        crStatus: { status: 'Rejected', error: 'wafpolicy "no-such-waf" not found' },
      },
      {
        target: { apiVersion: 'ako.vmware.com/v1beta1', kind: 'HTTPRule', namespace: 'billing', name: 'billing-paths' },
        instance: 'dev/avi-system',
        crStatus: { status: 'Accepted', error: '' },
      },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['patched', 'patched']);

    const hr = parseYaml(await kubectl('get', 'hostrule', 'shop-host', '-n', 'shop', '-o', 'yaml'));
    expect(hr.status).toEqual({ status: 'Rejected', error: 'wafpolicy "no-such-waf" not found' });
    expect(await kubectl('get', 'httprules', '-A')).toMatch(
      /billing\s+billing-paths\s+billing\.example\.com\s+Accepted/,
    );

    // The status write did not make the forwarder publish the CR again (only status changed): a later HostRule on
    // the same watch stream arrives, the rejected one does not come again.
    const before = rig.pub.entries.length;
    dc.apply({
      apiVersion: 'ako.vmware.com/v1beta1',
      kind: 'HostRule',
      metadata: { name: 'marker', namespace: 'shop' },
      spec: { virtualhost: { fqdn: 'marker.example.com' } },
    });
    const later = () =>
      rig!.pub.entries
        .slice(before)
        .map((e) => JSON.parse(e.Detail))
        .filter((d) => d.kind === 'HostRule')
        .map((d) => d.name);
    await eventually(() => later().includes('marker'), 'the marker HostRule');
    expect(later()).toEqual(['marker']);
  });
});
