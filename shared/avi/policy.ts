/**
 * The ownership policy (plan → policy → write): pure decisions on what one instance may write.
 *  - creates only where the name is free (the controller's 409 says it is not) or already ours;
 *  - updates and deletes only of objects carrying our `created_by`;
 *  - VsVips (which have no `created_by`) only through a VS of ours.
 */
import type { AviRecord } from './client.ts';
import { parseRef } from './refs.ts';
import type { ViewEntry } from './view.ts';

/** Object types that carry `created_by`. */
export const OWNED_TYPES: ReadonlySet<string> = new Set([
  'virtualservice',
  'pool',
  'poolgroup',
  'httppolicyset',
  'vsdatascriptset',
  'sslkeyandcertificate',
  'l4policyset',
  'stringgroup',
  'pkiprofile',
  'applicationpersistenceprofile',
]);

export type Ownership = { owned: true } | { owned: false; reason: string; createdBy?: string };

/** What is known about the VSes around a VsVip (read by the caller, decided here). */
export interface VsVipEvidence {
  /** VSes that refer to the VsVip. */
  usedBy: AviRecord[];
  /** A VS with the VsVip's name (AKO names a shard's VsVip like its VS). */
  sameNameVs?: AviRecord;
  /** The instance's cluster name, for the VsVip's `clustername` marker. */
  clusterName?: string;
}

const createdByOf = (r: AviRecord | undefined) => (typeof r?.created_by === 'string' ? r.created_by : undefined);

/** May `owner` write this object the controller holds? */
export function ownershipOfRecord(
  type: string,
  current: AviRecord,
  owner: string | undefined,
  vsvip?: VsVipEvidence,
): Ownership {
  if (!owner) return { owned: false, reason: 'this client has no owner (created_by) configured' };
  if (OWNED_TYPES.has(type)) {
    const createdBy = createdByOf(current);
    if (createdBy === owner) return { owned: true };
    return {
      owned: false,
      ...(createdBy ? { createdBy } : {}),
      reason: createdBy ? `created_by is ${createdBy}, not ${owner}` : `it has no created_by (not ${owner})`,
    };
  }
  if (type === 'vsvip') {
    const usedBy = (vsvip?.usedBy ?? []).filter((vs) => {
      const ref = typeof vs.vsvip_ref === 'string' ? parseRef(vs.vsvip_ref) : undefined;
      return !ref?.uuid || ref.uuid === current.uuid;
    });
    const foreign = usedBy.find((vs) => vs.created_by !== owner);
    if (foreign) {
      const createdBy = createdByOf(foreign);
      return {
        owned: false,
        ...(createdBy ? { createdBy } : {}),
        reason: `used by virtualservice ${String(foreign.name)} created by ${createdBy ?? 'nobody'}`,
      };
    }
    if (usedBy.length > 0) return { owned: true };
    const same = vsvip?.sameNameVs;
    if (same) {
      const createdBy = createdByOf(same);
      return createdBy === owner
        ? { owned: true }
        : {
            owned: false,
            ...(createdBy ? { createdBy } : {}),
            reason: `its virtualservice ${String(same.name)} is created by ${createdBy ?? 'nobody'}`,
          };
    }
    const markers = Array.isArray(current.markers) ? (current.markers as { key?: unknown; values?: unknown }[]) : [];
    const values = markers.find((m) => m?.key === 'clustername')?.values;
    if (vsvip?.clusterName && Array.isArray(values) && values.length === 1 && values[0] === vsvip.clusterName)
      return { owned: true };
    return { owned: false, reason: 'no virtualservice of this instance uses it and it is not marked for this cluster' };
  }
  return { owned: false, reason: `${type} objects are not written through the generic API` };
}

/** May a planned update/delete go ahead on what the view holds (no read)? */
export function mayChange(entry: ViewEntry | undefined, owner: string): Ownership {
  if (!entry) return { owned: false, reason: 'not in this instance’s view of the controller' };
  if (entry.type === 'vsvip') return { owned: true }; // in the view only through our VS or our own write
  if (entry.createdBy === owner) return { owned: true };
  return {
    owned: false,
    ...(entry.createdBy ? { createdBy: entry.createdBy } : {}),
    reason: entry.createdBy ? `created_by is ${entry.createdBy}, not ${owner}` : `it has no created_by (not ${owner})`,
  };
}

/** May a body be POSTed by `owner` (its created_by must be ours; only types this product creates)? */
export function mayCreate(type: string, body: Record<string, unknown>, owner: string | undefined): Ownership {
  if (OWNED_TYPES.has(type)) {
    return body.created_by === owner
      ? { owned: true }
      : { owned: false, reason: `the body's created_by must be ${owner ?? '(no owner configured)'}` };
  }
  if (type === 'vsvip') return { owned: true };
  return { owned: false, reason: `${type} objects are not created by this product` };
}
