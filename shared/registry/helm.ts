// Helm's value handling, as far as the registry needs it: `--set` typing, dotted keys and deep merging.

export type Values = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Types a `--set` value the way Helm's strvals does: `true`/`false` → boolean, `null` → null, an integer without
 * leading zeros → number, `{a,b}` → list; anything else stays a string. Non-string values (already typed by YAML)
 * are kept as they are.
 */
export function typeSetValue(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?(0|[1-9][0-9]*)$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) return n;
  }
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const inner = raw.slice(1, -1);
    return inner === '' ? [] : inner.split(',').map((s) => typeSetValue(s));
  }
  return raw;
}

/** Splits `a.b\.c[0].d` into `['a', 'b.c', 0, 'd']`. Throws on an empty segment. */
export function splitSetKey(key: string): (string | number)[] {
  const out: (string | number)[] = [];
  let cur = '';
  const push = () => {
    if (cur === '') throw new Error(`empty segment in key '${key}'`);
    out.push(cur);
    cur = '';
  };
  for (let i = 0; i < key.length; i++) {
    const c = key[i]!;
    if (c === '\\' && i + 1 < key.length) {
      cur += key[++i];
    } else if (c === '.') {
      if (cur !== '' || out.length === 0 || typeof out[out.length - 1] !== 'number') push();
    } else if (c === '[') {
      if (cur !== '') push();
      const end = key.indexOf(']', i);
      const idx = end > i ? key.slice(i + 1, end) : '';
      if (!/^[0-9]+$/.test(idx)) throw new Error(`bad list index in key '${key}'`);
      out.push(Number(idx));
      i = end;
    } else {
      cur += c;
    }
  }
  if (cur !== '') out.push(cur);
  else if (out.length === 0 || typeof out[out.length - 1] !== 'number')
    throw new Error(`empty segment in key '${key}'`);
  return out;
}

/** Sets `value` at a dotted key inside `target` (creating maps and lists on the way), like `helm --set`. */
export function setPath(target: Values, key: string, value: unknown): void {
  const path = splitSetKey(key);
  // biome-ignore lint/suspicious/noExplicitAny: walking arbitrary YAML
  let node: any = target;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    const nextIsIndex = !last && typeof path[i + 1] === 'number';
    if (last) {
      node[seg] = value;
      return;
    }
    let child = node[seg];
    if (nextIsIndex ? !Array.isArray(child) : !isPlainObject(child)) {
      child = nextIsIndex ? [] : {};
      node[seg] = child;
    }
    node = child;
  }
}

/** Deep merge (Helm's coalesce: maps merge, everything else is replaced by the override). Inputs are not changed. */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeValues(b, v) : cloneValue(v);
  }
  return out;
}

export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneValue(x)])) as T;
  return v;
}

/** Go's strconv.ParseBool, which AKO uses for its boolean settings. */
export function parseGoBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}
