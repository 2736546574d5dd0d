/**
 * Guarded writes for callers without a controller view (the primary's writes, tools, older call sites): each
 * PUT/PATCH/DELETE reads the one object first, lets the ownership policy decide, and sends the read
 * `_last_modified` so a concurrent change answers 412 (then re-read and retry). The reconciler does not use these:
 * it plans against its view and writes with the cached `_last_modified` (shared/avi/reconciler.ts).
 */
import type { Logger } from '../log.ts';
import type { AviClient, AviRecord, AviRequestOptions } from './client.ts';
import { mayCreate, type Ownership, ownershipOfRecord } from './policy.ts';
import { parseRef } from './refs.ts';
import { AviError } from './types.ts';

/** What guarded writes need from the transport (one request each; errors as AviError). */
export interface ObjectTransport {
  get(type: string, uuid: string, opts?: AviRequestOptions): Promise<AviRecord | undefined>;
  list(type: string, opts?: AviRequestOptions): Promise<AviRecord[]>;
  getByName(type: string, name: string, opts?: AviRequestOptions): Promise<AviRecord | undefined>;
  request(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    type: string,
    uuid: string | undefined,
    opts: { tenant?: string; body?: unknown; name?: string },
  ): Promise<AviRecord>;
  /** Back-off between 412 attempts (counted as a retry). */
  conflictPause(attempt: number): Promise<void>;
}

/** A write the ownership guard refused: the object is not this instance's. Permanent. */
export class AviOwnershipError extends AviError {
  constructor(
    method: string,
    objectType: string,
    objectName: string | undefined,
    readonly owner: string | undefined,
    readonly createdBy: string | undefined,
    reason: string,
  ) {
    super(
      `ownership guard: refused ${method} ${objectType}${objectName ? ` ${objectName}` : ''}: ${reason}`,
      undefined,
      method,
      objectType,
      objectName,
      false,
    );
    this.name = 'AviOwnershipError';
  }
}

/** The object itself is not on the controller (as opposed to a 404 for a ref inside the body). */
export class AviNotFoundError extends AviError {
  constructor(method: string, objectType: string, objectName: string | undefined, uuid: string) {
    super(
      `${method} ${objectType} ${objectName ?? uuid}: HTTP 404: ${objectType} object not found!`,
      404,
      method,
      objectType,
      objectName,
      false,
    );
    this.name = 'AviNotFoundError';
  }
}

export function createGuardedWrites(
  t: ObjectTransport,
  opts: { owner?: string; clusterName?: string; defaultTenant: string; logger: Logger; maxConflictRetries: number },
): Pick<AviClient, 'ownershipOf' | 'create' | 'update' | 'patch' | 'delete'> {
  const { owner, defaultTenant, logger, maxConflictRetries } = opts;

  const tenantOfRecord = (r: AviRecord, fallback: string) => {
    const ref = typeof r.tenant_ref === 'string' ? parseRef(r.tenant_ref) : undefined;
    return ref?.name ?? ref?.uuid ?? fallback;
  };

  /** Gathers what the policy needs (VSes around a VsVip) and lets shared/avi/policy.ts decide. */
  const ownershipOf = async (type: string, current: AviRecord, tenant: string): Promise<Ownership> => {
    if (type !== 'vsvip' || !owner) return ownershipOfRecord(type, current, owner);
    // VsVips have no created_by: they belong to the VSes that use them.
    const tn = tenantOfRecord(current, tenant);
    const usedBy = current.uuid
      ? await t.list('virtualservice', {
          tenant: tn,
          query: { refers_to: `vsvip:${current.uuid}`, fields: 'name,created_by,vsvip_ref' },
        })
      : [];
    const sameNameVs =
      usedBy.length === 0 && typeof current.name === 'string'
        ? await t.getByName('virtualservice', current.name, { tenant: tn })
        : undefined;
    return ownershipOfRecord(type, current, owner, {
      usedBy,
      ...(sameNameVs ? { sameNameVs } : {}),
      ...(opts.clusterName ? { clusterName: opts.clusterName } : {}),
    });
  };

  /** Read the current object and check ownership before a write; undefined when it is gone. */
  const guardedRead = async (method: string, type: string, uuid: string, o: AviRequestOptions) => {
    const tenant = o.tenant ?? defaultTenant;
    const current = await t.get(type, uuid, { tenant, ...(o.name ? { name: o.name } : {}) });
    if (!current) return undefined;
    const verdict = await ownershipOf(type, current, tenant);
    if (!verdict.owned) {
      const name = typeof current.name === 'string' ? current.name : o.name;
      logger.warn('avi ownership guard refused a write', { method, type, name, reason: verdict.reason });
      throw new AviOwnershipError(method, type, name, owner, verdict.createdBy, verdict.reason);
    }
    return current;
  };

  const create: AviClient['create'] = async (type, body, o = {}) => {
    const name = typeof body.name === 'string' ? body.name : o.name;
    const verdict = mayCreate(type, body, owner);
    if (!verdict.owned) {
      const createdBy = typeof body.created_by === 'string' ? body.created_by : undefined;
      throw new AviOwnershipError('POST', type, name, owner, createdBy, verdict.reason);
    }
    return t.request('POST', type, undefined, { tenant: o.tenant, body, ...(name ? { name } : {}) });
  };

  const update: AviClient['update'] = async (type, uuid, body, o = {}) => {
    const tenant = o.tenant ?? defaultTenant;
    for (let attempt = 1; ; attempt++) {
      const current = await guardedRead('PUT', type, uuid, o);
      if (!current) throw new AviNotFoundError('PUT', type, o.name, uuid);
      const next = typeof body === 'function' ? body(current) : body;
      const payload: Record<string, unknown> = { ...next, uuid: current.uuid ?? uuid };
      if (current._last_modified !== undefined) payload._last_modified = current._last_modified;
      const name = (typeof next.name === 'string' ? next.name : undefined) ?? o.name;
      try {
        return await t.request('PUT', type, uuid, { tenant, body: payload, ...(name ? { name } : {}) });
      } catch (e) {
        if (e instanceof AviError && e.status === 412 && attempt < maxConflictRetries) {
          await t.conflictPause(attempt);
          continue;
        }
        throw e;
      }
    }
  };

  const patch: AviClient['patch'] = async (type, uuid, op, body, o = {}) => {
    const current = await guardedRead('PATCH', type, uuid, o);
    if (!current) throw new AviNotFoundError('PATCH', type, o.name, uuid);
    const name = typeof current.name === 'string' ? current.name : o.name;
    return t.request('PATCH', type, uuid, { tenant: o.tenant, body: { [op]: body }, ...(name ? { name } : {}) });
  };

  const del: AviClient['delete'] = async (type, uuid, o = {}) => {
    const current = await guardedRead('DELETE', type, uuid, o);
    if (!current) return 'not-found';
    const name = typeof current.name === 'string' ? current.name : o.name;
    try {
      await t.request('DELETE', type, uuid, { tenant: o.tenant, ...(name ? { name } : {}) });
      return 'deleted';
    } catch (e) {
      if (e instanceof AviError && e.status === 404) return 'not-found';
      throw e;
    }
  };

  return { ownershipOf, create, update, patch, delete: del };
}
