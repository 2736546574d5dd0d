/**
 * Level-triggered: a stream of events for one Ingress, delivered in any order and in any split into batches,
 * leaves the controller in the state of the latest event (property test, one simulator reset between runs).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import type { InstanceMessage } from '../../shared/events/index.ts';
import { endpointSlice, ingress, instanceFor, makeRig, objectMsg, service } from './harness.ts';

let sim: AviSim;
const NS = 'perm';
const L = { app: 'p' };
const HOSTS = ['foo.com', 'bar.com', 'xyz.com'];
const PATHS = ['/a', '/b'];

beforeAll(async () => {
  sim = await startAviSim();
});
afterAll(async () => {
  await sim?.close();
});

type Step = { del: boolean; host: number; path: number };

/** The stream: increasing resourceVersions; an upsert after a delete re-creates the object with a new uid. */
let rv = 100;
function stream(name: string, steps: Step[]): { msgs: InstanceMessage[]; last: Step & { uid: string; rv: number } } {
  let uid = 1;
  const msgs: InstanceMessage[] = [];
  let last: Step & { uid: string; rv: number } = { ...steps[0]!, uid: 'u1', rv };
  for (const s of steps) {
    rv++;
    const ing = ingress(NS, name, [{ host: HOSTS[s.host]!, path: PATHS[s.path]! }]);
    ing.metadata.uid = `${name}-uid-${uid}`;
    msgs.push(objectMsg(ing, { namespaceLabels: L, resourceVersion: String(rv), op: s.del ? 'delete' : 'upsert' }));
    last = { ...s, uid: ing.metadata.uid, rv };
    if (s.del) uid++;
  }
  return { msgs, last };
}

/** This Ingress's pools on the simulator with their shard PG (from the spec's naming rules). */
function ingressPools(name: string): string[] {
  const pools = sim
    .objects('pool')
    .map((p) => String(p.name))
    .filter((n) => n.endsWith(`-${NS}-${name}`));
  const members = new Map<string, string>();
  for (const pg of sim.objects('poolgroup')) {
    for (const m of (pg.members as { pool_ref: string }[] | undefined) ?? []) {
      members.set(decodeURIComponent(m.pool_ref.split('#')[1] ?? ''), String(pg.name));
    }
  }
  return pools.map((p) => `${p}@${members.get(p) ?? '-'}`).sort();
}

const SHARD: Record<string, number> = { 'foo.com': 0, 'bar.com': 1, 'xyz.com': 3 };

describe('delivery order', () => {
  it('any permutation and batching of one object’s events converges to its latest state', async () => {
    const inst = instanceFor(sim, { namespace: 'avi-system', primary: true });
    const steps = fc.array(
      fc.record({ del: fc.boolean(), host: fc.integer({ min: 0, max: 2 }), path: fc.integer({ min: 0, max: 1 }) }),
      { minLength: 1, maxLength: 5 },
    );
    const delivery = steps.chain((s) =>
      fc.tuple(
        fc.constant(s),
        fc.shuffledSubarray(
          s.map((_, i) => i),
          { minLength: s.length, maxLength: s.length },
        ),
        fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      ),
    );
    // One rig for every run; anchor ingresses keep each shard populated, and every run uses its own Ingress
    // name, deleted at the end, so a run only adds and removes its own pool (cheap) and starts from a clean slate.
    const rig = makeRig(sim, inst);
    expect(
      await rig.sync([
        objectMsg(service(NS, 'avisvc'), { namespaceLabels: L, resourceVersion: '10' }),
        objectMsg(endpointSlice(NS, 'avisvc', ['1.1.1.1']), { namespaceLabels: L, resourceVersion: '11' }),
        ...HOSTS.map((h, i) =>
          objectMsg(ingress(NS, `anchor-${i}`, [{ host: h, path: '/anchor' }]), {
            namespaceLabels: L,
            resourceVersion: '12',
          }),
        ),
      ]),
    ).toEqual([]);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(delivery, async ([s, order, cuts]) => {
        const name = `ing-${++run}`;
        const { msgs, last } = stream(name, s);
        // Deliver in the permuted order, cut into batches where `cuts` says so.
        let batch: InstanceMessage[] = [];
        for (let i = 0; i < order.length; i++) {
          batch.push(msgs[order[i]!]!);
          if (cuts[i] || i === order.length - 1) {
            expect(await rig.sync(batch)).toEqual([]);
            batch = [];
          }
        }
        const host = HOSTS[last.host]!;
        const expected = last.del
          ? []
          : [`cluster--${host}${PATHS[last.path]!.replace('/', '_')}-${NS}-${name}@cluster--Shared-L7-${SHARD[host]}`];
        expect(ingressPools(name)).toEqual(expected);
        // Reset: the run's Ingress goes away.
        if (!last.del) {
          const gone = ingress(NS, name, []);
          gone.metadata.uid = last.uid;
          expect(
            await rig.sync([objectMsg(gone, { namespaceLabels: L, op: 'delete', resourceVersion: String(++rv) })]),
          ).toEqual([]);
        }
        expect(ingressPools(name)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
