/**
 * Inventories (the forwarder's relists) of one instance: stored, and the objects they prove were deleted while
 * events were lost are removed. resourceVersions are never ordered; the stream position and creation time are.
 */
import type { WorkingSet } from '../../shared/instance/working-set.ts';
import type { Logger } from '../../shared/log.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { withStreamSequences } from '../../shared/store/relist.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import { type InventoryCommand, inventoryPrunes, type ObjectChange, type StoredRef } from './plan.ts';

export interface InventoryDeps<R> {
  instance: InstanceConfig;
  store: InstanceStore;
  log: Logger;
  now(): Date;
  processObjects(ws: WorkingSet, changes: ObjectChange[]): Promise<R>;
}

export function createInventoryHandling<R>(deps: InventoryDeps<R>) {
  const { instance, store, log, processObjects } = deps;

  function storedRefs(ws: WorkingSet, namespace: string): StoredRef[] {
    const out: StoredRef[] = [];
    for (const [key, o] of ws.objects) {
      if ((o.metadata.namespace || '') !== namespace || o.kind === 'Namespace') continue;
      out.push({
        key,
        kind: o.kind,
        name: o.metadata.name,
        uid: o.metadata.uid ?? '',
        resourceVersion: o.metadata.resourceVersion ?? '0',
        ...(o.metadata.creationTimestamp ? { creationTimestamp: o.metadata.creationTimestamp } : {}),
      });
    }
    return out;
  }

  /** Store the inventory and drop the objects it proves were deleted while events were lost. */
  async function processInventory(ws: WorkingSet, inv: InventoryCommand) {
    const storeNs = inv.namespace || '_cluster';
    const put = await store.putInventory({
      namespace: storeNs,
      cluster: instance.clusterName,
      observedAt: inv.takenAt ?? deps.now().toISOString(),
      entries: inv.items.map((i) => ({ kind: i.kind, name: i.name, resourceVersion: i.resourceVersion })),
      ...(inv.sequence ? { sequence: inv.sequence } : {}),
    });
    if (put === 'stale') return { pruned: 0, result: undefined };
    return pruneFromInventory(ws, inv);
  }

  async function pruneFromInventory(ws: WorkingSet, inv: InventoryCommand) {
    const refs = await withStreamSequences(store, storedRefs(ws, inv.namespace), inv.items);
    const prunes = inventoryPrunes(refs, inv.items, {
      ...(inv.snapshotResourceVersion ? { snapshotResourceVersion: inv.snapshotResourceVersion } : {}),
      ...(inv.takenAt ? { takenAt: inv.takenAt } : {}),
      ...(inv.sequence ? { sequence: inv.sequence } : {}),
    });
    if (!prunes.length) return { pruned: 0, result: undefined };
    log.info('inventory: removing objects deleted while events were lost', {
      namespace: inv.namespace,
      operation: 'inventory',
      objects: prunes.map((p) => p.key),
    });
    const changes: ObjectChange[] = prunes.map((p) => ({
      type: 'object',
      messageId: inv.messageId,
      groupId: inv.groupId,
      key: p.key,
      kind: p.kind,
      namespace: inv.namespace || undefined,
      name: p.name,
      uid: p.uid,
      resourceVersion: p.resourceVersion,
      op: 'delete',
      ...(inv.sequence ? { sequence: inv.sequence } : {}),
    }));
    const result = await processObjects(ws, changes);
    return { pruned: prunes.length, result };
  }

  return { processInventory, pruneFromInventory };
}
