/**
 * Pure decisions of the sweep: is the view complete enough to delete anything, and which controller objects
 * carrying this instance's created_by does no model want any more.
 */
import type { CurrentObject } from '../../shared/avi/plan.ts';
import type { AppliedObject } from '../../shared/avi/types.ts';
import type { AviModel, AviObject, AviType } from '../../shared/model/types.ts';

export interface ControllerObject {
  type: AviType;
  name: string;
  tenant: string;
  uuid: string;
  body: Record<string, unknown>;
}

/** `<tenant>/<type>/<name>`, the same identity the reconciler uses. */
export function idOf(o: { type: string; tenant: string; name: string }): string {
  return `${o.tenant}/${o.type}/${o.name}`;
}

/**
 * Namespaces whose latest inventory is missing: the sweep cannot tell what was deleted there, so it must not
 * delete anything this round.
 */
export function missingInventories(owned: Iterable<string>, inventoried: Iterable<string>): string[] {
  const have = new Set(inventoried);
  return [...new Set(owned)].filter((ns) => !have.has(ns)).sort();
}

/** Every object the desired models want, by identity. */
export function wantedIds(models: AviModel[]): Set<string> {
  const out = new Set<string>();
  for (const m of models) for (const o of m.objects) out.add(idOf(o));
  return out;
}

/** Objects on the controller that carry our created_by (or hang off our VSes) and that no model wants. */
export function findOrphans(owned: ControllerObject[], wanted: ReadonlySet<string>): ControllerObject[] {
  return owned.filter((o) => !wanted.has(idOf(o))).sort((a, b) => idOf(a).localeCompare(idOf(b)));
}

/** The controller's copies keyed like the planner expects (drift repair input). */
export function currentById(owned: ControllerObject[]): Map<string, CurrentObject> {
  const out = new Map<string, CurrentObject>();
  for (const o of owned) out.set(idOf(o), { uuid: o.uuid, body: o.body });
  return out;
}

/** Orphans as an applied-model record, so the reconciler deletes them top-down (children before what they use). */
export function orphanRecord(
  orphans: ControllerObject[],
  tierOf: (type: AviType, body?: Record<string, unknown>) => number,
) {
  const objects: AppliedObject[] = orphans.map((o) => ({
    type: o.type,
    name: o.name,
    tenant: o.tenant,
    uuid: o.uuid,
    checksum: '',
    tier: tierOf(o.type, o.body),
  }));
  return { name: 'sweep/orphans', objects };
}

/**
 * The controller's copies keyed for the planner, with out-of-band edits made visible: AKO's checksum fields
 * (`cloud_config_cksum`) survive a hand edit, so each desired object is also compared field by field (without the
 * checksum); a copy that differs gets its checksum field spoiled, which makes the planner rewrite it.
 */
export function currentWithDrift(
  models: AviModel[],
  owned: ControllerObject[],
  deps: {
    matches: (desired: AviObject, current: Record<string, unknown>) => boolean;
    checksumField: (type: string) => string | undefined;
  },
): { current: Map<string, CurrentObject>; drifted: string[] } {
  const current = currentById(owned);
  const drifted: string[] = [];
  for (const m of models) {
    for (const o of m.objects) {
      const id = idOf(o);
      const have = current.get(id);
      if (!have?.body) continue;
      const field = deps.checksumField(o.type);
      const { [field ?? '']: _cksum, ...rest } = o.body;
      const plain = field ? rest : o.body;
      if (deps.matches({ ...o, body: plain }, have.body)) continue;
      drifted.push(id);
      current.set(id, { uuid: have.uuid, body: field ? { ...have.body, [field]: 'out-of-band-edit' } : have.body });
    }
  }
  return { current, drifted: drifted.sort() };
}
