// Router resolution throughput: the owner index vs a naive linear scan, same process, same queries.
// Run: npx tsx test/bench/router.bench.ts
import { route } from '../../functions/router/route.ts';
import { type BusEvent, busEvent, parseBusEvent } from '../../shared/events/index.ts';
import { buildOwnerIndex, type Registry, resolveByScan, resolveInstance } from '../../shared/registry/index.ts';

const CLUSTERS = 50;
const PER_CLUSTER = 10;
const LABEL_KEYS = ['app', 'team', 'tier'];
const QUERIES = 10_000;

/** Deterministic PRNG so every run measures the same workload. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildRegistry(CLUSTERS: number, PER_CLUSTER: number): Registry {
  const instances = [];
  for (let c = 0; c < CLUSTERS; c++) {
    for (let i = 0; i < PER_CLUSTER; i++) {
      instances.push(
        resolveInstance({
          namespace: i === 0 ? 'avi-system' : `ako-${i}`,
          values: {
            AKOSettings: {
              clusterName: `cluster-${c}`,
              primaryInstance: i === 0,
              namespaceSelector: { labelKey: LABEL_KEYS[i % LABEL_KEYS.length], labelValue: `v${i}` },
              blockedNamespaceList: ['kube-system'],
            },
          },
        }),
      );
    }
  }
  return { instances };
}

interface Query {
  cluster: string;
  namespace: string;
  labels: Record<string, string>;
}

function buildQueries(rand: () => number, CLUSTERS: number, PER_CLUSTER: number): Query[] {
  const out: Query[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const labels: Record<string, string> = {
      'kubernetes.io/metadata.name': `ns-${q}`,
      env: rand() < 0.5 ? 'prod' : 'dev',
    };
    // ~70% of namespaces carry one selector label (value may or may not match an instance)
    if (rand() < 0.7) {
      const i = Math.floor(rand() * PER_CLUSTER * 1.2);
      labels[LABEL_KEYS[i % LABEL_KEYS.length]!] = `v${i}`;
    }
    out.push({ cluster: `cluster-${Math.floor(rand() * CLUSTERS)}`, namespace: `ns-${q % 300}`, labels });
  }
  return out;
}

/** Throughput of `fn` over the queries for about `ms` milliseconds (per second). */
function rate(fn: (q: Query) => unknown, queries: Query[], ms: number): number {
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    for (const q of queries) if (fn(q)) sink++;
    n += queries.length;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  if (sink < 0) console.log(sink); // keep the results alive
  return (n / elapsed) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(14);

function measure(name: string, fn: (q: Query) => unknown, queries: Query[]): number {
  const rounds = Array.from({ length: 5 }, () => rate(fn, queries, 300));
  const m = median(rounds);
  console.log(`${name.padEnd(34)} ${fmt(m)} /s`);
  return m;
}

/**
 * Index and scan measured in alternating rounds, so a busy machine slows both alike; the ratio is the median of
 * the per-pair ratios.
 */
function compare(
  a: (q: Query) => unknown,
  b: (q: Query) => unknown,
  queries: Query[],
): { a: number; b: number; ratio: number } {
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < 25; r++) {
    const x = rate(a, queries, 100);
    const y = rate(b, queries, 100);
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const registry = buildRegistry(CLUSTERS, PER_CLUSTER);
const t0 = process.hrtime.bigint();
const index = buildOwnerIndex(registry);
const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
const queries = buildQueries(prng(42), CLUSTERS, PER_CLUSTER);

// Both must give the same answers before their speed means anything.
for (const q of queries.slice(0, 2000)) {
  const a = index.resolve(q.cluster, q.namespace, q.labels);
  const b = resolveByScan(registry, q.cluster, q.namespace, q.labels);
  const key = (r: typeof a) =>
    r.kind === 'owner' ? r.instance.id : r.kind === 'conflict' ? r.instances.map((i) => i.id).join() : r.reason;
  if (a.kind !== b.kind || key(a) !== key(b)) throw new Error(`index and scan disagree on ${JSON.stringify(q)}`);
}

console.log(
  `router resolution: ${registry.instances.length} instances across ${CLUSTERS} clusters, ${QUERIES} distinct queries`,
);
console.log(`index build: ${buildMs.toFixed(2)} ms`);
rate((q) => index.resolve(q.cluster, q.namespace, q.labels), queries, 300); // warm-up
rate((q) => resolveByScan(registry, q.cluster, q.namespace, q.labels), queries, 300);
const cmp = compare(
  (q) => index.resolve(q.cluster, q.namespace, q.labels),
  (q) => resolveByScan(registry, q.cluster, q.namespace, q.labels),
  queries,
);
const indexed = cmp.a;
const scan = cmp.b;
console.log(`${'owner index (resolve)'.padEnd(34)} ${fmt(indexed)} /s`);
console.log(`${'naive linear scan'.padEnd(34)} ${fmt(scan)} /s`);
console.log(`ratio index/scan (median of 25 alternating pairs): ${cmp.ratio.toFixed(1)}x`);

// The whole router decision for an object-change (validation + route), for context.
const events: unknown[] = queries.slice(0, 2000).map((q, i) =>
  busEvent('object-change', {
    version: 1,
    cluster: q.cluster,
    kind: 'Ingress',
    apiVersion: 'networking.k8s.io/v1',
    namespace: q.namespace,
    name: `ing-${i}`,
    uid: `uid-${i}`,
    resourceVersion: String(i + 1),
    op: 'upsert',
    namespaceLabels: q.labels,
    object: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `ing-${i}`, namespace: q.namespace },
      spec: { rules: [{ host: `h${i}.example.com` }] },
    },
  }),
);
const parsedEvents = events.map((e) => {
  const r = parseBusEvent(e);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
});
let ei = 0;
const decisions = measure(
  'route() on validated events',
  () => route(parsedEvents[ei++ % parsedEvents.length] as BusEvent, index),
  queries,
);
let pi = 0;
const full = measure(
  'parseBusEvent + route()',
  () => {
    const r = parseBusEvent(events[pi++ % events.length]);
    return r.ok && route(r.value, index);
  },
  queries,
);

const targets = { throughput: indexed >= 200_000, ratio: cmp.ratio >= 20 };
console.log(
  JSON.stringify({
    instances: registry.instances.length,
    clusters: CLUSTERS,
    indexPerSec: Math.round(indexed),
    scanPerSec: Math.round(scan),
    ratio: Number(cmp.ratio.toFixed(1)),
    routePerSec: Math.round(decisions),
    parseAndRoutePerSec: Math.round(full),
    targetsMet: targets,
  }),
);

// Scaling check: ten times the instances. The index should stay flat; the scan slows down about tenfold.
{
  const big = buildRegistry(CLUSTERS * 10, PER_CLUSTER);
  const bigIndex = buildOwnerIndex(big);
  const bigQueries = buildQueries(prng(7), CLUSTERS * 10, PER_CLUSTER);
  const r = compare(
    (q) => bigIndex.resolve(q.cluster, q.namespace, q.labels),
    (q) => resolveByScan(big, q.cluster, q.namespace, q.labels),
    bigQueries,
  );
  console.log(
    `scaling, ${big.instances.length} instances across ${CLUSTERS * 10} clusters: index ${fmt(r.a)} /s, scan ${fmt(r.b)} /s, ratio ${r.ratio.toFixed(1)}x`,
  );
}
