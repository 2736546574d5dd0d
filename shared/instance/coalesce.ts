/**
 * Burst coalescing: while messages wait behind the batch being processed, the models it touched are remembered
 * instead of written; they are written once the backlog is drained (or after `maxDeferMs`, so a steady stream
 * cannot starve them). A shard's pool group / VsVip / datascript is then written about once per burst.
 */
export const DEFAULT_MAX_DEFER_MS = 2_000;

export interface BurstCoalescer {
  /** Remember models whose write waits for the backlog to drain. */
  defer(models: Iterable<string>, now: number): void;
  /** The models were written (by any path): nothing left to do for them. */
  settled(models: Iterable<string>): void;
  /** Models to write now: all of them once nothing waits behind, else those deferred for `maxDeferMs`. */
  due(waitingBehind: number, now: number): Set<string>;
  readonly size: number;
}

export function createBurstCoalescer(maxDeferMs = DEFAULT_MAX_DEFER_MS): BurstCoalescer {
  const deferred = new Map<string, number>();
  return {
    defer(models, now) {
      for (const m of models) if (!deferred.has(m)) deferred.set(m, now);
    },
    settled(models) {
      for (const m of models) deferred.delete(m);
    },
    due(waitingBehind, now) {
      const out = new Set<string>();
      for (const [m, at] of deferred) if (waitingBehind <= 0 || now - at >= maxDeferMs) out.add(m);
      return out;
    },
    get size() {
      return deferred.size;
    },
  };
}
