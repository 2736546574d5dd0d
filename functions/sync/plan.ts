/**
 * Pure decisions of the sync function: how a batch is split and coalesced, which messages fail when a
 * model fails, how a namespace moves between owned / held / released, and what an inventory prunes.
 * No I/O here, so every rule is unit-tested on its own.
 */
import type { KubeObject, ObjectKey } from '../../shared/model/types.ts';
import { compareSequences, laterEvent } from '../../shared/store/ordering.ts';
import type { NamespaceState } from '../../shared/store/types.ts';

export type { NamespaceState };

/** One object change, as the handler sees it after validation. */
export interface ObjectChange {
  type: 'object';
  messageId: string;
  /** SQS MessageGroupId (namespace, or `_cluster`). */
  groupId: string;
  key: ObjectKey;
  kind: string;
  namespace: string | undefined;
  name: string;
  uid: string;
  resourceVersion: string;
  op: 'upsert' | 'delete';
  object?: KubeObject;
  /** The forwarder's stream sequence: orders the changes of one object (shared/store/ordering.ts). */
  sequence?: string;
}

export type NamespaceCommandType = 'hold' | 'release' | 'adopt';

export interface NamespaceCommand {
  type: NamespaceCommandType;
  messageId: string;
  groupId: string;
  namespace: string;
  /** release: the instance taking the namespace over (echoed in release-confirmed). */
  handoffTo?: string;
  /** The router's id of one hand-off: echoed by release-confirmed, matched by adopt against the latest hold. */
  handoffId?: string;
  /** Stream position of the namespace state the command was decided on. */
  sequence?: string;
  /** A relist release (another instance owns the namespace now) or the adopt that follows one. */
  relist?: boolean;
}

export interface InventoryItem {
  kind: string;
  name: string;
  resourceVersion: string;
}

export interface InventoryCommand {
  type: 'inventory';
  messageId: string;
  groupId: string;
  namespace: string;
  items: InventoryItem[];
  /** The list's resourceVersion: objects the store saw after it are newer than the inventory. */
  snapshotResourceVersion?: string;
  takenAt?: string;
  /** The forwarder's stream sequence when the listing was taken. */
  sequence?: string;
}

export interface SweepCommand {
  type: 'sweep';
  messageId: string;
  groupId: string;
  /** Rebuild only these models (no full sweep). */
  models?: string[];
}

export type WorkItem = ObjectChange | NamespaceCommand | InventoryCommand | SweepCommand;

/**
 * Of two changes of one object (`b` delivered after `a`), the one that decides its state, by the store's rule
 * (shared/store/ordering.ts): the later stream sequence; without sequences, delivery order, except that a
 * delete at the same version ends the object. resourceVersions are compared only for equality.
 */
export function laterChange(a: ObjectChange, b: ObjectChange): ObjectChange {
  const ev = (c: ObjectChange) => ({
    uid: c.uid,
    resourceVersion: c.resourceVersion,
    deleted: c.op === 'delete',
    ...(c.sequence ? { sequence: c.sequence } : {}),
  });
  const first = ev(a);
  return laterEvent(first, ev(b)) === first ? a : b;
}

export interface CoalescedChange {
  /** The change that decides the object's state in this batch. */
  winner: ObjectChange;
  /** Every message id that carried a change of this object (all succeed or fail together). */
  messageIds: string[];
}

/** Latest state wins per object key; the result is independent of the order inside the batch. */
export function coalesceChanges(changes: ObjectChange[]): Map<ObjectKey, CoalescedChange> {
  const out = new Map<ObjectKey, CoalescedChange>();
  for (const ch of changes) {
    const cur = out.get(ch.key);
    if (!cur) out.set(ch.key, { winner: ch, messageIds: [ch.messageId] });
    else {
      cur.winner = laterChange(cur.winner, ch);
      cur.messageIds.push(ch.messageId);
    }
  }
  return out;
}

export type Segment =
  | { type: 'objects'; changes: ObjectChange[] }
  | { type: 'command'; item: Exclude<WorkItem, ObjectChange> };

/**
 * Object changes between two commands are handled together; a command (hold/release/adopt/inventory/sweep)
 * sees every change delivered before it, as FIFO order promises.
 */
export function segmentBatch(items: WorkItem[]): Segment[] {
  const out: Segment[] = [];
  let run: ObjectChange[] = [];
  for (const it of items) {
    if (it.type === 'object') run.push(it);
    else {
      if (run.length) out.push({ type: 'objects', changes: run });
      run = [];
      out.push({ type: 'command', item: it });
    }
  }
  if (run.length) out.push({ type: 'objects', changes: run });
  return out;
}

/**
 * SQS FIFO: once a message of a group fails, every later message of that group must be retried too,
 * or the group would be processed out of order on redelivery.
 */
export function expandFailuresByGroup(
  ordered: { messageId: string; groupId: string }[],
  failed: ReadonlySet<string>,
): string[] {
  const brokenGroups = new Set<string>();
  const out: string[] = [];
  for (const m of ordered) {
    if (failed.has(m.messageId) || brokenGroups.has(m.groupId)) {
      brokenGroups.add(m.groupId);
      out.push(m.messageId);
    }
  }
  return out;
}

/** Messages to retry: those that touched a model whose apply failed transiently. */
export function messagesOfFailedModels(
  messageModels: ReadonlyMap<string, ReadonlySet<string>>,
  failedModels: ReadonlySet<string>,
): Set<string> {
  const out = new Set<string>();
  if (failedModels.size === 0) return out;
  for (const [id, models] of messageModels) {
    for (const m of models)
      if (failedModels.has(m)) {
        out.add(id);
        break;
      }
  }
  return out;
}

/**
 * Namespace ownership as the sync function tracks it:
 * - owned: its objects build models;
 * - held: its objects are kept but contribute nothing (the router moves it here; the old owner still has to release);
 * - released: given away; late objects are kept but contribute nothing;
 * - unknown: never heard of; the router sends us objects only for namespaces we own, so the first object owns it.
 */
export interface NamespaceTransition {
  next: NamespaceState;
  /** Rebuild every model with objects in the namespace (its contribution appears or disappears). */
  rebuild: boolean;
  /** Publish release-confirmed once the namespace's Avi objects are gone. */
  confirmRelease: boolean;
}

export function namespaceTransition(
  current: NamespaceState | undefined,
  command: NamespaceCommandType,
): NamespaceTransition {
  const wasContributing = current === 'owned' || current === undefined;
  switch (command) {
    case 'adopt':
      return { next: 'owned', rebuild: current !== 'owned', confirmRelease: false };
    case 'hold':
      return { next: 'held', rebuild: wasContributing, confirmRelease: false };
    case 'release':
      // Confirm even when already released: the router may have lost the first confirmation.
      return { next: 'released', rebuild: wasContributing, confirmRelease: true };
  }
}

/** Whether objects of a namespace in this state build models. Unknown namespaces are implicitly owned. */
export { contributes } from '../../shared/instance/working-set.ts';

export interface StoredRef {
  key: ObjectKey;
  kind: string;
  name: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp?: string;
  /** Stream sequence of the stored state's last event, when known. */
  sequence?: string;
}

/** Clock skew allowed between the forwarder (inventory time) and the API server (creationTimestamp). */
export const INVENTORY_SKEW_MS = 60_000;

/**
 * Objects of a namespace that the inventory (a relist: the truth) no longer lists were deleted while events were
 * lost. An object missing from the listing may also simply be newer than it (created after the LIST); it is pruned
 * only when it is provably older: its last event is earlier in the forwarder's stream than the listing, or (when
 * either has no stream sequence) it was created well before the listing was taken. resourceVersions are never
 * ordered (the API allows only equality; a restored API server restarts them).
 */
export function inventoryPrunes(
  stored: StoredRef[],
  inventory: InventoryItem[],
  opts: { snapshotResourceVersion?: string; takenAt?: string; sequence?: string } = {},
): StoredRef[] {
  const listed = new Set(inventory.map((i) => `${i.kind}/${i.name}`));
  const takenAt = opts.takenAt ? Date.parse(opts.takenAt) : Number.NaN;
  return stored.filter((s) => {
    if (listed.has(`${s.kind}/${s.name}`)) return false;
    if (opts.sequence && s.sequence) return compareSequences(s.sequence, opts.sequence) < 0;
    const created = s.creationTimestamp ? Date.parse(s.creationTimestamp) : Number.NaN;
    return !Number.isNaN(created) && !Number.isNaN(takenAt) && created < takenAt - INVENTORY_SKEW_MS;
  });
}

/** Union helper used when merging affected-model sets. */
export function addAll<T>(into: Set<T>, from: Iterable<T>): Set<T> {
  for (const x of from) into.add(x);
  return into;
}
