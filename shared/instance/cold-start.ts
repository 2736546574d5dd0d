/**
 * Cold start of an instance (fresh state store: Lambda with an empty table, `start`, a new installation):
 * object changes are stored but not written to the controller until the forwarder's first inventory for every
 * namespace the instance builds from has arrived (or a short wait has passed). Then one initial sync builds
 * everything once against a listing of the controller, so each object is written about once, objects that already
 * match are left alone (take-over), and orphans are deleted when the view is complete. Pure decisions.
 */

/** Default wait for the first inventories before syncing anyway (without deleting orphans). */
export const DEFAULT_INITIAL_WAIT_MS = 30_000;

export interface InitialSyncInput {
  /** Namespaces the instance builds from (objects stored, or owned by state). */
  namespaces: Iterable<string>;
  /** Namespaces with an inventory in the store (`_cluster` for the cluster-scoped one). */
  inventoried: Iterable<string>;
  /** Time since the instance started waiting. */
  waitedMs: number;
  maxWaitMs: number;
}

export interface InitialSyncDecision {
  /** Run the initial sync now. */
  due: boolean;
  /** Namespaces still without an inventory (the sync then deletes nothing). */
  missing: string[];
}

export function initialSyncDecision(input: InitialSyncInput): InitialSyncDecision {
  const have = new Set(input.inventoried);
  const missing = [...new Set(input.namespaces)].filter((ns) => !have.has(ns)).sort();
  // No inventory at all yet: nothing proves the objects seen so far are everything.
  const complete = have.size > 0 && missing.length === 0;
  return { due: complete || input.waitedMs >= input.maxWaitMs, missing };
}
