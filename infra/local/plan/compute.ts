/**
 * The plan of one instance, from its desired models and what the controller holds. Pure: the reads happen in
 * the caller. Uses shared/avi's planner, so the operations are the ones a sync would choose.
 */
import { checksumField, objectId, planOperations } from '../../../shared/avi/index.ts';
import type { CurrentObject } from '../../../shared/avi/plan.ts';
import type { AppliedModel } from '../../../shared/avi/types.ts';
import type { AviModel, AviObject, AviType, SkippedObject, StaticRoute } from '../../../shared/model/types.ts';
import { diffBody, type FieldChange, maskSecrets } from './diff.ts';

/** An object on the controller (as listed, with include_name). */
export interface ControllerCopy {
  type: AviType;
  name: string;
  tenant: string;
  uuid: string;
  body: Record<string, unknown>;
}

export type PlanAction =
  | { op: 'create'; type: AviType; tenant: string; name: string; model: string; body: unknown }
  | {
      op: 'update';
      type: AviType;
      tenant: string;
      name: string;
      model: string;
      uuid: string;
      /** changed: the desired object changed; drift: the controller's copy was edited out of band; adopt: same name, ours, not yet tracked. */
      reason: 'changed' | 'drift' | 'adopt';
      changes: FieldChange[];
    }
  | { op: 'delete'; type: AviType; tenant: string; name: string; uuid: string };

export interface ObjectConflict {
  type: AviType;
  tenant: string;
  name: string;
  /** Why a sync would fail on it. */
  reason: string;
}

export interface StaticRoutePlan {
  vrf: string;
  op: 'update' | 'none';
  add: StaticRoute[];
  remove: { route_id: string; prefix?: unknown; next_hop?: unknown }[];
}

export interface InstancePlan {
  instance: string;
  cluster: string;
  createdBy: string;
  primary: boolean;
  namespaces: string[];
  actions: PlanAction[];
  /** Desired objects the controller already holds as wanted. */
  unchanged: number;
  skipped: SkippedObject[];
  conflicts: ObjectConflict[];
  staticRoutes?: StaticRoutePlan;
}

/**
 * Desired objects, the controller's copies of this instance's objects (`owned`: created_by, or VsVips used by
 * its VSes), and same-named objects it does not own (`foreign`, with the reason) or owns without the
 * created_by listing finding them (`adoptable`).
 */
export function planInstance(input: {
  instance: { id: string; clusterName: string; createdBy: string; primary: boolean };
  namespaces: string[];
  models: AviModel[];
  skipped: SkippedObject[];
  owned: ControllerCopy[];
  adoptable?: ControllerCopy[];
  foreign?: ObjectConflict[];
}): InstancePlan {
  const modelOf = new Map<string, string>();
  const objects: AviObject[] = [];
  for (const m of input.models) {
    for (const o of m.objects) {
      const id = objectId(o);
      if (modelOf.has(id)) continue;
      modelOf.set(id, m.name);
      objects.push(o);
    }
  }
  const foreignIds = new Set((input.foreign ?? []).map(objectId));
  const ownedById = new Map(input.owned.map((o) => [objectId(o), o]));
  const adoptIds = new Set<string>();
  const copies = new Map<string, ControllerCopy>(ownedById);
  for (const a of input.adoptable ?? []) {
    const id = objectId(a);
    if (!copies.has(id)) {
      copies.set(id, a);
      adoptIds.add(id);
    }
  }
  // Objects that would collide are not planned as creates: the conflict list names them.
  const desired: AviModel = {
    name: 'plan',
    tenant: '',
    objects: objects.filter((o) => !foreignIds.has(objectId(o))),
    sources: [],
  };
  const applied: AppliedModel = {
    name: 'plan',
    objects: input.owned.map((o) => ({ type: o.type, name: o.name, tenant: o.tenant, uuid: o.uuid, checksum: '' })),
  };

  // Out-of-band edits keep AKO's checksum field; compare every field as well so they show as drift.
  const current = new Map<string, CurrentObject>();
  const drifted = new Set<string>();
  const ignoreOf = (type: string) => new Set(checksumField(type) ? [checksumField(type)!] : []);
  for (const o of desired.objects) {
    const id = objectId(o);
    const have = copies.get(id);
    if (!have) continue;
    const field = checksumField(o.type);
    const stale = field !== undefined && have.body[field] !== o.body[field];
    const changes = diffBody(o.body, have.body, ignoreOf(o.type));
    if (!stale && changes.length > 0) drifted.add(id);
    current.set(id, {
      uuid: have.uuid,
      body: drifted.has(id) && field ? { ...have.body, [field]: 'out-of-band-edit' } : have.body,
    });
  }
  for (const [id, o] of copies) if (!current.has(id)) current.set(id, { uuid: o.uuid, body: o.body });

  const actions: PlanAction[] = [];
  let unchanged = 0;
  for (const p of planOperations(desired, applied, current)) {
    if (p.op === 'skip') {
      if (adoptIds.has(objectId(p.object))) {
        const { type, tenant, name } = p.object;
        actions.push({
          op: 'update',
          type,
          tenant,
          name,
          model: modelOf.get(objectId(p.object)) ?? '',
          uuid: p.uuid,
          reason: 'adopt',
          changes: [],
        });
      } else unchanged++;
      continue;
    }
    if (p.op === 'create') {
      const { type, tenant, name, body } = p.object;
      actions.push({
        op: 'create',
        type,
        tenant,
        name,
        model: modelOf.get(objectId(p.object)) ?? '',
        body: maskSecrets(body),
      });
      continue;
    }
    if (p.op === 'update') {
      const id = objectId(p.object);
      const { type, tenant, name, body } = p.object;
      const have = copies.get(id)?.body ?? {};
      let changes = diffBody(body, have, ignoreOf(type));
      // Only the checksum differs (e.g. an input the body does not show, like a certificate's key).
      if (changes.length === 0) {
        const field = checksumField(type);
        if (field) changes = [{ path: field, before: have[field], after: body[field] }];
      }
      actions.push({
        op: 'update',
        type,
        tenant,
        name,
        model: modelOf.get(id) ?? '',
        uuid: p.uuid,
        reason: adoptIds.has(id) ? 'adopt' : drifted.has(id) ? 'drift' : 'changed',
        changes,
      });
      continue;
    }
    const t = p.target;
    actions.push({ op: 'delete', type: t.type, tenant: t.tenant, name: t.name, uuid: t.uuid });
  }

  return {
    instance: input.instance.id,
    cluster: input.instance.clusterName,
    createdBy: input.instance.createdBy,
    primary: input.instance.primary,
    namespaces: input.namespaces,
    actions,
    unchanged,
    skipped: input.skipped,
    conflicts: input.foreign ?? [],
  };
}

/** This cluster's static routes in the VRF against the desired ones (other clusters' and users' routes kept). */
export function planStaticRoutes(
  vrf: string,
  clusterName: string,
  existing: unknown,
  desired: StaticRoute[],
  isClusterRoute: (r: { labels?: unknown }, cluster: string) => boolean,
  stable: (v: unknown) => string,
): StaticRoutePlan {
  const mine = (Array.isArray(existing) ? existing : []).filter((r) => isClusterRoute(r, clusterName)) as Record<
    string,
    unknown
  >[];
  const have = new Set(mine.map(stable));
  const want = new Set(desired.map(stable));
  const add = desired.filter((r) => !have.has(stable(r)));
  const remove = mine
    .filter((r) => !want.has(stable(r)))
    .map((r) => ({ route_id: String(r.route_id ?? ''), prefix: r.prefix, next_hop: r.next_hop }));
  return { vrf, op: add.length || remove.length ? 'update' : 'none', add, remove };
}
