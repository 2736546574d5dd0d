import { STREAM_SEQUENCE_PATTERN } from '../events/index.ts';
import type { KubeObject, ObjectKey } from '../model/types.ts';
import { objectKey } from '../model/types.ts';
import type { EventPosition, FailureRecord, NamespaceInventory, NamespaceOwnership } from './types.ts';
import { failureId } from './types.ts';

/** Input checks shared by the adapters: what is wrong, where, and what to do. */
export function describeUpsert(obj: KubeObject): { key: ObjectKey; namespace: string; uid: string; rv: string } {
  if (!obj || typeof obj !== 'object' || !obj.metadata || typeof obj.metadata.name !== 'string' || !obj.kind) {
    throw new Error('store.upsertObject: object needs kind and metadata.name');
  }
  const key = objectKey(obj);
  const rv = obj.metadata.resourceVersion;
  if (typeof rv !== 'string' || rv === '') {
    throw new Error(`store.upsertObject: ${key} has no metadata.resourceVersion; upserts are ordered by it`);
  }
  return { key, namespace: obj.metadata.namespace ?? '', uid: obj.metadata.uid ?? '', rv };
}

/** The event's stream sequence, checked (a malformed one would silently mis-order every later event). */
export function checkSequence(key: ObjectKey, position: EventPosition | undefined): { sequence?: string } {
  const seq = position?.sequence;
  if (seq === undefined) return {};
  if (typeof seq !== 'string' || !STREAM_SEQUENCE_PATTERN.test(seq)) {
    throw new Error(
      `store: ${key}: stream sequence ${JSON.stringify(seq)} is not <13-digit stream>-<12-digit counter>; events carry it as \`sequence\``,
    );
  }
  return { sequence: seq };
}

export function checkDelete(key: ObjectKey, resourceVersion: string): void {
  if (typeof resourceVersion !== 'string' || resourceVersion === '') {
    throw new Error(`store.deleteObject: ${key} needs the resourceVersion of the delete (or the last one seen)`);
  }
}

/** `<kind>/<namespace>/<name>` → namespace ('' for cluster-scoped). */
export function namespaceOfKey(key: ObjectKey): string {
  const parts = key.split('/');
  if (parts.length < 3) throw new Error(`store: "${key}" is not an object key <kind>/<namespace>/<name>`);
  return parts[1] ?? '';
}

export function normalizeFailure(f: FailureRecord): FailureRecord & { id: string } {
  if (!f.reason) throw new Error('store.recordFailure: a failure needs a reason');
  return { ...f, id: f.id ?? failureId(f) };
}

export function ownership(
  namespace: string,
  state: NamespaceOwnership['state'],
  since: string,
  reason?: string,
): NamespaceOwnership {
  return reason === undefined ? { namespace, state, since } : { namespace, state, since, reason };
}

export function checkInventory(inv: NamespaceInventory): void {
  if (!inv || typeof inv.namespace !== 'string' || !Array.isArray(inv.entries)) {
    throw new Error('store.putInventory: an inventory needs namespace, observedAt and entries[]');
  }
}

export const NAMESPACE_STATES = new Set(['owned', 'held', 'released']);

export function checkNamespaceState(namespace: string, state: string): void {
  if (!NAMESPACE_STATES.has(state)) {
    throw new Error(`store.setNamespaceState(${namespace}): state "${state}" must be owned, held or released`);
  }
}
