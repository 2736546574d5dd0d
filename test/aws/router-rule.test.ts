// The router's EventBridge rule: every event the router routes matches it; sync-status events (one per applied
// model) do not, so they never invoke the router.
import { describe, expect, it } from 'vitest';
import { buildStack, DEFAULT_STACK_OPTIONS } from '../../infra/aws/stack.ts';
import { DetailType, FORWARDER_SOURCE, SYNC_SOURCE } from '../../shared/events/index.ts';
import { parseRegistry } from '../../shared/registry/index.ts';

const registry = parseRegistry(
  JSON.stringify({
    instances: [
      {
        namespace: 'avi-system',
        values: {
          AKOSettings: { clusterName: 'c1', primaryInstance: true },
          ControllerSettings: { controllerHost: 'avi.example.com', controllerVersion: '22.1.3' },
          NetworkSettings: { vipNetworkList: [{ networkName: 'vip', cidr: '10.0.0.0/24' }] },
        },
      },
    ],
  }),
  { baseDir: process.cwd() },
);

/** EventBridge matching for the pattern fields used here: every listed field must list the event's value. */
function matches(pattern: Record<string, unknown>, event: { source: string; 'detail-type': string }): boolean {
  return Object.entries(pattern).every(([k, v]) => !Array.isArray(v) || v.includes(event[k as keyof typeof event]));
}

describe('router rule', () => {
  const stack = buildStack(registry, { ...DEFAULT_STACK_OPTIONS, stage: 'test' });
  const router = Object.values(stack.functions).find((f) => f.handler.includes('router'))!;
  const pattern = (router.events as { eventBridge: { pattern: Record<string, unknown> } }[])[0]!.eventBridge.pattern;

  it('matches everything the router routes, from the forwarder and from sync functions', () => {
    for (const dt of [DetailType.objectChange, DetailType.namespaceChanged, DetailType.inventory])
      expect(matches(pattern, { source: FORWARDER_SOURCE, 'detail-type': dt })).toBe(true);
    for (const dt of [DetailType.releaseConfirmed, DetailType.sweepRequested])
      expect(matches(pattern, { source: SYNC_SOURCE, 'detail-type': dt })).toBe(true);
  });

  it('does not match sync-status events', () => {
    expect(matches(pattern, { source: SYNC_SOURCE, 'detail-type': DetailType.syncStatus })).toBe(false);
  });
});
