/** Pure builders of the forwarder's bus events (shared/events schemas) and their PutEvents entries. */
import {
  DetailType,
  type EncryptedSecret,
  FORWARDER_SOURCE,
  type InventoryEvent,
  type InventoryItem,
  type NamespaceChangedEvent,
  type ObjectChangeEvent,
  SCHEMA_VERSION,
} from '../../shared/events/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import type { WatchedKind } from './kinds.ts';
import type { PublishEntry } from './publishers/types.ts';

export function upsertEvent(
  cluster: string,
  kind: WatchedKind,
  object: KubeObject,
  namespaceLabels: Record<string, string>,
  encryptedSecret?: EncryptedSecret,
): ObjectChangeEvent {
  const md = object.metadata;
  return {
    version: SCHEMA_VERSION,
    cluster,
    kind: kind.kind,
    apiVersion: kind.apiVersion,
    ...(kind.namespaced && md.namespace ? { namespace: md.namespace } : {}),
    name: md.name,
    uid: md.uid ?? '',
    resourceVersion: md.resourceVersion ?? '',
    op: 'upsert',
    namespaceLabels,
    object,
    ...(encryptedSecret ? { encryptedSecret } : {}),
  };
}

export interface Tombstone {
  uid: string;
  resourceVersion: string;
  namespaceLabels: Record<string, string>;
}

export function deleteEvent(
  cluster: string,
  kind: WatchedKind,
  namespace: string | undefined,
  name: string,
  tomb: Tombstone,
): ObjectChangeEvent {
  return {
    version: SCHEMA_VERSION,
    cluster,
    kind: kind.kind,
    apiVersion: kind.apiVersion,
    ...(kind.namespaced && namespace ? { namespace } : {}),
    name,
    uid: tomb.uid,
    resourceVersion: tomb.resourceVersion,
    op: 'delete',
    namespaceLabels: tomb.namespaceLabels,
  };
}

export function namespaceChangedEvent(
  cluster: string,
  namespace: string,
  oldLabels: Record<string, string>,
  newLabels: Record<string, string>,
  resourceVersion?: string,
): NamespaceChangedEvent {
  return {
    version: SCHEMA_VERSION,
    cluster,
    namespace,
    oldLabels,
    newLabels,
    ...(resourceVersion ? { resourceVersion } : {}),
  };
}

export function inventoryEvent(
  cluster: string,
  namespace: string,
  objects: InventoryItem[],
  generatedAt: Date,
  namespaceLabels?: Record<string, string>,
): InventoryEvent {
  return {
    version: SCHEMA_VERSION,
    cluster,
    namespace,
    ...(namespaceLabels ? { namespaceLabels } : {}),
    generatedAt: generatedAt.toISOString(),
    objects: [...objects].sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1)),
  };
}

export function toEntry(
  detailType: (typeof DetailType)[keyof typeof DetailType],
  detail: ObjectChangeEvent | NamespaceChangedEvent | InventoryEvent,
): PublishEntry {
  return { Source: FORWARDER_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) };
}

export { DetailType };
