import { ApiError } from './errors.ts';
import { ADMIN_TENANT, type ObjectService } from './objects.ts';
import { splitInternalRef } from './refs.ts';
import type { StoredObject } from './store.ts';

type Json = Record<string, unknown>;

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 200;

/** `include_name`, `include_name=` and `include_name=true` all mean yes (Go's url.Values turns a flag into `x=`). */
export function flag(query: URLSearchParams, key: string): boolean {
  const v = query.get(key);
  return v !== null && v.toLowerCase() !== 'false' && v !== '0';
}

function labelsMatch(obj: StoredObject, key: string, value: string | null): boolean {
  const labels = (obj.body.labels as { key?: string; value?: string }[] | undefined) ?? [];
  if (labels.some((l) => l.key === key && (value === null || l.value === value))) return true;
  const markers = (obj.body.markers as { key?: string; values?: string[] }[] | undefined) ?? [];
  return markers.some((m) => m.key === key && (value === null || (m.values ?? []).includes(value)));
}

function typedUuid(spec: string, param: string): string {
  const i = spec.indexOf(':');
  if (i < 0) throw new ApiError(400, `Invalid ${param} '${spec}': expected <obj_type>:<obj_uuid>`);
  return spec.slice(i + 1);
}

/** Builds the predicate for a collection GET's filters. */
export function collectionFilter(svc: ObjectService, query: URLSearchParams): (o: StoredObject) => boolean {
  const tests: ((o: StoredObject) => boolean)[] = [];
  const name = query.get('name');
  if (name !== null) tests.push((o) => o.name === name);
  const contains = query.get('name.contains');
  if (contains !== null) tests.push((o) => o.name.includes(contains));
  const icontains = query.get('name.icontains');
  if (icontains !== null) tests.push((o) => o.name.toLowerCase().includes(icontains.toLowerCase()));
  const nameIn = query.get('name.in');
  if (nameIn !== null) {
    const set = new Set(nameIn.split(','));
    tests.push((o) => set.has(o.name));
  }
  const uuidIn = query.get('uuid.in');
  if (uuidIn !== null) {
    const set = new Set(uuidIn.split(','));
    tests.push((o) => set.has(o.uuid));
  }
  const createdBy = query.get('created_by');
  if (createdBy !== null) tests.push((o) => o.body.created_by === createdBy);
  const cloudName = query.get('cloud_ref.name');
  if (cloudName !== null) {
    const clouds = new Set(svc.store.byTypeTenantName('cloud', ADMIN_TENANT, cloudName).map((c) => c.uuid));
    tests.push((o) => cloudOf(o) !== undefined && clouds.has(cloudOf(o)!));
  }
  const cloudUuid = query.get('cloud_ref.uuid') ?? query.get('cloud_uuid');
  if (cloudUuid !== null) tests.push((o) => cloudOf(o) === cloudUuid);
  const labelKey = query.get('label_key');
  if (labelKey !== null) {
    const labelValue = query.get('label_value');
    tests.push((o) => labelsMatch(o, labelKey, labelValue));
  }
  const refersTo = query.get('refers_to');
  if (refersTo !== null) {
    const target = typedUuid(refersTo, 'refers_to');
    tests.push((o) => svc.store.refersTo(o.uuid).includes(target));
  }
  const referredBy = query.get('referred_by');
  if (referredBy !== null) {
    const source = typedUuid(referredBy, 'referred_by');
    tests.push((o) => svc.store.refersTo(source).includes(o.uuid));
  }
  return (o) => tests.every((t) => t(o));
}

function cloudOf(o: StoredObject): string | undefined {
  if (o.type === 'cloud') return o.uuid;
  return o.cloud ?? (typeof o.body.cloud_ref === 'string' ? splitInternalRef(o.body.cloud_ref)?.uuid : undefined);
}

function intParam(query: URLSearchParams, key: string, dflt: number): number {
  const raw = query.get(key);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ApiError(400, `Invalid ${key} '${raw}': expected a positive integer`);
  return n;
}

/** Keeps only the requested fields (plus those a controller always returns). */
function pickFields(obj: Json, fields: string[]): Json {
  const keep = new Set(['url', 'uuid', 'name', ...fields]);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keep.has(k)));
}

/**
 * A collection GET: `{count, results, next}` where count is the total match count and `next` the full URL
 * of the following page (absent on the last one). Page size defaults to 25 and is capped at 200.
 */
export function listCollection(
  svc: ObjectService,
  type: string,
  query: URLSearchParams,
  tenant: string,
  base: string,
  path: string,
  version?: string,
): Json {
  const pageSize = Math.min(intParam(query, 'page_size', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const page = intParam(query, 'page', 1);
  const filter = collectionFilter(svc, query);
  const name = query.get('name');
  const candidates = name !== null ? svc.store.byTypeName(type, name) : svc.store.ofType(type);
  let matched = candidates.filter((o) => svc.visible(o, tenant) && filter(o));
  const sort = query.get('sort');
  if (sort === 'name' || sort === '-name') {
    matched.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (sort === '-name') matched.reverse();
  } else {
    matched = matched.sort((a, b) => a.seq - b.seq);
  }
  const start = (page - 1) * pageSize;
  const includeName = flag(query, 'include_name');
  const fields = (query.get('fields') ?? '').split(',').filter((f) => f !== '');
  const results = matched.slice(start, start + pageSize).map((o) => {
    const rendered = svc.render(o, base, includeName, version);
    return fields.length > 0 ? pickFields(rendered, fields) : rendered;
  });
  const out: Json = { count: matched.length, results };
  if (start + pageSize < matched.length) {
    const next = new URLSearchParams(query);
    next.set('page', String(page + 1));
    out.next = `${base}${path}?${next.toString()}`;
  }
  return out;
}
