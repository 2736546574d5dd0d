/**
 * Avi references come in three shapes: name queries we send (`/api/pool/?name=p`), paths by uuid
 * (`/api/pool/pool-1`) and full URLs the controller returns (`https://h/api/pool/pool-1#p`).
 */
export interface ParsedRef {
  type: string;
  uuid?: string;
  name?: string;
}

const REF = /^(?:[a-z]+:\/\/[^/]+)?\/+api\/([a-z0-9-]+)\/?([^?#/]*)\/?(\?[^#]*)?(#.*)?$/i;

export function parseRef(ref: string): ParsedRef | undefined {
  const m = REF.exec(ref.trim());
  if (!m) return undefined;
  const [, type, uuid, query, hash] = m;
  const out: ParsedRef = { type: type!.toLowerCase() };
  if (uuid) out.uuid = decodeURIComponent(uuid);
  if (query) {
    const name = new URLSearchParams(query.slice(1)).get('name');
    if (name !== null) out.name = name;
  }
  if (hash && hash.length > 1) out.name ??= decodeURIComponent(hash.slice(1));
  return out;
}

/** A name-query ref as AKO sends it (`/api/<type>/?name=<name>`). */
export function nameRef(type: string, name: string): string {
  return `/api/${type}/?name=${encodeURIComponent(name)}`;
}

/** The tenant name of an object read from the controller (`tenant_ref` ends in `#name` or the tenant uuid). */
export function tenantOf(body: Record<string, unknown>, fallback: string): string {
  const ref = body.tenant_ref;
  if (typeof ref !== 'string' || ref === '') return fallback;
  const parsed = parseRef(ref);
  if (parsed?.name) return parsed.name;
  return parsed?.uuid ?? fallback;
}

/** Every name-query ref in a body, as `<type>/<name>` (what an object depends on). */
export function namedRefsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (value.includes('/api/') && value.includes('name=')) {
      const p = parseRef(value);
      if (p?.name !== undefined && !p.uuid) out.add(`${p.type}/${p.name}`);
    }
  } else if (Array.isArray(value)) {
    for (const v of value) namedRefsIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) namedRefsIn(v, out);
  }
  return out;
}
