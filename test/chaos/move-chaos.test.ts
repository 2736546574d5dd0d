/**
 * Namespace moves under unordered delivery: the label change that moves a namespace from one instance to another
 * produces a hold (new owner), a release (old owner), the objects republished with the new labels, and later an
 * adopt. EventBridge does not order these, so the new owner may see the objects before its hold and the adopt
 * before the hold. Every order must end where the calm run ends: the namespace served by the new owner only, the
 * old owner's objects gone, nothing dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryChaos } from '../../infra/local/event-bus.ts';
import { endpointSlice, ingress, namespace } from '../e2e/support.ts';
import { type DevCluster, playHistory, referenceOf } from './support.ts';

/** shop moves from the primary (app=migrate) to the blue instance (key=value2), and changes right after. */
function moveAndEdit(dc: DevCluster) {
  dc.apply(namespace('shop', { key: 'value2' }));
  dc.apply(ingress('shop', 'd', 'd.shop.example.com', 'web'));
  dc.apply(endpointSlice('shop', 'web', ['10.0.0.3']));
}

const referenceState = referenceOf(moveAndEdit);
const play = async (busChaos: DeliveryChaos) => playHistory(moveAndEdit, { busChaos }, await referenceState());

describe('namespace moves under reordered and duplicated delivery', () => {
  it('the calm move: shop is served by the blue instance only, with its new Ingress and endpoints', async () => {
    const ref = await referenceState();
    const shopPools = ref.filter((l) => /^pool \S+-shop-[a-d] /.test(l));
    expect(shopPools).toHaveLength(4);
    // AKO's created_by for the instance installed in namespace blue of cluster demo.
    for (const p of shopPools) expect(p).toContain(' ako-demo-blue ');
    expect(shopPools.every((p) => p.includes('"10.0.0.3"'))).toBe(true);
    // The primary keeps nothing of shop.
    expect(ref.filter((l) => l.includes('shop.example.com') && l.includes(' ako-demo '))).toEqual([]);
  });

  for (const [seed, maxDelayMs] of [
    [1, 150],
    [2, 150],
    [3, 600],
    [4, 600],
    [5, 1200],
  ] as const) {
    it(`seed ${seed}, deliveries delayed up to ${maxDelayMs} ms: the move ends in the calm run's state, nothing dead-lettered`, async () => {
      const ref = await referenceState();
      const r = await play({ seed, maxDelayMs, duplicateRate: 0.3 });
      if (process.env.CHAOS_REPORT)
        console.log(
          `chaos move seed ${seed}: converged ${r.convergedAfterMs} ms after the move; bus delayed ${r.busDelayed}, duplicated ${r.busDuplicated}`,
        );
      expect(r.busDelayed).toBeGreaterThan(0);
      expect(r.state).toEqual(ref);
      expect(r.deadLetters).toEqual([]);
      expect(r.foreignUntouched).toBe(true);
    });
  }
});
