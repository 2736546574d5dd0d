/**
 * Label and field selectors as the API server parses them (`a=b,c!=d,e,!f,g in (x,y),h notin (z)`
 * for labels; `path=value`, `path!=value` for fields). Parsing errors throw SelectorError (→ 400).
 */
export class SelectorError extends Error {}

type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseRequirement(part: string): LabelRequirement {
  const setMatch = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
  if (setMatch) {
    const values = setMatch[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { op: setMatch[2] as 'in' | 'notin', key: setMatch[1]!, values };
  }
  const neq = /^([^\s!=()]+)\s*!=\s*([^\s!=()]*)$/.exec(part);
  if (neq) return { op: 'neq', key: neq[1]!, value: neq[2]! };
  const eq = /^([^\s!=()]+)\s*==?\s*([^\s!=()]*)$/.exec(part);
  if (eq) return { op: 'eq', key: eq[1]!, value: eq[2]! };
  const not = /^!\s*([^\s!=()]+)$/.exec(part);
  if (not) return { op: 'notexists', key: not[1]! };
  if (/^[^\s!=()]+$/.test(part)) return { op: 'exists', key: part };
  throw new SelectorError(`unable to parse requirement: '${part}'`);
}

export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  if (!selector) return () => true;
  const reqs = splitTop(selector).map(parseRequirement);
  return (labels) => {
    const l = labels ?? {};
    return reqs.every((r) => {
      const has = Object.hasOwn(l, r.key);
      switch (r.op) {
        case 'eq':
          return has && l[r.key] === r.value;
        case 'neq':
          return !has || l[r.key] !== r.value;
        case 'in':
          return has && r.values.includes(l[r.key]!);
        case 'notin':
          return !has || !r.values.includes(l[r.key]!);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
      }
      return false;
    });
  };
}

export type FieldMatcher = (obj: unknown) => boolean;

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** Field selectors: any dotted path of the object compared as a string (missing = ''). */
export function parseFieldSelector(selector: string | null | undefined): FieldMatcher {
  if (!selector) return () => true;
  const reqs = splitTop(selector).map((part) => {
    const m = /^([A-Za-z0-9_.-]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid field selector: '${part}'`);
    return { path: m[1]!, neg: m[2] === '!=', value: m[3]! };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neg);
}
