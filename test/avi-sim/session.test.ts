import { request as httpRequest } from 'node:http';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, errorOf, login, pool } from './helpers.ts';

let clock = 1_700_000_000_000;
let sim: AviSim;

beforeAll(async () => {
  sim = await startAviSim({
    now: () => clock,
    sessionIdleSeconds: 60,
    username: 'u1',
    password: 'p1',
    tokens: ['tok-1'],
  });
});
afterAll(async () => {
  await sim.close();
});

describe('login and session', () => {
  it('answers a good login with csrftoken and sessionid cookies, the version and the session cookie name', async () => {
    const res = await axios.post(`${sim.url}/login`, { username: 'u1', password: 'p1' });
    expect(res.status).toBe(200);
    const names = (res.headers['set-cookie'] ?? []).map((c) => c.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['csrftoken', 'sessionid']));
    expect(res.data.version.Version).toBe('30.2.1');
    expect(res.data.session_cookie_name).toBe('sessionid');
  });

  it('refuses bad credentials with 401 "Invalid credentials"', async () => {
    const res = await axios.post(
      `${sim.url}/login`,
      { username: 'u1', password: 'nope' },
      { validateStatus: () => true },
    );
    expect(res.status).toBe(401);
    expect(errorOf(res)).toContain('Invalid credentials');
    const noUser = await axios.post(`${sim.url}/login`, { password: 'p1' }, { validateStatus: () => true });
    expect(noUser.status).toBe(401);
  });

  it('accepts a token in place of the password', async () => {
    const ok = await axios.post(`${sim.url}/login`, { username: 'u1', token: 'tok-1' }, { validateStatus: () => true });
    expect(ok.status).toBe(200);
    const bad = await axios.post(
      `${sim.url}/login`,
      { username: 'u1', token: 'tok-2' },
      { validateStatus: () => true },
    );
    expect(bad.status).toBe(401);
  });

  it('answers API calls without a session with 401', async () => {
    const res = await api(sim.url, undefined).get('/api/pool');
    expect(res.status).toBe(401);
  });

  it('requires X-CSRFToken matching the session on writes, not on reads', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    expect((await api(sim.url, s, { csrf: null }).get('/api/pool')).status).toBe(200);
    const missing = await api(sim.url, s, { csrf: null }).post('/api/pool', pool('csrf-1'));
    expect(missing.status).toBe(403);
    expect(errorOf(missing)).toContain('CSRF');
    const wrong = await api(sim.url, s, { csrf: 'x'.repeat(48) }).post('/api/pool', pool('csrf-1'));
    expect(wrong.status).toBe(403);
    expect((await api(sim.url, s).post('/api/pool', pool('csrf-1'))).status).toBe(201);
  });

  it('ends the session on logout', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const c = api(sim.url, s);
    expect((await c.get('/api/tenant')).status).toBe(200);
    expect((await c.post('/logout')).status).toBe(200);
    expect((await c.get('/api/tenant')).status).toBe(401);
  });

  it('expires an idle session with 401 and keeps a used one alive', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const c = api(sim.url, s);
    clock += 50_000;
    expect((await c.get('/api/tenant')).status).toBe(200);
    clock += 50_000; // 50 s since last use: still within the 60 s idle timeout
    expect((await c.get('/api/tenant')).status).toBe(200);
    clock += 61_000;
    expect((await c.get('/api/tenant')).status).toBe(401);
    expect((await c.get('/api/tenant')).status).toBe(401);
  });
});

describe('X-Avi-Version', () => {
  it('defaults to 16.4.1 when absent, as a controller does: reads work, later fields are refused', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const noVersion = api(sim.url, s, { version: null });
    expect((await noVersion.get('/api/pool')).status).toBe(200);
    const refused = await noVersion.post('/api/pool', pool('nover-1', { markers: [{ key: 'k', values: ['v'] }] }));
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toContain('markers');
    expect((await noVersion.post('/api/pool', pool('nover-2'))).status).toBe(201);
  });

  it('rejects malformed versions and versions newer than the controller', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    for (const v of ['latest', '30.2.1.x', 'v30.2.1', '30']) {
      const res = await api(sim.url, s, { version: v }).get('/api/pool');
      expect(res.status, `version '${v}'`).toBe(400);
    }
    const newer = await api(sim.url, s, { version: '31.1.1' }).get('/api/pool');
    expect(newer.status).toBe(400);
    expect((await api(sim.url, s, { version: '30.2.2' }).get('/api/pool')).status).toBe(400);
  });

  it('accepts the controller version and older ones (AKO logs in with 18.2.6)', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    expect((await api(sim.url, s, { version: '30.2.1' }).get('/api/pool')).status).toBe(200);
    expect((await api(sim.url, s, { version: '18.2.6' }).get('/api/pool')).status).toBe(200);
  });
});

describe('fields by X-Avi-Version', () => {
  it('refuses fields introduced after the request version, hides them on reads and keeps them on PUT', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const old = api(sim.url, s, { version: '18.2.6' });
    const current = api(sim.url, s);
    const marked = pool('ver-1', { markers: [{ key: 'clustername', values: ['c1'] }] });
    const refused = await old.post('/api/pool', marked);
    expect(refused.status).toBe(400);
    expect(errorOf(refused)).toContain('markers');
    expect(errorOf(refused)).toContain('20.1.5');
    const created = await api(sim.url, s, { version: '20.1.5' }).post('/api/pool', marked);
    expect(created.status).toBe(201);
    const seenOld = (await old.get(`/api/pool/${created.data.uuid}`)).data;
    expect(seenOld.markers).toBeUndefined();
    expect((await old.put(`/api/pool/${created.data.uuid}`, { ...seenOld, cloud_config_cksum: '5' })).status).toBe(200);
    const seenNew = (await current.get(`/api/pool/${created.data.uuid}`)).data;
    expect(seenNew.markers).toEqual([{ key: 'clustername', values: ['c1'] }]);
    expect(seenNew.cloud_config_cksum).toBe('5');
  });
});

describe('user tokens', () => {
  it('creates a token through /api/user-token that then logs in, and stops accepting it once deleted', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const c = api(sim.url, s);
    const created = await c.post('/api/user-token', { hours: '240' });
    expect(created.status).toBe(201);
    const { token, uuid, expires_at } = created.data as { token: string; uuid: string; expires_at: string };
    expect(new Date(expires_at).getTime()).toBe(clock + 240 * 3_600_000);
    expect((await c.get('/api/user-token')).data.results.map((t: { uuid: string }) => t.uuid)).toContain(uuid);
    const byToken = await axios.post(`${sim.url}/login`, { username: 'u1', token }, { validateStatus: () => true });
    expect(byToken.status).toBe(200);
    expect((await c.delete(`/api/user-token/${uuid}`)).status).toBe(204);
    const after = await axios.post(`${sim.url}/login`, { username: 'u1', token }, { validateStatus: () => true });
    expect(after.status).toBe(401);
  });
});

describe('X-Avi-Tenant', () => {
  it('accepts X-Avi-Tenant-UUID in place of the name', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const res = await api(sim.url, s).get('/api/pool', { headers: { 'X-Avi-Tenant-UUID': 'admin' } });
    expect(res.status).toBe(200);
    const bad = await api(sim.url, s).get('/api/pool', { headers: { 'X-Avi-Tenant-UUID': 'tenant-nope' } });
    expect(bad.status).toBe(403);
  });

  it('answers an unknown tenant with 403 "does not exist"', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const res = await api(sim.url, s, { tenant: 'nosuch' }).get('/api/pool');
    expect(res.status).toBe(403);
    expect(errorOf(res)).toBe("Tenant 'nosuch' does not exist!");
  });

  it("allows '*' for reads across tenants and refuses it for writes", async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const admin = api(sim.url, s);
    expect((await admin.post('/api/tenant', { name: 'blue' })).status).toBe(201);
    expect((await api(sim.url, s, { tenant: 'blue' }).post('/api/pool', pool('star-blue'))).status).toBe(201);
    expect((await admin.post('/api/pool', pool('star-admin'))).status).toBe(201);
    const all = await api(sim.url, s, { tenant: '*' }).get('/api/pool?name.contains=star-');
    expect(all.data.count).toBe(2);
    const adminOnly = await admin.get('/api/pool?name.contains=star-');
    expect(adminOnly.data.results.map((p: { name: string }) => p.name)).toEqual(['star-admin']);
    const write = await api(sim.url, s, { tenant: '*' }).post('/api/pool', pool('star-x'));
    expect(write.status).toBe(400);
  });
});

describe('bootstrap endpoints and paths', () => {
  it('serves initial-data, cluster runtime and system configuration', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const c = api(sim.url, s);
    expect((await c.get('/api/initial-data')).data.version.Version).toBe('30.2.1');
    expect((await c.get('/api/cluster/runtime')).data.cluster_state.state).toBe('CLUSTER_UP_NO_HA');
    expect((await c.get('/api/cluster')).data.uuid).toMatch(/^cluster-/);
    expect((await c.get('/api/systemconfiguration')).data.default_license_tier).toBeDefined();
  });

  it('collapses duplicate slashes and accepts trailing slashes and an empty include_name', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    const c = api(sim.url, s);
    // Node's http client sends the path exactly as given, like AKO's `prefix + "/api/..."`.
    const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(sim.url);
      const req = httpRequest(
        {
          host: u.hostname,
          port: u.port,
          path: '//api/pool/',
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Avi-Version': '30.2.1',
            'X-CSRFToken': s.csrf,
            Cookie: s.cookie,
          },
        },
        (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(pool('slashes')));
    });
    expect(raw.status).toBe(201);
    const uuid = JSON.parse(raw.body).uuid as string;
    const got = await c.get(`/api/pool/${uuid}/?include_name=`);
    expect(got.status).toBe(200);
    expect(got.data.url).toMatch(/#slashes$/);
    const tenants = await c.get('/api/tenant/?name=admin');
    expect(tenants.data.count).toBe(1);
    expect(tenants.data.results[0].uuid).toBe('admin');
  });

  it('answers unknown object types with 404', async () => {
    const s = await login(sim.url, 'u1', 'p1');
    expect((await api(sim.url, s).get('/api/nosuchtype')).status).toBe(404);
  });
});

describe("auth: 'none' (AKO mock style)", () => {
  it('serves API calls without login or CSRF, still checking the version', async () => {
    const open = await startAviSim({ auth: 'none' });
    try {
      const c = api(open.url, undefined);
      expect((await c.get('/api/pool')).status).toBe(200);
      expect((await c.post('/api/pool', pool('open-1'))).status).toBe(201);
      expect((await api(open.url, undefined, { version: 'latest' }).get('/api/pool')).status).toBe(400);
    } finally {
      await open.close();
    }
  });
});
