import { afterEach, describe, expect, it } from 'vitest';
import { decryptPrivateFields } from '../../functions/forwarder/secrets.ts';
import type { DevCluster } from '../../infra/dev-cluster/index.ts';
import { localKeyFileProvider } from '../../shared/crypto/index.ts';
import { events, eventually, finalState, objectChanges, type Rig, startRig } from './harness.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function seed(dc: DevCluster): void {
  dc.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: 'shop',
      labels: { app: 'migrate' },
      annotations: { 'ako.vmware.com/tenant-name': 'blue', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    },
  });
  dc.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'avi-lb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'ako.vmware.com/avi-lb' },
  });
  dc.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'web',
      namespace: 'shop',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}',
        'ako.vmware.com/enable-tls': 'true',
        'kubernetes.io/ingress.class': 'avi',
        'unrelated.example.com/x': 'y',
      },
      managedFields: [{ manager: 'kubectl' }],
    },
    spec: { rules: [{ host: 'shop.example.com' }] },
    status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }] } },
  });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }], selector: { app: 'web' } },
  });
  dc.apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true } }],
    ports: [{ port: 8080 }],
  });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'web-tls', namespace: 'shop' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64('CERT'), 'tls.key': b64('PRIVATE'), 'ca.crt': b64('CA'), extra: b64('x') },
  });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'opaque', namespace: 'shop' },
    data: { password: b64('nope') },
  });
  dc.apply({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'node-1',
      annotations: { 'projectcalico.org/IPv4Address': '10.10.10.12/24', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { podCIDR: '10.244.1.0/24', providerID: 'aws://x' },
    status: {
      addresses: [{ type: 'InternalIP', address: '10.10.10.12' }],
      images: [{ names: ['big-image'], sizeBytes: 1 }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  dc.apply({
    apiVersion: 'route.openshift.io/v1',
    kind: 'Route',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { host: 'web.apps.example.com', to: { kind: 'Service', name: 'web' } },
  });
  dc.apply({
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'BlockAffinity',
    metadata: { name: 'node-1-192-168-29-64-26' },
    spec: { node: 'node-1', cidr: '192.168.29.64/26', state: 'confirmed', deleted: 'false' },
  });
  dc.apply({
    apiVersion: 'network.openshift.io/v1',
    kind: 'HostSubnet',
    metadata: { name: 'node-1' },
    host: 'node-1',
    hostIP: '10.10.10.12',
    subnet: '10.128.2.0/23',
  });
  dc.apply({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNode',
    metadata: { name: 'node-1' },
    spec: { ipam: { podCIDRs: ['10.0.1.0/24'], pool: { big: 'x' } } },
  });
}

describe('forwarder: watched kinds', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('publishes every watched kind, trimmed and tagged with its namespace labels, then inventories', async () => {
    rig = await startRig({ cluster: { routes: true, cni: ['calico', 'openshift', 'cilium'] }, before: seed });
    const { fwd, pub } = rig;
    await fwd.ready;
    expect(fwd.isReady()).toBe(true);
    await eventually(() => events(pub).some((e) => e.detailType === 'inventory' && e.detail.namespace === 'shop'));
    await fwd.drained();
    expect(fwd.metrics().kinds.sort()).toEqual(
      [
        'BlockAffinity',
        'CiliumNode',
        'EndpointSlice',
        'HostSubnet',
        'Ingress',
        'IngressClass',
        'Namespace',
        'Node',
        'Route',
        'Secret',
        'Service',
      ].sort(),
    );
    const state = finalState(pub);
    const shopLabels = { app: 'migrate', 'kubernetes.io/metadata.name': 'shop' };
    for (const key of [
      'Ingress/shop/web',
      'Service/shop/web',
      'EndpointSlice/shop/web-abc',
      'Secret/shop/web-tls',
      'Route/shop/web',
    ]) {
      const d = state.get(key);
      expect(d, key).toBeDefined();
      expect(d.op).toBe('upsert');
      expect(d.cluster).toBe('dev');
      expect(d.namespace).toBe('shop');
      expect(d.namespaceLabels).toEqual(shopLabels);
      expect(d.uid).toBeTruthy();
      expect(d.object.metadata.managedFields).toBeUndefined();
    }
    for (const key of [
      'Namespace//shop',
      'Node//node-1',
      'IngressClass//avi-lb',
      'BlockAffinity//node-1-192-168-29-64-26',
      'HostSubnet//node-1',
      'CiliumNode//node-1',
    ]) {
      expect(state.get(key)?.op, key).toBe('upsert');
      expect(state.get(key)?.namespace, key).toBeUndefined();
    }
    // A Namespace carries its own labels; cluster-scoped objects carry none.
    expect(state.get('Namespace//shop').namespaceLabels).toEqual(shopLabels);
    expect(state.get('Node//node-1').namespaceLabels).toEqual({});
    expect(state.get('Namespace//shop').object.metadata.annotations).toEqual({ 'ako.vmware.com/tenant-name': 'blue' });

    const ing = state.get('Ingress/shop/web').object;
    expect(ing.metadata.annotations).toEqual({
      'ako.vmware.com/enable-tls': 'true',
      'kubernetes.io/ingress.class': 'avi',
    });
    expect(ing.spec.rules[0].host).toBe('shop.example.com');
    expect(ing.status).toBeUndefined();
    const node = state.get('Node//node-1').object;
    expect(node.status).toEqual({ addresses: [{ type: 'InternalIP', address: '10.10.10.12' }] });
    expect(node.spec).toEqual({ podCIDR: '10.244.1.0/24' });
    expect(node.metadata.annotations).toEqual({ 'projectcalico.org/IPv4Address': '10.10.10.12/24' });
    expect(state.get('HostSubnet//node-1').object).toMatchObject({
      host: 'node-1',
      hostIP: '10.10.10.12',
      subnet: '10.128.2.0/23',
    });
    expect(state.get('CiliumNode//node-1').object.spec).toEqual({ ipam: { podCIDRs: ['10.0.1.0/24'] } });
    expect(state.get('BlockAffinity//node-1-192-168-29-64-26').object.spec.cidr).toBe('192.168.29.64/26');
    expect(state.get('EndpointSlice/shop/web-abc').object.endpoints[0].addresses).toEqual(['10.1.0.5']);

    // Only TLS secrets; the private key never in clear; certificates in clear.
    expect(state.has('Secret/shop/opaque')).toBe(false);
    const sec = state.get('Secret/shop/web-tls');
    expect(sec.object.data).toEqual({ 'tls.crt': b64('CERT'), 'ca.crt': b64('CA') });
    expect(JSON.stringify(pub.entries)).not.toContain(b64('PRIVATE'));
    const fields = await decryptPrivateFields(sec.encryptedSecret, localKeyFileProvider(rig.keyFile));
    expect(fields).toEqual({ 'tls.key': b64('PRIVATE') });

    // Inventories: one per namespace plus the cluster-scoped one.
    const inv = events(pub).filter((e) => e.detailType === 'inventory');
    const shopInv = inv.find((e) => e.detail.namespace === 'shop')!.detail;
    expect(shopInv.namespaceLabels).toEqual(shopLabels);
    expect(shopInv.objects.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`).sort()).toEqual(
      ['EndpointSlice/web-abc', 'Ingress/web', 'Route/web', 'Secret/web-tls', 'Service/web'].sort(),
    );
    const clusterInv = inv.find((e) => e.detail.namespace === '')!.detail;
    expect(clusterInv.objects.map((o: { kind: string }) => o.kind).sort()).toEqual(
      ['BlockAffinity', 'CiliumNode', 'HostSubnet', 'IngressClass', 'Namespace', 'Namespace', 'Node'].sort(),
    );
    expect(inv.some((e) => e.detail.namespace === 'default')).toBe(true);
    // Batches never exceed 10 entries (the memory publisher throws otherwise).
    expect(fwd.metrics().failed).toBe(0);
  });

  it('follows creates, updates and deletes; skips updates that change nothing the model reads', async () => {
    rig = await startRig({ cluster: { routes: true, cni: ['calico', 'openshift', 'cilium'] }, before: seed });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    pub.clear();
    dc.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    });
    dc.setStatus('v1', 'Service', 'shop', 'web', { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
    dc.annotate('v1', 'Service', 'shop', 'web', { 'unrelated.example.com/a': 'b' });
    dc.annotate('v1', 'Service', 'shop', 'web', { 'ako.vmware.com/load-balancer-ip': '10.0.0.7' });
    dc.delete('networking.k8s.io/v1', 'Ingress', 'shop', 'web');
    await eventually(() => finalState(pub).get('Ingress/shop/web')?.op === 'delete', 'ingress delete');
    await fwd.drained();
    // Different objects arrive over different watches: compare as a set.
    const changes = objectChanges(pub);
    expect(changes.map((c) => `${c.op} ${c.kind}/${c.name}`).sort()).toEqual([
      'delete Ingress/web',
      'upsert Service/api',
      'upsert Service/web',
    ]);
    const web = changes.find((c) => c.kind === 'Service' && c.name === 'web');
    expect(web.object.metadata.annotations).toEqual({ 'ako.vmware.com/load-balancer-ip': '10.0.0.7' });
    const del = changes.find((c) => c.op === 'delete');
    expect(del.uid).toBeTruthy();
    expect(del.object).toBeUndefined();
    expect(del.namespaceLabels).toEqual({ app: 'migrate', 'kubernetes.io/metadata.name': 'shop' });
    expect(fwd.metrics().suppressed).toBeGreaterThanOrEqual(2);
  });
});
