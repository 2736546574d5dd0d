import { ApiError } from './errors.ts';
import { definitionOf, modelName } from './models.ts';
import { DEFINITIONS } from './schema/swagger.ts';
import type { FieldSpec, JsonKind } from './schema/types.ts';

export interface ValidateOptions {
  /** PATCH partials: top-level required fields may be absent. */
  partial?: boolean;
  /** Accept fields the swagger does not define (a controller rejects them; off by default). */
  allowUnknownFields?: boolean;
  /** The request's X-Avi-Version: fields introduced later are refused, as the controller does. */
  version?: string;
}

interface Ctx {
  allowUnknown: boolean;
  version: number[] | undefined;
  versionText: string | undefined;
}

function versionParts(v: string): number[] {
  return v.split('.').map(Number);
}

/** True when a field introduced in `since` is newer than the client's version. */
export function newerThan(since: string | undefined, version: number[] | undefined): boolean {
  if (!since || !version) return false;
  const a = versionParts(since);
  for (let i = 0; i < Math.max(a.length, version.length); i++) {
    const d = (a[i] ?? 0) - (version[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}

const KIND_NAMES: Record<JsonKind, string> = {
  s: 'a string',
  i: 'an integer',
  n: 'a number',
  b: 'a boolean',
  o: 'an object',
  a: 'an array',
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(path: string, problem: string): ApiError {
  return new ApiError(400, `Invalid data in field '${path}': ${problem}`);
}

/**
 * Checks a request body against the type's swagger definition: required fields, JSON types, enums and
 * ranges, at every depth. Returns a copy without readOnly fields (a controller ignores them) and without
 * null values (treated as unset). Throws a 400 ApiError naming the first offending field.
 */
export function validateBody(type: string, body: unknown, opts: ValidateOptions = {}): Record<string, unknown> {
  if (!isPlainObject(body)) throw new ApiError(400, `Request body for ${modelName(type)} must be a JSON object`);
  const def = definitionOf(type);
  if (!def) {
    const out = stripNulls(body) as Record<string, unknown>;
    if (!opts.partial && typeof out.name !== 'string') throw bad('name', 'field is required');
    delete out.url;
    delete out._last_modified;
    return out;
  }
  const ctx: Ctx = {
    allowUnknown: !!opts.allowUnknownFields,
    version: opts.version ? versionParts(opts.version) : undefined,
    versionText: opts.version,
  };
  return checkObject(modelName(type), body, '', !!opts.partial, ctx);
}

/**
 * Drops fields introduced after the client's version from a response body (the controller answers in
 * the version the client asked for).
 */
export function dropNewerFields(
  type: string,
  body: Record<string, unknown>,
  version: string | undefined,
): Record<string, unknown> {
  const model = definitionOf(type) ? modelName(type) : undefined;
  if (!version || !model) return body;
  return dropIn(model, body, versionParts(version));
}

function dropIn(defName: string, obj: Record<string, unknown>, version: number[]): Record<string, unknown> {
  const def = DEFINITIONS[defName];
  if (!def) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const spec = def.p[k];
    if (spec && newerThan(spec.v, version)) continue;
    if (spec?.def && isPlainObject(v)) out[k] = dropIn(spec.def, v, version);
    else if (spec?.def && Array.isArray(v))
      out[k] = v.map((i) => (isPlainObject(i) ? dropIn(spec.def!, i, version) : i));
    else out[k] = v;
  }
  return out;
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
    return out;
  }
  return v;
}

function checkObject(
  defName: string,
  obj: Record<string, unknown>,
  prefix: string,
  partial: boolean,
  ctx: Ctx,
): Record<string, unknown> {
  const def = DEFINITIONS[defName];
  if (!def) return stripNulls(obj) as Record<string, unknown>;
  if (!partial) {
    for (const r of def.req ?? []) {
      const spec = def.p[r];
      if (obj[r] === undefined || obj[r] === null) {
        if (spec?.ro) continue;
        throw bad(`${prefix}${r}`, `field is required (${defName})`);
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const path = `${prefix}${key}`;
    const spec = def.p[key];
    if (!spec) {
      if (ctx.allowUnknown) {
        if (value !== null && value !== undefined) out[key] = stripNulls(value);
        continue;
      }
      throw bad(path, `unknown field for ${defName}`);
    }
    if (spec.ro) continue;
    if (value === null || value === undefined) continue;
    if (newerThan(spec.v, ctx.version)) {
      throw bad(path, `field introduced in ${spec.v} is not accepted with X-Avi-Version ${ctx.versionText}`);
    }
    out[key] = checkValue(spec, spec.t, value, path, ctx);
  }
  return out;
}

function checkValue(spec: FieldSpec, kind: JsonKind, value: unknown, path: string, ctx: Ctx): unknown {
  switch (kind) {
    case 's':
      if (typeof value !== 'string') throw bad(path, `expected ${KIND_NAMES.s}, got ${JSON.stringify(value)}`);
      if (spec.en && !spec.en.includes(value)) {
        throw bad(path, `'${value}' is not a valid choice; allowed: ${spec.en.join(', ')}`);
      }
      return value;
    case 'i':
    case 'n':
      if (typeof value !== 'number' || !Number.isFinite(value) || (kind === 'i' && !Number.isInteger(value))) {
        throw bad(path, `expected ${KIND_NAMES[kind]}, got ${JSON.stringify(value)}`);
      }
      if (spec.min !== undefined && spec.max !== undefined && (value < spec.min || value > spec.max)) {
        if (!spec.sp?.includes(value)) throw bad(path, `${value} is outside the allowed range ${spec.min}-${spec.max}`);
      }
      return value;
    case 'b':
      if (typeof value !== 'boolean') throw bad(path, `expected ${KIND_NAMES.b}, got ${JSON.stringify(value)}`);
      return value;
    case 'o':
      if (!isPlainObject(value)) throw bad(path, `expected ${KIND_NAMES.o}`);
      return spec.def ? checkObject(spec.def, value, `${path}.`, false, ctx) : stripNulls(value);
    case 'a': {
      if (!Array.isArray(value)) throw bad(path, `expected ${KIND_NAMES.a}`);
      const itemKind = spec.items ?? 'o';
      return value.map((item, i) => {
        if (item === null || item === undefined) throw bad(`${path}[${i}]`, 'null list item');
        return checkValue(spec, itemKind, item, `${path}[${i}]`, ctx);
      });
    }
  }
}
