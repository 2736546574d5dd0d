import { afterEach, describe, expect, it } from 'vitest';
import { memoryPublisher } from '../../functions/forwarder/publishers/memory.ts';
import type { DevCluster } from '../../infra/dev-cluster/index.ts';
import { events, eventually, expectNoDeletes, finalState, objectChanges, type Rig, startRig } from './harness.ts';

const svc = (name: string, ns = 'shop', labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});

function seedShop(dc: DevCluster, services = 3): void {
  dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { app: 'migrate' } } });
  for (let i = 0; i < services; i++) dc.apply(svc(`s${i}`));
  dc.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { rules: [{ host: 'shop.example.com' }] },
  });
}

/** What the cluster holds now, as the published final state should show it. */
function expectConverged(rig: Rig, keys: [kind: string, apiVersion: string, ns: string, name: string][]): void {
  const state = finalState(rig.pub);
  for (const [kind, apiVersion, ns, name] of keys) {
    const live = rig.dc.get(apiVersion, kind, ns, name);
    const pub = state.get(`${kind}/${ns}/${name}`);
    if (live) {
      expect(pub?.op, `${kind}/${ns}/${name}`).toBe('upsert');
      expect(pub.object.metadata.labels ?? {}, `${kind}/${ns}/${name}`).toEqual(live.metadata.labels ?? {});
    } else {
      expect(pub?.op ?? 'delete', `${kind}/${ns}/${name}`).toBe('delete');
    }
  }
}

describe('forwarder robustness against the dev cluster', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('a namespace relabel publishes namespace-changed, then every object of the namespace with the new labels', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc) });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    pub.clear();
    dc.label('v1', 'Namespace', undefined, 'shop', { app: 'blue' });
    await eventually(() => events(pub).filter((e) => e.detail.kind === 'Service').length >= 3, 'republish');
    await fwd.drained();
    const evs = events(pub);
    const nsc = evs.findIndex((e) => e.detailType === 'namespace-changed');
    expect(nsc).toBeGreaterThanOrEqual(0);
    expect(evs[nsc]!.detail).toMatchObject({
      cluster: 'dev',
      namespace: 'shop',
      oldLabels: { app: 'migrate', 'kubernetes.io/metadata.name': 'shop' },
      newLabels: { app: 'blue', 'kubernetes.io/metadata.name': 'shop' },
    });
    const republished = evs.filter((e) => e.detailType === 'object-change' && e.detail.namespace === 'shop');
    expect(republished.map((e) => `${e.detail.kind}/${e.detail.name}`).sort()).toEqual([
      'Ingress/web',
      'Service/s0',
      'Service/s1',
      'Service/s2',
    ]);
    for (const e of republished) {
      expect(e.detail.namespaceLabels.app).toBe('blue');
      // The republish follows the namespace-changed event.
      expect(evs.indexOf(e)).toBeGreaterThan(nsc);
    }
    expectNoDeletes(pub);
  });

  it('deleting a namespace publishes deletes that still carry its labels (so they reach the owner)', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc) });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    pub.clear();
    dc.delete('v1', 'Namespace', undefined, 'shop');
    await eventually(() => objectChanges(pub).length >= 5, 'deletes');
    await fwd.drained();
    const dels = objectChanges(pub);
    expect(dels.map((d) => `${d.op} ${d.kind}/${d.name}`).sort()).toEqual([
      'delete Ingress/web',
      'delete Namespace/shop',
      'delete Service/s0',
      'delete Service/s1',
      'delete Service/s2',
    ]);
    for (const d of dels) expect(d.namespaceLabels.app).toBe('migrate');
    // The next inventory round no longer covers the deleted namespace.
    pub.clear();
    fwd.requestInventory();
    await eventually(() => events(pub).some((e) => e.detailType === 'inventory'), 'inventory');
    await fwd.drained();
    expect(events(pub).map((e) => e.detail.namespace)).not.toContain('shop');
  });

  it('recovers from cut watch connections without missing the final state or inventing deletes', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc) });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    const from = pub.entries.length;
    await eventually(() => dc.hooks.openWatches() >= 7, 'every watch open');
    expect(dc.hooks.cutWatches()).toBeGreaterThan(0);
    // Changes while the forwarder reconnects.
    dc.label('v1', 'Service', 'shop', 's0', { v: '1' });
    dc.delete('v1', 'Service', 'shop', 's1');
    dc.apply(svc('s9'));
    await eventually(() => fwd.metrics().watchRestarts > 0, 'watch restart');
    await eventually(() => finalState(pub).get('Service/shop/s9')?.op === 'upsert', 's9');
    await eventually(() => finalState(pub).get('Service/shop/s1')?.op === 'delete', 's1 delete');
    await eventually(() => finalState(pub).get('Service/shop/s0')?.object?.metadata.labels?.v === '1', 's0 label');
    await fwd.drained();
    expectConverged(rig, [
      ['Service', 'v1', 'shop', 's0'],
      ['Service', 'v1', 'shop', 's1'],
      ['Service', 'v1', 'shop', 's2'],
      ['Service', 'v1', 'shop', 's9'],
      ['Ingress', 'networking.k8s.io/v1', 'shop', 'web'],
    ]);
    const deletes = pub.entries
      .slice(from)
      .map((e) => JSON.parse(e.Detail))
      .filter((d) => d.op === 'delete');
    expect(deletes.map((d) => d.name)).toEqual(['s1']);
  });

  it('relists after 410 Gone (compacted history) and catches deletes that happened meanwhile', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc) });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    const from = pub.entries.length;
    // The watches stop delivering; meanwhile a delete and an update happen and the history is compacted,
    // so the informer's resume is answered 410 Gone and it must relist.
    dc.hooks.stallWatches();
    dc.delete('v1', 'Service', 'shop', 's2');
    dc.label('v1', 'Service', 'shop', 's0', { v: '2' });
    dc.hooks.compact();
    dc.hooks.expireWatches();
    await eventually(() => finalState(pub).get('Service/shop/s2')?.op === 'delete', 's2 delete');
    await eventually(() => finalState(pub).get('Service/shop/s0')?.object?.metadata.labels?.v === '2', 's0 label');
    await fwd.drained();
    expectConverged(rig, [
      ['Service', 'v1', 'shop', 's0'],
      ['Service', 'v1', 'shop', 's1'],
      ['Service', 'v1', 'shop', 's2'],
      ['Ingress', 'networking.k8s.io/v1', 'shop', 'web'],
    ]);
    const deletes = pub.entries
      .slice(from)
      .map((e) => JSON.parse(e.Detail))
      .filter((d) => d.op === 'delete');
    expect(deletes.map((d) => d.name)).toEqual(['s2']);
    // Watches that resumed from a compacted version were answered 410 and relisted.
    expect(dc.hooks.requests()['list services']).toBeGreaterThanOrEqual(2);
  });

  it('a stalled watch is restarted by the watchdog and the change it withheld arrives', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc), forwarder: { watchdogSeconds: 0.5 } });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    await eventually(() => dc.hooks.openWatches('services') === 1, 'services watch open');
    const restarts = fwd.metrics().watchRestarts;
    expect(dc.hooks.stallWatches('services')).toBe(1);
    dc.label('v1', 'Service', 'shop', 's1', { stalled: 'no-more' });
    await eventually(
      () => finalState(pub).get('Service/shop/s1')?.object?.metadata.labels?.stalled === 'no-more',
      'stalled change',
    );
    expect(fwd.metrics().watchRestarts).toBeGreaterThan(restarts);
    expectNoDeletes(pub);
  });

  it('bookmarks keep a quiet watch alive (no watchdog restarts while the server answers)', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc), forwarder: { watchdogSeconds: 0.5 } });
    const { dc, fwd } = rig;
    await fwd.ready;
    await eventually(() => dc.hooks.openWatches('services') === 1, 'services watch open');
    const restarts = fwd.metrics().watchRestarts;
    const bookmarksBefore = dc.hooks.requests()['watch services'] ?? 0;
    // Several watchdog periods with no changes at all: bookmarks (every 100 ms) count as activity.
    await new Promise((r) => setTimeout(r, 1500));
    expect(fwd.metrics().watchRestarts).toBe(restarts);
    expect(dc.hooks.requests()['watch services']).toBe(bookmarksBefore);
  });

  it('a failing list never produces deletes; the informer retries and converges', async () => {
    rig = await startRig({ before: (dc) => seedShop(dc) });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    const from = pub.entries.length;
    // Force a relist (410 on resume) and make the next three lists fail.
    dc.hooks.failNextList('services', { count: 3, code: 500 });
    dc.hooks.stallWatches('services');
    dc.apply(svc('late'));
    dc.hooks.compact();
    dc.hooks.expireWatches('services');
    await eventually(() => finalState(pub).get('Service/shop/late')?.op === 'upsert', 'late service');
    await fwd.drained();
    expectNoDeletes(pub, from);
    expect(dc.hooks.requests()['list services']).toBeGreaterThanOrEqual(5);
    expect(fwd.metrics().watchRestarts).toBeGreaterThanOrEqual(3);
    expectConverged(rig, [
      ['Service', 'v1', 'shop', 's0'],
      ['Service', 'v1', 'shop', 'late'],
    ]);
  });

  it('the initial list failing delays readiness but never publishes a partial inventory', async () => {
    rig = await startRig({
      before: (dc) => {
        seedShop(dc);
        dc.hooks.failNextList('services', { count: 2, code: 503 });
      },
      forwarder: { fullSyncFrequencySeconds: 0 },
    });
    const { fwd, pub } = rig;
    await fwd.ready;
    await eventually(() => events(pub).some((e) => e.detailType === 'inventory' && e.detail.namespace === 'shop'));
    const shopInv = events(pub).find((e) => e.detailType === 'inventory' && e.detail.namespace === 'shop')!.detail;
    expect(shopInv.objects.filter((o: { kind: string }) => o.kind === 'Service')).toHaveLength(3);
    expectNoDeletes(pub);
  });
});

describe('forwarder delivery', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('retries partial failures and throttling until every entry is published', async () => {
    let throttledCalls = 0;
    const pub = memoryPublisher({
      fault: (entries, call) => {
        if (call % 4 === 0) throw Object.assign(new Error('socket hang up'), { name: 'NetworkError' });
        if (call % 3 === 0) {
          throttledCalls++;
          return entries.map((_, index) => ({ index, code: 'ThrottlingException', message: 'Rate exceeded' }));
        }
        // Every other entry fails transiently.
        return entries.flatMap((_, index) =>
          index % 2 === 1 ? [{ index, code: 'InternalFailure', message: 'try again' }] : [],
        );
      },
    });
    rig = await startRig({
      publisher: pub,
      before: (dc) => seedShop(dc, 40),
      forwarder: { maxAttempts: 3 },
    });
    const { dc, fwd } = rig;
    await fwd.ready;
    for (let i = 0; i < 40; i++) dc.label('v1', 'Service', 'shop', `s${i}`, { gen: '2' });
    await eventually(() => {
      const st = finalState(pub);
      return Array.from({ length: 40 }, (_, i) => st.get(`Service/shop/s${i}`)).every(
        (d) => d?.object?.metadata.labels?.gen === '2',
      );
    }, 'all services published');
    await fwd.drained();
    const m = fwd.metrics();
    expect(m.retried).toBeGreaterThan(0);
    expect(m.failed).toBe(0);
    expect(throttledCalls).toBeGreaterThan(0);
    expectNoDeletes(pub);
  });

  it('logs and counts entries the bus rejects, without blocking the others', async () => {
    const pub = memoryPublisher({
      fault: (entries) =>
        entries.flatMap((e, index) =>
          e.Detail.includes('"name":"s1"') ? [{ index, code: 'ValidationException', message: 'bad' }] : [],
        ),
    });
    rig = await startRig({ publisher: pub, before: (dc) => seedShop(dc) });
    await rig.fwd.ready;
    await rig.fwd.drained();
    const st = finalState(pub);
    expect(st.has('Service/shop/s1')).toBe(false);
    expect(st.get('Service/shop/s2')?.op).toBe('upsert');
    expect(rig.fwd.metrics().failed).toBeGreaterThanOrEqual(1);
  });

  it('an object too large for one event is reduced or reported, never silently dropped', async () => {
    const big = Buffer.alloc(3000, 'c').toString('base64');
    rig = await startRig({
      before: (dc) => {
        seedShop(dc);
        dc.apply({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'bundle', namespace: 'shop' },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5', 'ca.crt': big },
        });
        dc.apply({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'huge', namespace: 'shop' },
          spec: { rules: Array.from({ length: 100 }, (_, i) => ({ host: `h${i}.example.com` })) },
        });
      },
      forwarder: { maxEntryBytes: 3000 },
    });
    await rig.fwd.ready;
    await rig.fwd.drained();
    const st = finalState(rig.pub);
    // The CA bundle is dropped so the certificate and key still travel.
    expect(st.get('Secret/shop/bundle')?.object.data).toEqual({ 'tls.crt': 'Y2VydA==' });
    expect(st.get('Secret/shop/bundle')?.encryptedSecret).toBeDefined();
    // The Ingress cannot shrink: counted as oversized and failed (and logged), not published.
    expect(st.has('Ingress/shop/huge')).toBe(false);
    expect(rig.fwd.metrics().oversized).toBeGreaterThanOrEqual(1);
  });

  it('stop() flushes what is still queued before returning', async () => {
    const base = memoryPublisher();
    const slow = {
      ...base,
      async putEvents(entries: Parameters<typeof base.putEvents>[0]) {
        await new Promise((r) => setTimeout(r, 20));
        return base.putEvents(entries);
      },
    };
    const r = await startRig({
      publisher: slow as typeof base,
      before: (dc) => seedShop(dc),
      forwarder: { maxInFlight: 1 },
    });
    await r.fwd.ready;
    await r.fwd.drained();
    const before = r.fwd.metrics().observed;
    for (let i = 0; i < 50; i++) r.dc.apply(svc(`late-${i}`));
    await eventually(() => r.fwd.metrics().observed - before >= 50, 'observed');
    await r.fwd.stop();
    const st = finalState(base);
    for (let i = 0; i < 50; i++) expect(st.get(`Service/shop/late-${i}`)?.op).toBe('upsert');
    expect(r.fwd.metrics().queueDepth).toBe(0);
    await r.dc.close();
  });

  it('coalesces 100,000 updates to 1,000 objects: the queue never holds more than one entry per object', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    let maxDepth = 0;
    let fwdRef: Rig['fwd'] | undefined;
    const pub = memoryPublisher({ discard: false });
    const gated = {
      ...pub,
      async putEvents(entries: Parameters<typeof pub.putEvents>[0]) {
        await gate;
        if (fwdRef) maxDepth = Math.max(maxDepth, fwdRef.metrics().queueDepth);
        return pub.putEvents(entries);
      },
    };
    const N = 1000;
    const ROUNDS = 100;
    rig = await startRig({
      publisher: gated as typeof pub,
      before: (dc) => {
        dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
        for (let i = 0; i < N; i++) dc.apply(svc(`s${i}`));
      },
      cluster: { historyLimit: 5000, bookmarkIntervalMs: 1000 },
      forwarder: { maxInFlight: 2, watchdogSeconds: 60 },
    });
    const { dc, fwd } = rig;
    fwdRef = fwd;
    await fwd.ready;
    const sampler = setInterval(() => {
      maxDepth = Math.max(maxDepth, fwd.metrics().queueDepth);
    }, 5);
    const observedBefore = fwd.metrics().observed;
    for (let r = 1; r <= ROUNDS; r++) {
      for (let i = 0; i < N; i++) dc.label('v1', 'Service', 'shop', `s${i}`, { round: String(r) });
      // Pace the writer to the watch so the server does not buffer the whole burst in its socket.
      await eventually(() => fwd.metrics().observed - observedBefore >= (r - 2) * N, 'watch keeping up', 60_000);
    }
    await eventually(() => fwd.metrics().observed - observedBefore >= N * ROUNDS, 'all updates observed', 60_000);
    maxDepth = Math.max(maxDepth, fwd.metrics().queueDepth);
    open();
    await fwd.drained();
    clearInterval(sampler);
    const m = fwd.metrics();
    // One waiting entry per object (+ the namespace, its inventory and the cluster inventory).
    expect(maxDepth).toBeLessThanOrEqual(N + 3);
    expect(m.coalesced).toBeGreaterThan(N * ROUNDS - 2 * N - 100);
    const st = finalState(pub);
    for (let i = 0; i < N; i++) expect(st.get(`Service/shop/s${i}`)?.object.metadata.labels.round).toBe(String(ROUNDS));
    expect(m.published).toBeLessThan(3 * N + 10);
  }, 120_000);
});
