import { describe, expect, it } from 'vitest';
import { controllerResponseMetrics, createRuntimeMetrics } from '../../infra/local/status/runtime-metrics.ts';
import type { AviClientStats } from '../../shared/avi/client.ts';

const stats = (byStatus: Record<string, number>) => ({ stats: () => ({ byStatus }) as unknown as AviClientStats });

describe('metrics that accumulate over a run', () => {
  it('counts the controller’s 429s per instance beside every other status', async () => {
    const text = await controllerResponseMetrics(
      new Map([
        ['demo/blue', stats({ '200': 40, '429': 3 })],
        ['demo/avi-system', stats({ '201': 5 })],
      ]),
    ).metrics();
    expect(text).toContain('ako_controller_throttled_total{instance="demo/blue"} 3');
    expect(text).toContain('ako_controller_throttled_total{instance="demo/avi-system"} 0');
    expect(text).toContain('ako_controller_responses_total{instance="demo/blue",status="429"} 3');
    expect(text).toContain('# TYPE ako_controller_responses_total counter');
  });

  it('puts each processed message in a latency bucket of its instance', async () => {
    const m = createRuntimeMetrics();
    m.synced('demo/blue', 80);
    m.synced('demo/blue', 3_000);
    const text = await m.registry.metrics();
    expect(text).toContain('ako_sync_latency_seconds_bucket{le="0.1",instance="demo/blue"} 1');
    expect(text).toContain('ako_sync_latency_seconds_bucket{le="5",instance="demo/blue"} 2');
    expect(text).toContain('ako_sync_latency_seconds_count{instance="demo/blue"} 2');
  });
});
