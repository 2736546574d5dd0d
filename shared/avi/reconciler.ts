import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { AviModel, AviObject, AviType, StaticRoute } from '../model/types.ts';
import type { InstanceConfig } from '../registry/types.ts';
import { matchesExactly } from './checksum.ts';
import { type AviClient, AviNotFoundError, AviOwnershipError, type AviRecord } from './client.ts';
import { type CurrentObject, objectId, type PlannedOperation, planOperations } from './plan.ts';
import { mayChange } from './policy.ts';
import { namedRefsIn } from './refs.ts';
import { isTransientFailure } from './retry.ts';
import { type AppliedModel, type AppliedObject, AviError, type OperationResult, type Reconciler } from './types.ts';
import {
  appliedFromEntry,
  type ControllerView,
  createControllerView,
  entryFromRecord,
  listOwnedObjects,
  type OwnedObject,
  type ViewEntry,
} from './view.ts';

export type { OwnedObject } from './view.ts';

export interface AviReconciler extends Reconciler {
  /** Apply with drift repair: `current` holds the controller's copies (objectId → object), e.g. from `listOwned`. */
  applyWithCurrent(
    desired: AviModel,
    lastApplied: AppliedModel | undefined,
    current: ReadonlyMap<string, CurrentObject>,
  ): Promise<ApplyResultWithPlan>;
  /**
   * Every object on the controller carrying this instance's `created_by` (all tenants), plus the VsVips used by
   * its VSes. Throws on any read failure: the sweep must never act on a partial view.
   */
  listOwned(opts?: { tenant?: string }): Promise<OwnedObject[]>;
  /** Make sure the instance's SE group carries `clustername=<cluster>` (refused if labelled for another cluster). */
  ensureSeGroupLabel(): Promise<OperationResult>;
  /** Remove the SE group's `clustername` label (primary, deleteConfig). */
  removeSeGroupLabel(): Promise<OperationResult>;
  /** Does the instance's VRF exist in its cloud? */
  vrfExists(vrfName?: string): Promise<boolean>;
  /** This instance's view of the controller (kept current from write responses and listings). */
  readonly view: ControllerView;
}

export interface ApplyResultWithPlan {
  applied: AppliedModel | undefined;
  operations: OperationResult[];
  ok: boolean;
}

/** Attempts of a guarded PUT after 412 (each re-reads the one object and re-checks ownership). */
const MAX_CONFLICT_ATTEMPTS = 6;

export function createReconciler(deps: {
  client: AviClient;
  instance: InstanceConfig;
  logger?: Logger;
  /** The instance's controller view (default: a new, empty one). */
  view?: ControllerView;
}): AviReconciler {
  const { client, instance } = deps;
  const view = deps.view ?? createControllerView();
  const owner = instance.createdBy;
  const logger = (deps.logger ?? silentLogger).child({ instance: instance.id });
  if (client.owner !== instance.createdBy) {
    throw new Error(
      `createReconciler: the Avi client's owner (${String(client.owner)}) must be the instance's created_by (${instance.createdBy})`,
    );
  }

  const failureOf = (e: unknown): Pick<OperationResult, 'status' | 'failure' | 'message' | 'heldBy'> => {
    if (e instanceof AviOwnershipError) {
      // A name held by another instance of this cluster is a namespace hand-off not finished yet (the old owner
      // removes it on release, or at its next start): retried until it lets go, never written meanwhile.
      const sibling = e.createdBy !== undefined && heldBySibling(e.createdBy, instance.clusterName);
      return {
        failure: sibling ? 'transient' : 'permanent',
        message: sibling
          ? `ownership collision: ${e.message}; another instance of cluster ${instance.clusterName} still holds it (a namespace hand-off not finished yet): retried until it lets go`
          : `ownership collision: ${e.message}`,
        ...(e.createdBy ? { heldBy: e.createdBy } : {}),
      };
    }
    if (e instanceof AviError)
      return { status: e.status, failure: e.transient ? 'transient' : 'permanent', message: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { failure: isTransientFailure(undefined, message) ? 'transient' : 'permanent', message };
  };

  /** VsVip writes keep what the controller allocated (addresses) unless the model pins them. */
  const withAllocated = (object: AviObject, known: ViewEntry | undefined): Record<string, unknown> => {
    if (object.type !== 'vsvip' || !Array.isArray(object.body.vip)) return object.body;
    const curVips = known?.vip ?? [];
    const vip = (object.body.vip as Record<string, unknown>[]).map((v) => {
      const cur = curVips.find((c) => c.vip_id === String(v.vip_id));
      if (!cur) return v;
      const merged: Record<string, unknown> = { ...v };
      for (const k of ['ip_address', 'ip6_address', 'floating_ip', 'floating_ip6'] as const)
        if (merged[k] === undefined && cur[k] !== undefined) merged[k] = cur[k];
      return merged;
    });
    return { ...object.body, vip };
  };

  const result = (
    op: OperationResult['op'],
    object: { type: AviType; name: string; tenant: string },
    extra: Partial<OperationResult> = {},
  ): OperationResult => ({ op, type: object.type, name: object.name, tenant: object.tenant, ok: true, ...extra });

  /** Remember what the controller answered to our write (or holds, for an adopted object). */
  const remember = (object: AviObject, record: AviRecord, checksum: string | undefined, tier: number): ViewEntry => {
    const entry: ViewEntry = {
      ...entryFromRecord(object.type, record, { name: object.name, tenant: object.tenant }),
      ...(checksum ? { checksum } : {}),
      tier,
    };
    if (object.type !== 'vsvip' && !entry.createdBy && typeof object.body.created_by === 'string')
      entry.createdBy = object.body.created_by;
    view.set(entry);
    return entry;
  };

  /** Read the one object and let the policy decide; undefined when it is gone. */
  const reread = async (type: AviType, uuid: string, name: string, tenant: string): Promise<ViewEntry | undefined> => {
    const current = await client.get(type, uuid, { tenant, name });
    if (!current) return undefined;
    const verdict = await client.ownershipOf(type, current, tenant);
    if (!verdict.owned) {
      logger.warn('avi ownership policy refused a write', { type, name, reason: verdict.reason });
      throw new AviOwnershipError('PUT', type, name, owner, verdict.createdBy, verdict.reason);
    }
    return entryFromRecord(type, current, { name, tenant, uuid });
  };

  /**
   * PUT guarded by the cached `_last_modified` (no read in the normal case). Without one, or after a 412, the one
   * object is re-read and its ownership re-checked first. Gone → undefined (the caller creates it again).
   */
  const guardedPut = async (
    object: AviObject,
    uuid: string,
    checksum: string,
    tier: number,
  ): Promise<ViewEntry | undefined> => {
    let known = view.get(objectId(object));
    for (let attempt = 1; ; attempt++) {
      const needsRead = !known?.lastModified || (object.type === 'vsvip' && !known.vip);
      if (needsRead) {
        known = await reread(object.type, uuid, object.name, object.tenant);
        if (!known) return undefined;
      }
      try {
        const res = await client.put(object.type, uuid, withAllocated(object, known), {
          tenant: object.tenant,
          name: object.name,
          ...(known?.lastModified ? { lastModified: known.lastModified } : {}),
        });
        return remember(object, { uuid, ...res }, checksum, tier);
      } catch (e) {
        if (e instanceof AviNotFoundError) return undefined;
        if (e instanceof AviError && e.status === 412 && attempt < MAX_CONFLICT_ATTEMPTS) {
          logger.info('avi object changed since our view; re-reading it', { type: object.type, name: object.name });
          known = undefined;
          continue;
        }
        throw e;
      }
    }
  };

  /** POST; on 409 the name is taken: ours → adopt (written only if it differs), foreign → ownership collision. */
  const createOrAdopt = async (
    object: AviObject,
    checksum: string,
    tier: number,
  ): Promise<{ res: OperationResult; entry?: ViewEntry }> => {
    try {
      const created = await client.create(object.type, object.body, { tenant: object.tenant });
      const entry = remember(object, created, checksum, tier);
      return { res: result('create', object, { uuid: entry.uuid }), entry };
    } catch (e) {
      if (!(e instanceof AviError) || e.status !== 409) throw e;
    }
    const existing = await client.getByName(object.type, object.name, { tenant: object.tenant });
    if (!existing?.uuid) {
      // 409 but not readable by name: likely a concurrent delete; try later.
      throw new AviError(
        `POST ${object.type} ${object.name}: HTTP 409: already exists but could not be read back`,
        409,
        'POST',
        object.type,
        object.name,
        true,
      );
    }
    const verdict = await client.ownershipOf(object.type, existing, object.tenant);
    if (!verdict.owned) {
      logger.warn('avi ownership policy refused a write', {
        type: object.type,
        name: object.name,
        reason: verdict.reason,
      });
      throw new AviOwnershipError('PUT', object.type, object.name, owner, verdict.createdBy, verdict.reason);
    }
    if (matchesExactly(object, existing)) {
      const entry = remember(object, existing, checksum, tier);
      return {
        res: result('skip', object, { uuid: entry.uuid, message: 'already on the controller as wanted' }),
        entry,
      };
    }
    view.set({ ...entryFromRecord(object.type, existing, object), tier });
    const entry = await guardedPut(object, existing.uuid, checksum, tier);
    if (!entry)
      throw new AviError(
        `PUT ${object.type} ${object.name}: HTTP 404: gone while adopting it`,
        404,
        'PUT',
        object.type,
        object.name,
        true,
      );
    return { res: result('adopt', object, { uuid: entry.uuid }), entry };
  };

  const runOne = async (p: PlannedOperation, applied: Map<string, AppliedObject>): Promise<OperationResult> => {
    if (p.op === 'delete') {
      const t = p.target;
      const id = objectId(t);
      const verdict = mayChange(view.get(id) ?? { ...t, createdBy: owner }, owner);
      if (!verdict.owned) {
        return result('delete', t, {
          ok: false,
          uuid: t.uuid,
          failure: 'permanent',
          message: `ownership collision: refused DELETE ${t.type} ${t.name}: ${verdict.reason}`,
          ...(verdict.createdBy ? { heldBy: verdict.createdBy } : {}),
        });
      }
      try {
        const outcome = await client.remove(t.type, t.uuid, { tenant: t.tenant, name: t.name });
        applied.delete(id);
        view.delete(id);
        return result('delete', t, { uuid: t.uuid, message: outcome === 'not-found' ? 'already gone' : undefined });
      } catch (e) {
        return result('delete', t, { ok: false, uuid: t.uuid, ...failureOf(e) });
      }
    }
    const { object, checksum, tier } = p;
    const id = objectId(object);
    if (p.op === 'skip') {
      const entry = view.get(id);
      if (entry && entry.checksum !== checksum) view.set({ ...entry, checksum, tier });
      applied.set(id, entry ? appliedFromEntry(entry, checksum, tier) : { ...object, uuid: p.uuid, checksum, tier });
      return result('skip', object, { uuid: p.uuid });
    }
    try {
      if (p.op === 'update') {
        const verdict = mayChange(view.get(id) ?? { ...object, uuid: p.uuid, createdBy: owner }, owner);
        if (!verdict.owned)
          throw new AviOwnershipError('PUT', object.type, object.name, owner, verdict.createdBy, verdict.reason);
        const entry = await guardedPut(object, p.uuid, checksum, tier);
        if (entry) {
          applied.set(id, appliedFromEntry(entry, checksum, tier));
          return result('update', object, { uuid: entry.uuid });
        }
        // Gone behind our back: forget the uuid and create it again.
        applied.delete(id);
        view.delete(id);
      }
      const { res, entry } = await createOrAdopt(object, checksum, tier);
      if (entry) applied.set(id, appliedFromEntry(entry, checksum, tier));
      return res;
    } catch (e) {
      return result(p.op === 'update' ? 'update' : 'create', object, { ok: false, ...failureOf(e) });
    }
  };

  /** The planner's "current" side: what the view holds for the objects of a model (desired or applied). */
  const currentFromView = (desired: AviModel | undefined, last: AppliedModel | undefined) => {
    const current = new Map<string, CurrentObject>();
    for (const o of [...(desired?.objects ?? []), ...(last?.objects ?? [])]) {
      const id = objectId(o);
      const e = view.get(id);
      if (!e || current.has(id)) continue;
      current.set(id, {
        uuid: e.uuid,
        ...(e.checksum ? { checksum: e.checksum } : {}),
        ...(e.body ? { body: e.body } : {}),
      });
    }
    return current;
  };

  const execute = async (
    modelName: string,
    plan: PlannedOperation[],
    lastApplied: AppliedModel | undefined,
    desiredOrder: AviObject[],
  ): Promise<ApplyResultWithPlan> => {
    const applied = new Map<string, AppliedObject>();
    for (const a of lastApplied?.objects ?? []) applied.set(objectId(a), a);
    const operations: OperationResult[] = [];
    /** `<type>/<name>` of desired objects that do not exist on the controller after a failed create. */
    const missing = new Set<string>();

    // Creates/updates: each one waits only for the objects it refers to (bottom-up along every reference
    // chain) and runs as soon as they are written, so independent objects keep the request budget busy.
    const upserts = plan.filter((p) => p.op !== 'delete');
    const written = new Map<string, Promise<unknown>>();
    const upsertResults = upserts.map((p) => {
      const key = `${p.object.type}/${p.object.name}`;
      const refs = [...namedRefsIn(p.object.body)].filter((r) => r !== key && written.has(r));
      const run = (async () => {
        await Promise.all(refs.map((r) => written.get(r)));
        if (p.op !== 'skip') {
          const blocked = refs.find((r) => missing.has(r));
          if (blocked) {
            if (p.op === 'create') missing.add(key);
            return result(p.op, p.object, {
              ok: false,
              failure: 'transient',
              message: `not attempted: depends on ${blocked}, which could not be created`,
            });
          }
        }
        const r = await runOne(p, applied);
        if (!r.ok && p.op === 'create') missing.add(key);
        return r;
      })();
      written.set(key, run);
      return run;
    });
    operations.push(...(await Promise.all(upsertResults)));

    // Deletes, after every create/update: top-down by tier (referrers before what they refer to).
    const deletes = plan.filter((p) => p.op === 'delete');
    let i = 0;
    while (i < deletes.length) {
      let j = i;
      while (j < deletes.length && deletes[j]!.tier === deletes[i]!.tier) j++;
      const batch = deletes.slice(i, j);
      i = j;
      operations.push(...(await Promise.all(batch.map((p) => runOne(p, applied)))));
    }

    for (const r of operations) {
      if (!r.ok) logger.warn('avi operation failed', { model: modelName, ...r });
    }
    // Applied objects in the model's order, then leftovers (failed deletes) in their previous order.
    const ordered: AppliedObject[] = [];
    const placed = new Set<string>();
    for (const o of [...desiredOrder, ...(lastApplied?.objects ?? [])]) {
      const id = objectId(o);
      const a = applied.get(id);
      if (a && !placed.has(id)) {
        ordered.push(a);
        placed.add(id);
      }
    }
    return {
      applied: ordered.length > 0 ? { name: modelName, objects: ordered } : undefined,
      operations,
      ok: operations.every((r) => r.ok),
    };
  };

  const segOp = async (present: boolean): Promise<OperationResult> => {
    const name = instance.controller.serviceEngineGroupName;
    const base = { type: 'serviceenginegroup' as const, name, tenant: 'admin' };
    try {
      const { changed, uuid } = await client.setSeGroupClusterLabel(name, instance.clusterName, present, {
        cloudName: instance.controller.cloudName || undefined,
      });
      return { ...base, op: changed ? 'update' : 'skip', ok: true, uuid };
    } catch (e) {
      return { ...base, op: 'update', ok: false, ...failureOf(e) };
    }
  };

  return {
    view,
    async apply(desired, lastApplied) {
      // Plan against what the controller holds (the view), seeded from the stored record when never listed.
      if (lastApplied) view.seed(lastApplied.objects, owner);
      const current = currentFromView(desired, lastApplied);
      return execute(desired.name, planOperations(desired, lastApplied, current), lastApplied, desired.objects);
    },
    async applyWithCurrent(desired, lastApplied, current) {
      return execute(desired.name, planOperations(desired, lastApplied, current), lastApplied, desired.objects);
    },
    async remove(lastApplied) {
      return execute(lastApplied.name, planOperations(undefined, lastApplied), lastApplied, []);
    },
    async syncStaticRoutes(vrfName: string, routes: StaticRoute[]): Promise<OperationResult> {
      const base = { type: 'vrfcontext' as const, name: vrfName, tenant: 'admin' };
      if (!instance.primary) {
        return {
          ...base,
          op: 'update',
          ok: false,
          failure: 'permanent',
          message: `instance ${instance.id} is not the primary: only the primary instance writes static routes`,
        };
      }
      const foreign = routes.find(
        (r) => !r.labels.some((l) => l.key === 'clustername' && l.value === instance.clusterName),
      );
      if (foreign) {
        return {
          ...base,
          op: 'update',
          ok: false,
          failure: 'permanent',
          message: `static route ${foreign.route_id} is not labelled clustername=${instance.clusterName}; refusing to write it`,
        };
      }
      try {
        const { changed, uuid } = await client.syncStaticRoutes(vrfName, instance.clusterName, routes, {
          cloudName: instance.controller.cloudName || undefined,
        });
        return { ...base, op: changed ? 'update' : 'skip', ok: true, uuid };
      } catch (e) {
        return { ...base, op: 'update', ok: false, ...failureOf(e) };
      }
    },
    async listOwned(opts = {}) {
      const owned = await listOwnedObjects(client, {
        createdBy: owner,
        namePrefix: instance.namePrefix,
        ...(instance.controller.cloudName ? { cloudName: instance.controller.cloudName } : {}),
        defaultTenant: instance.controller.tenantName || 'admin',
        ...(opts.tenant ? { tenant: opts.tenant } : {}),
      });
      // A listing of every tenant is complete: it replaces the view.
      if (!opts.tenant || opts.tenant === '*') view.replace(owned);
      return owned;
    },
    ensureSeGroupLabel: () => segOp(true),
    removeSeGroupLabel: () => segOp(false),
    async vrfExists(vrfName) {
      const name = vrfName ?? instance.controller.vrfName ?? 'global';
      const cloud = instance.controller.cloudName;
      const found = await client.getByName('vrfcontext', name || 'global', {
        tenant: 'admin',
        query: cloud ? { 'cloud_ref.name': cloud } : undefined,
      });
      return found !== undefined;
    },
  };
}

/**
 * Whether `createdBy` is another AKO instance of cluster `cluster` (`ako-<cluster>` or `ako-<cluster>-<namespace>`).
 * A cluster whose own name extends this one (`<cluster>-x`) matches too: its collisions are then retried rather than
 * recorded at once, and still never written.
 */
export function heldBySibling(createdBy: string, cluster: string): boolean {
  return createdBy === `ako-${cluster}` || createdBy.startsWith(`ako-${cluster}-`);
}
