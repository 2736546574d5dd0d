/** `additionalPrinterColumns` of CRDs: simple JSONPath (`.a.b`, `.a[0].b`, `.a['x.y']`) into table cells. */
import type { KObj } from './store.ts';
import { ageOf, type Column } from './table.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

/** Reads a CRD column's JSONPath; undefined when any step is missing. */
export function readJsonPath(o: unknown, path: string): unknown {
  const steps: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else steps.push(m[3] ?? m[4] ?? '');
  }
  let cur: unknown = o;
  for (const s of steps) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

export function customColumn(c: PrinterColumn): Column {
  return {
    name: c.name,
    type: c.type === 'date' ? 'string' : c.type,
    ...(c.format ? { format: c.format } : {}),
    cell: (o: KObj) => {
      const v = readJsonPath(o, c.jsonPath);
      if (v === undefined || v === null) return '';
      if (c.type === 'date') return ageOf(v);
      if (typeof v === 'object') return JSON.stringify(v);
      return typeof v === 'number' ? v : String(v);
    },
  };
}
