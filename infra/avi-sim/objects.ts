import { type CertificateChecks, checkCertificate } from './certificates.ts';
import { ApiError } from './errors.ts';
import { definitionOf, hasField, isKnownType, isSharedFromAdmin, modelName } from './models.ts';
import { internalRef, mapRefs, parseRef, splitInternalRef } from './refs.ts';
import type { ObjectStore, StoredObject } from './store.ts';
import { dropNewerFields, newerThan, validateBody } from './validation.ts';
import { allocateVips } from './vip.ts';

type Json = Record<string, unknown>;

export const ADMIN_TENANT = 'admin';
export const SENSITIVE = '<sensitive>';

export interface ObjectServiceOptions {
  newUuid: (type: string) => string;
  /** Status for a body ref that names no object (404 by default; network/VRF refs answer 400). */
  refNotFoundStatus: number;
  /** Status for DELETE of an object still referred to (403 like the controller AKO's tests show; some answer 400). */
  referredDeleteStatus: number;
  allowUnknownFields: boolean;
  vipNetworkName: string;
  certificateChecks: CertificateChecks;
  vipAllocation?: 'sequential' | 'by-name';
  /** Called after every successful write (persistence). */
  onChange: () => void;
}

/** Object semantics of the controller: validation, refs, tenants, uniqueness, integrity, VIP allocation. */
export class ObjectService {
  constructor(
    readonly store: ObjectStore,
    private readonly opts: ObjectServiceOptions,
  ) {}

  /** Tenant uuid for a tenant name (the X-Avi-Tenant header); 403 like a controller when it does not exist. */
  tenantUuid(name: string): string {
    const t = this.store.byTypeTenantName('tenant', ADMIN_TENANT, name)[0];
    if (!t) throw new ApiError(403, `Tenant '${name}' does not exist!`);
    return t.uuid;
  }

  tenantUuidById(uuid: string): string {
    const t = this.store.get(uuid);
    if (t?.type !== 'tenant') throw new ApiError(403, `Tenant '${uuid}' does not exist!`);
    return t.uuid;
  }

  /** Whether a reader in `tenant` (a uuid, or `*`) sees `obj`. */
  visible(obj: StoredObject, tenant: string): boolean {
    if (tenant === '*' || obj.tenant === tenant) return true;
    return obj.tenant === ADMIN_TENANT && isSharedFromAdmin(obj.type);
  }

  getByUuid(type: string, uuid: string, tenant: string): StoredObject {
    const obj = this.store.get(uuid);
    if (!obj || obj.type !== type || !this.visible(obj, tenant)) {
      throw new ApiError(404, `${modelName(type)} object not found!`);
    }
    return obj;
  }

  /** Writes go to objects of the request's own tenant; shared admin objects are read-only elsewhere. */
  getForWrite(type: string, uuid: string, tenant: string): StoredObject {
    const obj = this.getByUuid(type, uuid, tenant);
    if (tenant !== '*' && obj.tenant !== tenant) {
      const owner = this.store.get(obj.tenant)?.name ?? obj.tenant;
      throw new ApiError(
        400,
        `Cannot modify ${modelName(type)} '${obj.name}' of tenant '${owner}' from another tenant`,
      );
    }
    return obj;
  }

  /** `version` is the request's X-Avi-Version (fields introduced later are refused); omit for internal calls. */
  create(type: string, raw: unknown, tenantHeader: string, version?: string): StoredObject {
    const body = validateBody(type, raw, this.validateOpts(version));
    let uuid = typeof body.uuid === 'string' ? body.uuid : undefined;
    if (uuid !== undefined && (!uuid.startsWith(`${type}-`) || this.store.has(uuid))) {
      throw new ApiError(400, `Invalid data in field 'uuid': '${uuid}' is taken or not a ${modelName(type)} uuid`);
    }
    uuid ??= this.opts.newUuid(type);
    delete body.uuid;
    const tenant = this.objectTenant(type, body, tenantHeader);
    const obj = this.build(type, uuid, tenant, body, undefined);
    this.store.put(obj);
    this.opts.onChange();
    return obj;
  }

  replace(type: string, uuid: string, raw: unknown, tenantHeader: string, version?: string): StoredObject {
    const existing = this.getForWrite(type, uuid, tenantHeader);
    this.checkLastModified(existing, (raw as Json | undefined)?._last_modified);
    const body = validateBody(type, raw, this.validateOpts(version));
    // A client on an older API version cannot see newer fields, so its PUT keeps them.
    const def = definitionOf(type);
    if (version && def) {
      const v = version.split('.').map(Number);
      for (const [k, value] of Object.entries(existing.body)) {
        if (body[k] === undefined && newerThan(def.p[k]?.v, v)) body[k] = value;
      }
    }
    return this.commitReplace(existing, body);
  }

  /** PATCH `{add|replace|delete: {...partial}}`: merged into the stored object, then checked like a PUT. */
  patch(type: string, uuid: string, raw: unknown, tenantHeader: string, version?: string): StoredObject {
    const existing = this.getForWrite(type, uuid, tenantHeader);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ApiError(
        400,
        'PATCH body must be a JSON object like {"add": {...}}, {"replace": {...}} or {"delete": {...}}',
      );
    }
    const ops = raw as Json;
    let lm = ops._last_modified;
    let merged: Json = structuredClone(existing.body);
    for (const [op, partialRaw] of Object.entries(ops)) {
      if (op === '_last_modified') continue;
      if (!['add', 'replace', 'delete', 'remove'].includes(op)) {
        throw new ApiError(400, `Unsupported PATCH operation '${op}': use add, replace or delete`);
      }
      if (typeof partialRaw !== 'object' || partialRaw === null || Array.isArray(partialRaw)) {
        throw new ApiError(400, `PATCH '${op}' needs an object of fields`);
      }
      lm ??= (partialRaw as Json)._last_modified;
      const deleting = op === 'delete' || op === 'remove';
      // Items to delete may be partial (e.g. a static route by route_id), so only adds/replaces are validated.
      const partial = deleting
        ? { ...(partialRaw as Json) }
        : validateBody(type, partialRaw, { partial: true, ...this.validateOpts(version) });
      delete partial._last_modified;
      const resolved = this.resolveRefs(type, partial, existing.tenant, existing.cloud, deleting);
      merged = applyPatch(merged, op, resolved);
    }
    this.checkLastModified(existing, lm);
    // The merged object must be as valid as a PUT body (e.g. a delete must not leave a required field out).
    merged = validateBody(type, merged, { allowUnknownFields: this.opts.allowUnknownFields });
    return this.commitReplace(existing, merged);
  }

  remove(type: string, uuid: string, tenantHeader: string): void {
    const existing = this.getForWrite(type, uuid, tenantHeader);
    const referrers = this.store.referrersOf(uuid);
    if (referrers.length > 0) {
      const names = referrers
        .map((r) => `'${modelName(r.type)} ${r.name}'`)
        .sort()
        .join(', ');
      throw new ApiError(this.opts.referredDeleteStatus, `Cannot delete, object is referred by: [${names}]`, {
        obj_name: existing.name,
      });
    }
    this.store.remove(uuid);
    this.opts.onChange();
  }

  /** The object as the REST API returns it: full-URL refs (`#name` with include_name), key redacted. */
  render(obj: StoredObject, base: string, includeName: boolean, version?: string): Json {
    const suffix = (uuid: string) => {
      if (!includeName) return '';
      const target = this.store.get(uuid);
      return target ? `#${target.name}` : '';
    };
    const body = mapRefs(obj.type, obj.body, (ref) => {
      const r = splitInternalRef(ref);
      return r ? `${base}${ref}${suffix(r.uuid)}` : ref;
    });
    if (obj.type === 'sslkeyandcertificate' && typeof body.key === 'string') body.key = SENSITIVE;
    return {
      url: `${base}${internalRef(obj.type, obj.uuid)}${includeName ? `#${obj.name}` : ''}`,
      uuid: obj.uuid,
      ...dropNewerFields(obj.type, body, version),
      _last_modified: obj.lastModified,
    };
  }

  private validateOpts(version: string | undefined): { allowUnknownFields: boolean; version?: string } {
    return { allowUnknownFields: this.opts.allowUnknownFields, ...(version ? { version } : {}) };
  }

  private checkLastModified(existing: StoredObject, sent: unknown): void {
    if (sent === undefined || sent === null || sent === '') return;
    if (String(sent) !== existing.lastModified) {
      throw new ApiError(412, `Need to reload object data ${modelName(existing.type)}`);
    }
  }

  private commitReplace(existing: StoredObject, body: Json): StoredObject {
    if (existing.type === 'sslkeyandcertificate' && body.key === SENSITIVE) {
      if (existing.body.key !== undefined) body.key = existing.body.key;
      else delete body.key;
    }
    delete body.uuid;
    const tenant = existing.tenant;
    if (typeof body.tenant_ref === 'string' && body.tenant_ref !== '') {
      const t = this.resolveOne(body.tenant_ref, 'tenant', ADMIN_TENANT, undefined, 'tenant_ref');
      if (splitInternalRef(t)?.uuid !== tenant) {
        throw new ApiError(400, `Invalid data in field 'tenant_ref': an object cannot move to another tenant`);
      }
    }
    const obj = this.build(existing.type, existing.uuid, tenant, body, existing);
    this.store.put(obj);
    this.opts.onChange();
    return obj;
  }

  private objectTenant(type: string, body: Json, tenantHeader: string): string {
    if (type === 'tenant') return ADMIN_TENANT;
    if (typeof body.tenant_ref === 'string' && body.tenant_ref !== '') {
      const ref = this.resolveOne(body.tenant_ref, 'tenant', ADMIN_TENANT, undefined, 'tenant_ref');
      return splitInternalRef(ref)!.uuid;
    }
    if (tenantHeader === '*') throw new ApiError(400, "X-Avi-Tenant '*' can only be used for reads");
    return tenantHeader;
  }

  /** Resolves refs, fills defaults, applies type rules, checks name uniqueness; returns the object to store. */
  private build(
    type: string,
    uuid: string,
    tenant: string,
    body: Json,
    existing: StoredObject | undefined,
  ): StoredObject {
    const name = body.name;
    if (typeof name !== 'string' || name === '')
      throw new ApiError(400, "Invalid data in field 'name': field is required");
    if (name.length > 255) throw new ApiError(400, "Invalid data in field 'name': at most 255 characters");
    let cloud: string | undefined;
    if (typeof body.cloud_ref === 'string' && body.cloud_ref !== '' && type !== 'cloud') {
      cloud = splitInternalRef(this.resolveOne(body.cloud_ref, 'cloud', tenant, undefined, 'cloud_ref'))?.uuid;
    }
    let resolved = this.resolveRefs(type, body, tenant, cloud, false);
    resolved = this.fillDefaults(type, tenant, resolved);
    if (type !== 'cloud' && typeof resolved.cloud_ref === 'string') cloud = splitInternalRef(resolved.cloud_ref)?.uuid;
    if (type === 'virtualservice') this.checkVirtualService(uuid, resolved, existing);
    if (type === 'sslkeyandcertificate') checkCertificate(resolved, this.opts.certificateChecks);
    if (type === 'vsvip') {
      resolved = allocateVips(
        {
          store: this.store,
          defaultNetwork: () => this.vipNetwork(cloud),
          ...(this.opts.vipAllocation === 'by-name' ? { startAt: String(resolved.name ?? '') } : {}),
        },
        uuid,
        resolved,
        existing?.body,
      );
    }
    const obj: StoredObject = {
      type,
      uuid,
      tenant,
      name,
      ...(cloud ? { cloud } : {}),
      body: resolved,
      lastModified: this.store.stamp(),
      seq: existing?.seq ?? this.store.seq(),
    };
    const clash = this.store.conflicting(obj);
    if (clash) {
      const tenantName = this.store.get(tenant)?.name ?? tenant;
      throw new ApiError(
        409,
        `${modelName(type)} object with this name '${name}' already exist in tenant ${tenantName}`,
        {
          obj_name: name,
        },
      );
    }
    return obj;
  }

  private vipNetwork(cloud: string | undefined): StoredObject | undefined {
    const nets = this.store.byTypeTenantName('network', ADMIN_TENANT, this.opts.vipNetworkName);
    return nets.find((n) => n.cloud === cloud) ?? nets[0];
  }

  private fillDefaults(type: string, tenant: string, body: Json): Json {
    const out: Json = { ...body };
    const def = definitionOf(type);
    if (def) {
      for (const [k, spec] of Object.entries(def.p)) {
        if (spec.dflt !== undefined && out[k] === undefined && !spec.ro) out[k] = spec.dflt;
      }
    }
    if (hasField(type, 'tenant_ref') && out.tenant_ref === undefined) out.tenant_ref = internalRef('tenant', tenant);
    const adminRef = (t: string, name: string, cloud?: string) => {
      const found = this.store
        .byTypeTenantName(t, ADMIN_TENANT, name)
        .find((o) => cloud === undefined || o.cloud === undefined || o.cloud === cloud);
      return found ? internalRef(t, found.uuid) : undefined;
    };
    const setIfAbsent = (k: string, v: string | undefined) => {
      if (out[k] === undefined && v !== undefined && hasField(type, k)) out[k] = v;
    };
    if (type !== 'cloud' && def && 'cloud_ref' in def.p) setIfAbsent('cloud_ref', adminRef('cloud', 'Default-Cloud'));
    const cloud = typeof out.cloud_ref === 'string' ? splitInternalRef(out.cloud_ref)?.uuid : undefined;
    if (type === 'virtualservice') {
      setIfAbsent('se_group_ref', adminRef('serviceenginegroup', 'Default-Group', cloud));
      setIfAbsent('vrf_context_ref', adminRef('vrfcontext', 'global', cloud));
      setIfAbsent('application_profile_ref', adminRef('applicationprofile', 'System-HTTP'));
      setIfAbsent('network_profile_ref', adminRef('networkprofile', 'System-TCP-Proxy'));
    }
    if (type === 'vsvip') setIfAbsent('vrf_context_ref', adminRef('vrfcontext', 'global', cloud));
    if (type === 'pool') setIfAbsent('vrf_ref', adminRef('vrfcontext', 'global', cloud));
    return out;
  }

  private checkVirtualService(uuid: string, body: Json, existing: StoredObject | undefined): void {
    const vsType = body.type ?? 'VS_TYPE_NORMAL';
    if (vsType === 'VS_TYPE_VH_CHILD') {
      const parentRef = body.vh_parent_vs_ref;
      if (typeof parentRef !== 'string') {
        throw new ApiError(
          400,
          "Invalid data in field 'vh_parent_vs_ref': a VS_TYPE_VH_CHILD virtual service needs a VH parent",
        );
      }
      const parent = this.store.get(splitInternalRef(parentRef)?.uuid ?? '');
      if (!parent || parent.uuid === uuid || (parent.body.type ?? 'VS_TYPE_NORMAL') !== 'VS_TYPE_VH_PARENT') {
        throw new ApiError(
          400,
          `Invalid data in field 'vh_parent_vs_ref': ${parent?.name ?? parentRef} is not a VirtualService of type VS_TYPE_VH_PARENT`,
        );
      }
    } else if (typeof body.vsvip_ref !== 'string') {
      throw new ApiError(400, "Invalid data in field 'vsvip_ref': a virtual service needs a VIP (vsvip_ref)");
    }
    if (existing && vsType !== 'VS_TYPE_VH_PARENT') {
      const child = this.store
        .referrersOf(uuid)
        .find((r) => r.type === 'virtualservice' && r.body.vh_parent_vs_ref === internalRef('virtualservice', uuid));
      if (child) {
        throw new ApiError(400, `Invalid data in field 'type': VH child ${child.name} still refers to this VH parent`);
      }
    }
  }

  /** Replaces every ref in a body by its internal form; '' means unset. */
  private resolveRefs(type: string, body: Json, tenant: string, cloud: string | undefined, lenient: boolean): Json {
    return mapRefs(type, body, (ref, target, path) => {
      if (ref === '') return undefined;
      try {
        return this.resolveOne(ref, target, tenant, cloud, path);
      } catch (err) {
        if (lenient) return ref;
        throw err;
      }
    });
  }

  /** Resolves one ref (name query, `/api/<type>/<uuid>` or full URL) in `tenant`, then in admin. */
  resolveOne(ref: string, target: string | undefined, tenant: string, cloud: string | undefined, path: string): string {
    const parsed = parseRef(ref);
    if (!parsed) {
      throw new ApiError(
        400,
        `Invalid data in field '${path}': '${ref}' is not a reference (use /api/<type>/?name=<name>, /api/<type>/<uuid> or a full URL)`,
      );
    }
    if (target && parsed.type !== target) {
      throw new ApiError(400, `Invalid data in field '${path}': '${ref}' is not a reference to ${modelName(target)}`);
    }
    const type = target ?? parsed.type;
    const notFound = () =>
      new ApiError(
        type === 'network' || type === 'vrfcontext' ? 400 : this.opts.refNotFoundStatus,
        `${modelName(type)} object not found!`,
        { field: path },
      );
    if (!isKnownType(type)) throw notFound();
    if (parsed.kind === 'uuid') {
      const obj = this.store.get(parsed.uuid);
      if (!obj || obj.type !== type || (obj.tenant !== tenant && obj.tenant !== ADMIN_TENANT)) throw notFound();
      return internalRef(type, obj.uuid);
    }
    const tenants = type === 'tenant' || tenant === ADMIN_TENANT ? [ADMIN_TENANT] : [tenant, ADMIN_TENANT];
    const cloudByName = parsed.cloudName
      ? this.store.byTypeTenantName('cloud', ADMIN_TENANT, parsed.cloudName)[0]?.uuid
      : undefined;
    for (const t of tenants) {
      const candidates = this.store.byTypeTenantName(type, t, parsed.name);
      const wantCloud = cloudByName ?? cloud;
      const pick =
        candidates.find((c) => wantCloud !== undefined && c.cloud === wantCloud) ??
        (parsed.cloudName ? undefined : candidates[0]);
      if (pick) return internalRef(type, pick.uuid);
    }
    throw notFound();
  }
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Partial match: every field given in `pattern` equals the item's (deep). */
function matches(item: unknown, pattern: unknown): boolean {
  if (isObj(pattern) && isObj(item)) return Object.entries(pattern).every(([k, v]) => matches(item[k], v));
  return JSON.stringify(item) === JSON.stringify(pattern);
}

export function applyPatch(current: Json, op: string, partial: Json): Json {
  const out: Json = { ...current };
  for (const [k, v] of Object.entries(partial)) {
    const cur = out[k];
    if (op === 'replace') {
      out[k] = v;
    } else if (op === 'add') {
      if (Array.isArray(cur) && Array.isArray(v)) {
        out[k] = [...cur, ...v.filter((item) => !cur.some((c) => JSON.stringify(c) === JSON.stringify(item)))];
      } else {
        out[k] = v;
      }
    } else if (Array.isArray(cur) && Array.isArray(v)) {
      out[k] = cur.filter((item) => !v.some((p) => matches(item, p)));
    } else {
      delete out[k];
    }
  }
  return out;
}
