import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
if (!HAVE_KUBECTL) console.warn('kubectl is not installed: skipping the kubectl tests against the dev cluster');

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: avi-lb}
spec: {controller: ako.vmware.com/avi-lb}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.1.0.5]}]
ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Secret
metadata: {name: web-tls, namespace: shop}
type: kubernetes.io/tls
stringData: {tls.crt: CERT, tls.key: KEY}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: avi-lb
  tls: [{hosts: [shop.example.com], secretName: web-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
spec: {podCIDR: 10.244.1.0/24}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: web, namespace: shop}
spec: {host: web.apps.example.com, to: {kind: Service, name: web}}
`;

const KINDS: [resource: string, namespaced: boolean, name: string][] = [
  ['namespace', false, 'shop'],
  ['ingressclass', false, 'avi-lb'],
  ['service', true, 'web'],
  ['endpointslice', true, 'web-1'],
  ['secret', true, 'web-tls'],
  ['ingress', true, 'web'],
  ['node', false, 'node-1'],
  ['route', true, 'web'],
];

// A story: each step (create, label, replace, delete) acts on what the previous one left; not shuffled.
describe.skipIf(!HAVE_KUBECTL)('kubectl against the dev cluster', { shuffle: false }, () => {
  let dc: DevCluster;
  let dir: string;
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

  beforeAll(async () => {
    dc = await startDevCluster({ routes: true });
    dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
    writeFileSync(join(dir, 'all.yaml'), MANIFESTS);
  });
  afterAll(async () => {
    await dc?.close();
  });

  it('creates every kind from a file and gets them back', async () => {
    const out = await kubectl('create', '-f', join(dir, 'all.yaml'));
    expect(out).toContain('ingress.networking.k8s.io/web created');
    expect(out).toContain('route.route.openshift.io/web created');
    await Promise.all(
      KINDS.map(async ([resource, namespaced, name]) => {
        const got = JSON.parse(
          await kubectl('get', resource, name, ...(namespaced ? ['-n', 'shop'] : []), '-o', 'json'),
        );
        expect(got.metadata.name).toBe(name);
        expect(got.metadata.uid).toBeTruthy();
      }),
    );
    const table = await kubectl('get', 'ingress', '-A');
    expect(table).toMatch(/NAMESPACE\s+NAME\s+CLASS\s+HOSTS\s+ADDRESS/);
    expect(table).toMatch(/shop\s+web\s+avi-lb\s+shop\.example\.com/);
    expect(dc.get('v1', 'Secret', 'shop', 'web-tls')?.data?.['tls.key']).toBe(Buffer.from('KEY').toString('base64'));
  });

  it('labels and annotates every kind', async () => {
    await Promise.all(
      KINDS.map(async ([resource, namespaced, name]) => {
        const ns = namespaced ? ['-n', 'shop'] : [];
        await kubectl('label', resource, name, ...ns, 'team=blue');
        await kubectl('annotate', resource, name, ...ns, 'ako.vmware.com/note=x');
        const got = JSON.parse(await kubectl('get', resource, name, ...ns, '-o', 'json'));
        expect(got.metadata.labels.team).toBe('blue');
        expect(got.metadata.annotations['ako.vmware.com/note']).toBe('x');
      }),
    );
    const sel = await kubectl('get', 'services', '-A', '-l', 'team=blue', '-o', 'name');
    expect(sel.trim()).toBe('service/web');
    await kubectl('label', 'namespace', 'shop', 'team-');
    expect(dc.get('v1', 'Namespace', undefined, 'shop')?.metadata.labels?.team).toBeUndefined();
  });

  it('replaces and applies changes', async () => {
    writeFileSync(
      join(dir, 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: LoadBalancer, selector: {app: web}, ports: [{name: http, port: 80}, {name: https, port: 443}]}\n',
    );
    await kubectl('replace', '-f', join(dir, 'svc.yaml'));
    expect(dc.get('v1', 'Service', 'shop', 'web')?.spec.ports.map((p: { port: number }) => p.port)).toEqual([80, 443]);
    writeFileSync(
      join(dir, 'route.yaml'),
      'apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: api, namespace: shop}\nspec: {host: api.example.com, to: {kind: Service, name: web}}\n',
    );
    expect(await kubectl('apply', '-f', join(dir, 'route.yaml'))).toContain('created');
    writeFileSync(
      join(dir, 'route.yaml'),
      'apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: api, namespace: shop}\nspec: {host: api2.example.com, to: {kind: Service, name: web}}\n',
    );
    expect(await kubectl('apply', '-f', join(dir, 'route.yaml'))).toContain('configured');
    expect(dc.get('route.openshift.io/v1', 'Route', 'shop', 'api')?.spec.host).toBe('api2.example.com');
    await kubectl('create', 'namespace', 'extra');
    await kubectl('create', 'secret', 'generic', 'plain', '-n', 'extra', '--from-literal=a=b');
    expect(dc.get('v1', 'Secret', 'extra', 'plain')?.data).toEqual({ a: Buffer.from('b').toString('base64') });
  });

  it('deletes every kind', async () => {
    // Namespaced kinds first (deleting the namespace cascades), in parallel.
    const outs = await Promise.all(
      KINDS.filter(([r]) => r !== 'namespace').map(([resource, namespaced, name]) =>
        kubectl('delete', resource, name, ...(namespaced ? ['-n', 'shop'] : [])),
      ),
    );
    for (const out of outs) expect(out).toContain('deleted');
    expect(await kubectl('delete', 'namespace', 'shop')).toContain('deleted');
    await expect(kubectl('get', 'ingress', 'web', '-n', 'shop')).rejects.toThrow(/NotFound|not found/);
  });
});
