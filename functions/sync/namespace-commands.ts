/**
 * hold / release / adopt of one instance: the namespace's state, what its models lose or gain, and the
 * confirmation that lets the new owner adopt. Which commands still apply is decided in shared/instance/hand-off.ts.
 */
import { handoffReason, handoffVerdict, readHandoffMemory } from '../../shared/instance/hand-off.ts';
import type { createReporting, PublishedEvent } from '../../shared/instance/reporting.ts';
import { namespaceOfKey, type WorkingSet } from '../../shared/instance/working-set.ts';
import type { Logger } from '../../shared/log.ts';
import type { ClusterView, KubeObject, ObjectKey } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import type { ReconcileOutcome } from './engine.ts';
import { addAll, type NamespaceCommand, namespaceTransition } from './plan.ts';

export interface NamespaceCommandDeps {
  instance: InstanceConfig;
  store: InstanceStore;
  log: Logger;
  publish(event: PublishedEvent): Promise<void> | void;
  status: ReturnType<typeof createReporting>['status'];
  buildView(ws: WorkingSet): Promise<ClusterView>;
  reconcileModels(ws: WorkingSet, names: Set<string>, view: ClusterView): Promise<ReconcileOutcome>;
  affectedBy(view: ClusterView, o: KubeObject | undefined, key: ObjectKey, into: Set<string>): void;
}

export function createNamespaceCommands(deps: NamespaceCommandDeps) {
  const { instance, store, log, status, buildView, reconcileModels, affectedBy } = deps;

  /** Models built (or last applied) from objects of one namespace. */
  function modelsOfNamespace(ws: WorkingSet, view: ClusterView, namespace: string, into: Set<string>): void {
    for (const [key, o] of ws.objects) {
      if ((o.metadata.namespace || '') !== namespace) continue;
      affectedBy(view, o, key, into);
    }
    for (const [key, models] of ws.sources) if (namespaceOfKey(key) === namespace) addAll(into, models);
  }

  /** hold / release / adopt. Returns false when the message must be retried. */
  async function processNamespaceCommand(ws: WorkingSet, cmd: NamespaceCommand): Promise<boolean> {
    const current = ws.states.get(cmd.namespace);
    const stored = await store.getNamespaceState(cmd.namespace);
    const memory = readHandoffMemory(stored?.reason);
    // Late or repeated commands of a hand-off already finished here change nothing (shared/instance/hand-off.ts).
    const verdict = handoffVerdict(cmd, current, memory, servesNamespace(ws, cmd.namespace));
    if (!verdict.apply) {
      log.info(`stale ${cmd.type} ignored: ${verdict.why}`, {
        namespace: cmd.namespace,
        operation: cmd.type,
        outcome: 'ignored',
      });
      if (verdict.reconfirm) await confirmRelease(cmd);
      return true;
    }
    const tr = namespaceTransition(current, cmd.type);
    const names = new Set<string>();
    // A release is redone whenever applied models still name the namespace (a previous attempt may have failed).
    const leftovers = [...ws.sources.keys()].some(
      (k) => namespaceOfKey(k) === cmd.namespace && ws.sources.get(k)!.size > 0,
    );
    // An adopt after a relist release rebuilds even an owned namespace: its writes may have met the old owner's names.
    const rebuild = tr.rebuild || (cmd.type !== 'adopt' && leftovers) || (cmd.type === 'adopt' && cmd.relist === true);
    if (rebuild) modelsOfNamespace(ws, await buildView(ws), cmd.namespace, names);
    const reason = handoffReason(cmd, memory);
    if (current !== tr.next || stored?.reason !== reason) {
      await store.setNamespaceState(cmd.namespace, tr.next, reason);
      if (current !== tr.next) ws.view = undefined;
      ws.states.set(cmd.namespace, tr.next);
    }
    let ok = true;
    if (rebuild) {
      const view = await buildView(ws);
      if (cmd.type === 'adopt') modelsOfNamespace(ws, view, cmd.namespace, names);
      const outcome = await reconcileModels(ws, names, view);
      ok = outcome.transient.size === 0;
    }
    log.info(`namespace ${cmd.type}`, {
      namespace: cmd.namespace,
      operation: cmd.type,
      outcome: ok ? tr.next : 'retry',
      models: names.size,
    });
    if (!ok) return false;
    if (cmd.type === 'adopt' && current !== 'owned') await status('adopted', 'adopt', { namespace: cmd.namespace });
    if (tr.confirmRelease) {
      await confirmRelease(cmd);
      await status('released', 'release', { namespace: cmd.namespace });
    }
    return true;
  }

  /** Tell the router the namespace's names are free (it sends the adopt to the new owner). */
  async function confirmRelease(cmd: NamespaceCommand): Promise<void> {
    await deps.publish({
      detailType: 'release-confirmed',
      detail: {
        version: 1,
        cluster: instance.clusterName,
        namespace: cmd.namespace,
        fromInstance: instance.id,
        ...(cmd.handoffTo ? { toInstance: cmd.handoffTo } : {}),
        ...(cmd.handoffId ? { handoffId: cmd.handoffId } : {}),
        ...(cmd.relist ? { relist: true } : {}),
        ...(cmd.sequence ? { sequence: cmd.sequence } : {}),
      },
    });
  }

  /** Whether anything of the namespace is stored or applied here (a relist release has something to remove). */
  function servesNamespace(ws: WorkingSet, namespace: string): boolean {
    for (const o of ws.objects.values()) if ((o.metadata.namespace || '') === namespace) return true;
    for (const [key, models] of ws.sources) if (models.size > 0 && namespaceOfKey(key) === namespace) return true;
    return false;
  }

  return { processNamespaceCommand };
}
