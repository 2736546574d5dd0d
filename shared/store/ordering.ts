import type { PutOutcome } from './types.ts';

/**
 * Ordering and idempotency decisions, shared by every store adapter (pure functions).
 *
 * resourceVersion: Kubernetes declares it opaque, but every real API server (etcd revision), the forwarder and the
 * development cluster produce decimal integers from one cluster-wide counter. When both versions are integers we
 * compare them numerically, which also orders events of different uids of the same key (a re-created object always
 * has a higher version than the deleted one). When either is not an integer we fall back to rules that need no order:
 * the same string is the same version, a tombstone is final for its uid, a uid replaced by another is retired, and
 * otherwise the latest arrival wins.
 */

/** How many earlier uids of one key are remembered so their late events are rejected. */
export const RETIRED_UID_LIMIT = 8;

const INTEGER = /^\d+$/;

/** -1/0/1 for integer versions (or equal strings); undefined when the two cannot be ordered. */
export function compareResourceVersions(a: string, b: string): number | undefined {
  if (a === b) return 0;
  if (!INTEGER.test(a) || !INTEGER.test(b)) return undefined;
  // Compare as arbitrary-size integers without BigInt: strip leading zeros, then length, then digits.
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** The ordering-relevant part of a stored object record. */
export interface VersionState {
  uid: string;
  resourceVersion: string;
  deleted: boolean;
  retiredUids?: readonly string[];
}

/** An incoming upsert (deleted=false) or delete (deleted=true). An empty uid means "the stored uid". */
export interface VersionEvent {
  uid: string;
  resourceVersion: string;
  deleted: boolean;
}

export function decideObjectWrite(stored: VersionState | undefined, incoming: VersionEvent): PutOutcome {
  if (!stored) return 'applied';
  const uid = incoming.uid || stored.uid;
  if (stored.retiredUids?.includes(uid)) return 'stale';
  const cmp = compareResourceVersions(incoming.resourceVersion, stored.resourceVersion);
  if (uid === stored.uid) {
    if (cmp === undefined) {
      // Opaque versions of one uid: nothing follows its delete; otherwise arrival order.
      return stored.deleted ? 'stale' : 'applied';
    }
    if (cmp > 0) return 'applied';
    if (cmp < 0) return 'stale';
    // Same version: a delete observed at the last known version (relist, sweep) beats the live state.
    if (incoming.deleted === stored.deleted) return 'duplicate';
    return incoming.deleted ? 'applied' : 'stale';
  }
  // A different uid: a re-created object wins unless integer versions show it is older than what is stored.
  if (cmp === undefined) return 'applied';
  return cmp > 0 ? 'applied' : 'stale';
}

/** The version state after applying `incoming` to `stored` (call only when decideObjectWrite said 'applied'). */
export function nextVersionState(
  stored: VersionState | undefined,
  incoming: VersionEvent,
): { uid: string; resourceVersion: string; deleted: boolean; retiredUids: string[] } {
  const uid = incoming.uid || stored?.uid || '';
  let retired = [...(stored?.retiredUids ?? [])];
  if (stored?.uid && stored.uid !== uid) retired = [stored.uid, ...retired].slice(0, RETIRED_UID_LIMIT);
  return { uid, resourceVersion: incoming.resourceVersion, deleted: incoming.deleted, retiredUids: retired };
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
