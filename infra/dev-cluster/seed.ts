import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KObj } from './store.ts';

export interface SeedDocument {
  obj: KObj;
  /** `<file>#<document index>` for error messages. */
  source: string;
}

/** Reads every .yaml/.yml/.json file of a directory (sorted, recursive) as multi-document manifests. */
export function readManifests(dir: string): SeedDocument[] {
  const out: SeedDocument[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/i.test(name)) out.push(...parseManifests(readFileSync(p, 'utf8'), p));
    }
  };
  walk(dir);
  return out;
}

export function parseManifests(text: string, file: string): SeedDocument[] {
  const out: SeedDocument[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length) throw new Error(`${file}#${i}: invalid YAML: ${doc.errors[0]!.message}`);
    const v = doc.toJS() as unknown;
    if (v === null || v === undefined) return;
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}#${i}: a manifest must be a mapping`);
    const o = v as KObj;
    if (o.kind === 'List' || (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items))) {
      (o.items as KObj[]).forEach((item, j) => {
        out.push({ obj: item, source: `${file}#${i}.items[${j}]` });
      });
    } else out.push({ obj: o, source: `${file}#${i}` });
  });
  return out;
}
