// The runtime's health as the status page and `status` state it: "converged" only when queues are idle and nothing
// failed (issue 14: a green "converged" beside "errors 5 · dead letters 3" told the operator the wrong thing).
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../infra/local/commands/status.ts';
import { healthOf, type StatusSnapshot } from '../../infra/local/status/snapshot.ts';

const calm = { quiet: true, errors: 0, deadLetters: 0, conflicts: [] };

describe('health', () => {
  it('is converged only when idle with no error, dead letter or conflict', () => {
    expect(healthOf(calm)).toEqual({ state: 'converged', problems: [] });
    expect(healthOf({ ...calm, quiet: false }).state).toBe('syncing');
  });

  it('is degraded, naming each problem, whatever the queues do', () => {
    const h = healthOf({
      quiet: true,
      errors: 5,
      deadLetters: 3,
      conflicts: [{ cluster: 'demo', namespace: 'shop', instances: ['demo/avi-system', 'demo/blue'] }],
    });
    expect(h.state).toBe('degraded');
    expect(h.problems).toEqual(['5 errors', '3 dead letters', '1 namespace claimed by two instances (demo/shop)']);
    expect(healthOf({ ...calm, quiet: false, deadLetters: 1 }).problems).toEqual(['1 dead letter']);
  });

  it('`status` prints the state with its problems on the first line', () => {
    const s: StatusSnapshot = {
      startedAt: '2026-12-03T00:00:00Z',
      generatedAt: '2026-12-03T00:00:01Z',
      controller: 'https://avi.example.com',
      kubernetes: ['demo'],
      converged: true,
      health: healthOf({ ...calm, errors: 2 }),
      totals: { objectsSeen: 1, modelsApplied: 0, aviRequests: 0, errors: 2 },
      instances: [],
      conflicts: [],
      unownedNamespaces: [],
      recentEvents: [],
    };
    expect(formatStatus(s).split('\n')[0]).toBe(
      'controller https://avi.example.com; kubernetes demo; degraded: 2 errors',
    );
  });
});
