import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { startAviSim } from '../../infra/avi-sim/index.ts';
import { api, errorOf, login, pool } from './helpers.ts';

describe('fault injection', () => {
  it('injects a status on the nth matching request without touching the store', async () => {
    const sim = await startAviSim();
    try {
      const c = api(sim.url, await login(sim.url));
      sim.faults.add({ method: 'POST', type: 'pool', nth: 2, status: 503 });
      expect((await c.post('/api/pool', pool('n-1'))).status).toBe(201);
      const second = await c.post('/api/pool', pool('n-2'));
      expect(second.status).toBe(503);
      expect((await c.get('/api/pool?name=n-2')).data.count).toBe(0);
      expect((await c.post('/api/pool', pool('n-2'))).status).toBe(201);
      expect(sim.faults.injected()).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('injects 408 and 412 with the controller texts, and a custom body', async () => {
    const sim = await startAviSim();
    try {
      const c = api(sim.url, await login(sim.url));
      const p = (await c.post('/api/pool', pool('f-1'))).data;
      const remove412 = sim.faults.add({ method: 'PUT', type: 'pool', status: 412, times: 1 });
      const r412 = await c.put(`/api/pool/${p.uuid}`, pool('f-1'));
      expect(r412.status).toBe(412);
      expect(errorOf(r412)).toBe('Need to reload object data Pool');
      expect((await c.put(`/api/pool/${p.uuid}`, pool('f-1'))).status).toBe(200);
      remove412();
      sim.faults.add({ type: 'virtualservice', status: 408, times: 1 });
      expect((await c.get('/api/virtualservice')).status).toBe(408);
      sim.faults.add({ path: /^\/api\/pool\//, method: 'DELETE', status: 400, body: { error: 'bad request' } });
      const bad = await c.delete(`/api/pool/${p.uuid}`);
      expect(bad.status).toBe(400);
      expect(bad.data).toEqual({ error: 'bad request' });
    } finally {
      await sim.close();
    }
  });

  it('injects at a rate reproducibly for a given seed', async () => {
    const pattern = async (seed: number) => {
      const sim = await startAviSim({ seed });
      try {
        const c = api(sim.url, await login(sim.url));
        sim.faults.add({ type: 'tenant', rate: 0.3, status: 500 });
        const out: number[] = [];
        for (let i = 0; i < 40; i++) out.push((await c.get('/api/tenant')).status);
        return out;
      } finally {
        await sim.close();
      }
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    const failures = a.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(40);
  });

  it('can apply a fault after the request ran (a lost response: the write happened)', async () => {
    const sim = await startAviSim();
    try {
      const c = api(sim.url, await login(sim.url));
      sim.faults.add({ method: 'POST', type: 'pool', status: 502, after: true, times: 1 });
      expect((await c.post('/api/pool', pool('lost-1'))).status).toBe(502);
      expect((await c.get('/api/pool?name=lost-1')).data.count).toBe(1);
      expect((await c.post('/api/pool', pool('lost-1'))).status).toBe(409);
    } finally {
      await sim.close();
    }
  });

  it('holds a request and drops the connection for a timeout fault', async () => {
    const sim = await startAviSim();
    try {
      const c = api(sim.url, await login(sim.url));
      sim.faults.timeoutHoldMs = 50;
      sim.faults.add({ type: 'pool', method: 'GET', timeout: true, times: 1 });
      await expect(c.get('/api/pool')).rejects.toThrow();
      expect((await c.get('/api/pool')).status).toBe(200);
      expect(sim.requestLog().some((e) => e.type === 'pool' && e.status === 0)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('adds latency and still answers', async () => {
    const sim = await startAviSim();
    try {
      const c = api(sim.url, await login(sim.url));
      sim.faults.latencyMs = 5;
      sim.faults.add({ type: 'pool', latencyMs: 5 });
      expect((await c.get('/api/pool')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('expires the session every N requests (401), after which a new login works', async () => {
    const sim = await startAviSim();
    try {
      let c = api(sim.url, await login(sim.url));
      sim.faults.sessionExpiryEvery = 3;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await c.get('/api/tenant')).status);
      expect(statuses).toEqual([200, 200, 401]);
      expect((await c.get('/api/tenant')).status).toBe(401);
      c = api(sim.url, await login(sim.url));
      expect((await c.get('/api/tenant')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('answers 429 with Retry-After once a client exceeds its per-second budget', async () => {
    let clock = 1_000_000;
    const sim = await startAviSim({ rateLimitPerSecond: 3, now: () => clock });
    try {
      const c = api(sim.url, await login(sim.url)); // the login uses one of the 3
      expect((await c.get('/api/tenant')).status).toBe(200);
      expect((await c.get('/api/tenant')).status).toBe(200);
      const limited = await c.get('/api/tenant');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      clock += 1000;
      expect((await c.get('/api/tenant')).status).toBe(200);
      sim.faults.rateLimitPerSecond = undefined;
      for (let i = 0; i < 5; i++) expect((await c.get('/api/tenant')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});

describe('counters and request log', () => {
  it('counts requests by method, type and status and logs tenant and masked bodies', async () => {
    const sim = await startAviSim();
    try {
      await axios.post(`${sim.url}/login`, { username: 'admin', password: 'wrong' }, { validateStatus: () => true });
      const c = api(sim.url, await login(sim.url), { tenant: 'admin' });
      sim.resetCounters();
      await c.post('/api/pool', pool('cnt-1'));
      await c.post('/api/pool', pool('cnt-1'));
      await c.get('/api/pool');
      const counts = sim.counters();
      expect(counts.total).toBe(3);
      expect(counts.writes).toBe(2);
      expect(counts.byKey).toEqual({ 'POST pool 201': 1, 'POST pool 409': 1, 'GET pool 200': 1 });
      expect(counts.byMethod).toEqual({ POST: 2, GET: 1 });
      const log = sim.requestLog();
      expect(log.map((e) => [e.method, e.path, e.status, e.tenant])).toEqual([
        ['POST', '/api/pool', 201, 'admin'],
        ['POST', '/api/pool', 409, 'admin'],
        ['GET', '/api/pool', 200, 'admin'],
      ]);
      expect((log[0]!.body as { name: string }).name).toBe('cnt-1');
    } finally {
      await sim.close();
    }
  });

  it('never logs login passwords', async () => {
    const sim = await startAviSim({ password: 's3cr3t-pw' });
    try {
      await login(sim.url, 'admin', 's3cr3t-pw');
      expect(JSON.stringify(sim.requestLog())).not.toContain('s3cr3t-pw');
    } finally {
      await sim.close();
    }
  });
});
