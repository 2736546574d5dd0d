// Incremental rebuilds across AviInfraSetting and IngressClass changes (which move hosts between shards): the
// models rebuilt on the carried index equal a fresh full build.
import { describe, expect, it } from 'vitest';
import { affectedModels, applyChange, buildModels, buildSelectedModels } from '../../shared/model/index.ts';
import type { ClusterView, KubeObject } from '../../shared/model/types.ts';
import { infraClass, infraFacts, SETTING, shardSetting } from './crd-fixtures.ts';
import * as f from './fixtures.ts';

const facts = infraFacts;
const setting = shardSetting;
const ing = (name: string, host: string, className?: string) =>
  f.ingress('default', name, [{ host, paths: [{ path: '/', service: 'avisvc' }] }], className ? { className } : {});

function start(): ClusterView {
  return f.view(
    [f.ns('default', { app: 'migrate' })],
    [
      f.aviClass(),
      infraClass('avi-lb-setting', SETTING),
      ...f.avisvc('default'),
      setting('SMALL'),
      ing('plain', 'foo.com'),
      ing('a', 'bar.com', 'avi-lb-setting'),
      ing('b', 'baz.com', 'avi-lb-setting'),
    ],
  );
}

/** Applies `change` the way the sync function does and checks every model against a fresh full build. */
function step(view: ClusterView, models: Map<string, unknown>, change: KubeObject, op: 'upsert' | 'delete' = 'upsert') {
  const inst = f.primary();
  const cur = view.objects.find((o) => o.kind === change.kind && o.metadata.name === change.metadata.name);
  const names = new Set(cur ? affectedModels(inst, view, cur, facts) : []);
  const next = applyChange(view, { op, object: change });
  if (op === 'upsert') for (const n of affectedModels(inst, next, change, facts)) names.add(n);
  for (const n of names) models.delete(n);
  for (const m of buildSelectedModels(inst, next, names, facts).models) models.set(m.name, m);
  const full = buildModels(inst, JSON.parse(JSON.stringify(next)), facts).models;
  expect([...models.keys()].sort()).toEqual(full.map((m) => m.name));
  for (const m of full) expect(models.get(m.name)).toEqual(m);
  return next;
}

describe('incremental rebuild across changes that move hosts between shards', () => {
  it('AviInfraSetting shard size, the IngressClass parameters, and the setting removed', () => {
    const inst = f.primary();
    let view = start();
    const first = buildModels(inst, view, facts);
    expect(first.skipped).toEqual([]);
    expect(first.models.map((m) => m.name)).toContain(`admin/cluster--Shared-L7-${SETTING}-0`);
    const models = new Map<string, unknown>(first.models.map((m) => [m.name, m]));
    // Every model rebuilt once on the carried index, so each keeps its contributors from here on.
    for (const m of buildSelectedModels(inst, view, [...models.keys()], facts).models) models.set(m.name, m);
    view = step(view, models, ing('c', 'qux.com', 'avi-lb-setting'));
    view = step(view, models, setting('LARGE'));
    view = step(view, models, ing('a', 'bar2.com', 'avi-lb-setting'));
    view = step(view, models, setting('MEDIUM'));
    view = step(view, models, infraClass('avi-lb-setting', 'other-setting'));
    view = step(view, models, infraClass('avi-lb-setting', SETTING));
    view = step(view, models, setting('MEDIUM'), 'delete');
    view = step(view, models, setting('SMALL'));
  });
});
