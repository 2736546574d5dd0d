import { definitionOf } from './models.ts';
import { DEFINITIONS } from './schema/swagger.ts';
import type { DefinitionSpec } from './schema/types.ts';

/** A reference as a client may write it. */
export type ParsedRef =
  | { kind: 'uuid'; type: string; uuid: string }
  | { kind: 'name'; type: string; name: string; cloudName?: string };

/**
 * Parses the ref forms controllers accept: `/api/pool?name=x`, `/api/pool/?name=x`, `/api/pool/<uuid>`,
 * and full URLs of either (with or without `#name`). Returns undefined for anything else.
 */
export function parseRef(ref: string): ParsedRef | undefined {
  let rest = ref.trim().replace(/^[a-z]+:\/\/[^/]+/i, '');
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = (q >= 0 ? rest.slice(0, q) : rest).replace(/\/{2,}/g, '/').replace(/\/$/, '');
  const query = new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '');
  const m = /^\/api\/([a-z0-9-]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const type = m[1]!;
  if (m[2]) return { kind: 'uuid', type, uuid: decodeURIComponent(m[2]) };
  const name = query.get('name');
  if (name === null) return undefined;
  const cloudName = query.get('cloud_ref.name') ?? undefined;
  return { kind: 'name', type, name, ...(cloudName ? { cloudName } : {}) };
}

/** Internal, stored form of a resolved reference. */
export function internalRef(type: string, uuid: string): string {
  return `/api/${type}/${uuid}`;
}

/** Splits an internal ref back into type and uuid. */
export function splitInternalRef(ref: string): { type: string; uuid: string } | undefined {
  const m = /^\/api\/([a-z0-9-]+)\/([^/?#]+)$/.exec(ref);
  return m ? { type: m[1]!, uuid: m[2]! } : undefined;
}

/**
 * Called for every ref string in a body. `target` is the type the schema says it refers to (undefined for
 * leniently stored types). Return the replacement, or undefined to drop the ref (empty string = unset).
 */
export type RefVisitor = (ref: string, target: string | undefined, path: string) => string | undefined;

/** Returns a copy of `body` with every ref passed through `visit`, following the type's definition. */
export function mapRefs(type: string, body: Record<string, unknown>, visit: RefVisitor): Record<string, unknown> {
  const def = definitionOf(type);
  return mapObject(def, body, '', visit);
}

function mapObject(
  def: DefinitionSpec | undefined,
  obj: Record<string, unknown>,
  prefix: string,
  visit: RefVisitor,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const path = `${prefix}${key}`;
    const spec = def?.p[key];
    const isRef = spec ? spec.ref !== undefined : !def && (key.endsWith('_ref') || key.endsWith('_refs'));
    const target = spec?.ref;
    if (isRef && typeof value === 'string') {
      const v = visit(value, target, path);
      if (v !== undefined) out[key] = v;
      continue;
    }
    if (isRef && Array.isArray(value)) {
      const mapped: unknown[] = [];
      value.forEach((item, i) => {
        if (typeof item !== 'string') {
          mapped.push(item);
          return;
        }
        const v = visit(item, target, `${path}[${i}]`);
        if (v !== undefined) mapped.push(v);
      });
      out[key] = mapped;
      continue;
    }
    const child = spec?.def ? DEFINITIONS[spec.def] : undefined;
    if (Array.isArray(value)) {
      out[key] = value.map((item, i) =>
        isObj(item) && (child || !def) ? mapObject(child, item, `${path}[${i}].`, visit) : item,
      );
    } else if (isObj(value) && (child || !def)) {
      out[key] = mapObject(child, value, `${path}.`, visit);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The uuids a stored (internal-form) body refers to. */
export function outgoingRefs(type: string, body: Record<string, unknown>): string[] {
  const found = new Set<string>();
  mapRefs(type, body, (ref) => {
    const r = splitInternalRef(ref);
    if (r) found.add(r.uuid);
    return ref;
  });
  return [...found];
}
