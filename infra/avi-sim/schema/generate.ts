/**
 * Generates `swagger.ts` from the Avi Controller's OpenAPI (swagger 2.0) files, one per object type:
 *
 *   npx tsx infra/avi-sim/schema/generate.ts <dir of <Model>.json files> > infra/avi-sim/schema/swagger.ts
 *   npx --yes @biomejs/biome@2.6.8 format --write infra/avi-sim/schema/swagger.ts
 *
 * A development tool: nothing reads the OpenAPI files at run or test time. Per definition reachable from the
 * served models it keeps required fields and, per field, the JSON type, nested definition, array item type,
 * referenced object type ("It is a reference to an object of type X"), enum values ("Enum options - ..."), integer
 * range ("Allowed values are a-b", "Special values are ..."), readOnly, the default of top-level fields, and the
 * first version the field was introduced in ("Field introduced in 17.2.14, ...").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefinitionSpec, FieldSpec, JsonKind } from './types.ts';

/** Served object types (lower-case API path → model name), in the order the table lists them. */
export const SERVED_MODELS: [string, string][] = [
  ['virtualservice', 'VirtualService'],
  ['vsvip', 'VsVip'],
  ['pool', 'Pool'],
  ['poolgroup', 'PoolGroup'],
  ['httppolicyset', 'HTTPPolicySet'],
  ['vsdatascriptset', 'VSDataScriptSet'],
  ['sslkeyandcertificate', 'SSLKeyAndCertificate'],
  ['l4policyset', 'L4PolicySet'],
  ['vrfcontext', 'VrfContext'],
  ['tenant', 'Tenant'],
  ['cloud', 'Cloud'],
  ['serviceenginegroup', 'ServiceEngineGroup'],
  ['network', 'Network'],
  ['applicationprofile', 'ApplicationProfile'],
  ['networkprofile', 'NetworkProfile'],
  ['healthmonitor', 'HealthMonitor'],
  ['wafpolicy', 'WafPolicy'],
  ['pkiprofile', 'PKIProfile'],
  ['stringgroup', 'StringGroup'],
  ['sslprofile', 'SSLProfile'],
  ['analyticsprofile', 'AnalyticsProfile'],
  ['errorpageprofile', 'ErrorPageProfile'],
  ['applicationpersistenceprofile', 'ApplicationPersistenceProfile'],
];

// biome-ignore lint/suspicious/noExplicitAny: swagger JSON
type Json = any;

const KINDS: Record<string, JsonKind> = {
  string: 's',
  integer: 'i',
  number: 'n',
  boolean: 'b',
  object: 'o',
  array: 'a',
};

const refName = (ref: string) => ref.replace('#/definitions/', '');

/** Parses one property's swagger entry into the table's field form. Pure. */
export function fieldOf(p: Json, topLevel: boolean): FieldSpec {
  const f: Partial<FieldSpec> = {};
  const desc = String(p.description ?? '');
  if (p.$ref) {
    f.def = refName(p.$ref);
    f.t = 'o';
  } else {
    f.t = KINDS[p.type] ?? 's';
    if (f.t === 'a' && p.items) {
      if (p.items.$ref) {
        f.def = refName(p.items.$ref);
        f.items = 'o';
      } else f.items = KINDS[p.items.type] ?? 's';
    }
  }
  const ref = /It is a reference to an object of type (\w+)/.exec(desc);
  if (ref) f.ref = ref[1]!.toLowerCase();
  const en = /Enum options - ([A-Z0-9_,\s-]+?)\.(\s|$)/.exec(desc);
  if (en)
    f.en = en[1]!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  // Only the compact form "a-b" is a range (the spaced "0 - 100" ones are left unchecked), and special values
  // count only next to a range.
  const range = /Allowed values are (-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)\./.exec(desc);
  if (range && (f.t === 'i' || f.t === 'n' || f.items === 'i')) {
    f.min = Number(range[1]);
    f.max = Number(range[2]);
    const special = /Special values are (.*?)\.(\s|$)/.exec(desc);
    const values = special ? [...special[1]!.matchAll(/(?:^|,\s*)(-?\d+)\s*-/g)].map((m) => Number(m[1])) : [];
    if (values.length) f.sp = values;
  }
  if (p.readOnly) f.ro = 1;
  if (topLevel && p.default !== undefined) f.dflt = p.default;
  // "Field introduced in 18.2.1, 17.2.12": the earliest release that has it.
  const v = /Field introduced in ([\d.]+(?:,\s*[\d.]+)*)/.exec(desc);
  if (v)
    f.v = v[1]!
      .split(',')
      .map((x) => x.trim().replace(/\.$/, ''))
      .sort(compareVersions)[0];
  return f as FieldSpec;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Key-sorted copy (the table is written with sorted keys so regeneration diffs stay small). */
function sorted<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}

export function generate(dir: string, models: [string, string][] = SERVED_MODELS): string {
  const all: Record<string, Json> = {};
  for (const [, model] of models) {
    const doc = JSON.parse(readFileSync(join(dir, `${model}.json`), 'utf8'));
    for (const [name, def] of Object.entries(doc.definitions as Record<string, Json>)) all[name] ??= def;
  }
  const top = new Set(models.map(([, m]) => m));
  const out: Record<string, DefinitionSpec> = {};
  const visit = (name: string) => {
    if (out[name] || !all[name]) return;
    const def = all[name];
    const p: Record<string, FieldSpec> = {};
    out[name] = { p };
    for (const [k, prop] of Object.entries((def.properties ?? {}) as Record<string, Json>)) {
      p[k] = sorted(fieldOf(prop, top.has(name)));
      if (p[k]!.def) visit(p[k]!.def!);
    }
    out[name] = { p: sorted(p), ...(def.required?.length ? { req: [...def.required] } : {}) };
  };
  for (const [, m] of models) visit(m);
  const defs = sorted(out);
  return [
    '// Generated once from the Avi Controller OpenAPI definitions (30.2.1) for the object types the simulator',
    '// serves. Encodes per definition: required fields (req) and per field (p) the JSON type (t: s/i/n/b/o/a),',
    '// nested definition (def), array item type (items), referenced object type (ref), enum values (en),',
    '// integer range (min/max, with special values sp), readOnly (ro), top-level defaults (dflt) and the',
    '// version that introduced the field (v).',
    '// Regenerate rather than edit by hand (schema/generate.ts).',
    "import type { DefinitionSpec } from './types.ts';",
    '',
    `export const MODEL_NAMES: Record<string, string> = ${JSON.stringify(Object.fromEntries(models))};`,
    '',
    `export const DEFINITIONS: Record<string, DefinitionSpec> = ${JSON.stringify(defs)};`,
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('generate.ts')) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: generate.ts <directory of Avi OpenAPI <Model>.json files>\n');
    process.exit(2);
  }
  process.stdout.write(generate(dir));
}
