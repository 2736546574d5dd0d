import { isCloudScoped } from './models.ts';
import { outgoingRefs } from './refs.ts';

/** One object as the simulator keeps it: refs in internal form (`/api/<type>/<uuid>`), no url/uuid/_last_modified. */
export interface StoredObject {
  type: string;
  uuid: string;
  /** Tenant uuid (`admin` for the admin tenant). */
  tenant: string;
  name: string;
  /** Cloud uuid for objects with a cloud_ref. */
  cloud?: string;
  body: Record<string, unknown>;
  /** Microseconds since the epoch, as a string (what the controller returns). */
  lastModified: string;
  /** Creation order, for stable collection order. */
  seq: number;
}

/** In-memory object store with the indexes the API needs: by uuid, by (type, tenant, name), and referrers. */
export class ObjectStore {
  private readonly byUuid = new Map<string, StoredObject>();
  private readonly byType = new Map<string, Map<string, StoredObject>>();
  private readonly byName = new Map<string, Set<string>>();
  /** (type, name) across tenants: collection GETs filtered by name stay O(matches). */
  private readonly byTypeAndName = new Map<string, Set<string>>();
  private readonly refsOut = new Map<string, string[]>();
  private readonly refsIn = new Map<string, Set<string>>();
  private lastStampUs = 0;
  private nextSeq = 1;

  constructor(private readonly nowMs: () => number) {}

  /** A fresh `_last_modified`: microseconds, strictly increasing even within one millisecond. */
  stamp(): string {
    const us = Math.max(Math.floor(this.nowMs() * 1000), this.lastStampUs + 1);
    this.lastStampUs = us;
    return String(us);
  }

  seq(): number {
    return this.nextSeq++;
  }

  get(uuid: string): StoredObject | undefined {
    return this.byUuid.get(uuid);
  }

  has(uuid: string): boolean {
    return this.byUuid.has(uuid);
  }

  ofType(type: string): StoredObject[] {
    return [...(this.byType.get(type)?.values() ?? [])];
  }

  all(): StoredObject[] {
    return [...this.byUuid.values()];
  }

  /** Objects of a type named `name` in one tenant (several only for cloud-scoped types). */
  byTypeTenantName(type: string, tenant: string, name: string): StoredObject[] {
    const ids = this.byName.get(nameKey(type, tenant, name));
    return ids ? [...ids].map((id) => this.byUuid.get(id)!).filter(Boolean) : [];
  }

  /** Objects of a type named `name` in any tenant. */
  byTypeName(type: string, name: string): StoredObject[] {
    const ids = this.byTypeAndName.get(nameKey(type, '', name));
    return ids ? [...ids].map((id) => this.byUuid.get(id)!).filter(Boolean) : [];
  }

  /** The object that a new/renamed object would clash with, if any. */
  conflicting(obj: Pick<StoredObject, 'type' | 'tenant' | 'name' | 'cloud' | 'uuid'>): StoredObject | undefined {
    return this.byTypeTenantName(obj.type, obj.tenant, obj.name).find(
      (o) => o.uuid !== obj.uuid && (!isCloudScoped(obj.type) || o.cloud === obj.cloud),
    );
  }

  referrersOf(uuid: string): StoredObject[] {
    return [...(this.refsIn.get(uuid) ?? [])].map((id) => this.byUuid.get(id)!).filter(Boolean);
  }

  refersTo(uuid: string): string[] {
    return this.refsOut.get(uuid) ?? [];
  }

  /** Inserts or replaces an object, keeping every index in step. */
  put(obj: StoredObject): void {
    const old = this.byUuid.get(obj.uuid);
    if (old) this.unindex(old);
    this.byUuid.set(obj.uuid, obj);
    let typed = this.byType.get(obj.type);
    if (!typed) {
      typed = new Map();
      this.byType.set(obj.type, typed);
    }
    typed.set(obj.uuid, obj);
    const key = nameKey(obj.type, obj.tenant, obj.name);
    let ids = this.byName.get(key);
    if (!ids) {
      ids = new Set();
      this.byName.set(key, ids);
    }
    ids.add(obj.uuid);
    const anyTenantKey = nameKey(obj.type, '', obj.name);
    let anyTenant = this.byTypeAndName.get(anyTenantKey);
    if (!anyTenant) {
      anyTenant = new Set();
      this.byTypeAndName.set(anyTenantKey, anyTenant);
    }
    anyTenant.add(obj.uuid);
    const out = outgoingRefs(obj.type, obj.body).filter((id) => id !== obj.uuid);
    this.refsOut.set(obj.uuid, out);
    for (const target of out) {
      let s = this.refsIn.get(target);
      if (!s) {
        s = new Set();
        this.refsIn.set(target, s);
      }
      s.add(obj.uuid);
    }
    this.nextSeq = Math.max(this.nextSeq, obj.seq + 1);
    this.lastStampUs = Math.max(this.lastStampUs, Number(obj.lastModified) || 0);
  }

  remove(uuid: string): StoredObject | undefined {
    const old = this.byUuid.get(uuid);
    if (!old) return undefined;
    this.unindex(old);
    this.byUuid.delete(uuid);
    this.byType.get(old.type)?.delete(uuid);
    return old;
  }

  clear(): void {
    this.byUuid.clear();
    this.byType.clear();
    this.byName.clear();
    this.byTypeAndName.clear();
    this.refsIn.clear();
    this.refsOut.clear();
  }

  private unindex(obj: StoredObject): void {
    this.byName.get(nameKey(obj.type, obj.tenant, obj.name))?.delete(obj.uuid);
    this.byTypeAndName.get(nameKey(obj.type, '', obj.name))?.delete(obj.uuid);
    for (const target of this.refsOut.get(obj.uuid) ?? []) this.refsIn.get(target)?.delete(obj.uuid);
    this.refsOut.delete(obj.uuid);
  }
}

function nameKey(type: string, tenant: string, name: string): string {
  return `${type}\u0000${tenant}\u0000${name}`;
}
