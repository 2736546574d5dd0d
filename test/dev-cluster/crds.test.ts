import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DevCluster, startDevCluster } from '../../infra/dev-cluster/index.ts';
import { parseManifests } from '../../infra/dev-cluster/seed.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON responses
type Json = any;

const CRD_DIR = join(__dirname, '../../examples/crds');
const crd = (file: string): Json => parseManifests(readFileSync(join(CRD_DIR, file), 'utf8'), file)[0]!.obj;

async function call(dc: DevCluster, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(dc.url + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : undefined };
}

/** Reads watch lines until `n` events arrived or the server ended the stream. */
async function readWatch(dc: DevCluster, path: string, n: number, during: () => Promise<void>) {
  const ctrl = new AbortController();
  const res = await fetch(dc.url + path, { signal: ctrl.signal });
  const reader = res.body!.getReader();
  const out: { type: string; object: Json }[] = [];
  let buf = '';
  let ended = false;
  await during();
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buf += Buffer.from(value).toString('utf8');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      out.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  }
  if (!ended) {
    // The caller may want to know whether the stream ends by itself next.
    const next = await Promise.race([
      reader.read().then((r) => r.done),
      new Promise((r) => setTimeout(r, 2000, 'open')),
    ]);
    ended = next === true;
  }
  ctrl.abort();
  return { events: out, ended };
}

const HR = '/apis/ako.vmware.com/v1beta1/namespaces/default/hostrules';
const hostRule = (name: string, virtualhost: Json = { fqdn: `${name}.example.com` }) => ({
  apiVersion: 'ako.vmware.com/v1beta1',
  kind: 'HostRule',
  metadata: { name, namespace: 'default' },
  spec: { virtualhost },
});

describe('CustomResourceDefinitions on the dev cluster', () => {
  let dc: DevCluster;
  beforeEach(async () => {
    dc = await startDevCluster({ bookmarkIntervalMs: 0 });
  });
  afterEach(async () => {
    await dc.close();
  });

  it('accepts a CRD, marks it Established and adds its kinds to discovery', async () => {
    expect((await call(dc, 'GET', HR)).status).toBe(404);
    const created = await call(
      dc,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      crd('hostrule.yaml'),
    );
    expect(created.status).toBe(201);
    const conditions = Object.fromEntries(
      (created.body.status.conditions as Json[]).map((c) => [c.type, c.status] as [string, string]),
    );
    expect(conditions).toEqual({ NamesAccepted: 'True', Established: 'True' });
    expect(created.body.status.acceptedNames).toMatchObject({
      kind: 'HostRule',
      plural: 'hostrules',
      listKind: 'HostRuleList',
    });
    expect(created.body.status.storedVersions).toEqual(['v1beta1']);

    const groups = (await call(dc, 'GET', '/apis')).body.groups as Json[];
    const ako = groups.find((g) => g.name === 'ako.vmware.com');
    // GA > beta > alpha: v1beta1 is the preferred version even though v1alpha1 is listed second in nothing.
    expect(ako.preferredVersion.version).toBe('v1beta1');
    expect(ako.versions.map((v: Json) => v.version)).toEqual(['v1beta1', 'v1alpha1']);
    expect((await call(dc, 'GET', '/apis/ako.vmware.com')).body.preferredVersion.groupVersion).toBe(
      'ako.vmware.com/v1beta1',
    );
    const rl = (await call(dc, 'GET', '/apis/ako.vmware.com/v1beta1')).body;
    expect(rl.resources).toEqual([
      expect.objectContaining({
        name: 'hostrules',
        kind: 'HostRule',
        namespaced: true,
        shortNames: ['hostrule', 'hr'],
      }),
      expect.objectContaining({ name: 'hostrules/status', kind: 'HostRule' }),
    ]);
    expect((await call(dc, 'GET', '/apis/ako.vmware.com/v1alpha1')).status).toBe(200);
    expect((await call(dc, 'GET', HR)).status).toBe(200);
  });

  it('serves a cluster-scoped kind only at cluster paths', async () => {
    dc.apply(crd('aviinfrasetting.yaml'));
    const base = '/apis/ako.vmware.com/v1beta1/aviinfrasettings';
    const body = {
      apiVersion: 'ako.vmware.com/v1beta1',
      kind: 'AviInfraSetting',
      metadata: { name: 'infra-a' },
      spec: { seGroup: { name: 'se-a' }, network: { vipNetworks: [{ networkName: 'vip-a' }] } },
    };
    expect((await call(dc, 'POST', base, body)).status).toBe(201);
    const got = await call(dc, 'GET', `${base}/infra-a`);
    expect(got.body.metadata.namespace).toBeUndefined();
    expect(got.body.spec.seGroup.name).toBe('se-a');
    expect(
      (await call(dc, 'GET', '/apis/ako.vmware.com/v1beta1/namespaces/default/aviinfrasettings/infra-a')).status,
    ).toBe(404);
    expect((await call(dc, 'DELETE', `${base}/infra-a`)).status).toBe(200);
    expect((await call(dc, 'GET', `${base}/infra-a`)).status).toBe(404);
  });

  it('serves one object from every served version (conversion None)', async () => {
    dc.apply(crd('hostrule.yaml'));
    const created = await call(dc, 'POST', HR, hostRule('shop'));
    const old = await call(dc, 'GET', '/apis/ako.vmware.com/v1alpha1/namespaces/default/hostrules/shop');
    expect(old.body.apiVersion).toBe('ako.vmware.com/v1alpha1');
    expect(old.body.metadata.uid).toBe(created.body.metadata.uid);
    // Written through the old version, read through the new one.
    const put = await call(dc, 'PUT', '/apis/ako.vmware.com/v1alpha1/namespaces/default/hostrules/shop', {
      ...old.body,
      spec: { virtualhost: { fqdn: 'shop2.example.com' } },
    });
    expect(put.status).toBe(200);
    expect(put.body.apiVersion).toBe('ako.vmware.com/v1alpha1');
    const now = await call(dc, 'GET', `${HR}/shop`);
    expect(now.body.apiVersion).toBe('ako.vmware.com/v1beta1');
    expect(now.body.spec.virtualhost.fqdn).toBe('shop2.example.com');
    expect((await call(dc, 'GET', '/apis/ako.vmware.com/v1alpha1/hostrules')).body.items).toHaveLength(1);
  });

  it('keeps the objects when the CRD changes its storage version or stops serving a version', async () => {
    dc.apply(crd('hostrule.yaml'));
    await call(dc, 'POST', HR, hostRule('shop'));
    const changed = crd('hostrule.yaml');
    changed.spec.versions[0].storage = false;
    changed.spec.versions[1].storage = true;
    const put = dc.apply(changed);
    expect(put.status.storedVersions).toEqual(['v1beta1', 'v1alpha1']);
    expect((await call(dc, 'GET', `${HR}/shop`)).body.spec.virtualhost.fqdn).toBe('shop.example.com');
    const oldOnly = crd('hostrule.yaml');
    oldOnly.spec.versions[0].served = false;
    dc.apply(oldOnly);
    expect((await call(dc, 'GET', `${HR}/shop`)).status).toBe(404);
    const viaAlpha = await call(dc, 'GET', '/apis/ako.vmware.com/v1alpha1/namespaces/default/hostrules/shop');
    expect(viaAlpha.body.apiVersion).toBe('ako.vmware.com/v1alpha1');
    expect(viaAlpha.body.spec.virtualhost.fqdn).toBe('shop.example.com');
    expect((await call(dc, 'GET', '/apis/ako.vmware.com')).body.preferredVersion.version).toBe('v1alpha1');
  });

  it('keeps status and spec apart when the status subresource is declared', async () => {
    dc.apply(crd('hostrule.yaml'));
    const created = (await call(dc, 'POST', HR, { ...hostRule('shop'), status: { status: 'Accepted' } })).body;
    expect(created.status).toBeUndefined();
    const st = await call(
      dc,
      'PATCH',
      `${HR}/shop/status`,
      {
        status: { status: 'Rejected', error: 'wafpolicy waf-1 not found' },
        spec: { virtualhost: { fqdn: 'x.example.com' } },
      },
      'application/merge-patch+json',
    );
    expect(st.status).toBe(200);
    expect(st.body.status).toEqual({ status: 'Rejected', error: 'wafpolicy waf-1 not found' });
    expect(st.body.spec.virtualhost.fqdn).toBe('shop.example.com');
    expect(st.body.metadata.generation).toBe(1);
    const put = await call(dc, 'PUT', `${HR}/shop`, {
      ...st.body,
      spec: { virtualhost: { fqdn: 'shop.example.com', enableVirtualHost: false } },
      status: { status: 'Accepted' },
    });
    expect(put.body.status).toEqual({ status: 'Rejected', error: 'wafpolicy waf-1 not found' });
    expect(put.body.spec.virtualhost.enableVirtualHost).toBe(false);
    expect(put.body.metadata.generation).toBe(2);
    const stPut = await call(dc, 'PUT', `${HR}/shop/status`, {
      ...put.body,
      status: { status: 'Accepted', error: '' },
    });
    expect(stPut.body.status).toEqual({ status: 'Accepted', error: '' });
    expect(dc.hooks.counters().statusPatches).toBe(1);
    expect(dc.hooks.counters().statusUpdates).toBe(1);
  });

  it('prunes unknown fields, fills defaults and refuses invalid values like an API server', async () => {
    dc.apply(crd('hostrule.yaml'));
    dc.apply(crd('aviinfrasetting.yaml'));
    dc.apply(crd('l4rule.yaml'));
    const made = await call(dc, 'POST', HR, hostRule('shop', { fqdn: 'shop.example.com', colour: 'blue' }));
    expect(made.status).toBe(201);
    expect(made.body.spec.virtualhost).toEqual({ fqdn: 'shop.example.com', fqdnType: 'Exact' });

    const strict = await call(
      dc,
      'POST',
      `${HR}?fieldValidation=Strict`,
      hostRule('strict', { fqdn: 'a.example.com', colour: 'blue' }),
    );
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.virtualhost.colour"');

    const badEnum = await call(dc, 'POST', HR, hostRule('enum', { fqdn: 'a.example.com', fqdnType: 'Regex' }));
    expect(badEnum.status).toBe(422);
    expect(badEnum.body.reason).toBe('Invalid');
    expect(badEnum.body.message).toContain('spec.virtualhost.fqdnType: Unsupported value: "Regex"');

    const noFqdn = await call(dc, 'POST', HR, hostRule('nofqdn', { wafPolicy: 'waf' }));
    expect(noFqdn.status).toBe(422);
    expect(noFqdn.body.details.causes).toContainEqual(expect.objectContaining({ field: 'spec.virtualhost.fqdn' }));

    const wrongType = await call(dc, 'POST', HR, hostRule('type', { fqdn: 'a.example.com', enableVirtualHost: 'yes' }));
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.message).toContain('must be of type boolean');

    const infra = (spec: Json) => ({
      apiVersion: 'ako.vmware.com/v1beta1',
      kind: 'AviInfraSetting',
      metadata: { name: 'i' },
      spec,
    });
    const neither = await call(
      dc,
      'POST',
      '/apis/ako.vmware.com/v1beta1/aviinfrasettings',
      infra({ network: { vipNetworks: [{ cidr: '10.0.0.0/24' }] } }),
    );
    expect(neither.status).toBe(422);
    expect(neither.body.message).toContain('oneOf');
    const port = await call(
      dc,
      'POST',
      '/apis/ako.vmware.com/v1beta1/aviinfrasettings',
      infra({ network: { listeners: [{ port: 70000 }] } }),
    );
    expect(port.status).toBe(422);
    expect(port.body.message).toContain('spec.network.listeners[0].port');

    const l4 = await call(dc, 'POST', '/apis/ako.vmware.com/v1alpha2/namespaces/default/l4rules', {
      apiVersion: 'ako.vmware.com/v1alpha2',
      kind: 'L4Rule',
      metadata: { name: 'l4' },
      spec: { backendProperties: [{ port: 80, protocol: 'TCP' }] },
    });
    expect(l4.status).toBe(201);
    expect(l4.body.spec.applicationProfileRef).toBe('System-L4-Application');
    expect(l4.body.spec.backendProperties[0]).toMatchObject({
      enabled: true,
      lbAlgorithm: 'LB_ALGORITHM_LEAST_CONNECTIONS',
    });
  });

  it('refuses invalid CRDs and a second CRD for the same kind', async () => {
    const bad = crd('hostrule.yaml');
    bad.metadata.name = 'rules.ako.vmware.com';
    bad.spec.versions[1].storage = true;
    const res = await call(dc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', bad);
    expect(res.status).toBe(422);
    expect(res.body.message).toContain('metadata.name');
    expect(res.body.message).toContain('exactly one version marked as storage version');
    dc.apply(crd('hostrule.yaml'));
    const twin = crd('hostrule.yaml');
    twin.metadata.name = 'hostrules2.ako.vmware.com';
    twin.spec.names.plural = 'hostrules2';
    const clash = await call(dc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', twin);
    expect(clash.status).toBe(409);
    const scope = crd('hostrule.yaml');
    scope.spec.scope = 'Cluster';
    const cur = (
      await call(dc, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/hostrules.ako.vmware.com')
    ).body;
    const put = await call(
      dc,
      'PUT',
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/hostrules.ako.vmware.com`,
      {
        ...scope,
        metadata: cur.metadata,
      },
    );
    expect(put.status).toBe(422);
    expect(put.body.message).toContain('spec.scope');
  });

  it('watches custom resources, and deleting the CRD deletes them and ends the watch', async () => {
    dc.apply(crd('hostrule.yaml'));
    await call(dc, 'POST', HR, hostRule('a'));
    const rv = String(dc.resourceVersion);
    const { events, ended } = await readWatch(
      dc,
      `/apis/ako.vmware.com/v1beta1/hostrules?watch=1&resourceVersion=${rv}`,
      4,
      async () => {
        await call(dc, 'POST', HR, hostRule('b'));
        await call(dc, 'PATCH', `${HR}/b/status`, { status: { status: 'Accepted' } }, 'application/merge-patch+json');
        await call(dc, 'DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/hostrules.ako.vmware.com');
      },
    );
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED b',
      'MODIFIED b',
      expect.stringMatching(/^DELETED [ab]$/),
      expect.stringMatching(/^DELETED [ab]$/),
    ]);
    expect(events[1]!.object.status).toEqual({ status: 'Accepted' });
    expect(ended).toBe(true);
    expect((await call(dc, 'GET', HR)).status).toBe(404);
    expect((await call(dc, 'GET', '/apis')).body.groups.map((g: Json) => g.name)).not.toContain('ako.vmware.com');
  });

  it('prints the CRD columns for kubectl get (server-side Table)', async () => {
    dc.apply(crd('hostrule.yaml'));
    await call(dc, 'POST', HR, hostRule('shop'));
    dc.setStatus('ako.vmware.com/v1beta1', 'HostRule', 'default', 'shop', { status: 'Accepted' });
    const res = await fetch(`${dc.url}${HR}`, { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    const table = (await res.json()) as Json;
    expect(table.columnDefinitions.map((c: Json) => c.name)).toEqual(['Name', 'Host', 'Status', 'Age']);
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['shop', 'shop.example.com', 'Accepted']);
    expect(table.rows[0].cells[3]).toMatch(/^\d+s$/);
  });

  it('seeds CRDs before the custom resources of the same directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crd-seed-'));
    // Alphabetically the custom resource comes first; the CRD must still be applied before it.
    writeFileSync(join(dir, 'a-rules.yaml'), JSON.stringify(hostRule('seeded')));
    writeFileSync(join(dir, 'z-crd.yaml'), readFileSync(join(CRD_DIR, 'hostrule.yaml'), 'utf8'));
    const seeded = await startDevCluster({ seedDir: dir, bookmarkIntervalMs: 0 });
    try {
      expect(seeded.get('ako.vmware.com/v1beta1', 'HostRule', 'default', 'seeded')?.spec.virtualhost.fqdnType).toBe(
        'Exact',
      );
      expect(seeded.get('ako.vmware.com/v1alpha1', 'HostRule', 'default', 'seeded')?.apiVersion).toBe(
        'ako.vmware.com/v1alpha1',
      );
    } finally {
      await seeded.close();
    }
  });

  it('deleting a namespace deletes its custom resources', async () => {
    dc.apply(crd('hostrule.yaml'));
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    dc.apply({ ...hostRule('r'), metadata: { name: 'r', namespace: 'shop' } });
    expect(dc.list('ako.vmware.com/v1beta1', 'HostRule', 'shop')).toHaveLength(1);
    expect((await call(dc, 'DELETE', '/api/v1/namespaces/shop')).status).toBe(200);
    expect(dc.list('ako.vmware.com/v1beta1', 'HostRule')).toHaveLength(0);
  });
});
