/**
 * The sweep of one instance: store vs latest inventories, controller vs models. It repairs drift and removes
 * orphans carrying this instance's created_by, and it never deletes anything on a partial view.
 */
import { checksumField, matchesCurrent } from '../../shared/avi/checksum.ts';
import { tierOf } from '../../shared/avi/plan.ts';
import type { OwnedObject } from '../../shared/avi/reconciler.ts';
import type { ReconcileOutcome, SyncEngine, WorkingSet } from '../sync/engine.ts';
import type { InventoryCommand } from '../sync/plan.ts';
import { type ControllerObject, currentWithDrift, findOrphans, orphanRecord, wantedIds } from './decide.ts';
import { CLUSTER_INVENTORY, partialViewReasons } from './view-check.ts';

/** What the sweep needs from the Avi side (shared/avi's reconciler provides it). */
export interface SweepAvi {
  listOwned(opts?: { tenant?: string }): Promise<OwnedObject[]>;
}

export interface SweepOptions {
  avi: SweepAvi;
  /** Reads the registry (throws when it cannot): an unreadable registry is a partial view. */
  checkRegistry?: () => Promise<unknown> | unknown;
  /**
   * The initial sync of a cold start: on a partial view, still write what the models want (against the listing
   * when there is one) — but delete nothing.
   */
  reconcileOnPartial?: boolean;
  /** The newest cluster listing must be younger than this (default 1 h) for the sweep to delete anything. */
  maxInventoryAgeMs?: number;
  now?: () => number;
}

export interface SweepReport {
  ok: boolean;
  /** Why nothing was deleted this round (empty when the view was complete). */
  partial: string[];
  prunedFromStore: number;
  modelsChanged: number;
  /** Objects found changed on the controller by someone else (restored). */
  drifted: string[];
  orphansDeleted: string[];
  transientModels: string[];
}

export async function runSweep(engine: SyncEngine, ws: WorkingSet, opts: SweepOptions): Promise<SweepReport> {
  const log = engine.log.child({ operation: 'sweep' });
  const report: SweepReport = {
    ok: false,
    partial: [],
    prunedFromStore: 0,
    modelsChanged: 0,
    drifted: [],
    orphansDeleted: [],
    transientModels: [],
  };
  // 1. Registry readable?
  if (opts.checkRegistry) {
    try {
      await opts.checkRegistry();
    } catch (err) {
      report.partial.push(`registry unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  // 2. An inventory for every namespace this instance builds from.
  const namespaces = engine.contributingNamespaces(ws);
  const inventories = await engine.listInventories();
  report.partial.push(
    ...partialViewReasons({
      namespaces,
      inventories,
      liveObjects: [...ws.objects.values()].filter((o) => o.kind !== 'Namespace' && o.metadata.namespace).length,
      now: (opts.now ?? Date.now)(),
      ...(opts.maxInventoryAgeMs !== undefined ? { maxInventoryAgeMs: opts.maxInventoryAgeMs } : {}),
    }),
  );

  // 3. Store vs inventory, per namespace that has one (safe on its own: the listing is complete for it).
  for (const inv of inventories) {
    if (inv.namespace === CLUSTER_INVENTORY) continue;
    const cmd: InventoryCommand = {
      type: 'inventory',
      messageId: 'sweep',
      groupId: inv.namespace,
      namespace: inv.namespace,
      items: inv.entries.map((e) => ({ kind: e.kind, name: e.name, resourceVersion: e.resourceVersion })),
      takenAt: inv.observedAt,
      ...(inv.sequence ? { sequence: inv.sequence } : {}),
    };
    const r = await engine.pruneFromInventory(ws, cmd);
    report.prunedFromStore += r.pruned;
    if (r.result) for (const m of r.result.outcome.transient) report.transientModels.push(m);
  }

  // 4. The controller's objects carrying our created_by.
  let owned: ControllerObject[] | undefined;
  try {
    owned = (await opts.avi.listOwned()) as ControllerObject[];
  } catch (err) {
    report.partial.push(`cannot list the controller's objects: ${err instanceof Error ? err.message : String(err)}`);
  }

  if ((report.partial.length || !owned) && opts.reconcileOnPartial) {
    // Write what is wanted, delete nothing (orphans wait for a complete view).
    const models = await engine.buildAll(ws);
    const current = owned
      ? currentWithDrift(models, owned, { matches: matchesCurrent, checksumField }).current
      : undefined;
    const outcome = await engine.reconcileAll(ws, { models, ...(current ? { current } : {}) });
    report.modelsChanged = outcome.changed.size;
    report.transientModels.push(...outcome.transient);
    // An instance with nothing to serve yet (cold start, no namespaces) is not news; anything else is.
    const quiet = report.partial.every((p) => p.startsWith('empty view'));
    (quiet ? log.info : log.warn)('view is partial: models written, nothing deleted', {
      outcome: 'partial',
      reasons: report.partial,
    });
    return report;
  }
  if (report.partial.length || !owned) {
    log.warn('sweep view is partial: nothing deleted or repaired this round', {
      outcome: 'partial',
      reasons: report.partial,
    });
    await engine.status('skipped', 'sweep', { reason: report.partial.join('; ') });
    return report;
  }

  // 5. Rebuild everything and make the controller match, repairing out-of-band edits.
  const models = await engine.buildAll(ws);
  const { current, drifted } = currentWithDrift(models, owned, { matches: matchesCurrent, checksumField });
  if (drifted.length) log.info('objects changed out of band; restoring', { outcome: 'drift', objects: drifted });
  report.drifted = drifted;
  const outcome: ReconcileOutcome = await engine.reconcileAll(ws, { current, models });
  report.modelsChanged = outcome.changed.size;
  report.transientModels.push(...outcome.transient);

  // 6. Orphans: ours on the controller, wanted by no model and not tracked by any applied model.
  const wanted = wantedIds(models);
  for (const a of ws.applied.values()) for (const o of a.objects) wanted.add(`${o.tenant}/${o.type}/${o.name}`);
  const orphans = findOrphans(owned, wanted);
  if (orphans.length) {
    const res = await engine.removeRecord(orphanRecord(orphans, tierOf));
    for (const op of res.operations)
      if (op.ok && op.op === 'delete') report.orphansDeleted.push(`${op.tenant}/${op.type}/${op.name}`);
    if (!res.ok) report.transientModels.push('sweep/orphans');
  }
  report.ok = report.transientModels.length === 0;
  log.info('sweep done', {
    outcome: report.ok ? 'swept' : 'retry',
    prunedFromStore: report.prunedFromStore,
    modelsChanged: report.modelsChanged,
    orphansDeleted: report.orphansDeleted.length,
  });
  await engine.status('swept', 'sweep', {
    reason: `models changed ${report.modelsChanged}, orphans deleted ${report.orphansDeleted.length}, pruned ${report.prunedFromStore}`,
  });
  return report;
}
