import type { PutOutcome } from './types.ts';

/**
 * Ordering and idempotency decisions, shared by every store adapter and the sync's batch coalescing (pure functions).
 *
 * Kubernetes allows clients to compare resourceVersions only for equality, so they never order anything here:
 * - Events carry the forwarder's **stream sequence** (`<stream start ms>-<counter>`, fixed width, compared as
 *   strings). When both the stored state and the incoming event have one, the later sequence wins and an earlier
 *   one is stale, whatever the uid or resourceVersion says: a restored or rebuilt API server (fresh uids,
 *   restarted resourceVersions) converges as soon as the forwarder relists it.
 * - Without a sequence on both sides, rules that need no order apply: the same uid and resourceVersion is the same
 *   version (a delete at the last known version, as a relist or sweep sends it, ends the live object); a
 *   tombstone is final for its uid; a uid replaced by another is retired; otherwise the latest arrival wins
 *   (SQS FIFO delivers one namespace's messages in order).
 * - A uid change is a new object: the old uid is retired.
 */

/** How many earlier uids of one key are remembered so their late events are rejected. */
export const RETIRED_UID_LIMIT = 8;

/** Equality is all the Kubernetes API allows on resourceVersions: 0 when equal, undefined otherwise. */
export function compareResourceVersions(a: string, b: string): 0 | undefined {
  return a === b ? 0 : undefined;
}

/** -1/0/1 for two stream sequences (fixed width: string order is stream order). */
export function compareSequences(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** The ordering-relevant part of a stored object record. */
export interface VersionState {
  uid: string;
  resourceVersion: string;
  deleted: boolean;
  retiredUids?: readonly string[];
  /** Stream sequence of the event that produced this state, when it had one. */
  sequence?: string;
}

/** An incoming upsert (deleted=false) or delete (deleted=true). An empty uid means "the stored uid". */
export interface VersionEvent {
  uid: string;
  resourceVersion: string;
  deleted: boolean;
  sequence?: string;
}

export function decideObjectWrite(stored: VersionState | undefined, incoming: VersionEvent): PutOutcome {
  if (!stored) return 'applied';
  const uid = incoming.uid || stored.uid;
  const sameVersion = uid === stored.uid && incoming.resourceVersion === stored.resourceVersion;
  if (stored.sequence && incoming.sequence) {
    const cmp = compareSequences(incoming.sequence, stored.sequence);
    if (cmp < 0) return 'stale';
    if (cmp === 0) return 'duplicate';
    // A later position in the stream: the forwarder's latest knowledge of the object.
    if (sameVersion && incoming.deleted === stored.deleted) return 'duplicate';
    return 'applied';
  }
  if (stored.retiredUids?.includes(uid)) return 'stale';
  if (uid !== stored.uid) return 'applied';
  if (sameVersion) {
    // A delete observed at the last known version (relist, sweep) ends the live object; nothing revives it.
    if (incoming.deleted === stored.deleted) return 'duplicate';
    return incoming.deleted ? 'applied' : 'stale';
  }
  // Another version of the same uid: nothing follows its delete; otherwise arrival order.
  return stored.deleted ? 'stale' : 'applied';
}

/**
 * A redelivered version at a later stream position ('duplicate' by decideObjectWrite) still moves the stored
 * position forward: otherwise an event between the two positions, arriving late, would look newer than the state.
 */
export function advancesPosition(stored: VersionState | undefined, incoming: VersionEvent): boolean {
  return Boolean(stored?.sequence && incoming.sequence && compareSequences(incoming.sequence, stored.sequence) > 0);
}

/** The version state after applying `incoming` to `stored` (call only when decideObjectWrite said 'applied'). */
export function nextVersionState(
  stored: VersionState | undefined,
  incoming: VersionEvent,
): { uid: string; resourceVersion: string; deleted: boolean; retiredUids: string[]; sequence?: string } {
  const uid = incoming.uid || stored?.uid || '';
  let retired = [...(stored?.retiredUids ?? [])].filter((u) => u !== uid);
  if (stored?.uid && stored.uid !== uid) retired = [stored.uid, ...retired].slice(0, RETIRED_UID_LIMIT);
  // An event without a sequence (a relist's or sweep's delete) keeps the position the stored state had reached.
  const sequence = incoming.sequence ?? stored?.sequence;
  return {
    uid,
    resourceVersion: incoming.resourceVersion,
    deleted: incoming.deleted,
    retiredUids: retired,
    ...(sequence ? { sequence } : {}),
  };
}

/**
 * Of two events of one object, the one that decides its state (the same rule the store applies):
 * `b` when it would replace `a` as stored state, else `a`. Batches coalesce with it in delivery order.
 */
export function laterEvent<T extends VersionEvent>(a: T, b: T): T {
  const outcome = decideObjectWrite(a, b);
  return outcome === 'applied' || (outcome === 'duplicate' && advancesPosition(a, b)) ? b : a;
}

/** Parse an inventory's observedAt, with a clear error when it is not a time. */
export function inventoryTime(observedAt: string, namespace: string): number {
  const t = Date.parse(observedAt);
  if (Number.isNaN(t)) {
    throw new Error(
      `inventory of namespace "${namespace}": observedAt "${observedAt}" is not an ISO date-time; send e.g. "2026-01-01T00:00:00Z"`,
    );
  }
  return t;
}

export function decideInventoryWrite(storedAt: number | undefined, incomingAt: number): PutOutcome {
  if (storedAt === undefined || incomingAt > storedAt) return 'applied';
  return incomingAt === storedAt ? 'duplicate' : 'stale';
}
