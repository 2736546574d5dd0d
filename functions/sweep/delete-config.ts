/**
 * deleteConfig for one instance: remove every Avi object carrying its created_by (what it applied, then whatever
 * the controller still lists for it) and stop syncing. Cluster-wide pieces (static routes, SE group label) are the
 * primary function's business (functions/primary).
 */
import { tierOf } from '../../shared/avi/plan.ts';
import type { SyncEngine, WorkingSet } from '../sync/engine.ts';
import { type ControllerObject, orphanRecord } from './decide.ts';
import type { SweepAvi } from './sweep.ts';

export interface DeleteConfigReport {
  ok: boolean;
  modelsRemoved: string[];
  objectsDeleted: string[];
  problems: string[];
}

export async function runDeleteConfig(engine: SyncEngine, ws: WorkingSet, avi?: SweepAvi): Promise<DeleteConfigReport> {
  const report: DeleteConfigReport = { ok: true, modelsRemoved: [], objectsDeleted: [], problems: [] };
  for (const name of [...ws.applied.keys()].sort()) {
    const out = { transient: new Set<string>(), permanent: new Set<string>(), changed: new Set<string>() };
    await engine.reconcileOne(ws, name, undefined, out);
    if (out.transient.size || out.permanent.size) {
      report.ok = false;
      report.problems.push(`model ${name} could not be removed completely`);
    } else report.modelsRemoved.push(name);
  }
  if (avi) {
    let owned: ControllerObject[] | undefined;
    try {
      owned = (await avi.listOwned()) as ControllerObject[];
    } catch (err) {
      report.ok = false;
      report.problems.push(`cannot list the controller's objects: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (owned?.length) {
      const res = await engine.removeRecord(orphanRecord(owned, tierOf));
      for (const op of res.operations) {
        if (op.ok && op.op === 'delete') report.objectsDeleted.push(`${op.tenant}/${op.type}/${op.name}`);
        else if (!op.ok) {
          report.ok = false;
          report.problems.push(`${op.type} ${op.name}: ${op.message ?? 'failed'}`);
        }
      }
    }
  }
  engine.log.info('deleteConfig: instance objects removed', {
    operation: 'delete-config',
    outcome: report.ok ? 'removed' : 'retry',
    models: report.modelsRemoved.length,
    objects: report.objectsDeleted.length,
    problems: report.problems,
  });
  return report;
}
