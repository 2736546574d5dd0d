// Model benchmark: full build of 10,000 Ingresses and the incremental rebuild after one Ingress change,
// side by side with the baselines (a full rebuild after the same change; an incremental rebuild on a view
// that is re-indexed from scratch). Run: npx tsx test/bench/model.bench.ts (env INGRESSES=<n>, SHARD_SIZE=SMALL|MEDIUM|LARGE)
import { performance } from 'node:perf_hooks';
import { affectedModels, applyChange, buildModels, buildSelectedModels } from '../../shared/model/index.ts';
import type { ClusterView, KubeObject } from '../../shared/model/types.ts';
import { objectKey } from '../../shared/model/types.ts';
import * as f from '../model/fixtures.ts';

const INGRESSES = Number(process.env.INGRESSES ?? 10_000);
const NAMESPACES = 100;
const SERVICES_PER_NS = 10;

function ingressFor(i: number, variant = 0): KubeObject {
  const ns = `ns-${i % NAMESPACES}`;
  const svc = `svc-${i % SERVICES_PER_NS}`;
  const host = `app-${i}.example.com`;
  const secure = i % 4 === 0;
  return f.ingress(
    ns,
    `ing-${i}`,
    [
      {
        host,
        paths: [
          { path: variant ? `/v${variant}` : '/', service: svc, port: 8080 },
          { path: '/api', pathType: 'Exact', service: svc, port: 8080 },
        ],
      },
    ],
    secure ? { tls: [{ hosts: [host], secretName: 'tls' }] } : {},
  );
}

function makeView(): ClusterView {
  const namespaces: KubeObject[] = [];
  const objects: KubeObject[] = [f.aviClass()];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`;
    namespaces.push(f.ns(ns, { app: 'migrate' }));
    objects.push(f.tlsSecret(ns, 'tls'));
    for (let s = 0; s < SERVICES_PER_NS; s++) {
      objects.push(f.service(ns, `svc-${s}`));
      objects.push(f.slice(ns, `svc-${s}`, [`10.${n}.${s}.1`, `10.${n}.${s}.2`, `10.${n}.${s}.3`]));
    }
  }
  for (let i = 0; i < INGRESSES; i++) objects.push(ingressFor(i));
  return { namespaces, objects };
}

function stats(samples: number[]): { median: number; p95: number; min: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.floor(s.length * 0.95)]!, min: s[0]! };
}

function time<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const r = fn();
  return [performance.now() - t0, r];
}

/** CPU time (user + system) of this process in ms: less distorted than wall time on a busy machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 3 : 1)} ms`;

async function main(): Promise<void> {
  const inst = f.primary(process.env.SHARD_SIZE ? { 'L7Settings.shardVSSize': process.env.SHARD_SIZE } : undefined);
  const base = makeView();
  const objCount = base.objects.length;

  // Warm up the JIT on a smaller copy.
  buildModels(inst, structuredClone({ namespaces: base.namespaces, objects: base.objects.slice(0, 3000) }));

  // 1. Full build, cold (fresh view objects: no index, no caches).
  const fullCold: number[] = [];
  const fullColdCpu: number[] = [];
  let modelCount = 0;
  let objectTotal = 0;
  for (let r = 0; r < 3; r++) {
    const v = structuredClone(base);
    const c0 = cpuMs();
    const [ms, state] = time(() => buildModels(inst, v));
    fullColdCpu.push(cpuMs() - c0);
    fullCold.push(ms);
    modelCount = state.models.length;
    objectTotal = state.models.reduce((n, m) => n + m.objects.length, 0);
  }

  // 2. Incremental: one Ingress changes; affected (before + after) → buildSelectedModels on the moved index.
  let view = structuredClone(base);
  buildModels(inst, view); // warm index + fragment caches, as the sync function has after its first build
  const incremental: number[] = [];
  const fullAfterChange: number[] = [];
  const reindexIncremental: number[] = [];
  const ITER = 200;
  const incCpu: number[] = [];
  for (let k = 0; k < ITER; k++) {
    const i = (k * 7919) % INGRESSES;
    const next = ingressFor(i, k + 1);
    const before = view.objects.find((o) => objectKey(o) === objectKey(next))!;
    const c0 = cpuMs();
    const t0 = performance.now();
    const names = new Set(affectedModels(inst, view, before));
    view = applyChange(view, { op: 'upsert', object: next });
    for (const n of affectedModels(inst, view, next)) names.add(n);
    const out = buildSelectedModels(inst, view, names);
    incremental.push(performance.now() - t0);
    incCpu.push(cpuMs() - c0);
    if (out.models.length === 0) throw new Error('incremental rebuild produced nothing');

    // Baselines every 20th change (they are slow): a full rebuild on the same (indexed) view, and the same
    // incremental rebuild on a fresh copy of the view that must be indexed from scratch.
    if (k % 40 === 0) {
      fullAfterChange.push(time(() => buildModels(inst, view))[0]);
      const fresh: ClusterView = { namespaces: [...view.namespaces], objects: [...view.objects] };
      reindexIncremental.push(
        time(() => {
          const ns = new Set(affectedModels(inst, fresh, next));
          return buildSelectedModels(inst, fresh, ns);
        })[0],
      );
    }
  }

  const fc = stats(fullCold);
  const inc = stats(incremental);
  const full = stats(fullAfterChange);
  const reidx = stats(reindexIncremental);
  const rows = [
    ['full build, cold (10k Ingresses)', fc, fullCold.length],
    ['full rebuild after one change (warm index, baseline)', full, fullAfterChange.length],
    ['incremental after one change, fresh view re-indexed', reidx, reindexIncremental.length],
    ['incremental after one change (applyChange + affected + selected)', inc, ITER],
  ] as const;
  console.log(
    `model bench: ${INGRESSES} Ingresses in ${NAMESPACES} namespaces, ${objCount} objects; ${modelCount} models, ${objectTotal} Avi objects`,
  );
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  console.log('');
  console.log('| case | runs | median | p95 | min |');
  console.log('|---|---|---|---|---|');
  for (const [name, s, n] of rows) console.log(`| ${name} | ${n} | ${fmt(s.median)} | ${fmt(s.p95)} | ${fmt(s.min)} |`);
  console.log('');
  const cpu = stats(incCpu);
  console.log(
    `CPU time (user+sys): full cold build median ${fmt(stats(fullColdCpu).median)}; incremental per change median ${fmt(cpu.median)}, p95 ${fmt(cpu.p95)}, mean ${fmt(incCpu.reduce((a, b) => a + b, 0) / ITER)}`,
  );
  console.log(
    `load average at the end: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log('');
  console.log(`full cold build target < 2000 ms: ${fc.median < 2000 ? 'met' : 'NOT met'} (${fmt(fc.median)})`);
  console.log(
    `incremental target < 5 ms CPU: ${cpu.median < 5 ? 'met' : 'NOT met'} (median ${fmt(cpu.median)} CPU, ${fmt(inc.median)} wall; p95 ${fmt(cpu.p95)} CPU)`,
  );
  console.log(`incremental vs full rebuild after the same change: ${(full.median / inc.median).toFixed(0)}× faster`);
  console.log(`incremental vs re-indexing a fresh view: ${(reidx.median / inc.median).toFixed(0)}× faster`);
}

await main();
