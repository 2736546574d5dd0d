import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { api, login, pool } from './helpers.ts';

let sim: AviSim;
let c: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startAviSim();
  c = api(sim.url, await login(sim.url));
  for (let i = 0; i < 30; i++) {
    const owner = i % 3 === 0 ? 'ako-cluster-blue' : 'ako-cluster';
    const res = await c.post('/api/pool', pool(`page-${String(i).padStart(2, '0')}`, { created_by: owner }));
    if (res.status !== 201) throw new Error(JSON.stringify(res.data));
  }
});
afterAll(async () => {
  await sim.close();
});

describe('paging', () => {
  it('returns 25 per page by default, count = total matches and a full-URL next', async () => {
    const first = await c.get('/api/pool?name.contains=page-');
    expect(first.data.count).toBe(30);
    expect(first.data.results).toHaveLength(25);
    expect(first.data.next).toMatch(new RegExp(`^${sim.url}/api/pool\\?`));
    // AKO splits next on "/api/pool" and requests the remainder.
    const rest = (first.data.next as string).split('/api/pool')[1]!;
    const second = await c.get(`/api/pool${rest}`);
    expect(second.data.count).toBe(30);
    expect(second.data.results).toHaveLength(5);
    expect(second.data.next).toBeUndefined();
  });

  it('honours page_size and page, and caps page_size at 200', async () => {
    const p2 = await c.get('/api/pool?name.contains=page-&page_size=10&page=2');
    expect(p2.data.results.map((p: { name: string }) => p.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `page-${String(i + 10).padStart(2, '0')}`),
    );
    const big = await c.get('/api/healthmonitor?page_size=1000');
    expect(big.status).toBe(200);
    expect((await c.get('/api/pool?page_size=0')).status).toBe(400);
  });

  it('returns 200 with count 0 for a filter that matches nothing', async () => {
    const res = await c.get('/api/pool?name=nothing-here');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ count: 0, results: [] });
  });

  it('following next from any page size visits every match exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 31 }), async (pageSize) => {
        const seen: string[] = [];
        let path: string | undefined = `/api/pool?name.contains=page-&page_size=${pageSize}`;
        while (path) {
          const res: { data: { results: { name: string }[]; next?: string } } = await c.get(path);
          seen.push(...res.data.results.map((r) => r.name));
          path = res.data.next ? `/api/pool${res.data.next.split('/api/pool')[1]}` : undefined;
        }
        expect(seen).toHaveLength(30);
        expect(new Set(seen).size).toBe(30);
      }),
      { numRuns: 15 },
    );
  });
});

describe('filters', () => {
  it('filters by name, name.contains and created_by', async () => {
    expect((await c.get('/api/pool?name=page-07')).data.results.map((p: { name: string }) => p.name)).toEqual([
      'page-07',
    ]);
    expect((await c.get('/api/pool?name.contains=page-2&page_size=100')).data.count).toBe(10);
    expect((await c.get('/api/pool?created_by=ako-cluster-blue&page_size=100')).data.count).toBe(10);
    expect((await c.get('/api/pool?created_by=ako-cluster&page_size=100')).data.count).toBe(20);
  });

  it('filters by cloud_ref.name', async () => {
    await c.post('/api/cloud', { name: 'other-cloud', vtype: 'CLOUD_NONE' });
    await c.post('/api/pool', pool('cloud-x', { cloud_ref: '/api/cloud/?name=other-cloud' }));
    const inOther = await c.get('/api/pool?cloud_ref.name=other-cloud');
    expect(inOther.data.results.map((p: { name: string }) => p.name)).toEqual(['cloud-x']);
    const inDefault = await c.get('/api/pool?cloud_ref.name=Default-Cloud&name=cloud-x');
    expect(inDefault.data.count).toBe(0);
  });

  it('filters by label_key/label_value on markers and labels', async () => {
    await c.post('/api/pool', pool('lab-1', { markers: [{ key: 'clustername', values: ['c1'] }] }));
    await c.post('/api/pool', pool('lab-2', { markers: [{ key: 'clustername', values: ['c10'] }] }));
    const res = await c.get('/api/pool?label_key=clustername&label_value=c1');
    expect(res.data.results.map((p: { name: string }) => p.name)).toEqual(['lab-1']);
  });

  it('filters by refers_to and returns only the requested fields', async () => {
    const p = (await c.post('/api/pool', pool('rt-p'))).data;
    await c.post('/api/poolgroup', { name: 'rt-pg', members: [{ pool_ref: '/api/pool?name=rt-p' }] });
    await c.post('/api/poolgroup', { name: 'rt-pg-empty', members: [] });
    const res = await c.get(`/api/poolgroup?refers_to=pool:${p.uuid}`);
    expect(res.data.results.map((g: { name: string }) => g.name)).toEqual(['rt-pg']);
    const fields = await c.get('/api/pool?name=rt-p&fields=created_by,servers');
    expect(Object.keys(fields.data.results[0]).sort()).toEqual(['name', 'servers', 'url', 'uuid']);
  });
});

describe('dump', () => {
  it('is identical for two runs with the same seed and clock, and ordered by name', async () => {
    const run = async () => {
      let t = 1_700_000_000_000;
      const s = await startAviSim({ seed: 5, now: () => t++ });
      try {
        const c2 = api(s.url, await login(s.url));
        for (const n of ['b', 'a', 'c']) await c2.post('/api/pool', pool(`d-${n}`));
        return JSON.parse(JSON.stringify(s.dump()).replaceAll(s.url, 'URL'));
      } finally {
        await s.close();
      }
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.pool.map((p: { name: string }) => p.name)).toEqual(['d-a', 'd-b', 'd-c']);
    expect(first.pool[0].url).toMatch(/^URL\/api\/pool\/pool-.*#d-a$/);
  });
});
