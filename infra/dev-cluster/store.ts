import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, conflict, invalid, notFound } from './errors.ts';
import { apiVersionOf, type ResourceType, resourceId, storedApiVersion } from './resources.ts';

/** A stored object: plain JSON with the usual metadata. */
// biome-ignore lint/suspicious/noExplicitAny: objects are free-form JSON
export type KObj = Record<string, any> & {
  metadata: Record<string, unknown> & {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
};

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  rid: string;
  type: WatchEventType;
  obj: KObj;
  /** The previous state for MODIFIED (selector transitions turn it into ADDED/DELETED per watcher). */
  old?: KObj;
}

export interface WriteCounters {
  creates: number;
  updates: number;
  patches: number;
  deletes: number;
  statusUpdates: number;
  statusPatches: number;
  /** Writes that changed nothing (no new resourceVersion). */
  noops: number;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;

/** Everything except metadata and status: a change here bumps `generation`. */
function specPart(o: KObj): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

function sameContent(a: KObj, b: KObj): boolean {
  const strip = (o: KObj) => {
    const { resourceVersion: _rv, managedFields: _mf, ...m } = o.metadata;
    return JSON.stringify({ ...o, metadata: m });
  };
  return strip(a) === strip(b);
}

/**
 * Admission: checks (throw an ApiError) and completes (defaults, pruning, server-set status) an object about to be
 * written. `old` is absent on create; `subresource` is 'status' for status writes.
 */
export type AdmitFn = (rt: ResourceType, obj: KObj, old: KObj | undefined, subresource?: 'status') => void;

export interface StoreOptions {
  /** How many watch events are kept for resuming watches; older ones are compacted. */
  historyLimit?: number;
}

/**
 * The object store: one global resourceVersion counter, per-resource maps and a bounded event history
 * for watch resumption. Every mutation notifies the listeners synchronously in resourceVersion order.
 */
export class ObjectStore {
  rv = 0;
  /** Highest resourceVersion whose event is no longer in the history. */
  compactedRv = 0;
  readonly counters: WriteCounters = {
    creates: 0,
    updates: 0,
    patches: 0,
    deletes: 0,
    statusUpdates: 0,
    statusPatches: 0,
    noops: 0,
  };
  readonly #objects = new Map<string, Map<string, KObj>>();
  #history: StoreEvent[] = [];
  #historyStart = 0;
  readonly #historyLimit: number;
  readonly #listeners = new Set<(e: StoreEvent) => void>();
  #ipCounter = 0;
  /** Admission hooks run on every create and update (custom resource validation, CRD status). */
  readonly admit: AdmitFn[] = [];
  /** Called before an object is deleted (a CRD takes its custom resources with it). */
  readonly beforeDelete: ((rt: ResourceType, obj: KObj) => void)[] = [];

  constructor(opts: StoreOptions = {}) {
    this.#historyLimit = opts.historyLimit ?? 10_000;
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #map(rt: ResourceType): Map<string, KObj> {
    const rid = resourceId(rt);
    let m = this.#objects.get(rid);
    if (!m) {
      m = new Map();
      this.#objects.set(rid, m);
    }
    return m;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObj | undefined {
    return this.#map(rt).get(keyOf(rt.namespaced ? ns : undefined, name));
  }

  /** Objects of a type (optionally one namespace), sorted by namespace then name. */
  list(rt: ResourceType, ns?: string): KObj[] {
    const out: KObj[] = [];
    for (const o of this.#map(rt).values()) {
      if (ns !== undefined && rt.namespaced && o.metadata.namespace !== ns) continue;
      out.push(o);
    }
    return out.sort((a, b) => {
      const ka = keyOf(a.metadata.namespace, a.metadata.name);
      const kb = keyOf(b.metadata.namespace, b.metadata.name);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  count(rt: ResourceType): number {
    return this.#map(rt).size;
  }

  /** Events after `rv` (exclusive), or undefined when some of them were compacted. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    const out: StoreEvent[] = [];
    for (let i = this.#historyStart; i < this.#history.length; i++) {
      const e = this.#history[i]!;
      if (e.rv > rv) out.push(e);
    }
    return out;
  }

  /** Drops the whole history: every watch resuming from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.#history = [];
    this.#historyStart = 0;
  }

  #emit(e: StoreEvent): void {
    this.#history.push(e);
    if (this.#history.length - this.#historyStart > this.#historyLimit) {
      this.compactedRv = this.#history[this.#historyStart]!.rv;
      this.#history[this.#historyStart] = undefined as unknown as StoreEvent;
      this.#historyStart++;
      // Re-pack occasionally so the array does not grow without bound.
      if (this.#historyStart > this.#historyLimit) {
        this.#history = this.#history.slice(this.#historyStart);
        this.#historyStart = 0;
      }
    }
    for (const l of this.#listeners) l(e);
  }

  #nsExists(ns: string): boolean {
    return this.#objects.get('/v1/namespaces')?.has(keyOf(undefined, ns)) ?? false;
  }

  /** Normalises and validates a body for (rt, ns); throws ApiError. */
  #prepare(rt: ResourceType, ns: string | undefined, body: unknown, nameFromUrl?: string): KObj {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest(`the body of the request must be a ${rt.kind} object`);
    }
    const obj = structuredClone(body) as KObj;
    const av = apiVersionOf(rt);
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw badRequest(
        `the kind of the provided object (${obj.kind}) does not match the resource ${rt.plural} (${rt.kind})`,
      );
    }
    // Served versions of a custom resource convert with strategy None: the stored version is accepted too.
    if (obj.apiVersion !== undefined && obj.apiVersion !== av && obj.apiVersion !== storedApiVersion(rt)) {
      throw badRequest(`the apiVersion of the provided object (${obj.apiVersion}) does not match ${av}`);
    }
    obj.kind = rt.kind;
    obj.apiVersion = storedApiVersion(rt);
    if (obj.metadata === null || typeof obj.metadata !== 'object') obj.metadata = {} as KObj['metadata'];
    const md = obj.metadata;
    if (rt.namespaced) {
      if (md.namespace !== undefined && md.namespace !== '' && ns !== undefined && md.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      md.namespace = ns ?? md.namespace;
      if (!md.namespace) md.namespace = 'default';
    } else {
      delete md.namespace;
    }
    if (!md.name && typeof md.generateName === 'string' && md.generateName) {
      md.name = `${md.generateName}${randomUUID().slice(0, 5)}`;
    }
    if (nameFromUrl !== undefined && md.name && md.name !== nameFromUrl) {
      throw badRequest(`the name of the object (${md.name}) does not match the name on the URL (${nameFromUrl})`);
    }
    const name = String(md.name ?? '');
    const causes: { field: string; message: string }[] = [];
    if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required' });
    else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
    if (rt.kind === 'Namespace' && name && !DNS1123_LABEL.test(name)) {
      causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": must be a DNS-1123 label` });
    }
    for (const f of ['labels', 'annotations'] as const) {
      const v = md[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'object' || Array.isArray(v)) {
        causes.push({ field: `metadata.${f}`, message: 'Invalid value: must be a map of strings' });
        continue;
      }
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'string')
          causes.push({ field: `metadata.${f}.${k}`, message: 'Invalid value: must be a string' });
      }
    }
    if (rt.kind === 'Secret') this.#normaliseSecret(obj, causes);
    if (causes.length) throw invalid(rt, name, causes);
    return obj;
  }

  #normaliseSecret(obj: KObj, causes: { field: string; message: string }[]): void {
    if (obj.stringData && typeof obj.stringData === 'object') {
      obj.data = { ...(obj.data ?? {}) };
      for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) {
        obj.data[k] = Buffer.from(String(v)).toString('base64');
      }
      delete obj.stringData;
    }
    if (!obj.type) obj.type = 'Opaque';
    if (obj.type === 'kubernetes.io/tls') {
      for (const k of ['tls.crt', 'tls.key']) {
        if (!obj.data || typeof obj.data[k] !== 'string')
          causes.push({ field: `data[${k}]`, message: 'Required value' });
      }
    }
  }

  #defaults(rt: ResourceType, obj: KObj): void {
    if (rt.kind === 'Service') {
      obj.spec = obj.spec ?? {};
      obj.spec.type = obj.spec.type ?? 'ClusterIP';
      if (obj.spec.type !== 'ExternalName' && !obj.spec.clusterIP) {
        this.#ipCounter++;
        obj.spec.clusterIP = `10.96.${(this.#ipCounter >> 8) & 255}.${this.#ipCounter & 255}`;
        obj.spec.clusterIPs = [obj.spec.clusterIP];
      }
    }
    if (rt.kind === 'Namespace') {
      obj.metadata.labels = {
        ...(obj.metadata.labels as Record<string, string>),
        'kubernetes.io/metadata.name': obj.metadata.name,
      };
      obj.status = obj.status ?? { phase: 'Active' };
    }
  }

  create(rt: ResourceType, ns: string | undefined, body: unknown): KObj {
    const obj = this.#prepare(rt, ns, body);
    const md = obj.metadata;
    if (rt.namespaced && !this.#nsExists(md.namespace!)) {
      throw notFound({ group: '', plural: 'namespaces', kind: 'Namespace' }, md.namespace!);
    }
    const m = this.#map(rt);
    const key = keyOf(md.namespace, md.name);
    if (m.has(key)) throw alreadyExists(rt, md.name);
    this.#defaults(rt, obj);
    for (const a of this.admit) a(rt, obj, undefined);
    this.rv++;
    md.uid = randomUUID();
    md.resourceVersion = String(this.rv);
    md.creationTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    md.generation = 1;
    delete md.managedFields;
    delete md.deletionTimestamp;
    m.set(key, obj);
    this.counters.creates++;
    this.#emit({ rv: this.rv, rid: resourceId(rt), type: 'ADDED', obj });
    return obj;
  }

  /**
   * Replaces an object (PUT). `subresource: 'status'` changes only status; the main resource keeps the
   * stored status for types with a status subresource. A body resourceVersion must match (409 otherwise).
   */
  update(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    opts: { subresource?: 'status'; counter?: keyof WriteCounters } = {},
  ): KObj {
    const m = this.#map(rt);
    const key = keyOf(rt.namespaced ? ns : undefined, name);
    const old = m.get(key);
    if (!old) throw notFound(rt, name);
    const obj = this.#prepare(rt, old.metadata.namespace, body, name);
    const md = obj.metadata;
    if (md.resourceVersion && md.resourceVersion !== old.metadata.resourceVersion) throw conflict(rt, name);
    if (md.uid && md.uid !== old.metadata.uid) throw conflict(rt, name);
    const counter = opts.counter ?? (opts.subresource === 'status' ? 'statusUpdates' : 'updates');
    this.counters[counter]++;
    let next: KObj;
    if (opts.subresource === 'status') {
      next = { ...structuredClone(old), status: obj.status };
      if (obj.status === undefined) delete next.status;
    } else {
      next = obj;
      if (rt.status) {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
      md.uid = old.metadata.uid;
      md.creationTimestamp = old.metadata.creationTimestamp;
      md.generation = old.metadata.generation;
      delete md.managedFields;
      if (rt.kind === 'Service' && next.spec && !next.spec.clusterIP && old.spec?.clusterIP) {
        next.spec.clusterIP = old.spec.clusterIP;
        next.spec.clusterIPs = old.spec.clusterIPs;
      }
      if (rt.kind === 'Namespace') this.#defaults(rt, next);
    }
    for (const a of this.admit) a(rt, next, old, opts.subresource);
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (sameContent(old, next)) {
      this.counters.noops++;
      return old;
    }
    if (opts.subresource !== 'status' && specPart(old) !== specPart(next)) {
      next.metadata.generation = Number(old.metadata.generation ?? 1) + 1;
    }
    this.rv++;
    next.metadata.resourceVersion = String(this.rv);
    m.set(key, next);
    this.#emit({ rv: this.rv, rid: resourceId(rt), type: 'MODIFIED', obj: next, old });
    return next;
  }

  /** Read-modify-write with a patch function applied to the current state (or to its status view). */
  patch(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    apply: (current: KObj) => unknown,
    opts: { subresource?: 'status' } = {},
  ): KObj {
    const old = this.get(rt, ns, name);
    if (!old) throw notFound(rt, name);
    const patched = apply(structuredClone(old));
    return this.update(rt, ns, name, patched, {
      subresource: opts.subresource,
      counter: opts.subresource === 'status' ? 'statusPatches' : 'patches',
    });
  }

  delete(
    rt: ResourceType,
    ns: string | undefined,
    name: string,
    precondition?: { resourceVersion?: string; uid?: string },
  ): KObj {
    const m = this.#map(rt);
    const key = keyOf(rt.namespaced ? ns : undefined, name);
    const old = m.get(key);
    if (!old) throw notFound(rt, name);
    if (precondition?.resourceVersion && precondition.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(rt, name);
    }
    if (precondition?.uid && precondition.uid !== old.metadata.uid) throw conflict(rt, name);
    if (rt.kind === 'Namespace' && rt.group === '') this.#deleteNamespaceContents(name);
    for (const hook of this.beforeDelete) hook(rt, old);
    m.delete(key);
    this.rv++;
    const gone: KObj = {
      ...old,
      metadata: { ...old.metadata, resourceVersion: String(this.rv), deletionTimestamp: new Date().toISOString() },
    };
    this.counters.deletes++;
    this.#emit({ rv: this.rv, rid: resourceId(rt), type: 'DELETED', obj: gone });
    return gone;
  }

  #types: ResourceType[] = [];
  /** The types a namespace deletion cascades to. */
  setTypes(types: ResourceType[]): void {
    this.#types = types;
  }

  #deleteNamespaceContents(ns: string): void {
    for (const rt of this.#types) {
      if (!rt.namespaced) continue;
      for (const o of this.list(rt, ns)) this.delete(rt, ns, o.metadata.name);
    }
  }
}
