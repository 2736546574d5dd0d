/**
 * Patch semantics: JSON merge patch (RFC 7386), a strategic-merge-patch subset (merge-keyed lists for
 * the fields kubectl apply touches on our kinds, `$patch`/`$setElementOrder`/`$retainKeys` directives),
 * and JSON patch (RFC 6902).
 */
export class PatchError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch as Json);
  const out: JsonObject = isObject(target) ? { ...(target as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * Lists merged by key under strategic merge patch, by `<Kind>:<dotted path>`; every other list is
 * replaced whole (atomic), as for the Ingress, EndpointSlice and Route lists.
 */
const MERGE_KEYS: Record<string, string> = {
  'Service:spec.ports': 'port',
  '*:metadata.ownerReferences': 'uid',
  'Node:status.addresses': 'type',
  '*:status.conditions': 'type',
  'Node:spec.taints': 'key',
};

function mergeKeyFor(kind: string, path: string): string | undefined {
  return MERGE_KEYS[`${kind}:${path}`] ?? MERGE_KEYS[`*:${path}`];
}

export function strategicMergePatch(target: unknown, patch: unknown, kind: string, path = ''): Json {
  if (!isObject(patch)) return structuredClone(patch as Json);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return null;
  const out: JsonObject = isObject(target) ? { ...(target as JsonObject) } : {};
  const orders = new Map<string, Json[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.set(k.slice('$setElementOrder/'.length), v);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      const key = mergeKeyFor(kind, childPath);
      out[k] = key ? mergeList(out[k], v, key, kind, childPath) : stripDirectives(v);
    } else {
      out[k] = strategicMergePatch(out[k], v, kind, childPath);
    }
  }
  for (const [field, order] of orders) {
    const key = mergeKeyFor(kind, path ? `${path}.${field}` : field);
    const cur = out[field];
    if (!key || !Array.isArray(cur)) continue;
    const rank = new Map(order.map((o, i) => [JSON.stringify(isObject(o) ? o[key] : o), i]));
    out[field] = [...cur].sort(
      (a, b) =>
        (rank.get(JSON.stringify(isObject(a) ? a[key] : a)) ?? Number.MAX_SAFE_INTEGER) -
        (rank.get(JSON.stringify(isObject(b) ? b[key] : b)) ?? Number.MAX_SAFE_INTEGER),
    );
  }
  return out;
}

function mergeList(target: unknown, patch: Json[], key: string, kind: string, path: string): Json {
  const out: Json[] = Array.isArray(target) ? [...(target as Json[])] : [];
  for (const item of patch) {
    if (!isObject(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(item[key]));
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = strategicMergePatch(out[idx], item, kind, path);
    } else {
      out.push(stripDirectives(item));
    }
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer '${path}'`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, parts: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Json; last: string } {
  const parent = getAt(doc, parts.slice(0, -1));
  if (parent === undefined || parent === null || typeof parent !== 'object') {
    throw new PatchError(`JSON patch path '${path}' does not exist`);
  }
  return { parent, last: parts[parts.length - 1]! };
}

export function jsonPatch(target: unknown, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target as Json);
  const remove = (path: string): Json => {
    const parts = pointer(path);
    const { parent, last } = parentOf(doc, parts, path);
    if (Array.isArray(parent)) {
      const i = Number(last);
      if (!(i >= 0 && i < parent.length)) throw new PatchError(`JSON patch path '${path}' does not exist`);
      return parent.splice(i, 1)[0]!;
    }
    const o = parent as JsonObject;
    if (!Object.hasOwn(o, last)) throw new PatchError(`JSON patch path '${path}' does not exist`);
    const v = o[last]!;
    delete o[last];
    return v;
  };
  const add = (path: string, value: Json) => {
    const parts = pointer(path);
    if (parts.length === 0) {
      doc = value;
      return;
    }
    const { parent, last } = parentOf(doc, parts, path);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!(i >= 0 && i <= parent.length)) throw new PatchError(`JSON patch index out of range at '${path}'`);
      parent.splice(i, 0, value);
    } else (parent as JsonObject)[last] = value;
  };
  for (const raw of ops as JsonPatchOp[]) {
    if (!raw || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('each JSON patch operation needs "op" and "path"');
    }
    switch (raw.op) {
      case 'add':
        add(raw.path, structuredClone(raw.value ?? null));
        break;
      case 'remove':
        remove(raw.path);
        break;
      case 'replace':
        remove(raw.path);
        add(raw.path, structuredClone(raw.value ?? null));
        break;
      case 'move':
        add(raw.path, remove(raw.from ?? ''));
        break;
      case 'copy':
        add(raw.path, structuredClone(getAt(doc, pointer(raw.from ?? '')) ?? null));
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, pointer(raw.path))) !== JSON.stringify(raw.value)) {
          throw new PatchError(`JSON patch test failed at '${raw.path}'`);
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation '${raw.op}'`);
    }
  }
  return doc;
}
