import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';

function kubectlInstalled(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAVE_KUBECTL = kubectlInstalled();
if (!HAVE_KUBECTL) console.warn('kubectl is not installed: skipping the kubectl CRD tests against the dev cluster');

const CRD_DIR = join(__dirname, '../../examples/crds');

const RULES = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: ako.vmware.com/v1beta1
kind: HostRule
metadata: {name: shop-host, namespace: shop}
spec:
  virtualhost:
    fqdn: shop.example.com
    wafPolicy: shop-waf
    tls: {sslKeyCertificate: {name: shop-cert, type: ref}}
---
apiVersion: ako.vmware.com/v1beta1
kind: HTTPRule
metadata: {name: shop-paths, namespace: shop}
spec:
  fqdn: shop.example.com
  paths:
  - target: /api
    loadBalancerPolicy: {algorithm: LB_ALGORITHM_CONSISTENT_HASH, hash: LB_ALGORITHM_CONSISTENT_HASH_URI}
    healthMonitors: [System-HTTP]
---
apiVersion: ako.vmware.com/v1beta1
kind: AviInfraSetting
metadata: {name: infra-blue}
spec:
  seGroup: {name: se-blue}
  network: {vipNetworks: [{networkName: vip-blue}]}
  l7Settings: {shardSize: SMALL}
---
apiVersion: ako.vmware.com/v1alpha2
kind: L4Rule
metadata: {name: shop-l4, namespace: shop}
spec:
  backendProperties: [{port: 80, protocol: TCP, lbAlgorithm: LB_ALGORITHM_ROUND_ROBIN}]
`;

describe.skipIf(!HAVE_KUBECTL)('kubectl with AKO CRDs against the dev cluster', () => {
  let dc: DevCluster;
  let dir: string;
  const args = (extra: string[]) => ['--server', dc.url, '--cache-dir', join(dir, 'cache'), ...extra];
  const env = () => ({ ...process.env, HOME: dir, KUBECONFIG: join(dir, 'none') });
  const kubectl = (...extra: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('kubectl', args(extra), { env: env(), timeout: 30_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`kubectl ${extra.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
      );
    });

  beforeEach(async () => {
    dc = await startDevCluster({ bookmarkIntervalMs: 0 });
    dir = mkdtempSync(join(tmpdir(), 'kubectl-crd-'));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
  });
  afterEach(async () => {
    await dc?.close();
  });

  it('applies the CRD manifests, then gets the custom resources with their columns', async () => {
    const out = await kubectl('apply', '-f', CRD_DIR);
    expect(out).toContain('customresourcedefinition.apiextensions.k8s.io/hostrules.ako.vmware.com created');
    expect(out).toContain('customresourcedefinition.apiextensions.k8s.io/l4rules.ako.vmware.com created');
    await kubectl('wait', '--for', 'condition=established', '--timeout=10s', 'crd/hostrules.ako.vmware.com');
    const resources = await kubectl('api-resources', '--api-group=ako.vmware.com', '-o', 'name');
    expect(resources.trim().split('\n').sort()).toEqual([
      'aviinfrasettings.ako.vmware.com',
      'hostrules.ako.vmware.com',
      'httprules.ako.vmware.com',
      'l4rules.ako.vmware.com',
    ]);
    const applied = await kubectl('apply', '-f', join(dir, 'rules.yaml'));
    expect(applied).toContain('hostrule.ako.vmware.com/shop-host created');
    expect(applied).toContain('aviinfrasetting.ako.vmware.com/infra-blue created');
    expect(applied).toContain('l4rule.ako.vmware.com/shop-l4 created');
    dc.setStatus('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host', { status: 'Accepted', error: '' });
    const table = await kubectl('get', 'hr', '-n', 'shop');
    expect(table).toMatch(/NAME\s+HOST\s+STATUS\s+AGE/);
    expect(table).toMatch(/shop-host\s+shop\.example\.com\s+Accepted/);
    const yaml = await kubectl('get', 'hostrule', 'shop-host', '-n', 'shop', '-o', 'jsonpath={.status.status}');
    expect(yaml).toBe('Accepted');
    const infra = JSON.parse(await kubectl('get', 'aviinfrasetting', 'infra-blue', '-o', 'json'));
    expect(infra.spec.seGroup.name).toBe('se-blue');
    expect(infra.metadata.namespace).toBeUndefined();
    const l4 = JSON.parse(await kubectl('get', 'l4rule', 'shop-l4', '-n', 'shop', '-o', 'json'));
    expect(l4.spec.networkProfileRef).toBe('System-TCP-Proxy');
    // kubectl explain reads the CRD schema from the server's OpenAPI v3.
    const explained = await kubectl('explain', 'hostrule.spec.virtualhost.fqdnType');
    expect(explained).toMatch(/FIELD:\s+fqdnType <string>/);
    expect(explained).toMatch(/Exact\s+Wildcard\s+Contains/);
  });

  it('re-applies changes, keeps the status, refuses unknown fields and deletes', async () => {
    await kubectl('apply', '-f', CRD_DIR);
    await kubectl('apply', '-f', join(dir, 'rules.yaml'));
    dc.setStatus('ako.vmware.com/v1beta1', 'HTTPRule', 'shop', 'shop-paths', {
      status: 'Rejected',
      error: 'healthmonitor x not found',
    });
    writeFileSync(
      join(dir, 'rule.yaml'),
      'apiVersion: ako.vmware.com/v1beta1\nkind: HTTPRule\nmetadata: {name: shop-paths, namespace: shop}\nspec: {fqdn: shop.example.com, paths: [{target: /api, healthMonitors: [System-TCP]}]}\n',
    );
    expect(await kubectl('apply', '-f', join(dir, 'rule.yaml'))).toContain('configured');
    const got = dc.get('ako.vmware.com/v1beta1', 'HTTPRule', 'shop', 'shop-paths')!;
    expect(got.spec.paths[0].healthMonitors).toEqual(['System-TCP']);
    expect(got.status).toEqual({ status: 'Rejected', error: 'healthmonitor x not found' });

    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: ako.vmware.com/v1beta1\nkind: HostRule\nmetadata: {name: bad, namespace: shop}\nspec: {virtualhost: {fqdn: a.example.com, wafPolicyy: x}}\n',
    );
    await expect(kubectl('apply', '-f', join(dir, 'bad.yaml'))).rejects.toThrow(
      /unknown field "spec.virtualhost.wafPolicyy"/,
    );
    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: ako.vmware.com/v1beta1\nkind: AviInfraSetting\nmetadata: {name: bad}\nspec: {l7Settings: {shardSize: HUGE}}\n',
    );
    await expect(kubectl('apply', '-f', join(dir, 'bad.yaml'))).rejects.toThrow(/Unsupported value: "HUGE"/);

    expect(await kubectl('delete', 'httprule', 'shop-paths', '-n', 'shop')).toContain('deleted');
    expect(await kubectl('delete', 'aviinfrasetting', 'infra-blue')).toContain('deleted');
    await expect(kubectl('get', 'httprule', 'shop-paths', '-n', 'shop')).rejects.toThrow(/not found/);
  });

  it('kubectl get -w streams the changes of custom resources', async () => {
    await kubectl('apply', '-f', CRD_DIR);
    const watch = spawn('kubectl', args(['get', 'hostrules', '-A', '-w', '--output-watch-events']), { env: env() });
    let out = '';
    const waiters: (() => void)[] = [];
    watch.stdout.on('data', (d) => {
      out += String(d);
      for (const w of waiters.splice(0)) w();
    });
    const seen = async (re: RegExp) => {
      while (!re.test(out)) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    try {
      // kubectl lists, then watches: wait until its watch request has reached the server.
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if ((dc.hooks.requests()['watch hostrules'] ?? 0) > 0) {
            clearInterval(t);
            resolve();
          }
        }, 20);
      });
      await kubectl('apply', '-f', join(dir, 'rules.yaml'));
      await seen(/ADDED\s+shop\s+shop-host\s+shop\.example\.com/);
      dc.setStatus('ako.vmware.com/v1beta1', 'HostRule', 'shop', 'shop-host', { status: 'Accepted' });
      await seen(/MODIFIED\s+shop\s+shop-host\s+shop\.example\.com\s+Accepted/);
      await kubectl('delete', 'hostrule', 'shop-host', '-n', 'shop');
      await seen(/DELETED\s+shop\s+shop-host/);
    } finally {
      watch.kill();
    }
  });
});
