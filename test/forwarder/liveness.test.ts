/**
 * Watch liveness is tied to the API server's bookmark period: a watch that asked for bookmarks and has been
 * silent (no event, no bookmark) for about three bookmark intervals is restarted, and what it withheld arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { API_SERVER_BOOKMARK_INTERVAL_MS, watchLiveness } from '../../functions/forwarder/watcher.ts';
import { eventually, expectNoDeletes, finalState, type Rig, startRig } from './harness.ts';

describe('watch liveness from the bookmark period', () => {
  it('against kube-apiserver (a bookmark about every minute) a silent watch restarts within 3 minutes', () => {
    expect(API_SERVER_BOOKMARK_INTERVAL_MS).toBe(60_000);
    const { silenceLimitMs, checkEveryMs } = watchLiveness(API_SERVER_BOOKMARK_INTERVAL_MS);
    // Two missed bookmarks are not a dead watch yet ...
    expect(silenceLimitMs).toBeGreaterThan(2 * API_SERVER_BOOKMARK_INTERVAL_MS);
    // ... but the latest the check can notice the silence is within three intervals (was ~6 minutes).
    expect(silenceLimitMs + checkEveryMs).toBeLessThanOrEqual(3 * API_SERVER_BOOKMARK_INTERVAL_MS);
    expect(() => watchLiveness(0)).toThrow(/bookmark interval must be positive/);
  });

  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('a stalled watch (open, silent) is restarted from the bookmark period alone and its change arrives', async () => {
    // The development cluster bookmarks every 100 ms; the forwarder is told that period and no watchdog.
    rig = await startRig({
      cluster: { bookmarkIntervalMs: 100 },
      forwarder: { bookmarkIntervalSeconds: 0.1, watchdogSeconds: undefined },
      before: (dc) => {
        dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { app: 'a' } } });
        dc.apply({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 's1', namespace: 'shop' },
          spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
        });
      },
    });
    const { dc, fwd, pub } = rig;
    await fwd.ready;
    await fwd.drained();
    await eventually(() => dc.hooks.openWatches('services') === 1, 'services watch open');
    const restarts = fwd.metrics().watchRestarts;
    expect(dc.hooks.stallWatches('services')).toBe(1);
    dc.label('v1', 'Service', 'shop', 's1', { stalled: 'no-more' });
    await eventually(
      () => finalState(pub).get('Service/shop/s1')?.object?.metadata.labels?.stalled === 'no-more',
      'the change the stalled watch withheld',
    );
    expect(fwd.metrics().watchRestarts).toBeGreaterThan(restarts);
    expectNoDeletes(pub);
  });
});
