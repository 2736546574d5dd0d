/**
 * Each fault the controller can throw at us (5xx bursts, 429 storms, sessions expiring mid-batch, lost
 * responses and timeouts, 412 on writes) must converge to the same end state as a fault-free run, and no
 * object of another owner may ever be written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AviSim } from '../../infra/avi-sim/index.ts';
import { type AviReconciler, createReconciler } from '../../shared/avi/index.ts';
import type { AppliedModel } from '../../shared/avi/types.ts';
import type { AviModel } from '../../shared/model/types.ts';
import { instanceFor, l4Model, sharedModel } from './fixtures.ts';
import { clientFor, comparableState, withSim } from './helpers.ts';

const primary = instanceFor('c1', 'avi-system', true);
const blue = instanceFor('c1', 'blue', false);

const shard0 = (tls: boolean) =>
  sharedModel({
    cluster: 'c1',
    createdBy: 'ako-c1',
    vsName: 'c1--Shared-L7-0',
    hosts: [{ host: 'foo.com', path: '/foo', ns: 'default', ing: 'ing1', servers: ['10.0.0.1', '10.0.0.2'] }],
    sni: tls ? [{ host: 'sec.com', path: '/a', ns: 'default', ing: 'ing2', servers: ['10.0.0.3'], cert: 'x' }] : [],
  });
const shard1 = () =>
  sharedModel({
    cluster: 'c1',
    createdBy: 'ako-c1',
    vsName: 'c1--Shared-L7-1',
    hosts: [
      { host: 'bar.com', path: '/', ns: 'default', ing: 'ing3', servers: ['10.0.1.1'] },
      { host: 'baz.com', path: '/v1', ns: 'red', ing: 'ing4', servers: ['10.0.1.2'] },
    ],
    sni: [{ host: 'tls.bar.com', path: '/x', ns: 'red', ing: 'ing5', servers: ['10.0.1.3'], cert: 'y' }],
  });
const l4 = (servers: string[]) =>
  l4Model({ cluster: 'c1', createdBy: 'ako-c1', ns: 'red', svc: 'web', port: 80, servers });

async function converge(
  rec: AviReconciler,
  desired: AviModel | undefined,
  applied: AppliedModel | undefined,
): Promise<AppliedModel | undefined> {
  for (let round = 0; round < 40; round++) {
    const r = desired ? await rec.apply(desired, applied) : await rec.remove(applied!);
    applied = r.applied;
    // Permanent failures must not happen under transient faults.
    expect(r.operations.filter((o) => o.failure === 'permanent')).toEqual([]);
    if (r.ok) return applied;
  }
  throw new Error(`model ${desired?.name ?? applied?.name} did not converge`);
}

/** Foreign objects present before we start: another instance's L4 VS and a user's pool without created_by. */
function seedForeign(sim: AviSim) {
  const blueModel = l4Model({
    cluster: 'c1',
    createdBy: blue.createdBy,
    ns: 'blue-ns',
    svc: 'api',
    port: 8443,
    servers: ['2.2.2.2'],
  });
  const created = blueModel.objects.map((o) => sim.create(o.type, o.body, o.tenant));
  created.push(
    sim.create('pool', {
      name: 'user-pool',
      tenant_ref: '/api/tenant/?name=admin',
      cloud_ref: '/api/cloud?name=Default-Cloud',
      servers: [{ ip: { addr: '192.168.0.1', type: 'V4' }, port: 80 }],
    }),
  );
  return created;
}

/** Initial sync of three models, then: TLS host removed, L4 servers changed, shard 1 deleted. */
async function scenario(sim: AviSim, faults: () => void, opts = {}) {
  const foreign = seedForeign(sim);
  faults();
  const client = clientFor(sim, opts);
  const rec = createReconciler({ client, instance: primary });
  const [a, b, c] = await Promise.all([
    converge(rec, shard0(true), undefined),
    converge(rec, shard1(), undefined),
    converge(rec, l4(['1.1.1.1']), undefined),
  ]);
  await Promise.all([
    converge(rec, shard0(false), a),
    converge(rec, undefined, b),
    converge(rec, l4(['1.1.1.1', '1.1.1.2']), c),
  ]);
  sim.faults.clear();
  const foreignIds = new Set(foreign.map((f) => f.uuid as string));
  const touched = sim.requestLog().filter((e) => e.method !== 'GET' && e.uuid && foreignIds.has(e.uuid));
  expect(touched).toEqual([]);
  for (const f of foreign) {
    const now = Object.values(sim.dump())
      .flat()
      .find((o) => o.uuid === f.uuid);
    expect(now?._last_modified).toBe(f._last_modified);
  }
  return { state: comparableState(sim), stats: client.stats() };
}

const everyApiType = { predicate: () => true };

const cases: [string, (sim: AviSim) => void, object?][] = [
  ['5xx burst', (sim) => sim.faults.add({ ...everyApiType, status: 503, rate: 0.3 })],
  ['500/502 on writes', (sim) => sim.faults.add({ method: ['POST', 'PUT', 'DELETE'], status: 502, rate: 0.4 })],
  ['429 storm', (sim) => sim.faults.add({ ...everyApiType, status: 429, rate: 0.35, retryAfterSeconds: 0 })],
  [
    'session expiry mid-batch',
    (sim) => {
      sim.faults.sessionExpiryEvery = 4;
    },
  ],
  [
    'lost responses (write done, 504 returned)',
    (sim) => sim.faults.add({ method: ['POST', 'PUT', 'DELETE'], status: 504, after: true, rate: 0.3 }),
  ],
  [
    'timeouts',
    (sim) => {
      sim.faults.timeoutHoldMs = 300;
      sim.faults.add({ method: ['POST', 'PUT', 'GET'], timeout: true, rate: 0.1 });
    },
    { timeoutMs: 150 },
  ],
  ['412 on every other PUT', (sim) => sim.faults.add({ method: 'PUT', status: 412, every: 2 })],
  [
    'everything at once',
    (sim) => {
      sim.faults.sessionExpiryEvery = 7;
      sim.faults.add({ ...everyApiType, status: 503, rate: 0.1 });
      sim.faults.add({ ...everyApiType, status: 429, rate: 0.1, retryAfterSeconds: 0 });
      sim.faults.add({ method: ['POST', 'DELETE'], status: 504, after: true, rate: 0.15 });
      sim.faults.add({ method: 'PUT', status: 412, rate: 0.2 });
    },
  ],
];

describe('reconciler under controller faults', () => {
  let expected: Record<string, unknown[]>;
  beforeAll(async () => {
    expected = await withSim({ seed: 7 }, async (sim) => (await scenario(sim, () => {})).state);
  });

  it.each(cases)(
    '%s: converges to the fault-free end state, foreign objects untouched',
    async (_name, inject, opts) => {
      await withSim({ seed: 11 }, async (sim) => {
        const { state, stats } = await scenario(sim, () => inject(sim), opts);
        expect(state).toEqual(expected);
        expect(sim.faults.injected() + (sim.counters().byStatus['401'] ?? 0)).toBeGreaterThan(0);
        expect(stats.requests).toBeGreaterThan(0);
      });
    },
  );
});
