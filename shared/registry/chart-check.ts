// AKO Helm values checked against the chart's key table: unknown keys and unimplemented object-model settings are
// problems (the registry refuses them), keys without effect on Avi objects are listed for a note.
import { CHART_KEYS, chartKeyOf, isChartPrefix } from './chart-keys.ts';
import type { RegistryProblem } from './errors.ts';
import { isPlainObject, parseGoBool, type Values } from './helm.ts';
import { suggestKey } from './suggest.ts';

export interface ChartCheck {
  /** Keys present that have no effect on the Avi objects (kept for a note, like Helm keeps them). */
  ignored: string[];
  problems: RegistryProblem[];
}

const ALL_KEYS = CHART_KEYS.map((c) => c.key);

function normalise(v: unknown, dflt: unknown): string {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return '';
  const boolish = typeof dflt === 'boolean' || dflt === 'true' || dflt === 'false';
  if (boolish) {
    const b = parseGoBool(v);
    if (b !== undefined) return String(b);
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A value equal to the chart default (or empty) changes nothing, even for a key the product does not implement. */
export function isChartDefault(v: unknown, dflt: unknown): boolean {
  const n = normalise(v, dflt);
  return n === '' || n === normalise(dflt, dflt);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'a map';
  return JSON.stringify(v) ?? String(v);
}

/** Checks the user-provided values (before the chart defaults are merged in). */
export function checkChartKeys(
  values: Values,
  prefix = '',
  out: ChartCheck = { ignored: [], problems: [] },
): ChartCheck {
  for (const [k, v] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const entry = chartKeyOf(path);
    if (entry) {
      if (entry.status === 'ignored') {
        if (!out.ignored.includes(entry.key)) out.ignored.push(entry.key);
      } else if (entry.status === 'not-implemented' && !isChartDefault(v, entry.default)) {
        out.problems.push({
          key: path,
          message: `${describe(v)} is not supported by ako-serverless (${entry.note}), so AKO would make different Avi objects; remove the key or set it to ${JSON.stringify(entry.default)} (the chart default)`,
        });
      }
      continue;
    }
    if (isChartPrefix(path)) {
      if (isPlainObject(v)) checkChartKeys(v, path, out);
      continue; // null or a wrongly typed map: the typed reads report it
    }
    const hint = suggestKey(path, ALL_KEYS);
    out.problems.push({
      key: path,
      message: `is not a key of AKO's Helm chart${hint ? `; did you mean ${hint}?` : '; check the spelling against helm/ako/values.yaml'}`,
    });
  }
  return out;
}
