import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON responses
type Json = any;

async function call(
  dc: DevCluster,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: Json }> {
  const res = await fetch(dc.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Reads watch lines until `n` events arrived (or the stream ended). */
async function readWatch(
  dc: DevCluster,
  path: string,
  n: number,
  during?: () => void,
): Promise<{ type: string; object: Json }[]> {
  const ctrl = new AbortController();
  const res = await fetch(dc.url + path, { signal: ctrl.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const out: { type: string; object: Json }[] = [];
  let buf = '';
  during?.();
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    let i = buf.indexOf('\n');
    while (i >= 0) {
      out.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
  }
  ctrl.abort();
  return out;
}

const svc = (name: string, ns = 'app', labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});

describe('dev cluster API server', () => {
  let dc: DevCluster;
  beforeAll(async () => {
    dc = await startDevCluster({ routes: true, cni: ['calico'], bookmarkIntervalMs: 50 });
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { team: 'a' } } });
  });
  afterAll(async () => {
    await dc.close();
  });

  it('serves discovery for the configured kinds', async () => {
    const api = await call(dc, 'GET', '/api');
    expect(api.body.versions).toEqual(['v1']);
    const v1 = await call(dc, 'GET', '/api/v1');
    const names = v1.body.resources.map((r: Json) => r.name);
    expect(names).toEqual(expect.arrayContaining(['namespaces', 'nodes', 'services', 'secrets', 'services/status']));
    const groups = (await call(dc, 'GET', '/apis')).body.groups.map((g: Json) => g.name);
    expect(groups).toEqual(
      expect.arrayContaining([
        'networking.k8s.io',
        'discovery.k8s.io',
        'events.k8s.io',
        'route.openshift.io',
        'crd.projectcalico.org',
      ]),
    );
    expect(groups).not.toContain('cilium.io');
    const net = await call(dc, 'GET', '/apis/networking.k8s.io/v1');
    const ing = net.body.resources.find((r: Json) => r.name === 'ingresses');
    expect(ing).toMatchObject({ kind: 'Ingress', namespaced: true, shortNames: ['ing'] });
    const calico = await call(dc, 'GET', '/apis/crd.projectcalico.org/v1');
    expect(calico.body.resources[0]).toMatchObject({ name: 'blockaffinities', namespaced: false });
    expect((await call(dc, 'GET', '/apis/cilium.io/v2')).status).toBe(404);
  });

  it('creates objects with uid, resourceVersion, generation and creationTimestamp', async () => {
    const before = dc.resourceVersion;
    const r = await call(dc, 'POST', '/api/v1/namespaces/app/services', svc('web'));
    expect(r.status).toBe(201);
    expect(r.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(r.body.metadata.resourceVersion)).toBe(before + 1);
    expect(r.body.metadata.generation).toBe(1);
    expect(r.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await call(dc, 'POST', '/api/v1/namespaces/app/services', svc('web'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });
  });

  it('answers 404 and 422 with Status objects', async () => {
    const nf = await call(dc, 'GET', '/api/v1/namespaces/app/services/nope');
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
    const noNs = await call(dc, 'POST', '/api/v1/namespaces/missing/services', svc('x', 'missing'));
    expect(noNs.status).toBe(404);
    const bad = await call(dc, 'POST', '/api/v1/namespaces/app/services', svc('Bad_Name'));
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe('Invalid');
    expect(bad.body.details.causes[0].field).toBe('metadata.name');
    const tls = await call(dc, 'POST', '/api/v1/namespaces/app/secrets', {
      metadata: { name: 't' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y3J0' },
    });
    expect(tls.status).toBe(422);
    expect(tls.body.message).toContain('tls.key');
  });

  it('rejects stale updates with 409 and bumps generation only on spec changes', async () => {
    dc.apply(svc('web-409'));
    const cur = (await call(dc, 'GET', '/api/v1/namespaces/app/services/web-409')).body;
    const labelled = { ...cur, metadata: { ...cur.metadata, labels: { x: '1' } } };
    const u1 = await call(dc, 'PUT', '/api/v1/namespaces/app/services/web-409', labelled);
    expect(u1.status).toBe(200);
    expect(u1.body.metadata.generation).toBe(1);
    expect(Number(u1.body.metadata.resourceVersion)).toBeGreaterThan(Number(cur.metadata.resourceVersion));
    const stale = await call(dc, 'PUT', '/api/v1/namespaces/app/services/web-409', labelled);
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    const specChange = { ...u1.body, spec: { ...u1.body.spec, ports: [{ port: 443 }] } };
    const u2 = await call(dc, 'PUT', '/api/v1/namespaces/app/services/web-409', specChange);
    expect(u2.body.metadata.generation).toBe(2);
    expect(u2.body.metadata.uid).toBe(cur.metadata.uid);
  });

  it('merge-patches, keeps status out of main-resource writes, and patches the status subresource', async () => {
    dc.apply(svc('web-status')); // its own object: the test stands alone, in any order
    const p = await call(
      dc,
      'PATCH',
      '/api/v1/namespaces/app/services/web-status',
      { metadata: { annotations: { a: 'b' } }, status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } },
      'application/merge-patch+json',
    );
    expect(p.status).toBe(200);
    expect(p.body.metadata.annotations).toEqual({ a: 'b' });
    expect(p.body.status?.loadBalancer?.ingress).toBeUndefined();
    dc.hooks.resetCounters();
    const status = { loadBalancer: { ingress: [{ ip: '10.0.0.1', hostname: 'web.example.com' }] } };
    const s = await call(
      dc,
      'PATCH',
      '/api/v1/namespaces/app/services/web-status/status',
      { status, spec: { type: 'ClusterIP' } },
      'application/merge-patch+json',
    );
    expect(s.status).toBe(200);
    expect(s.body.status).toEqual(status);
    expect(s.body.spec.type).toBe('LoadBalancer');
    const rv = s.body.metadata.resourceVersion;
    // The same status again changes nothing: no new resourceVersion.
    const again = await call(
      dc,
      'PATCH',
      '/api/v1/namespaces/app/services/web-status/status',
      { status },
      'application/merge-patch+json',
    );
    expect(again.body.metadata.resourceVersion).toBe(rv);
    expect(dc.hooks.counters()).toMatchObject({ statusPatches: 2, noops: 1 });
    expect(dc.hooks.requests()['patch services/status']).toBe(2);
    // Secrets have no status subresource.
    expect((await call(dc, 'GET', '/api/v1/namespaces/app/secrets/x/status')).status).toBe(404);
  });

  it('applies strategic merge patches with merge keys and JSON patches', async () => {
    dc.apply({ ...svc('web-smp'), spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } });
    const smp = await call(
      dc,
      'PATCH',
      '/api/v1/namespaces/app/services/web-smp',
      { spec: { $setElementOrder: undefined, ports: [{ port: 8443, name: 'alt' }] } },
      'application/strategic-merge-patch+json',
    );
    expect(smp.body.spec.ports.map((x: Json) => x.port)).toEqual([443, 8443]);
    const jp = await call(
      dc,
      'PATCH',
      '/api/v1/namespaces/app/services/web-smp',
      [{ op: 'add', path: '/metadata/labels/k', value: 'v' }],
      'application/json-patch+json',
    );
    expect(jp.body.metadata.labels).toMatchObject({ k: 'v' });
  });

  it('lists with label and field selectors and a list resourceVersion', async () => {
    await call(dc, 'POST', '/api/v1/namespaces/app/services', svc('a1', 'app', { tier: 'front' }));
    await call(dc, 'POST', '/api/v1/namespaces/app/services', svc('a2', 'app', { tier: 'back' }));
    const front = await call(dc, 'GET', '/api/v1/namespaces/app/services?labelSelector=tier%3Dfront');
    expect(front.body.items.map((i: Json) => i.metadata.name)).toEqual(['a1']);
    expect(front.body.metadata.resourceVersion).toBe(String(dc.resourceVersion));
    const inSet = await call(dc, 'GET', '/api/v1/services?labelSelector=tier%20in%20(front,back)');
    expect(inSet.body.items.map((i: Json) => i.metadata.name)).toEqual(['a1', 'a2']);
    const notBack = await call(dc, 'GET', '/api/v1/namespaces/app/services?labelSelector=tier,tier!%3Dback');
    expect(notBack.body.items.map((i: Json) => i.metadata.name)).toEqual(['a1']);
    const byName = await call(dc, 'GET', '/api/v1/services?fieldSelector=metadata.name%3Da2');
    expect(byName.body.items.map((i: Json) => i.metadata.name)).toEqual(['a2']);
    dc.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cert', namespace: 'app' },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': 'C', 'tls.key': 'K' },
    });
    dc.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: 'app' }, data: {} });
    const tls = await call(dc, 'GET', '/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls');
    expect(tls.body.items.map((i: Json) => i.metadata.name)).toEqual(['cert']);
    expect(tls.body.items[0].data['tls.key']).toBe(Buffer.from('K').toString('base64'));
    expect((await call(dc, 'GET', '/api/v1/services?labelSelector=a%20in%20b')).status).toBe(400);
  });

  it('resumes watches from a resourceVersion and answers 410 Gone once compacted', async () => {
    const rv = dc.resourceVersion;
    dc.apply(svc('w1'));
    dc.label('v1', 'Service', 'app', 'w1', { x: 'y' });
    dc.delete('v1', 'Service', 'app', 'w1');
    const events = await readWatch(dc, `/api/v1/namespaces/app/services?watch=1&resourceVersion=${rv}`, 3);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events.map((e) => Number(e.object.metadata.resourceVersion))).toEqual([rv + 1, rv + 2, rv + 3]);
    dc.hooks.compact();
    const gone = await readWatch(dc, `/api/v1/namespaces/app/services?watch=1&resourceVersion=${rv}`, 1);
    expect(gone[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    // Resuming from the compaction point itself is fine.
    const ok = await readWatch(
      dc,
      `/api/v1/namespaces/app/services?watch=1&resourceVersion=${dc.resourceVersion}`,
      1,
      () => setTimeout(() => dc.apply(svc('w2')), 20),
    );
    expect(ok[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w2' } } });
  });

  it('sends bookmarks when asked and turns selector transitions into ADDED/DELETED', async () => {
    const rv = dc.resourceVersion;
    const bm = await readWatch(dc, `/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, 1);
    expect(bm[0]).toMatchObject({
      type: 'BOOKMARK',
      object: { kind: 'Node', metadata: { resourceVersion: String(rv) } },
    });
    dc.apply(svc('sel', 'app', { pick: 'yes' }));
    dc.label('v1', 'Service', 'app', 'sel', { pick: 'no' });
    dc.label('v1', 'Service', 'app', 'sel', { pick: 'yes' });
    const ev = await readWatch(dc, `/api/v1/services?watch=1&labelSelector=pick%3Dyes&resourceVersion=${rv}`, 3);
    expect(ev.map((e) => e.type)).toEqual(['ADDED', 'DELETED', 'ADDED']);
  });

  it('watch without a resourceVersion starts with the current state', async () => {
    const ev = await readWatch(dc, '/api/v1/namespaces?watch=true', 2);
    expect(ev.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED app', 'ADDED default']);
  });

  it('test hooks: failing lists, cut, ended, stalled and expired watches', async () => {
    dc.hooks.failNextList('Ingress', { count: 2, code: 500 });
    expect((await call(dc, 'GET', '/apis/networking.k8s.io/v1/ingresses')).status).toBe(500);
    expect((await call(dc, 'GET', '/apis/networking.k8s.io/v1/ingresses')).status).toBe(500);
    expect((await call(dc, 'GET', '/apis/networking.k8s.io/v1/ingresses')).status).toBe(200);

    const rv = dc.resourceVersion;
    const cut = readWatch(dc, `/api/v1/nodes?watch=1&resourceVersion=${rv}`, 1).catch((e: Error) => e);
    await until(() => dc.hooks.openWatches('nodes') === 1);
    expect(dc.hooks.cutWatches('Node')).toBe(1);
    expect(await cut).toBeInstanceOf(Error);

    const ended = readWatch(dc, `/api/v1/nodes?watch=1&resourceVersion=${rv}`, 1);
    await until(() => dc.hooks.openWatches('nodes') === 1);
    expect(dc.hooks.endWatches('nodes')).toBe(1);
    expect(await ended).toEqual([]);

    const expired = readWatch(dc, `/api/v1/nodes?watch=1&resourceVersion=${rv}`, 1);
    await until(() => dc.hooks.openWatches('nodes') === 1);
    dc.hooks.expireWatches('nodes');
    expect((await expired)[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });

    // A stalled watch receives nothing; a new watch sees the change.
    const ctrl = new AbortController();
    const stalledRes = await fetch(`${dc.url}/api/v1/nodes?watch=1&resourceVersion=${dc.resourceVersion}`, {
      signal: ctrl.signal,
    });
    await until(() => dc.hooks.openWatches('nodes') === 1);
    expect(dc.hooks.stallWatches('nodes')).toBe(1);
    const fresh = readWatch(dc, `/api/v1/nodes?watch=1&resourceVersion=${dc.resourceVersion}`, 1);
    await until(() => dc.hooks.openWatches('nodes') === 2);
    dc.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    expect((await fresh)[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'n1' } } });
    const reader = stalledRes.body!.getReader();
    const nothing = await Promise.race([reader.read().then(() => 'data'), sleep(100).then(() => 'silent')]);
    expect(nothing).toBe('silent');
    ctrl.abort();
  });

  it('cascades a namespace deletion to its objects', async () => {
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' } });
    dc.apply(svc('s', 'gone'));
    expect(dc.delete('v1', 'Namespace', undefined, 'gone')).toBe(true);
    expect(dc.list('v1', 'Service', 'gone')).toEqual([]);
    expect(dc.delete('v1', 'Namespace', undefined, 'gone')).toBe(false);
  });
});

describe('dev cluster seeding', () => {
  it('applies a directory of multi-document manifests, namespaces first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: Ingress',
        'metadata: {name: web, namespace: shop}',
        'spec: {rules: [{host: shop.example.com}]}',
        '---',
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: {name: shop, labels: {app: migrate}}',
        '---',
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- {apiVersion: v1, kind: Node, metadata: {name: n1}, status: {addresses: [{type: InternalIP, address: 10.0.0.1}]}}',
      ].join('\n'),
    );
    const dc = await startDevCluster({ seedDir: dir });
    try {
      expect(dc.get('networking.k8s.io/v1', 'Ingress', 'shop', 'web')?.spec.rules[0].host).toBe('shop.example.com');
      expect(dc.get('v1', 'Namespace', undefined, 'shop')?.metadata.labels).toMatchObject({ app: 'migrate' });
      expect(dc.get('v1', 'Node', undefined, 'n1')?.status.addresses[0].address).toBe('10.0.0.1');
    } finally {
      await dc.close();
    }
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n');
    await expect(startDevCluster({ seedDir: dir })).rejects.toThrow(/b\.yaml#0.*example\.com\/v1 Widget/);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await sleep(5);
  expect(cond()).toBe(true);
}
