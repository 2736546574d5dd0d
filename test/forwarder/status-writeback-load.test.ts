// Status write-back under load: a shard re-reported after every apply must not cost a read per Ingress each
// time, and many objects are written side by side while each object's updates stay in order.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import { createStatusApplier, type StatusUpdate } from '../../functions/forwarder/status.ts';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';

const ingress = (name: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'shop' },
  spec: { rules: [{ host: `${name}.example.com` }] },
});
const update = (name: string, ip: string, events?: StatusUpdate['events']): StatusUpdate => ({
  target: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'shop', name },
  instance: 'dev/avi-system',
  loadBalancer: { ingress: [{ ip, hostname: `${name}.example.com` }] },
  ...(events ? { events } : {}),
});

describe('status write-back of many objects', () => {
  let dc: DevCluster;
  let request: ReturnType<typeof kubeRequester>;
  beforeAll(async () => {
    dc = await startDevCluster({});
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const kc = new KubeConfig();
    kc.loadFromString(dc.kubeconfig());
    request = kubeRequester(kc);
  });
  afterAll(async () => {
    await dc.close();
  });

  const gets = () => dc.hooks.requests()['get ingresses'] ?? 0;
  const statusOf = (name: string) =>
    (
      dc.get('networking.k8s.io/v1', 'Ingress', 'shop', name) as {
        status?: { loadBalancer?: { ingress?: { ip: string }[] } };
      }
    )?.status?.loadBalancer?.ingress?.[0]?.ip;

  it('answers an update identical to the last one written without reading the object again', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `skip-${i}`);
    for (const n of names) dc.apply(ingress(n));
    const applier = createStatusApplier(request);
    const first = await applier.apply(names.map((n) => update(n, '10.1.0.1')));
    expect(first.every((r) => r.outcome === 'patched')).toBe(true);
    const readsBefore = gets();
    const again = await applier.apply(names.map((n) => update(n, '10.1.0.1')));
    expect(again.every((r) => r.outcome === 'unchanged')).toBe(true);
    expect(gets() - readsBefore).toBe(0);
    // A different address, or an Event to record, is written as before (with its read).
    const changed = await applier.apply([
      update('skip-0', '10.1.0.2'),
      update('skip-1', '10.1.0.1', [{ type: 'Warning', reason: 'X', note: 'y' }]),
    ]);
    expect(changed.map((r) => r.outcome)).toEqual(['patched', 'unchanged']);
    expect(changed[1]!.events).toBe(1);
    expect(gets() - readsBefore).toBe(2);
    expect(statusOf('skip-0')).toBe('10.1.0.2');
  });

  it('keeps each object’s updates in order while writing objects side by side', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `order-${i}`);
    for (const n of names) dc.apply(ingress(n));
    const applier = createStatusApplier(request, { concurrency: 8 });
    // Three updates per object, interleaved: the last one of each object must win.
    const updates = [1, 2, 3].flatMap((k) => names.map((n) => update(n, `10.2.0.${k}`)));
    const results = await applier.apply(updates);
    expect(results).toHaveLength(updates.length);
    expect(results.every((r) => r.outcome === 'patched')).toBe(true);
    for (const n of names) expect(statusOf(n)).toBe('10.2.0.3');
  });
});
