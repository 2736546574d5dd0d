// The README's AKO feature matrix must list every key of the registry's chart-key table and every annotation,
// with the same status and note: the table drives validation, so the README cannot drift from what is enforced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATUS_WORDS } from '../../shared/registry/feature-matrix.ts';
import { AKO_ANNOTATIONS, CHART_KEYS } from '../../shared/registry/index.ts';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const section = (() => {
  const begin = readme.indexOf('<!-- ako-feature-matrix: begin');
  const end = readme.indexOf('<!-- ako-feature-matrix: end -->');
  return begin >= 0 && end > begin ? readme.slice(begin, end) : '';
})();

/** Table rows of the section as trimmed cells, keyed by the first cell without backticks. */
function rows(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    out.set(cells[0]!.replace(/`/g, ''), cells.slice(1));
  }
  return out;
}

describe('README feature matrix', () => {
  it('has the marked section', () => {
    expect(section).toContain('## AKO feature matrix');
  });

  it('lists every chart key with its status and note, and nothing else', () => {
    const r = rows();
    for (const c of CHART_KEYS) {
      const name = `${c.key}${c.subtree ? '.*' : ''}`;
      expect(r.get(name), name).toEqual([STATUS_WORDS[c.status], c.note]);
    }
    const annotations = new Set(AKO_ANNOTATIONS.map((a) => a.annotation));
    const keys = new Set(CHART_KEYS.map((c) => `${c.key}${c.subtree ? '.*' : ''}`));
    for (const name of r.keys()) expect(keys.has(name) || annotations.has(name), name).toBe(true);
    expect(r.size).toBe(CHART_KEYS.length + AKO_ANNOTATIONS.length);
  });

  it('lists every annotation with where it applies, its status and note', () => {
    const r = rows();
    for (const a of AKO_ANNOTATIONS) {
      expect(r.get(a.annotation), a.annotation).toEqual([a.on, STATUS_WORDS[a.status], a.note]);
    }
  });

  it('the model-changing keys the issue names are refused, not silently ignored', () => {
    const status = new Map(CHART_KEYS.map((c) => [c.key, c.status]));
    for (const key of [
      'L7Settings.noPGForSNI',
      'AKOSettings.vipPerNamespace',
      'NetworkSettings.enableRHI',
      'featureGates.GatewayAPI',
    ]) {
      expect(status.get(key), key).toBe('not-implemented');
    }
  });
});
