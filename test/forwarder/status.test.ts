import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeRequester } from '../../functions/forwarder/kube.ts';
import {
  createStatusApplier,
  parseStatusUpdates,
  type StatusApplier,
  type StatusUpdate,
} from '../../functions/forwarder/status.ts';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';

describe('status write-back against the dev cluster', () => {
  let dc: DevCluster;
  let applier: StatusApplier;
  beforeAll(async () => {
    dc = await startDevCluster({ routes: true });
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    dc.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }] },
    });
    dc.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: 'shop' },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    dc.apply({
      apiVersion: 'route.openshift.io/v1',
      kind: 'Route',
      metadata: { name: 'r', namespace: 'shop' },
      spec: { host: 'r.example.com', to: { kind: 'Service', name: 'lb' } },
      status: { ingress: [{ host: 'r.example.com', routerName: 'ako-dev-other' }] },
    });
    const kc = new KubeConfig();
    kc.loadFromString(dc.kubeconfig());
    applier = createStatusApplier(kubeRequester(kc));
  });
  afterAll(async () => {
    await dc.close();
  });

  const ingressUpdate: StatusUpdate = {
    target: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'shop', name: 'web' },
    instance: 'dev/avi-system',
    loadBalancer: {
      ingress: [
        { ip: '10.50.0.10', hostname: 'a.example.com' },
        { ip: '10.50.0.10', hostname: 'b.example.com' },
      ],
    },
    annotations: {
      'ako.vmware.com/host-fqdn-vs-uuid-map': '{"a.example.com":"virtualservice-1","b.example.com":"virtualservice-1"}',
      'ako.vmware.com/controller-cluster-uuid': 'cluster-0',
    },
  };

  it('writes Ingress status and annotations once; the same update again writes nothing', async () => {
    dc.hooks.resetCounters();
    const [first] = await applier.apply([ingressUpdate]);
    expect(first).toMatchObject({ outcome: 'patched', writes: 2 });
    const ing = dc.get('networking.k8s.io/v1', 'Ingress', 'shop', 'web')!;
    expect(ing.status.loadBalancer.ingress).toEqual(ingressUpdate.loadBalancer!.ingress);
    expect(ing.metadata.annotations?.['ako.vmware.com/controller-cluster-uuid']).toBe('cluster-0');
    expect(dc.hooks.counters().statusPatches).toBe(1);
    dc.hooks.resetCounters();
    const [again] = await applier.apply([ingressUpdate]);
    expect(again).toMatchObject({ outcome: 'unchanged', writes: 0 });
    expect(dc.hooks.counters()).toMatchObject({ statusPatches: 0, patches: 0, statusUpdates: 0, updates: 0 });
  });

  it('clears an entry when the host leaves (and clears the whole list when asked)', async () => {
    await applier.apply([
      { ...ingressUpdate, loadBalancer: { ingress: [{ ip: '10.50.0.10', hostname: 'a.example.com' }] } },
    ]);
    expect(dc.get('networking.k8s.io/v1', 'Ingress', 'shop', 'web')!.status.loadBalancer.ingress).toEqual([
      { ip: '10.50.0.10', hostname: 'a.example.com' },
    ]);
    const [cleared] = await applier.apply([
      {
        ...ingressUpdate,
        loadBalancer: { ingress: [] },
        annotations: { 'ako.vmware.com/host-fqdn-vs-uuid-map': null },
      },
    ]);
    expect(cleared?.outcome).toBe('patched');
    const ing = dc.get('networking.k8s.io/v1', 'Ingress', 'shop', 'web')!;
    expect(ing.status.loadBalancer.ingress ?? []).toEqual([]);
    expect(ing.metadata.annotations?.['ako.vmware.com/host-fqdn-vs-uuid-map']).toBeUndefined();
    const [noop] = await applier.apply([{ ...ingressUpdate, loadBalancer: { ingress: [] }, annotations: {} }]);
    expect(noop?.outcome).toBe('unchanged');
  });

  it('writes a LoadBalancer Service VIP', async () => {
    const [r] = await applier.apply([
      {
        target: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'lb' },
        instance: 'dev/avi-system',
        loadBalancer: { ingress: [{ ip: '10.50.0.20', hostname: 'lb.shop.example.com' }] },
      },
    ]);
    expect(r?.outcome).toBe('patched');
    expect(dc.get('v1', 'Service', 'shop', 'lb')!.status.loadBalancer.ingress[0].ip).toBe('10.50.0.20');
  });

  it("edits only its own Route entries, keeping other routers'", async () => {
    const mine: StatusUpdate = {
      target: { apiVersion: 'route.openshift.io/v1', kind: 'Route', namespace: 'shop', name: 'r' },
      instance: 'dev/blue',
      route: {
        routerName: 'ako-dev-blue',
        entries: [{ host: 'r.example.com', conditions: [{ type: 'Admitted', status: 'True' }] }],
      },
    };
    expect((await applier.apply([mine]))[0]!.outcome).toBe('patched');
    const routers = () =>
      (dc.get('route.openshift.io/v1', 'Route', 'shop', 'r')!.status.ingress as { routerName: string }[]).map(
        (e) => e.routerName,
      );
    expect(routers()).toEqual(['ako-dev-other', 'ako-dev-blue']);
    expect((await applier.apply([mine]))[0]!.outcome).toBe('unchanged');
    await applier.apply([{ ...mine, route: { routerName: 'ako-dev-blue', entries: [] } }]);
    expect(routers()).toEqual(['ako-dev-other']);
  });

  it('retries when another writer changes the object between read and patch', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(dc.kubeconfig());
    const base = kubeRequester(kc);
    let raced = false;
    const racing = createStatusApplier(async (method, path, body, ct) => {
      const res = await base(method, path, body, ct);
      if (method === 'GET' && !raced) {
        raced = true;
        // Someone else writes right after our read: our resourceVersion is stale.
        dc.label('v1', 'Service', 'shop', 'lb', { touched: 'yes' });
      }
      return res;
    });
    dc.hooks.resetCounters();
    const [r] = await racing.apply([
      {
        target: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'lb' },
        instance: 'dev/avi-system',
        loadBalancer: { ingress: [{ ip: '10.50.0.21' }] },
      },
    ]);
    expect(r?.outcome).toBe('patched');
    expect(dc.hooks.requests()['patch services/status']).toBe(2);
    expect(dc.get('v1', 'Service', 'shop', 'lb')!.status.loadBalancer.ingress).toEqual([{ ip: '10.50.0.21' }]);
  });

  it('records events.k8s.io/v1 Events once per window, on objects and namespaces', async () => {
    const update: StatusUpdate = {
      target: { apiVersion: 'v1', kind: 'Namespace', name: 'shop' },
      instance: 'dev/avi-system',
      events: [
        { type: 'Warning', reason: 'OwnershipConflict', note: 'namespace shop is selected by dev/blue and dev/red' },
      ],
    };
    const [r1] = await applier.apply([update]);
    const [r2] = await applier.apply([update]);
    expect(r1!.events).toBe(1);
    expect(r2!.events).toBe(0);
    const evs = dc.list('events.k8s.io/v1', 'Event', 'default');
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({
      reason: 'OwnershipConflict',
      type: 'Warning',
      regarding: { kind: 'Namespace', name: 'shop' },
      reportingController: 'ako.vmware.com/ako-serverless',
    });
    expect(evs[0]!.eventTime).toMatch(/\.\d{6}Z$/);
  });

  it('leaves a re-created object alone and reports missing ones', async () => {
    const [stale] = await applier.apply([
      { ...ingressUpdate, target: { ...ingressUpdate.target, uid: 'another-uid' } },
    ]);
    expect(stale?.outcome).toBe('stale');
    const [missing] = await applier.apply([{ ...ingressUpdate, target: { ...ingressUpdate.target, name: 'nope' } }]);
    expect(missing?.outcome).toBe('not-found');
  });

  it('validates status messages with a reason naming the field', () => {
    expect(parseStatusUpdates([ingressUpdate])).toMatchObject({ ok: true });
    const bad = parseStatusUpdates({ ...ingressUpdate, target: { ...ingressUpdate.target, kind: 'Pod' } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/^target\.kind/);
  });
});
