import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import type { AviModel, AviObject, AviType, StaticRoute } from '../model/types.ts';
import type { InstanceConfig } from '../registry/types.ts';
import { type AviClient, AviNotFoundError, AviOwnershipError, type AviRecord } from './client.ts';
import { type CurrentObject, objectId, type PlannedOperation, planOperations } from './plan.ts';
import { namedRefsIn, parseRef, tenantOf } from './refs.ts';
import { isTransientFailure } from './retry.ts';
import { type AppliedModel, type AppliedObject, AviError, type OperationResult, type Reconciler } from './types.ts';

/** An object this instance owns on the controller (sweep input). */
export interface OwnedObject {
  type: AviType;
  name: string;
  tenant: string;
  uuid: string;
  body: AviRecord;
}

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
}

export interface ApplyResultWithPlan {
  applied: AppliedModel | undefined;
  operations: OperationResult[];
  ok: boolean;
}

const OWNED_LIST_TYPES: AviType[] = [
  'virtualservice',
  'pool',
  'poolgroup',
  'httppolicyset',
  'vsdatascriptset',
  'sslkeyandcertificate',
  'l4policyset',
];

export function createReconciler(deps: {
  client: AviClient;
  instance: InstanceConfig;
  logger?: Logger;
}): AviReconciler {
  const { client, instance } = deps;
  const logger = (deps.logger ?? silentLogger).child({ instance: instance.id });
  if (client.owner !== instance.createdBy) {
    throw new Error(
      `createReconciler: the Avi client's owner (${String(client.owner)}) must be the instance's created_by (${instance.createdBy})`,
    );
  }

  const failureOf = (e: unknown): Pick<OperationResult, 'status' | 'failure' | 'message'> => {
    if (e instanceof AviOwnershipError) {
      return { failure: 'permanent', message: `ownership collision: ${e.message}` };
    }
    if (e instanceof AviError)
      return { status: e.status, failure: e.transient ? 'transient' : 'permanent', message: e.message };
    const message = e instanceof Error ? e.message : String(e);
    return { failure: isTransientFailure(undefined, message) ? 'transient' : 'permanent', message };
  };

  /** VsVip updates keep what the controller allocated (addresses) unless the model pins them. */
  const vsvipBody = (object: AviObject) => (current: AviRecord) => {
    const body = { ...object.body };
    const curVips = Array.isArray(current.vip) ? (current.vip as Record<string, unknown>[]) : [];
    if (Array.isArray(body.vip)) {
      body.vip = (body.vip as Record<string, unknown>[]).map((v) => {
        const cur = curVips.find((c) => c.vip_id === v.vip_id);
        if (!cur) return v;
        const merged = { ...v };
        for (const k of ['ip_address', 'ip6_address', 'floating_ip', 'floating_ip6'])
          if (merged[k] === undefined && cur[k] !== undefined) merged[k] = cur[k];
        return merged;
      });
    }
    return body;
  };

  const writeBody = (object: AviObject) =>
    object.type === 'vsvip' ? vsvipBody(object) : (_current: AviRecord) => object.body;

  const result = (
    op: OperationResult['op'],
    object: { type: AviType; name: string; tenant: string },
    extra: Partial<OperationResult> = {},
  ): OperationResult => ({ op, type: object.type, name: object.name, tenant: object.tenant, ok: true, ...extra });

  /** create → on 409 adopt (ours) or report a collision (foreign). */
  const createOrAdopt = async (object: AviObject): Promise<{ res: OperationResult; uuid?: string }> => {
    try {
      const created = await client.create(object.type, object.body, { tenant: object.tenant });
      return { res: result('create', object, { uuid: created.uuid }), uuid: created.uuid };
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
    // The guard in update() refuses a foreign object; that refusal is the ownership collision.
    const updated = await client.update(object.type, existing.uuid, writeBody(object), {
      tenant: object.tenant,
      name: object.name,
    });
    return {
      res: result('adopt', object, { uuid: updated.uuid ?? existing.uuid }),
      uuid: updated.uuid ?? existing.uuid,
    };
  };

  const runOne = async (p: PlannedOperation, applied: Map<string, AppliedObject>): Promise<OperationResult> => {
    if (p.op === 'delete') {
      const t = p.target;
      try {
        const outcome = await client.delete(t.type, t.uuid, { tenant: t.tenant, name: t.name });
        applied.delete(objectId(t));
        return result('delete', t, { uuid: t.uuid, message: outcome === 'not-found' ? 'already gone' : undefined });
      } catch (e) {
        return result('delete', t, { ok: false, uuid: t.uuid, ...failureOf(e) });
      }
    }
    const { object, checksum, tier } = p;
    const id = objectId(object);
    if (p.op === 'skip') {
      applied.set(id, { type: object.type, name: object.name, tenant: object.tenant, uuid: p.uuid, checksum, tier });
      return result('skip', object, { uuid: p.uuid });
    }
    try {
      if (p.op === 'update') {
        try {
          const updated = await client.update(object.type, p.uuid, writeBody(object), {
            tenant: object.tenant,
            name: object.name,
          });
          const uuid = updated.uuid ?? p.uuid;
          applied.set(id, { type: object.type, name: object.name, tenant: object.tenant, uuid, checksum, tier });
          return result('update', object, { uuid });
        } catch (e) {
          if (!(e instanceof AviNotFoundError)) throw e;
          // Gone behind our back: forget the uuid and create it again.
          applied.delete(id);
        }
      }
      const { res, uuid } = await createOrAdopt(object);
      if (uuid) applied.set(id, { type: object.type, name: object.name, tenant: object.tenant, uuid, checksum, tier });
      return res;
    } catch (e) {
      return result(p.op === 'update' ? 'update' : 'create', object, { ok: false, ...failureOf(e) });
    }
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
    async apply(desired, lastApplied) {
      return execute(desired.name, planOperations(desired, lastApplied), lastApplied, desired.objects);
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
      const tenant = opts.tenant ?? '*';
      const out: OwnedObject[] = [];
      const cloud = instance.controller.cloudName;
      for (const type of OWNED_LIST_TYPES) {
        const query: Record<string, string> = { created_by: instance.createdBy };
        const rows = await client.list(type, { tenant, query });
        for (const r of rows) {
          if (r.created_by !== instance.createdBy || typeof r.uuid !== 'string' || typeof r.name !== 'string') continue;
          out.push({
            type,
            name: r.name,
            tenant: tenantOf(r, instance.controller.tenantName || 'admin'),
            uuid: r.uuid,
            body: r,
          });
        }
      }
      // VsVips through the VSes that use them.
      const vsvipUuids = new Set<string>();
      for (const o of out) {
        if (o.type !== 'virtualservice' || typeof o.body.vsvip_ref !== 'string') continue;
        const ref = parseRef(o.body.vsvip_ref);
        if (ref?.uuid) vsvipUuids.add(ref.uuid);
      }
      if (vsvipUuids.size > 0) {
        const query: Record<string, string> = { 'name.contains': instance.namePrefix };
        if (cloud) query['cloud_ref.name'] = cloud;
        const rows = await client.list('vsvip', { tenant, query });
        for (const r of rows) {
          if (typeof r.uuid !== 'string' || typeof r.name !== 'string' || !vsvipUuids.has(r.uuid)) continue;
          out.push({
            type: 'vsvip',
            name: r.name,
            tenant: tenantOf(r, instance.controller.tenantName || 'admin'),
            uuid: r.uuid,
            body: r,
          });
        }
      }
      return out;
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
