/**
 * Primary-only function of a cluster: Nodes and CNI pod-CIDR objects in, the cluster's static routes out
 * (VRF read-merge-write through the reconciler), plus the VRF check and the SE group `clustername` label.
 * A non-primary instance never reaches the controller from here.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseRef } from '../../shared/avi/refs.ts';
import type { OperationResult, Reconciler } from '../../shared/avi/types.ts';
import { type BatchResponseWithHints, retryHints } from '../../shared/instance/outage.ts';
import type { Logger } from '../../shared/log.ts';
import type { ClusterView, KubeObject, ModelApi } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { withStreamSequences } from '../../shared/store/relist.ts';
import type { InstanceStore } from '../../shared/store/types.ts';
import type { PublishedEvent } from '../sync/engine.ts';
import { type DeadLetterRecord, maskedBody } from '../sync/handler.ts';
import { groupOf, objectKeyOf, parseRecord } from '../sync/messages.ts';
import { defaultStaticRoutes } from '../sync/model.ts';
import {
  coalesceChanges,
  expandFailuresByGroup,
  inventoryPrunes,
  type ObjectChange,
  type StoredRef,
} from '../sync/plan.ts';
import { clusterPiecesBlockers, dedupeRoutes, staticRoutesEnabled, vrfNameOf } from './decide.ts';

/** The Avi side the primary needs (shared/avi's reconciler provides all of it). */
export interface PrimaryAvi extends Pick<Reconciler, 'syncStaticRoutes'> {
  ensureSeGroupLabel(): Promise<OperationResult>;
  removeSeGroupLabel(): Promise<OperationResult>;
  vrfExists(vrfName?: string): Promise<boolean>;
}

/** Reads the VIP network's VRF when vrfName is not set (optional: without it `global` is used). */
export interface NetworkReader {
  getByName(type: string, name: string, opts?: { tenant?: string }): Promise<Record<string, unknown> | undefined>;
  get(type: string, uuid: string, opts?: { tenant?: string }): Promise<Record<string, unknown> | undefined>;
}

export interface PrimaryHandlerDeps {
  instance: InstanceConfig;
  store: InstanceStore;
  reconciler: PrimaryAvi;
  aviClient?: NetworkReader;
  model?: Pick<ModelApi, 'buildStaticRoutes'>;
  publish(event: PublishedEvent): Promise<void> | void;
  deadLetter(record: DeadLetterRecord): Promise<void> | void;
  logger: Logger;
  now(): Date;
  /** Every instance of the registry (or of the cluster); deleteConfig checks who still needs the routes. */
  clusterInstances?: () => Promise<InstanceConfig[]> | InstanceConfig[];
}

export interface PrimaryBatchReport {
  routesWritten: boolean;
  problems: string[];
}

export function createPrimaryBatchProcessor(deps: PrimaryHandlerDeps) {
  const { instance, store, reconciler } = deps;
  const log = deps.logger.child({ instance: instance.id, function: 'primary' });
  let segLabelled = false;
  let vrfChecked: string | undefined;
  let lastWritten: string | undefined;
  const modelApi = deps.model ?? defaultStaticRoutes;

  async function buildStaticRoutes(view: ClusterView) {
    return modelApi.buildStaticRoutes(instance, view);
  }

  async function status(outcome: 'applied' | 'failed' | 'skipped' | 'unchanged', operation: string, reason?: string) {
    try {
      await deps.publish({
        detailType: 'sync-status',
        detail: {
          version: 1,
          cluster: instance.clusterName,
          instance: instance.id,
          operation,
          outcome,
          model: 'static-routes',
          ...(reason ? { reason: reason.slice(0, 1000) } : {}),
          at: deps.now().toISOString(),
        },
      });
    } catch (err) {
      log.warn('cannot publish status event', { reason: err instanceof Error ? err.message : String(err) });
    }
  }

  async function problem(operation: string, reason: string, problems: string[]) {
    problems.push(reason);
    log.error(reason, { operation, outcome: 'failed' });
    await status('failed', operation, reason);
    try {
      await store.recordFailure({ model: 'static-routes', reason, at: deps.now().toISOString() });
    } catch {
      /* reported above */
    }
  }

  async function vipNetworkVrf(): Promise<string | undefined> {
    const net = instance.network.vipNetworkList[0]?.networkName;
    if (!net || !deps.aviClient) return undefined;
    const rec = await deps.aviClient.getByName('network', net, { tenant: 'admin' });
    const ref = typeof rec?.vrf_context_ref === 'string' ? parseRef(rec.vrf_context_ref) : undefined;
    if (!ref) return undefined;
    if (ref.name) return ref.name;
    if (!ref.uuid) return undefined;
    const vrf = await deps.aviClient.get('vrfcontext', ref.uuid, { tenant: 'admin' });
    return typeof vrf?.name === 'string' ? vrf.name : undefined;
  }

  async function clusterView(): Promise<ClusterView> {
    const all = await store.listObjects();
    return { namespaces: [], objects: all.filter((o) => !o.metadata.namespace) };
  }

  /** deleteConfig on the primary: routes and label go only when no other instance still needs them. */
  async function deleteConfig(problems: string[]): Promise<boolean> {
    let others: InstanceConfig[];
    try {
      others = deps.clusterInstances ? await deps.clusterInstances() : [];
      if (!deps.clusterInstances) throw new Error('no registry view was given to the primary function');
    } catch (err) {
      await problem(
        'delete-config',
        `deleteConfig: cannot tell which instances still need the cluster's static routes (${err instanceof Error ? err.message : String(err)}); routes and SE group label kept`,
        problems,
      );
      return true;
    }
    const blockers = clusterPiecesBlockers(instance, others);
    if (blockers.length) {
      await problem(
        'delete-config',
        `deleteConfig: kept the static routes and SE group label of cluster ${instance.clusterName}: instance(s) ${blockers.map((b) => b.id).join(', ')} still run in ClusterIP mode and need them`,
        problems,
      );
      return true;
    }
    const vrf = vrfNameOf(instance, await vipNetworkVrf());
    const routes = await reconciler.syncStaticRoutes(vrf, []);
    const seg = await reconciler.removeSeGroupLabel();
    for (const r of [routes, seg]) if (!r.ok) problems.push(`${r.type} ${r.name}: ${r.message ?? 'failed'}`);
    const transient = [routes, seg].some((r) => !r.ok && r.failure !== 'permanent');
    log.info('deleteConfig: cluster static routes and SE group label removed', {
      operation: 'delete-config',
      outcome: transient ? 'retry' : 'removed',
    });
    lastWritten = undefined;
    return !transient;
  }

  /** Rebuild the route set and write it; returns false on a transient failure (messages retried). */
  async function syncRoutes(
    problems: string[],
    force: boolean,
  ): Promise<{ ok: boolean; written: boolean; retryReason?: string }> {
    let vrf: string;
    try {
      vrf = vrfNameOf(instance, await vipNetworkVrf());
      if (vrfChecked !== vrf) {
        if (!(await reconciler.vrfExists(vrf))) {
          await problem(
            'vrf',
            `VRF context "${vrf}" does not exist in cloud "${instance.controller.cloudName}"; set ControllerSettings.vrfName to an existing VRF (or fix the VIP network's VRF); static routes not written`,
            problems,
          );
          return { ok: true, written: false };
        }
        vrfChecked = vrf;
      }
    } catch (err) {
      log.warn('cannot check the VRF; retrying', { operation: 'vrf', outcome: 'retry', reason: String(err) });
      return { ok: false, written: false, retryReason: String(err) };
    }
    if (!segLabelled) {
      const seg = await reconciler.ensureSeGroupLabel();
      if (seg.ok) segLabelled = true;
      else if (seg.failure === 'permanent') {
        await problem(
          'se-group',
          `SE group "${instance.controller.serviceEngineGroupName}": ${seg.message ?? 'label refused'}`,
          problems,
        );
        segLabelled = true; // reported once per container; a restart re-checks
      } else return { ok: false, written: false, retryReason: seg.message ?? 'SE group label not written' };
    }
    const built = await buildStaticRoutes(await clusterView());
    for (const s of built.skipped)
      await problem('static-routes', `${s.kind} ${s.name}: ${s.field}: ${s.reason}`, problems);
    const { routes, duplicates } = dedupeRoutes(built.routes);
    for (const d of duplicates) {
      await problem(
        'static-routes',
        `static route ${d.route.route_id}: prefix ${d.route.prefix.ip_addr.addr}/${d.route.prefix.mask} is already routed by ${d.keptRouteId}; not written twice`,
        problems,
      );
    }
    const checksum = JSON.stringify([vrf, routes]);
    if (!force && checksum === lastWritten) return { ok: true, written: false };
    const started = Date.now();
    const res = await reconciler.syncStaticRoutes(vrf, routes);
    log.info('static routes synced', {
      model: `${instance.controller.tenantName}/${vrf}`,
      operation: 'static-routes',
      outcome: res.ok ? res.op : res.failure === 'permanent' ? 'failed' : 'retry',
      routes: routes.length,
      duration: Date.now() - started,
    });
    if (res.ok) {
      lastWritten = checksum;
      if (res.op !== 'skip') await status('applied', 'static-routes');
      return { ok: true, written: res.op !== 'skip' };
    }
    if (res.failure === 'permanent') {
      await problem('static-routes', `VRF ${vrf}: ${res.message ?? 'write refused'}`, problems);
      return { ok: true, written: false };
    }
    return { ok: false, written: false, retryReason: res.message ?? 'static routes not written' };
  }

  async function writeChange(ch: ObjectChange) {
    const position = ch.sequence ? { sequence: ch.sequence } : undefined;
    if (ch.op === 'upsert') return store.upsertObject(ch.object!, position);
    return store.deleteObject(ch.key, ch.uid, ch.resourceVersion, position);
  }

  return async function processBatch(
    event: SQSEvent,
  ): Promise<BatchResponseWithHints & { report?: PrimaryBatchReport }> {
    const records = event.Records ?? [];
    const ordered = records.map((r) => ({ messageId: r.messageId, groupId: groupOf(r) }));
    const problems: string[] = [];
    if (!instance.primary) {
      log.warn('primary function invoked for a non-primary instance; nothing written', {
        operation: 'static-routes',
        outcome: 'skipped',
        messages: records.length,
      });
      return { batchItemFailures: [] };
    }
    const changes: ObjectChange[] = [];
    let force = false;
    const ids: string[] = [];
    try {
      for (const r of records) {
        const p = parseRecord(r, instance.clusterName);
        if (!p.ok) {
          log.warn('message rejected', {
            operation: 'validate',
            outcome: 'dead-lettered',
            messageId: r.messageId,
            reason: p.reason,
          });
          await deps.deadLetter({
            instance: instance.id,
            messageId: r.messageId,
            groupId: p.groupId,
            reason: p.reason,
            body: maskedBody(r.body),
            at: deps.now().toISOString(),
          });
          continue;
        }
        ids.push(r.messageId);
        const it = p.item;
        if (it.type === 'object') changes.push(it);
        else if (it.type === 'sweep') force = true;
        else if (it.type === 'inventory' && !it.namespace) {
          // Cluster-scoped inventory: Nodes / CNI objects deleted while events were lost.
          const live = (await store.listObjects()).filter((o) => !o.metadata.namespace);
          const refs: StoredRef[] = live.map((o: KubeObject) => ({
            key: objectKeyOf(o.kind, undefined, o.metadata.name),
            kind: o.kind,
            name: o.metadata.name,
            uid: o.metadata.uid ?? '',
            resourceVersion: o.metadata.resourceVersion ?? '0',
            ...(o.metadata.creationTimestamp ? { creationTimestamp: o.metadata.creationTimestamp } : {}),
          }));
          const opts = {
            ...(it.takenAt ? { takenAt: it.takenAt } : {}),
            ...(it.sequence ? { sequence: it.sequence } : {}),
          };
          for (const p2 of inventoryPrunes(await withStreamSequences(store, refs, it.items), it.items, opts)) {
            changes.push({
              type: 'object',
              messageId: it.messageId,
              groupId: it.groupId,
              key: p2.key,
              kind: p2.kind,
              namespace: undefined,
              name: p2.name,
              uid: p2.uid,
              resourceVersion: p2.resourceVersion,
              op: 'delete',
              ...(it.sequence ? { sequence: it.sequence } : {}),
            });
          }
        }
      }
      for (const c of coalesceChanges(changes).values()) await writeChange(c.winner);
      let ok: boolean;
      let written = false;
      let retryReason: string | undefined;
      if (instance.deleteConfig) ok = await deleteConfig(problems);
      else if (!staticRoutesEnabled(instance)) {
        log.info('static routes disabled for this instance (disableStaticRouteSync or NodePort mode)', {
          operation: 'static-routes',
          outcome: 'skipped',
        });
        ok = true;
      } else {
        const r = await syncRoutes(problems, force);
        ok = r.ok;
        written = r.written;
        retryReason = r.retryReason;
      }
      const failed = new Set(ok ? [] : ids);
      const retry = expandFailuresByGroup(ordered, failed);
      return {
        batchItemFailures: retry.map((id) => ({ itemIdentifier: id })),
        // A controller outage must not burn the dead-letter budget here either (shared/instance/outage.ts).
        ...(retry.length
          ? { retryHints: retryHints(retry, [...(retryReason ? [retryReason] : []), ...problems]) }
          : {}),
        report: { routesWritten: written, problems },
      };
    } catch (err) {
      log.error('primary batch failed; retried', { operation: 'static-routes', outcome: 'retry', reason: String(err) });
      return {
        batchItemFailures: ids.map((id) => ({ itemIdentifier: id })),
        retryHints: retryHints(ids, [String(err)]),
      };
    }
  };
}

export function createPrimaryHandler(deps: PrimaryHandlerDeps) {
  const run = createPrimaryBatchProcessor(deps);
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const { batchItemFailures, retryHints: hints } = await run(event);
    // retryHints: read by the local queue and the AWS entry, ignored by Lambda's event source mapping.
    return { batchItemFailures, ...(hints ? { retryHints: hints } : {}) } as SQSBatchResponse;
  });
}
