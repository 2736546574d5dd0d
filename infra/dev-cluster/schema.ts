/**
 * Structural OpenAPI v3 schemas of CustomResourceDefinitions, applied the way an API server applies them to a
 * custom resource: unknown fields are pruned (unless `x-kubernetes-preserve-unknown-fields`), `default`s are
 * filled in, and the value validations (type, enum, required, ranges, lengths, pattern, items, oneOf/anyOf/allOf/
 * not) produce field errors in the API server's wording. Pure: the caller turns the causes into a 422.
 */

// biome-ignore lint/suspicious/noExplicitAny: schemas and objects are free-form JSON
type Json = any;

export interface Cause {
  field: string;
  message: string;
}

const quote = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

const typeOf = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'integer'
          : 'number'
        : typeof v;

function typeMatches(type: string, v: unknown): boolean {
  const t = typeOf(v);
  if (type === 'number') return t === 'number' || t === 'integer';
  return t === type;
}

const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks the value validations of one schema node (no pruning, no defaults), recursing into children. */
function check(schema: Json, v: Json, path: string, out: Cause[]): void {
  if (!isObject(schema)) return;
  if (v === null) {
    if (!schema.nullable && schema.type)
      out.push({
        field: path,
        message: `Invalid value: "null": ${path} in body must be of type ${schema.type}: "null"`,
      });
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeOf(v) === 'integer' || typeof v === 'string')) {
      out.push({
        field: path,
        message: `Invalid value: ${quote(v)}: ${path} in body must be of type integer,string: "${typeOf(v)}"`,
      });
      return;
    }
  } else if (typeof schema.type === 'string' && !typeMatches(schema.type, v)) {
    out.push({
      field: path,
      message: `Invalid value: "${typeOf(v)}": ${path} in body must be of type ${schema.type}: "${typeOf(v)}"`,
    });
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v))) {
    out.push({
      field: path,
      message: `Unsupported value: ${quote(v)}: supported values: ${schema.enum.map(quote).join(', ')}`,
    });
  }
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && (schema.exclusiveMinimum ? v <= schema.minimum : v < schema.minimum)) {
      out.push({
        field: path,
        message: `Invalid value: ${v}: ${path} in body should be greater than or equal to ${schema.minimum}`,
      });
    }
    if (typeof schema.maximum === 'number' && (schema.exclusiveMaximum ? v >= schema.maximum : v > schema.maximum)) {
      out.push({
        field: path,
        message: `Invalid value: ${v}: ${path} in body should be less than or equal to ${schema.maximum}`,
      });
    }
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (typeof schema.maxLength === 'number' && len > schema.maxLength) {
      out.push({ field: path, message: `Too long: may not be longer than ${schema.maxLength}` });
    }
    if (typeof schema.minLength === 'number' && len < schema.minLength) {
      out.push({
        field: path,
        message: `Invalid value: ${quote(v)}: ${path} in body should be at least ${schema.minLength} chars long`,
      });
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v)) {
      out.push({
        field: path,
        message: `Invalid value: ${quote(v)}: ${path} in body should match '${schema.pattern}'`,
      });
    }
  }
  if (Array.isArray(v)) {
    if (typeof schema.maxItems === 'number' && v.length > schema.maxItems) {
      out.push({ field: path, message: `Too many: ${v.length}: must have at most ${schema.maxItems} items` });
    }
    if (typeof schema.minItems === 'number' && v.length < schema.minItems) {
      out.push({
        field: path,
        message: `Invalid value: ${v.length}: ${path} in body should have at least ${schema.minItems} items`,
      });
    }
    if (isObject(schema.items)) {
      for (const [i, x] of v.entries()) check(schema.items, x, `${path}[${i}]`, out);
    }
  }
  if (isObject(v)) {
    for (const r of Array.isArray(schema.required) ? schema.required : []) {
      if (!(r in v)) out.push({ field: path ? `${path}.${r}` : r, message: 'Required value' });
    }
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [k, x] of Object.entries(v)) {
      const sub = props[k] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (sub) check(sub, x, path ? `${path}.${k}` : k, out);
    }
  }
  const passes = (s: Json) => {
    const c: Cause[] = [];
    check(s, v, path, c);
    return c.length === 0;
  };
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter(passes).length !== 1) {
    out.push({
      field: path,
      message: `Invalid value: ${quote(shortJson(v))}: ${path} in body must validate one and only one schema (oneOf)`,
    });
  }
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some(passes)) {
    out.push({
      field: path,
      message: `Invalid value: ${quote(shortJson(v))}: ${path} in body must validate at least one schema (anyOf)`,
    });
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf) check(s, v, path, out);
  if (isObject(schema.not) && passes(schema.not)) {
    out.push({
      field: path,
      message: `Invalid value: ${quote(shortJson(v))}: ${path} in body must not validate the schema (not)`,
    });
  }
}

function shortJson(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Drops fields the schema does not know and fills in defaults, in place (before validation, as the server does). */
function pruneAndDefault(schema: Json, v: Json): void {
  if (!isObject(schema) || (schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties)) return;
  if (Array.isArray(v)) {
    if (isObject(schema.items)) for (const x of v) pruneAndDefault(schema.items, x);
    return;
  }
  if (!isObject(v)) return;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  const extra = isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
  for (const k of Object.keys(v)) {
    const sub = props?.[k] ?? extra;
    if (sub) pruneAndDefault(sub, v[k]);
    else if (schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.additionalProperties !== true)
      delete v[k];
  }
  for (const [k, sub] of Object.entries(props ?? {})) {
    if (!(k in v) && isObject(sub) && sub.default !== undefined) v[k] = structuredClone(sub.default);
  }
}

/**
 * Applies a version's `openAPIV3Schema` to a custom resource (mutating it: pruning and defaults) and returns
 * the validation errors. `metadata`, `apiVersion` and `kind` are the server's, not the schema's.
 */
export function applyCrdSchema(schema: Json, obj: Record<string, Json>): Cause[] {
  if (!isObject(schema)) return [];
  const { metadata, apiVersion, kind, ...rest } = obj;
  const root: Json = { ...schema, properties: { ...(schema.properties ?? {}) } };
  for (const k of ['metadata', 'apiVersion', 'kind']) delete root.properties[k];
  // Top-level `required` may name metadata fields; those are checked by the server itself.
  root.required = (Array.isArray(schema.required) ? schema.required : []).filter(
    (r: string) => !['metadata', 'apiVersion', 'kind'].includes(r),
  );
  pruneAndDefault(root, rest);
  for (const k of Object.keys(obj)) if (!['metadata', 'apiVersion', 'kind'].includes(k) && !(k in rest)) delete obj[k];
  Object.assign(obj, rest);
  const out: Cause[] = [];
  check(root, rest, '', out);
  return out;
}

/** Paths of the fields pruning would drop (`spec.virtualhost.bogus`), for `fieldValidation=Strict`. */
export function unknownFields(schema: Json, obj: Record<string, Json>): string[] {
  const out: string[] = [];
  const walk = (s: Json, v: Json, path: string) => {
    if (!isObject(s) || (s['x-kubernetes-preserve-unknown-fields'] === true && !s.properties)) return;
    if (Array.isArray(v)) {
      if (isObject(s.items)) {
        for (const [i, x] of v.entries()) walk(s.items, x, `${path}[${i}]`);
      }
      return;
    }
    if (!isObject(v)) return;
    const props = isObject(s.properties) ? s.properties : undefined;
    const extra = isObject(s.additionalProperties) ? s.additionalProperties : undefined;
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      const sub = props?.[k] ?? extra;
      if (sub) walk(sub, x, p);
      else if (s['x-kubernetes-preserve-unknown-fields'] !== true && s.additionalProperties !== true) out.push(p);
    }
  };
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  walk(schema, rest, '');
  return out;
}
