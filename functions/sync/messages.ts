/**
 * SQS records → validated work items. A record that fails validation becomes a rejection whose reason names the
 * field; the handler dead-letters it and carries on with the rest of the batch.
 */
import type { SQSRecord } from 'aws-lambda';
import {
  CLUSTER_GROUP,
  type EncryptedSecret,
  type InstanceMessage,
  parseInstanceMessageBody,
} from '../../shared/events/index.ts';
import { objectKeyOf } from '../../shared/instance/working-set.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import type { InventoryCommand, ObjectChange, WorkItem } from './plan.ts';

/** A Secret's object as stored: TLS key material stays encrypted at rest (decrypted only into the model's view). */
export const ENCRYPTED_FIELD = 'encryptedSecret';

export type ParsedRecord =
  | { ok: true; item: WorkItem; cluster: string; namespaceLabels?: Record<string, string> }
  | { ok: false; messageId: string; groupId: string; reason: string };

export function groupOf(record: Pick<SQSRecord, 'attributes'>): string {
  return record.attributes?.MessageGroupId || CLUSTER_GROUP;
}

export { objectKeyOf };

export function parseRecord(record: SQSRecord, expectedCluster: string): ParsedRecord {
  const messageId = record.messageId;
  const groupId = groupOf(record);
  const parsed = parseInstanceMessageBody(record.body ?? '');
  if (!parsed.ok) return { ok: false, messageId, groupId, reason: parsed.reason };
  const msg = parsed.value;
  const cluster = clusterOf(msg);
  if (cluster !== expectedCluster) {
    return {
      ok: false,
      messageId,
      groupId,
      reason: `cluster: message for cluster "${cluster}" reached an instance of cluster "${expectedCluster}"; check the router's queue mapping`,
    };
  }
  return { ok: true, cluster, item: toWorkItem(msg, messageId, groupId), ...labelsOf(msg) };
}

function clusterOf(msg: InstanceMessage): string {
  switch (msg.type) {
    case 'object':
      return msg.change.cluster;
    case 'inventory':
      return msg.inventory.cluster;
    default:
      return msg.cluster;
  }
}

function labelsOf(msg: InstanceMessage): { namespaceLabels?: Record<string, string> } {
  if (msg.type === 'object' && msg.change.namespace) return { namespaceLabels: msg.change.namespaceLabels };
  if (msg.type === 'inventory' && msg.inventory.namespaceLabels)
    return { namespaceLabels: msg.inventory.namespaceLabels };
  return {};
}

function toWorkItem(msg: InstanceMessage, messageId: string, groupId: string): WorkItem {
  switch (msg.type) {
    case 'object': {
      const c = msg.change;
      const namespace = c.namespace ? c.namespace : undefined;
      let object: KubeObject | undefined;
      if (c.op === 'upsert' && c.object) {
        // The event's identity fields are authoritative (the trimmed object may omit them).
        object = {
          ...(c.object as KubeObject),
          metadata: {
            ...c.object.metadata,
            name: c.name,
            ...(namespace ? { namespace } : {}),
            uid: c.uid,
            resourceVersion: c.resourceVersion,
          },
        };
        if (!namespace) delete object.metadata.namespace;
        if (c.encryptedSecret) object[ENCRYPTED_FIELD] = c.encryptedSecret as EncryptedSecret;
      }
      const change: ObjectChange = {
        type: 'object',
        messageId,
        groupId,
        key: objectKeyOf(c.kind, namespace, c.name),
        kind: c.kind,
        namespace,
        name: c.name,
        uid: c.uid,
        resourceVersion: c.resourceVersion,
        op: c.op,
        ...(object ? { object } : {}),
        ...(c.sequence ? { sequence: c.sequence } : {}),
      };
      return change;
    }
    case 'hold':
    case 'adopt':
    case 'release':
      return {
        type: msg.type,
        messageId,
        groupId,
        namespace: msg.namespace,
        ...(msg.type === 'release' && msg.handoffTo ? { handoffTo: msg.handoffTo } : {}),
        ...(msg.handoffId ? { handoffId: msg.handoffId } : {}),
        ...(msg.sequence ? { sequence: msg.sequence } : {}),
        ...(msg.type !== 'hold' && msg.relist ? { relist: true } : {}),
      };
    case 'inventory': {
      const inv = msg.inventory;
      const item: InventoryCommand = {
        type: 'inventory',
        messageId,
        groupId,
        namespace: inv.namespace,
        items: inv.objects.map((o) => ({ kind: o.kind, name: o.name, resourceVersion: o.resourceVersion })),
        takenAt: inv.generatedAt,
        ...(inv.sequence ? { sequence: inv.sequence } : {}),
      };
      const listRv = (inv as { resourceVersion?: unknown }).resourceVersion;
      if (typeof listRv === 'string' && listRv) item.snapshotResourceVersion = listRv;
      return item;
    }
    case 'sweep':
      return { type: 'sweep', messageId, groupId, ...(msg.models?.length ? { models: msg.models } : {}) };
  }
}
