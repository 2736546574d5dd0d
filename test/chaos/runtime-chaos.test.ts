/**
 * Chaos through the embedded runtime (forwarder → bus → router → FIFO queues → sync → simulator): the same
 * cluster history is played fault-free and under faults (seeded reordering and duplication of bus deliveries, a
 * controller outage of every request while changes are made, stalled watches), and each run must end in the same
 * controller state as the fault-free run: no object missing, no orphan, the foreign object untouched, no dead
 * letter. Convergence is awaited (polled), never timed.
 */
import { describe, expect, it } from 'vitest';
import { endpointSlice, ingress } from '../e2e/support.ts';
import { CLUSTER, type DevCluster, type Faults, playHistory, type RunResult, referenceOf } from './support.ts';

/** After the base: edits in both namespaces. */
function edits(dc: DevCluster) {
  for (const ns of ['shop', 'blueshop']) {
    dc.apply(ingress(ns, 'a', `a2.${ns}.example.com`, 'web'));
    dc.delete('networking.k8s.io/v1', 'Ingress', ns, 'b');
    dc.apply(endpointSlice(ns, 'web', ['10.0.0.3']));
    dc.apply(ingress(ns, 'd', `d.${ns}.example.com`, 'web'));
  }
}

const referenceState = referenceOf(edits);
const play = async (faults: Faults = {}) => playHistory(edits, faults, await referenceState());

function report(name: string, r: RunResult) {
  if (process.env.CHAOS_REPORT)
    console.log(
      `chaos ${name}: converged ${r.convergedAfterMs} ms after recovery; outage retries ${r.outageRetries}, bus delayed ${r.busDelayed}, duplicated ${r.busDuplicated}`,
    );
}

describe('chaos through the embedded runtime', () => {
  it('the fault-free run serves exactly the cluster: every Ingress, nothing else', async () => {
    const ref = await referenceState();
    const pools = ref.filter((l) => l.startsWith('pool ')).map((l) => l.split(' ')[1]);
    // a (renamed host), c and d in each namespace; b deleted.
    expect(pools).toHaveLength(6);
    expect(pools.filter((p) => p!.endsWith('-b'))).toEqual([]);
    expect(pools.filter((p) => p!.endsWith('-d'))).toHaveLength(2);
    expect(ref.some((l) => l.includes('"10.0.0.3"'))).toBe(true);
    expect(ref.some((l) => l.includes('10.0.0.1'))).toBe(false);
  });

  for (const seed of [1, 2, 3]) {
    it(`reordered and duplicated bus deliveries (seed ${seed}) end in the fault-free state`, async () => {
      const ref = await referenceState();
      const r = await play({ busChaos: { seed, maxDelayMs: 40, duplicateRate: 0.3 } });
      report(`bus seed ${seed}`, r);
      // The faults were injected: deliveries overtook each other and some arrived twice.
      expect(r.busDelayed).toBeGreaterThan(0);
      expect(r.busDuplicated).toBeGreaterThan(0);
      expect(r.state).toEqual(ref);
      expect(r.deadLetters).toEqual([]);
      expect(r.foreignUntouched).toBe(true);
    });
  }

  it('a 10 s controller outage (every request 503) while the cluster changes: nothing dead-lettered, all lands', async () => {
    const ref = await referenceState();
    // Longer than the client's own retries (6 attempts, ~8 s), so whole messages fail and wait in the queue.
    const r = await play({ during: (rt) => rt.aviSim!.faults.add({ status: 503 }), faultMs: 10_000 });
    report('outage', r);
    // The outage bit: messages were retried (more often than the receive limit allows) without being dead-lettered.
    expect(r.outageRetries).toBeGreaterThan(5);
    expect(r.state).toEqual(ref);
    expect(r.deadLetters).toEqual([]);
    expect(r.foreignUntouched).toBe(true);
  });

  // 90 s by default; CHAOS_LONG_OUTAGE_S=300 gives the 5-minute figure in BENCHMARKS.md.
  const longOutageS = Number(process.env.CHAOS_LONG_OUTAGE_S ?? 90);
  it(
    `a ${longOutageS} s controller outage with the product's own back-off: nothing dead-lettered, all lands`,
    async () => {
      const ref = await referenceState();
      const r = await play({
        realBackoff: true,
        during: (rt) => rt.aviSim!.faults.add({ status: 503 }),
        faultMs: longOutageS * 1000,
      });
      report(`outage ${longOutageS} s`, r);
      expect(r.outageRetries).toBeGreaterThan(5);
      expect(r.state).toEqual(ref);
      expect(r.deadLetters).toEqual([]);
      expect(r.foreignUntouched).toBe(true);
    },
    (longOutageS + 120) * 1000,
  );

  it('stalled watches (open, silent) while the cluster changes: restarted from the bookmark period, all lands', async () => {
    const ref = await referenceState();
    const r = await play({
      during: (rt) => {
        expect(rt.devClusters.get(CLUSTER)!.hooks.stallWatches()).toBeGreaterThan(0);
        return () => undefined;
      },
    });
    report('stalled watches', r);
    expect(r.state).toEqual(ref);
    expect(r.deadLetters).toEqual([]);
  });
});
