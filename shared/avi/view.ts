/**
 * One instance's view of the controller: the objects carrying its `created_by` (plus the VsVips its VSes use),
 * as the last listing and our own write responses left them. The planner plans against it, the policy decides
 * from it, writes are guarded with its `_last_modified`, and status reads addresses from it, so the controller
 * is not read one object at a time.
 */
import type { AviType } from '../model/types.ts';
import type { AviClient, AviRecord } from './client.ts';
import { objectId } from './plan.ts';
import { parseRef, tenantOf } from './refs.ts';
import type { AppliedObject, AppliedVip } from './types.ts';

/** An object this instance owns on the controller (sweep input). */
export interface OwnedObject {
  type: AviType;
  name: string;
  tenant: string;
  uuid: string;
  body: AviRecord;
}

/** What the view holds for one object. */
export interface ViewEntry {
  type: AviType;
  name: string;
  tenant: string;
  uuid: string;
  /** created_by as listed or written (VsVips have none: they are ours through our VS). */
  createdBy?: string;
  lastModified?: string;
  /** Checksum of the desired body we last wrote (undefined for an object only listed). */
  checksum?: string;
  /** The listed copy (cold start, sweep): compared field by field with the desired body. */
  body?: Record<string, unknown>;
  vip?: AppliedVip[];
  fqdns?: string[];
  tier?: number;
}

/** Object types listed by `created_by` (VsVips are found through the VSes). */
export const OWNED_LIST_TYPES: AviType[] = [
  'virtualservice',
  'pool',
  'poolgroup',
  'httppolicyset',
  'vsdatascriptset',
  'sslkeyandcertificate',
  'l4policyset',
];

const ADDRESS_KEYS = ['ip_address', 'ip6_address', 'floating_ip', 'floating_ip6'] as const;

function address(v: unknown): { addr: string; type: string } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const a = v as { addr?: unknown; type?: unknown };
  return typeof a.addr === 'string' && a.addr
    ? { addr: a.addr, type: typeof a.type === 'string' ? a.type : 'V4' }
    : undefined;
}

/** The VIPs of a VsVip as the controller returned them (only what a later PUT must keep). */
export function vipsOf(record: Record<string, unknown>): AppliedVip[] {
  const list = Array.isArray(record.vip) ? (record.vip as Record<string, unknown>[]) : [];
  return list.map((v) => {
    const out: AppliedVip = { vip_id: String(v.vip_id ?? '0') };
    for (const k of ADDRESS_KEYS) {
      const a = address(v[k]);
      if (a) out[k] = a;
    }
    return out;
  });
}

export function fqdnsOf(record: Record<string, unknown>): string[] {
  const list = Array.isArray(record.dns_info) ? (record.dns_info as { fqdn?: unknown }[]) : [];
  return list.map((d) => d?.fqdn).filter((f): f is string => typeof f === 'string' && f.length > 0);
}

/** The addresses a status may carry for a VsVip entry (IPv4 and IPv6, floating ones after). */
export function addressesOf(vip: readonly AppliedVip[] | undefined): string[] {
  const out: string[] = [];
  for (const v of vip ?? []) for (const k of ADDRESS_KEYS) if (v[k]?.addr) out.push(v[k]!.addr);
  return out;
}

/** A view entry from a record the controller returned (a write response or a listed object); the tenant is the caller's. */
export function entryFromRecord(
  type: AviType,
  record: AviRecord,
  fallback: { name: string; tenant: string; uuid?: string },
): ViewEntry {
  const entry: ViewEntry = {
    type,
    name: typeof record.name === 'string' ? record.name : fallback.name,
    tenant: fallback.tenant,
    uuid: typeof record.uuid === 'string' ? record.uuid : (fallback.uuid ?? ''),
  };
  if (typeof record.created_by === 'string') entry.createdBy = record.created_by;
  if (typeof record._last_modified === 'string') entry.lastModified = record._last_modified;
  if (type === 'vsvip') {
    entry.vip = vipsOf(record);
    entry.fqdns = fqdnsOf(record);
  }
  return entry;
}

/** The applied record of an entry (what the store persists so a cold start need not re-list). */
export function appliedFromEntry(e: ViewEntry, checksum: string, tier: number | undefined): AppliedObject {
  const a: AppliedObject = { type: e.type, name: e.name, tenant: e.tenant, uuid: e.uuid, checksum };
  if (tier !== undefined) a.tier = tier;
  if (e.lastModified) a.lastModified = e.lastModified;
  if (e.vip) a.vip = e.vip;
  if (e.fqdns) a.fqdns = e.fqdns;
  return a;
}

export interface ControllerView {
  get(id: string): ViewEntry | undefined;
  set(entry: ViewEntry): void;
  delete(id: string): void;
  /** Adds what a stored applied record knows, unless a listing (which is authoritative) already happened. */
  seed(objects: readonly AppliedObject[], owner: string): void;
  /** Replaces everything with a complete listing. */
  replace(owned: readonly OwnedObject[]): void;
  /** Has a complete listing been loaded since the instance started? */
  readonly listed: boolean;
  readonly size: number;
  entries(): IterableIterator<ViewEntry>;
}

export function createControllerView(): ControllerView {
  const entries = new Map<string, ViewEntry>();
  let listed = false;
  return {
    get: (id) => entries.get(id),
    set: (e) => {
      entries.set(objectId(e), e);
    },
    delete: (id) => {
      entries.delete(id);
    },
    seed(objects, owner) {
      if (listed) return;
      for (const a of objects) {
        const id = objectId(a);
        if (entries.has(id)) continue;
        entries.set(id, {
          type: a.type,
          name: a.name,
          tenant: a.tenant,
          uuid: a.uuid,
          ...(a.type === 'vsvip' ? {} : { createdBy: owner }),
          checksum: a.checksum,
          ...(a.lastModified ? { lastModified: a.lastModified } : {}),
          ...(a.vip ? { vip: a.vip } : {}),
          ...(a.fqdns ? { fqdns: a.fqdns } : {}),
          ...(a.tier !== undefined ? { tier: a.tier } : {}),
        });
      }
    },
    replace(owned) {
      entries.clear();
      for (const o of owned) {
        entries.set(objectId(o), { ...entryFromRecord(o.type, o.body, o), body: o.body });
      }
      listed = true;
    },
    get listed() {
      return listed;
    },
    get size() {
      return entries.size;
    },
    entries: () => entries.values(),
  };
}

/**
 * Every object carrying `createdBy` (all tenants), plus the VsVips its VSes use: one paged, filtered list call per
 * type (the VsVip list only when a VS of ours exists). Throws on any read failure: nothing may be deleted on a
 * partial view.
 */
export async function listOwnedObjects(
  client: Pick<AviClient, 'list'>,
  opts: { createdBy: string; namePrefix: string; cloudName?: string; defaultTenant: string; tenant?: string },
): Promise<OwnedObject[]> {
  const tenant = opts.tenant ?? '*';
  const out: OwnedObject[] = [];
  for (const type of OWNED_LIST_TYPES) {
    const rows = await client.list(type, { tenant, query: { created_by: opts.createdBy } });
    for (const r of rows) {
      if (r.created_by !== opts.createdBy || typeof r.uuid !== 'string' || typeof r.name !== 'string') continue;
      out.push({ type, name: r.name, tenant: tenantOf(r, opts.defaultTenant), uuid: r.uuid, body: r });
    }
  }
  const vsvipUuids = new Set<string>();
  for (const o of out) {
    if (o.type !== 'virtualservice' || typeof o.body.vsvip_ref !== 'string') continue;
    const ref = parseRef(o.body.vsvip_ref);
    if (ref?.uuid) vsvipUuids.add(ref.uuid);
  }
  if (vsvipUuids.size > 0) {
    const query: Record<string, string> = { 'name.contains': opts.namePrefix };
    if (opts.cloudName) query['cloud_ref.name'] = opts.cloudName;
    const rows = await client.list('vsvip', { tenant, query });
    for (const r of rows) {
      if (typeof r.uuid !== 'string' || typeof r.name !== 'string' || !vsvipUuids.has(r.uuid)) continue;
      out.push({ type: 'vsvip', name: r.name, tenant: tenantOf(r, opts.defaultTenant), uuid: r.uuid, body: r });
    }
  }
  return out;
}
