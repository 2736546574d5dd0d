import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, errorOf, login, pool, UUID4, vsvip } from './helpers.ts';

let sim: AviSim;
let c: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startAviSim();
  c = api(sim.url, await login(sim.url));
});
afterAll(async () => {
  await sim.close();
});

describe('CRUD', () => {
  it('creates with 201, a <type>-<uuid4> uuid and a full URL, reads, replaces, patches and deletes with 204', async () => {
    const created = await c.post('/api/pool/', pool('crud-1', { cloud_config_cksum: '1234567' }));
    expect(created.status).toBe(201);
    const uuid = created.data.uuid as string;
    expect(uuid).toMatch(new RegExp(`^pool-${UUID4}$`));
    expect(created.data.url).toBe(`${sim.url}/api/pool/${uuid}`);
    expect(created.data.cloud_config_cksum).toBe('1234567');
    expect(created.data.tenant_ref).toBe(`${sim.url}/api/tenant/admin`);
    expect(created.data._last_modified).toMatch(/^\d{16}$/);

    const got = await c.get(`/api/pool/${uuid}`);
    expect(got.status).toBe(200);
    expect(got.data.servers).toEqual([{ ip: { addr: '10.0.0.1', type: 'V4' }, port: 8080 }]);

    const put = await c.put(`/api/pool/${uuid}`, pool('crud-1', { cloud_config_cksum: '99' }));
    expect(put.status).toBe(200);
    expect(put.data.cloud_config_cksum).toBe('99');
    expect(BigInt(put.data._last_modified)).toBeGreaterThan(BigInt(created.data._last_modified));

    const added = await c.patch(`/api/pool/${uuid}`, {
      add: { servers: [{ ip: { addr: '10.0.0.2', type: 'V4' }, port: 8080 }] },
    });
    expect(added.status).toBe(200);
    expect(added.data.servers.map((s: { ip: { addr: string } }) => s.ip.addr)).toEqual(['10.0.0.1', '10.0.0.2']);
    const removed = await c.patch(`/api/pool/${uuid}`, { delete: { servers: [{ ip: { addr: '10.0.0.1' } }] } });
    expect(removed.data.servers.map((s: { ip: { addr: string } }) => s.ip.addr)).toEqual(['10.0.0.2']);
    const replaced = await c.patch(`/api/pool/${uuid}`, { replace: { cloud_config_cksum: '7' } });
    expect(replaced.data.cloud_config_cksum).toBe('7');

    const del = await c.delete(`/api/pool/${uuid}`);
    expect(del.status).toBe(204);
    expect(del.data).toBe('');
    const gone = await c.get(`/api/pool/${uuid}`);
    expect(gone.status).toBe(404);
    expect(errorOf(gone)).toBe('Pool object not found!');
    expect((await c.delete(`/api/pool/${uuid}`)).status).toBe(404);
    expect((await c.put(`/api/pool/${uuid}`, pool('crud-1'))).status).toBe(404);
  });

  it('answers a duplicate name in the same tenant with 409 "already exist", and allows it in another tenant', async () => {
    expect((await c.post('/api/pool', pool('dup-1'))).status).toBe(201);
    const again = await c.post('/api/pool', pool('dup-1'));
    expect(again.status).toBe(409);
    expect(errorOf(again)).toContain('already exist');
    expect((await c.post('/api/tenant', { name: 'green' })).status).toBe(201);
    const other = api(sim.url, await login(sim.url), { tenant: 'green' });
    expect((await other.post('/api/pool', pool('dup-1'))).status).toBe(201);
  });

  it('refuses a rename onto an existing name with 409', async () => {
    await c.post('/api/pool', pool('ren-a'));
    const b = await c.post('/api/pool', pool('ren-b'));
    const res = await c.put(`/api/pool/${b.data.uuid}`, pool('ren-a'));
    expect(res.status).toBe(409);
  });

  it('answers a PUT with a stale _last_modified with 412 "Need to reload object data <Model>"', async () => {
    const created = await c.post('/api/vsvip', vsvip('lm-1'));
    const first = (await c.get(`/api/vsvip/${created.data.uuid}`)).data;
    const ok = await c.put(`/api/vsvip/${created.data.uuid}`, { ...first, dns_info: [{ fqdn: 'a.example.com' }] });
    expect(ok.status).toBe(200);
    const stale = await c.put(`/api/vsvip/${created.data.uuid}`, { ...first, dns_info: [{ fqdn: 'b.example.com' }] });
    expect(stale.status).toBe(412);
    expect(errorOf(stale)).toBe('Need to reload object data VsVip');
    const current = (await c.get(`/api/vsvip/${created.data.uuid}?include_name`)).data;
    expect(current.dns_info).toEqual([{ fqdn: 'a.example.com' }]);
    const stalePatch = await c.patch(`/api/vsvip/${created.data.uuid}`, {
      _last_modified: first._last_modified,
      replace: { dns_info: [] },
    });
    expect(stalePatch.status).toBe(412);
    // A GET-modify-PUT with the current stamp (and full-URL refs with #name) succeeds.
    expect((await c.put(`/api/vsvip/${created.data.uuid}`, { ...current, dns_info: [] })).status).toBe(200);
  });

  it('refuses to delete an object still referred to with 403 listing the referrers', async () => {
    await c.post('/api/pool', pool('ref-p'));
    await c.post('/api/poolgroup', { name: 'ref-pg', members: [{ pool_ref: '/api/pool?name=ref-p' }] });
    const p = (await c.get('/api/pool?name=ref-p')).data.results[0];
    const res = await c.delete(`/api/pool/${p.uuid}`);
    expect(res.status).toBe(403);
    expect(errorOf(res)).toBe("Cannot delete, object is referred by: ['PoolGroup ref-pg']");
    const pg = (await c.get('/api/poolgroup?name=ref-pg')).data.results[0];
    expect((await c.delete(`/api/poolgroup/${pg.uuid}`)).status).toBe(204);
    expect((await c.delete(`/api/pool/${p.uuid}`)).status).toBe(204);
  });
});

describe('validation against the swagger definitions', () => {
  it('ignores readOnly fields sent by the client', async () => {
    const res = await c.post(
      '/api/pool',
      pool('ro-1', { url: 'https://evil/api/pool/x', _last_modified: '1', gslb_sp_enabled: true }),
    );
    expect(res.status).toBe(201);
    expect(res.data.url).toBe(`${sim.url}/api/pool/${res.data.uuid}`);
    expect(res.data._last_modified).not.toBe('1');
    expect(res.data.gslb_sp_enabled).toBeUndefined();
  });

  it('requires name, naming the field', async () => {
    const res = await c.post('/api/pool', { servers: [] });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toContain("'name'");
  });

  it('requires nested required fields (servers[].ip, static route_id, vip_id, certificate)', async () => {
    const noIp = await c.post('/api/pool', { name: 'v-1', servers: [{ port: 80 }] });
    expect(noIp.status).toBe(400);
    expect(errorOf(noIp)).toContain('servers[0].ip');
    const noVipId = await c.post('/api/vsvip', { name: 'v-2', vip: [{ auto_allocate_ip: true }] });
    expect(errorOf(noVipId)).toContain('vip[0].vip_id');
    const noCert = await c.post('/api/sslkeyandcertificate', { name: 'v-3', key: 'k' });
    expect(noCert.status).toBe(400);
    expect(errorOf(noCert)).toContain('certificate');
    const vrf = (await c.get('/api/vrfcontext?name=global')).data.results[0];
    const badRoute = await c.put(`/api/vrfcontext/${vrf.uuid}`, {
      ...vrf,
      static_routes: [
        { prefix: { ip_addr: { addr: '10.1.0.0', type: 'V4' }, mask: 24 }, next_hop: { addr: '1.1.1.1', type: 'V4' } },
      ],
    });
    expect(badRoute.status).toBe(400);
    expect(errorOf(badRoute)).toContain('static_routes[0].route_id');
  });

  it('checks JSON types, enums, ranges and unknown fields', async () => {
    const wrongType = await c.post('/api/pool', {
      name: 'v-4',
      servers: [{ ip: { addr: '1.1.1.1', type: 'V4' }, port: '80' }],
    });
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType)).toContain('servers[0].port');
    const badEnum = await c.post('/api/virtualservice', { name: 'v-5', type: 'VS_TYPE_SOMETHING' });
    expect(badEnum.status).toBe(400);
    expect(errorOf(badEnum)).toContain("'type'");
    const outOfRange = await c.post('/api/pool', {
      name: 'v-6',
      servers: [{ ip: { addr: '1.1.1.1', type: 'V4' }, port: 70000 }],
    });
    expect(outOfRange.status).toBe(400);
    const unknown = await c.post('/api/pool', { name: 'v-7', not_a_field: 1 });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown)).toContain('not_a_field');
    const cksumOnSsl = await c.post('/api/sslkeyandcertificate', {
      name: 'v-8',
      certificate: { certificate: 'PEM' },
      cloud_config_cksum: '1',
    });
    expect(cksumOnSsl.status).toBe(400);
    const notJson = await c.post('/api/pool', '{not json', {
      headers: { 'Content-Type': 'application/json' },
      transformRequest: (d) => d,
    });
    expect(notJson.status).toBe(400);
  });

  it('stores and echoes every field exactly, including internal ones and static routes', async () => {
    const meta = JSON.stringify({ ingress_name: 'i', namespace: 'n', hostnames: ['h'] });
    const body = pool('echo-1', {
      cloud_config_cksum: '4294967295',
      created_by: 'ako-cluster',
      service_metadata: meta,
      markers: [{ key: 'clustername', values: ['cluster'] }],
    });
    const res = await c.post('/api/pool', body);
    for (const k of ['cloud_config_cksum', 'created_by', 'service_metadata', 'markers', 'servers']) {
      expect(res.data[k], k).toEqual(body[k]);
    }
    const vrf = (await c.get('/api/vrfcontext?name=global&include_name')).data.results[0];
    const routes = [
      {
        route_id: '1',
        prefix: { ip_addr: { addr: '10.9.0.0', type: 'V4' }, mask: 16 },
        next_hop: { addr: '10.0.0.9', type: 'V4' },
      },
      {
        route_id: 'cluster-0f4c-0',
        prefix: { ip_addr: { addr: '10.244.0.0', type: 'V4' }, mask: 24 },
        next_hop: { addr: '10.1.1.2', type: 'V4' },
        labels: [{ key: 'clustername', value: 'cluster' }],
      },
    ];
    const put = await c.put(`/api/vrfcontext/${vrf.uuid}`, { ...vrf, static_routes: routes });
    expect(put.status).toBe(200);
    expect((await c.get(`/api/vrfcontext/${vrf.uuid}`)).data.static_routes).toEqual(routes);
  });

  it('redacts key material on reads and keeps the key when a read body is written back', async () => {
    const res = await c.post('/api/sslkeyandcertificate', {
      name: 'cert-1',
      type: 'SSL_CERTIFICATE_TYPE_VIRTUALSERVICE',
      certificate: { certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      key: '-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n',
    });
    expect(res.status).toBe(201);
    expect(res.data.key).not.toContain('secret');
    expect(res.data.certificate.certificate).toBe('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const got = (await c.get(`/api/sslkeyandcertificate/${res.data.uuid}`)).data;
    expect(JSON.stringify(got)).not.toContain('secret');
    expect((await c.put(`/api/sslkeyandcertificate/${res.data.uuid}`, got)).status).toBe(200);
    expect(JSON.stringify(sim.requestLog())).not.toContain('secret');
  });
});

describe('refs', () => {
  it('accepts name-query refs (with and without slash), /api/<type>/<uuid> refs and full URLs with #name', async () => {
    const p = (await c.post('/api/pool', pool('r-pool'))).data;
    const forms = ['/api/pool?name=r-pool', '/api/pool/?name=r-pool', `/api/pool/${p.uuid}`, `${p.url}#r-pool`, p.url];
    for (const [i, ref] of forms.entries()) {
      const res = await c.post('/api/poolgroup', { name: `r-pg-${i}`, members: [{ pool_ref: ref }] });
      expect(res.status, ref).toBe(201);
      expect(res.data.members[0].pool_ref).toBe(p.url);
    }
    const named = await c.get(`/api/poolgroup?name=r-pg-0&include_name=true`);
    expect(named.data.results[0].members[0].pool_ref).toBe(`${p.url}#r-pool`);
    expect(named.data.results[0].url).toMatch(/#r-pg-0$/);
  });

  it('treats an empty-string ref as unset', async () => {
    const vip = await c.post('/api/vsvip', vsvip('r-vip-1'));
    const res = await c.post('/api/virtualservice', {
      name: 'r-vs-1',
      vsvip_ref: '/api/vsvip/?name=r-vip-1',
      services: [{ port: 80 }],
      error_page_profile_ref: '',
    });
    expect(vip.status).toBe(201);
    expect(res.status).toBe(201);
    expect(res.data.error_page_profile_ref).toBeUndefined();
  });

  it('answers an unresolvable ref with "<Model> object not found!" and a ref of the wrong type with 400', async () => {
    const res = await c.post('/api/poolgroup', { name: 'r-pg-x', members: [{ pool_ref: '/api/pool?name=missing' }] });
    expect(res.status).toBe(404);
    expect(errorOf(res)).toBe('Pool object not found!');
    const vrf = await c.post('/api/vsvip', vsvip('r-vip-x', { vrf_context_ref: '/api/vrfcontext?name=nope' }));
    expect(vrf.status).toBe(400);
    expect(errorOf(vrf)).toBe('VrfContext object not found!');
    const wrongType = await c.post('/api/poolgroup', {
      name: 'r-pg-y',
      members: [{ pool_ref: '/api/vsvip?name=r-vip-1' }],
    });
    expect(wrongType.status).toBe(400);
    const garbage = await c.post('/api/poolgroup', { name: 'r-pg-z', members: [{ pool_ref: 'r-pool' }] });
    expect(garbage.status).toBe(400);
  });

  it('resolves name refs in the request tenant first, then in admin', async () => {
    await c.post('/api/tenant', { name: 'red' });
    const red = api(sim.url, await login(sim.url), { tenant: 'red' });
    await c.post('/api/pool', pool('shadow'));
    const redPool = (await red.post('/api/pool', pool('shadow'))).data;
    const pg = await red.post('/api/poolgroup', { name: 'red-pg', members: [{ pool_ref: '/api/pool?name=shadow' }] });
    expect(pg.data.members[0].pool_ref).toBe(redPool.url);
    expect(pg.data.tenant_ref).toMatch(/\/api\/tenant\/tenant-/);
    // System objects live in admin and are found from any tenant.
    const hm = await red.post(
      '/api/pool',
      pool('red-hm', { health_monitor_refs: ['/api/healthmonitor/?name=System-TCP'] }),
    );
    expect(hm.status).toBe(201);
    expect(hm.data.health_monitor_refs[0]).toMatch(/\/api\/healthmonitor\/healthmonitor-/);
    // Shared admin objects can be read from another tenant but not modified ("Cannot modify VrfContext").
    const vrf = (await red.get('/api/vrfcontext?name=global')).data.results[0];
    const mod = await red.put(`/api/vrfcontext/${vrf.uuid}`, vrf);
    expect(mod.status).toBe(400);
    expect(errorOf(mod)).toContain('Cannot modify VrfContext');
    // An object of another non-admin tenant is not visible.
    const blue = api(sim.url, await login(sim.url), { tenant: 'admin' });
    expect((await blue.get(`/api/pool/${redPool.uuid}`)).status).toBe(404);
  });
});

describe('VsVip and virtual service rules', () => {
  it('allocates VIPs synchronously from the VIP network: next free address, reused after delete, kept on update', async () => {
    const fresh = await startAviSim({
      vipNetwork: { name: 'net123', cidr: '10.50.0.0/24', range: ['10.50.0.10', '10.50.0.12'] },
    });
    try {
      const f = api(fresh.url, await login(fresh.url));
      const a = (await f.post('/api/vsvip', vsvip('a'))).data;
      const b = (await f.post('/api/vsvip', vsvip('b'))).data;
      expect(a.vip[0].ip_address).toEqual({ addr: '10.50.0.10', type: 'V4' });
      expect(b.vip[0].ip_address).toEqual({ addr: '10.50.0.11', type: 'V4' });
      expect((await f.delete(`/api/vsvip/${a.uuid}`)).status).toBe(204);
      const c2 = (await f.post('/api/vsvip', vsvip('c'))).data;
      expect(c2.vip[0].ip_address.addr).toBe('10.50.0.10');
      // An update that re-sends the VIP without its address keeps the allocation.
      const upd = await f.put(`/api/vsvip/${b.uuid}`, vsvip('b', { dns_info: [{ fqdn: 'x.example.com' }] }));
      expect(upd.data.vip[0].ip_address.addr).toBe('10.50.0.11');
      const d = (await f.post('/api/vsvip', vsvip('d'))).data;
      expect(d.vip[0].ip_address.addr).toBe('10.50.0.12');
      const e = await f.post('/api/vsvip', vsvip('e'));
      expect(e.status).toBe(400);
      expect(errorOf(e)).toBe('No available free IPs');
      // A VIP naming the network explicitly draws from the same (now exhausted) ranges.
      const named = await f.post('/api/vsvip', {
        name: 'n',
        vip: [
          { vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=net123' } },
        ],
      });
      expect(named.status).toBe(400);
    } finally {
      await fresh.close();
    }
  });

  it('allocates from the VIP network a VIP names, with several networks seeded', async () => {
    const fresh = await startAviSim({ vipNetworks: [{ name: 'net-a' }, { name: 'net-b', cidr: '10.60.0.0/24' }] });
    try {
      const f = api(fresh.url, await login(fresh.url));
      const onB = await f.post('/api/vsvip', {
        name: 'on-b',
        vip: [
          { vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=net-b' } },
        ],
      });
      expect(onB.data.vip[0].ip_address.addr).toBe('10.60.0.10');
      const dflt = await f.post('/api/vsvip', vsvip('default'));
      expect(dflt.data.vip[0].ip_address.addr).toBe('10.250.250.10');
      const missing = await f.post('/api/vsvip', {
        name: 'on-c',
        vip: [
          { vip_id: '0', auto_allocate_ip: true, ipam_network_subnet: { network_ref: '/api/network/?name=net-c' } },
        ],
      });
      expect(missing.status).toBe(400);
      expect(errorOf(missing)).toBe('Network object not found!');
    } finally {
      await fresh.close();
    }
  });

  it("refuses to change an existing VsVip's vip_id", async () => {
    const v = (await c.post('/api/vsvip', vsvip('vid-1'))).data;
    const res = await c.put(`/api/vsvip/${v.uuid}`, { name: 'vid-1', vip: [{ vip_id: '1', auto_allocate_ip: true }] });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toContain("Changing an existing VIP's vip_id is not supported");
  });

  it('requires a VH_CHILD to name a VH_PARENT', async () => {
    await c.post('/api/vsvip', vsvip('vh-vip'));
    const normal = await c.post('/api/virtualservice', {
      name: 'vh-normal',
      vsvip_ref: '/api/vsvip/?name=vh-vip',
      services: [{ port: 80 }],
    });
    expect(normal.status).toBe(201);
    const orphan = await c.post('/api/virtualservice', {
      name: 'vh-c1',
      type: 'VS_TYPE_VH_CHILD',
      vh_domain_name: ['a.com'],
    });
    expect(orphan.status).toBe(400);
    expect(errorOf(orphan)).toContain('vh_parent_vs_ref');
    const wrongParent = await c.post('/api/virtualservice', {
      name: 'vh-c2',
      type: 'VS_TYPE_VH_CHILD',
      vh_parent_vs_ref: '/api/virtualservice/?name=vh-normal',
    });
    expect(wrongParent.status).toBe(400);
    await c.post('/api/vsvip', vsvip('vh-vip2'));
    const parent = await c.post('/api/virtualservice', {
      name: 'vh-parent',
      type: 'VS_TYPE_VH_PARENT',
      vsvip_ref: '/api/vsvip/?name=vh-vip2',
      services: [{ port: 80 }, { port: 443, enable_ssl: true }],
    });
    expect(parent.status).toBe(201);
    const child = await c.post('/api/virtualservice?include_name', {
      name: 'vh-c3',
      type: 'VS_TYPE_VH_CHILD',
      vh_parent_vs_ref: '/api/virtualservice/?name=vh-parent',
      vh_domain_name: ['a.com'],
    });
    expect(child.status).toBe(201);
    expect(child.data.vh_parent_vs_ref).toBe(`${parent.data.url}#vh-parent`);
    const del = await c.delete(`/api/virtualservice/${parent.data.uuid}`);
    expect(del.status).toBe(403);
    expect(errorOf(del)).toContain("'VirtualService vh-c3'");
  });

  it('requires a VIP on a virtual service that is not a VH child', async () => {
    const res = await c.post('/api/virtualservice', { name: 'novip', services: [{ port: 80 }] });
    expect(res.status).toBe(400);
    expect(errorOf(res)).toContain('vsvip_ref');
  });
});

describe('system objects of a fresh controller', () => {
  it('has the admin tenant, Default-Cloud, Default-Group, global VRF, System-* profiles and monitors and the VIP network', async () => {
    const names = async (type: string) =>
      (await c.get(`/api/${type}?page_size=200`)).data.results.map((o: { name: string }) => o.name);
    expect(await names('tenant')).toContain('admin');
    expect((await c.get('/api/tenant/admin')).data.name).toBe('admin');
    expect(await names('cloud')).toContain('Default-Cloud');
    expect(await names('serviceenginegroup')).toContain('Default-Group');
    expect(await names('vrfcontext')).toContain('global');
    expect(await names('applicationprofile')).toEqual(
      expect.arrayContaining(['System-HTTP', 'System-Secure-HTTP', 'System-L4-Application']),
    );
    expect(await names('networkprofile')).toEqual(expect.arrayContaining(['System-TCP-Proxy', 'System-UDP-Fast-Path']));
    expect(await names('healthmonitor')).toEqual(
      expect.arrayContaining(['System-TCP', 'System-UDP', 'System-HTTP', 'System-Ping']),
    );
    expect(await names('network')).toContain(sim.vipNetworkName);
    const cloud = (await c.get('/api/cloud/?include_name&name=Default-Cloud')).data.results[0];
    expect(cloud.vtype).toBe('CLOUD_NONE');
    expect(cloud.ipam_provider_ref).toMatch(/#Default-IPAM$/);
  });
});

describe('read-modify-write', () => {
  it('accepts every object it returns when PUT back unchanged (with or without include_name)', async () => {
    await c.post('/api/vsvip', vsvip('rt-v'));
    await c.post('/api/virtualservice', { name: 'rt-vs', vsvip_ref: '/api/vsvip?name=rt-v', services: [{ port: 80 }] });
    await c.post('/api/httppolicyset', { name: 'rt-h' });
    await c.post('/api/l4policyset', { name: 'rt-l4' });
    await c.post('/api/vsdatascriptset', { name: 'rt-ds' });
    const session = await login(sim.url);
    for (const [type, objs] of Object.entries(sim.dump())) {
      for (const o of objs) {
        const tenant = String(o.tenant_ref ?? '#admin').split('#')[1]!;
        const t = api(sim.url, session, { tenant });
        for (const query of ['', '?include_name']) {
          const got = (await t.get(`/api/${type}/${o.uuid}${query}`)).data;
          const res = await t.put(`/api/${type}/${o.uuid}`, got);
          expect(res.status, `${type} ${o.name}: ${JSON.stringify(res.data)}`).toBe(200);
        }
      }
    }
  });

  it('keeps names unique per cloud for VRFs, networks and SE groups', async () => {
    await c.post('/api/cloud', { name: 'cloud-2', vtype: 'CLOUD_NONE' });
    const vrf = await c.post('/api/vrfcontext', { name: 'global', cloud_ref: '/api/cloud/?name=cloud-2' });
    expect(vrf.status).toBe(201);
    const again = await c.post('/api/vrfcontext', { name: 'global', cloud_ref: '/api/cloud/?name=cloud-2' });
    expect(again.status).toBe(409);
    const byCloud = await c.get('/api/vrfcontext/?include_name&name=global&cloud_ref.name=cloud-2');
    expect(byCloud.data.results.map((v: { uuid: string }) => v.uuid)).toEqual([vrf.data.uuid]);
  });
});
