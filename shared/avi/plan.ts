import type { AviModel, AviObject, AviType } from '../model/types.ts';
import { bodyChecksum, matchesCurrent } from './checksum.ts';
import { parseRef } from './refs.ts';
import type { AppliedModel, AppliedObject } from './types.ts';

/** What the controller holds for an object of the model (read by the caller when it wants drift repair). */
export interface CurrentObject {
  uuid: string;
  /** The controller's copy as listed (compared field by field / by AKO checksum field). */
  body?: Record<string, unknown>;
  /** Checksum of the desired body we last wrote to it (from our own write response). */
  checksum?: string;
}

export type PlannedOperation =
  | { op: 'create'; object: AviObject; checksum: string; tier: number }
  | { op: 'update'; object: AviObject; checksum: string; tier: number; uuid: string }
  | { op: 'skip'; object: AviObject; checksum: string; tier: number; uuid: string }
  | { op: 'delete'; target: AppliedObject; tier: number };

/** `<tenant>/<type>/<name>`: names are unique per (type, tenant) on the controller. */
export function objectId(o: { type: string; tenant: string; name: string }): string {
  return `${o.tenant}/${o.type}/${o.name}`;
}

/**
 * Dependency tier: an object only refers to objects of lower tiers, so creates/updates run by ascending
 * tier and deletes by descending tier (referrers go before what they refer to).
 */
export function tierOf(type: AviType, body?: Record<string, unknown>): number {
  switch (type) {
    case 'vsvip':
      return 0;
    case 'sslkeyandcertificate':
      // CA certificates before the key certificates that point at them.
      return body?.type === 'SSL_CERTIFICATE_TYPE_CA' ? 1 : 2;
    case 'pkiprofile':
      // Refers to CA certificates; reencrypt pools refer to it.
      return 2;
    case 'pool':
      return 3;
    case 'poolgroup':
      return 4;
    case 'httppolicyset':
      return 5;
    case 'vsdatascriptset':
      return 6;
    case 'l4policyset':
      return 7;
    case 'virtualservice':
      return body?.type === 'VS_TYPE_VH_CHILD' ? 9 : 8;
    default:
      return 8;
  }
}

/** Tier of an applied object (its body is not kept: child VSes and CA certs are told apart by the caller's hint). */
function appliedTier(a: AppliedObject, desiredTierByName: Map<string, number>): number {
  const known = desiredTierByName.get(objectId(a));
  if (known !== undefined) return known;
  if (a.tier !== undefined) return a.tier;
  return tierOf(a.type);
}

/**
 * The minimal ordered operations that take the controller from `applied` (what we last wrote) to `desired`.
 * Unchanged objects (same normalized checksum) are skipped, so a no-op resync plans zero writes.
 * With `current` (the controller's copies, keyed by objectId), objects deleted or edited out of band are
 * re-created or re-written, and objects already matching are skipped.
 * A VsVip still named by a desired VS's `vsvip_ref` is never deleted.
 */
export function planOperations(
  desired: AviModel | undefined,
  applied: AppliedModel | undefined,
  current?: ReadonlyMap<string, CurrentObject>,
): PlannedOperation[] {
  const appliedById = new Map<string, AppliedObject>();
  for (const a of applied?.objects ?? []) appliedById.set(objectId(a), a);

  const ups: PlannedOperation[] = [];
  const seen = new Set<string>();
  const keptVsVips = new Set<string>();
  const desiredTier = new Map<string, number>();
  for (const object of desired?.objects ?? []) {
    const id = objectId(object);
    if (seen.has(id)) continue; // first occurrence wins; a model never lists an object twice
    seen.add(id);
    const tier = tierOf(object.type, object.body);
    desiredTier.set(id, tier);
    if (object.type === 'virtualservice' && typeof object.body.vsvip_ref === 'string') {
      const ref = parseRef(object.body.vsvip_ref);
      if (ref?.name) keptVsVips.add(objectId({ type: 'vsvip', tenant: object.tenant, name: ref.name }));
    }
    const checksum = bodyChecksum(object.body);
    const prev = appliedById.get(id);
    if (current) {
      const cur = current.get(id);
      if (!cur) ups.push({ op: 'create', object, checksum, tier });
      else if (cur.checksum === checksum || (cur.body && matchesCurrent(object, cur.body)))
        ups.push({ op: 'skip', object, checksum, tier, uuid: cur.uuid });
      else ups.push({ op: 'update', object, checksum, tier, uuid: cur.uuid });
      continue;
    }
    if (!prev) ups.push({ op: 'create', object, checksum, tier });
    else if (prev.checksum === checksum) ups.push({ op: 'skip', object, checksum, tier, uuid: prev.uuid });
    else ups.push({ op: 'update', object, checksum, tier, uuid: prev.uuid });
  }

  const deletes: PlannedOperation[] = [];
  for (const [id, a] of appliedById) {
    if (seen.has(id) || keptVsVips.has(id)) continue;
    const uuid = current?.get(id)?.uuid ?? a.uuid;
    deletes.push({ op: 'delete', target: { ...a, uuid }, tier: appliedTier(a, desiredTier) });
  }

  // Stable sorts: within a tier the model's own order is kept.
  ups.sort((x, y) => x.tier - y.tier);
  deletes.sort((x, y) => y.tier - x.tier);
  return [...ups, ...deletes];
}
