import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  capVersion,
  clusterRoutesMatch,
  createRequestBudget,
  isRetryableStatus,
  isTransientFailure,
  mergeStaticRoutes,
  parseRef,
  parseRetryAfter,
} from '../../shared/avi/index.ts';
import type { StaticRoute } from '../../shared/model/types.ts';

const route = (cluster: string, id: string, addr: string): StaticRoute => ({
  route_id: `${cluster}-${id}`,
  prefix: { ip_addr: { addr, type: 'V4' }, mask: 24 },
  next_hop: { addr: '10.1.1.2', type: 'V4' },
  labels: [{ key: 'clustername', value: cluster }],
});

describe('static route merge', () => {
  const user = {
    route_id: '1',
    prefix: { ip_addr: { addr: '172.16.0.0', type: 'V4' }, mask: 16 },
    next_hop: { addr: '10.10.0.1', type: 'V4' },
  };
  const otherLabel = { ...user, route_id: '2', labels: [{ key: 'foo', value: 'c1' }] };

  it("keeps users' routes, other clusters' routes (c10 when syncing c1) and routes with other labels; replaces ours", () => {
    const current = [user, route('c10', 'a-0', '10.244.10.0'), route('c1', 'old-0', '10.244.9.0'), otherLabel];
    const ours = [route('c1', 'new-0', '10.244.1.0')];
    const merged = mergeStaticRoutes(current, 'c1', ours);
    expect(merged).toEqual([user, route('c10', 'a-0', '10.244.10.0'), otherLabel, route('c1', 'new-0', '10.244.1.0')]);
  });

  it("an empty set removes only this cluster's routes", () => {
    const current = [user, route('c1', 'x-0', '10.244.9.0'), route('c2', 'y-0', '10.245.0.0')];
    expect(mergeStaticRoutes(current, 'c1', [])).toEqual([user, route('c2', 'y-0', '10.245.0.0')]);
  });

  it('detects when our routes are already there (in any order)', () => {
    const a = route('c1', 'a-0', '10.244.1.0');
    const b = route('c1', 'b-0', '10.244.2.0');
    expect(clusterRoutesMatch([user, b, a], 'c1', [a, b])).toBe(true);
    expect(clusterRoutesMatch([user, a], 'c1', [a, b])).toBe(false);
    expect(clusterRoutesMatch([user, a, route('c10', 'z', '1.1.1.0')], 'c1', [a])).toBe(true);
  });

  it('never loses or duplicates a foreign route (property)', () => {
    const clusters = ['c1', 'c10', 'c2', 'prod'];
    const arbRoute = fc.record({
      cluster: fc.option(fc.constantFrom(...clusters), { nil: undefined }),
      id: fc.string({ minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(arbRoute, { maxLength: 12 }), fc.constantFrom(...clusters), fc.nat(4), (spec, me, n) => {
        const current = spec.map((s, i) =>
          s.cluster ? route(s.cluster, `${s.id}-${i}`, `10.0.${i}.0`) : { ...user, route_id: `u${i}` },
        );
        const ours = Array.from({ length: n }, (_, i) => route(me, `n-${i}`, `10.9.${i}.0`));
        const merged = mergeStaticRoutes(current, me, ours);
        const foreign = current.filter((r) => !('labels' in r) || r.labels[0]!.value !== me);
        expect(merged.slice(0, foreign.length)).toEqual(foreign);
        expect(merged.slice(foreign.length)).toEqual(ours);
        expect(clusterRoutesMatch(merged, me, ours)).toBe(true);
      }),
    );
  });
});

describe('retry decisions', () => {
  it('retries busy, timeouts and throttling, not validation errors or certificate import errors', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s, '')).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 412]) expect(isRetryableStatus(s, '')).toBe(false);
    expect(isRetryableStatus(500, 'Import error: bad common_name')).toBe(false);
  });
  it('classifies failures that clear on their own as transient', () => {
    expect(isTransientFailure(undefined, 'timed out')).toBe(true);
    expect(isTransientFailure(400, 'No available free IPs')).toBe(true);
    expect(isTransientFailure(403, 'Configuration is disallowed during upgrade')).toBe(true);
    expect(isTransientFailure(403, "Cannot delete, object is referred by: ['VirtualService vs1']")).toBe(true);
    expect(isTransientFailure(400, 'bad request')).toBe(false);
    expect(isTransientFailure(400, "Field 'servers[0].ip' is required")).toBe(false);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2', 0)).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
  it('backs off exponentially with jitter, capped, never below Retry-After', () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, o))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(1, { ...o, random: () => 0 })).toBe(50);
    expect(backoffDelay(1, o, 3000)).toBe(3000);
  });
  it('caps the controller version like AKO (30.2.1)', () => {
    expect(capVersion('31.1.1')).toBe('30.2.1');
    expect(capVersion('22.1.3')).toBe('22.1.3');
    expect(capVersion('30.2.1-9050')).toBe('30.2.1-9050');
  });
});

describe('refs', () => {
  it('parses name queries, uuid paths and full URLs with #name', () => {
    expect(parseRef('/api/pool/?name=c1--a_b-ns-ing')).toEqual({ type: 'pool', name: 'c1--a_b-ns-ing' });
    expect(parseRef('/api/tenant/?name=my%20tenant')).toEqual({ type: 'tenant', name: 'my tenant' });
    expect(parseRef('/api/network/network-1')).toEqual({ type: 'network', uuid: 'network-1' });
    expect(parseRef('https://10.0.0.1/api/vsvip/vsvip-abc#c1--Shared-L7-0')).toEqual({
      type: 'vsvip',
      uuid: 'vsvip-abc',
      name: 'c1--Shared-L7-0',
    });
    expect(parseRef('not a ref')).toBeUndefined();
  });
});

describe('request budget', () => {
  it('never has more requests in flight than its concurrency cap', async () => {
    const budget = createRequestBudget({ ratePerSecond: 10_000, burst: 100, maxConcurrency: 3 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await budget.acquire();
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        release();
      }),
    );
    expect(peak).toBe(3);
  });
  it('hands out no more than burst + rate × elapsed tokens (simulated clock)', async () => {
    let t = 0;
    const budget = createRequestBudget({ ratePerSecond: 10, burst: 2, maxConcurrency: 100, now: () => t });
    const got: number[] = [];
    const all = Array.from({ length: 5 }, () =>
      budget.acquire().then((r) => {
        got.push(t);
        r();
      }),
    );
    // Advance simulated time in small steps while the real timers tick.
    for (let i = 0; i < 200 && got.length < 5; i++) {
      t += 10;
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(all);
    for (const [i, at] of got.entries()) expect(i + 1).toBeLessThanOrEqual(2 + (at * 10) / 1000 + 1e-9);
  });
});

describe('clientOptionsFor', () => {
  it('maps an instance to client options with its created_by as the guarded owner', async () => {
    const { clientOptionsFor } = await import('../../shared/avi/index.ts');
    const { instanceFor } = await import('./fixtures.ts');
    const { SecretValue } = await import('../../shared/secret.ts');
    const inst = instanceFor('c1', 'blue', false);
    inst.controller.host = '10.0.0.1';
    inst.credentials = { username: 'admin', password: new SecretValue('pw') };
    const o = clientOptionsFor(inst);
    expect(o).toMatchObject({
      host: '10.0.0.1',
      username: 'admin',
      owner: 'ako-c1-blue',
      clusterName: 'c1',
      tenant: 'admin',
    });
    expect(o.version).toBeUndefined();
    inst.controller.host = '';
    expect(() => clientOptionsFor(inst)).toThrow(/no controller host/);
  });
});
