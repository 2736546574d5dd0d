/**
 * Controller requests per object that must exist, end to end through the embedded runtime against the simulator
 * (the simulator counts; no in-process counters). Not part of npm test.
 *
 *  1. cold start: the development cluster is seeded with N Ingresses (8 instances) before the instances start.
 *  2. replay: an empty converged runtime, then every object applied at once.
 *  3. one backend edit (an EndpointSlice's address) on the converged runtime.
 *  4. a no-op resync (a sweep of every instance): writes counted.
 *  5. take-over: a second runtime with a fresh state store against the same simulator state.
 *
 * "Objects that must exist" = the objects on the controller carrying an instance's created_by plus the VsVips
 * their VSes use, counted after convergence. Login and version discovery are excluded from the requests.
 *
 *   BENCH_INGRESSES=500 npx tsx test/bench/avi-requests.bench.ts
 *   BENCH_PARTS=cold,replay,edit,noop,takeover BENCH_SIM_LIMIT=32 npx tsx test/bench/avi-requests.bench.ts
 *   BENCH_PARTS=cold,edits BENCH_EDITS=2000 BENCH_EDIT_RATE=20 (change-to-Avi latency under a steady edit rate)
 *   BENCH_CLUSTERS=2 (fan-in: two clusters of INSTANCES/2 instances against the one simulator)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Counters } from '../../infra/avi-sim/metrics.ts';
import { type Runtime, startRuntime } from '../../infra/local/runtime.ts';
import { silentLogger } from '../../shared/log.ts';
import { parseRegistry } from '../../shared/registry/index.ts';

const INGRESSES = Number(process.env.BENCH_INGRESSES ?? 500);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'cold,replay,edit,noop,takeover').split(','));
const SIM_LIMIT = Number(process.env.BENCH_SIM_LIMIT ?? 0);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 8);
const NS_PER_INSTANCE = 5;
const CLUSTER = 'bench';
/** Fan-in: CLUSTERS clusters (`bench`, `bench-2`, ...) of INSTANCES/CLUSTERS instances each, one controller. */
const CLUSTERS = Math.max(1, Number(process.env.BENCH_CLUSTERS ?? 1));
const PER_CLUSTER = Math.max(1, Math.floor(INSTANCES / CLUSTERS));
const clusterName = (c: number) => (c === 0 ? CLUSTER : `${CLUSTER}-${c + 1}`);

type Obj = Record<string, unknown>;
const fmt = (n: number, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function registryText(): string {
  const lines = ['instances:'];
  for (let c = 0; c < CLUSTERS; c++) {
    for (let i = 0; i < PER_CLUSTER; i++) {
      lines.push(
        `  - namespace: ${i === 0 ? 'avi-system' : `ako-${i}`}`,
        '    set:',
        `      AKOSettings.clusterName: ${clusterName(c)}`,
        `      AKOSettings.primaryInstance: ${i === 0}`,
        '      AKOSettings.namespaceSelector.labelKey: team',
        `      AKOSettings.namespaceSelector.labelValue: t${i}`,
      );
    }
  }
  return lines.join('\n');
}

const nsName = (n: number) => `app-${n}`;
const ip = (n: number, s: number) => `10.${20 + s}.${Math.floor(n / 250)}.${(n % 250) + 1}`;

function slice(ns: string, n: number, s: number, version = 0): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `web-${s}-slice`, labels: { 'kubernetes.io/service-name': `web-${s}` } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: [ip(n, s + version)], conditions: { ready: true }, nodeName: 'node-1' }],
  };
}

/** Address of edit number k (-1: the seed's): unique for k < 12,500. */
const editIp = (k: number) => (k < 0 ? '10.199.0.1' : `10.${200 + (Math.floor(k / 250) % 50)}.${k % 250}.9`);

function editSlice(ns: string, k: number): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: 'edit-slice', labels: { 'kubernetes.io/service-name': 'edit' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [{ addresses: [editIp(k)], conditions: { ready: true }, nodeName: 'node-1' }],
  };
}

/**
 * EDITS EndpointSlice edits at RATE per second on the converged runtime, round-robin over the namespaces (each edit
 * changes exactly one pool). Latency: from the edit's write to the API server to the simulator receiving the pool
 * write that carries its address. An edit overtaken by the next edit of its namespace before it landed is counted
 * as superseded (its change is in the later write), not as a latency.
 */
async function edits(rt: Runtime, count: number, rate: number): Promise<void> {
  const dev = rt.devClusters.get(CLUSTER)!;
  const namespaces = PER_CLUSTER * NS_PER_INSTANCE;
  const sim = rt.aviSim!;
  sim.resetCounters();
  const appliedAt = new Map<string, number>();
  const began = Date.now();
  for (let k = 0; k < count; k++) {
    const due = began + (k * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    appliedAt.set(editIp(k), Date.now());
    dev.apply(editSlice(nsName(k % namespaces), k) as Parameters<typeof dev.apply>[0]);
  }
  const offered = (Date.now() - began) / 1000;
  await rt.waitForConvergence({ timeoutMs: 600_000 });
  const landed = new Map<string, number>();
  for (const e of sim.requestLog()) {
    if (e.type !== 'pool' || e.method === 'GET') continue;
    const servers = (e.body as { servers?: { ip?: { addr?: string } }[] } | undefined)?.servers ?? [];
    for (const sv of servers) {
      const addr = sv.ip?.addr;
      if (addr && appliedAt.has(addr) && !landed.has(addr)) landed.set(addr, e.time);
    }
  }
  const latencies = [...landed].map(([ip, t]) => t - appliedAt.get(ip)!).sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const c = sim.counters();
  console.log(
    `edits: ${count} EndpointSlice edits offered at ${rate}/s over ${fmt(offered, 1)} s; ${landed.size} landed as their own pool write, ${count - landed.size} superseded by a later edit of the namespace; change-to-Avi latency p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms, max ${latencies.at(-1) ?? 0} ms; ${apiRequests(c).requests} requests (${fmt(apiRequests(c).requests / count)} per edit), 429s ${c.byStatus['429'] ?? 0}`,
  );
}

function workload(ingresses: number): Obj[] {
  const out: Obj[] = [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.10.11' }] },
    },
  ];
  const namespaces = PER_CLUSTER * NS_PER_INSTANCE;
  for (let n = 0; n < namespaces; n++) {
    const ns = nsName(n);
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % PER_CLUSTER}` } } });
    for (let s = 0; s < 2; s++) {
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: ns, name: `web-${s}` },
        spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
      out.push(slice(ns, n, s));
    }
  }
  // The `edits` part: per namespace one more Service whose EndpointSlice is edited, behind one Ingress (one pool).
  if (PARTS.has('edits')) {
    for (let n = 0; n < namespaces; n++) {
      const ns = nsName(n);
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: ns, name: 'edit' },
        spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
      out.push(editSlice(ns, -1));
      out.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { namespace: ns, name: 'edit' },
        spec: {
          rules: [
            {
              host: `edit-${n}.bench.example.com`,
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: 'edit', port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      });
    }
  }
  for (let i = 0; i < ingresses; i++) {
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { namespace: nsName(i % namespaces), name: `ing-${i}` },
      spec: {
        rules: [
          {
            host: `h${i}.bench.example.com`,
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web-0', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
  }
  return out;
}

async function runtime(seedDir: string | undefined, sim?: { url: string }): Promise<Runtime> {
  return startRuntime({
    registry: parseRegistry(registryText(), { baseDir: process.cwd() }),
    stateDir: mkdtempSync(join(tmpdir(), 'ako-bench-')),
    logger: silentLogger,
    sweeps: false,
    simSeed: 1,
    ...(seedDir ? { seedDir } : {}),
    // The take-over runtime runs its development cluster against the simulator of the first run on purpose.
    // An external controller's login comes from the cluster, the environment or a file: the simulator's own.
    ...(sim
      ? {
          controller: sim.url,
          demoDevClusterWithRealController: true,
          env: { CTRL_USERNAME: 'admin', CTRL_PASSWORD: 'admin' },
        }
      : {}),
    ...(SIM_LIMIT ? { simRateLimit: SIM_LIMIT } : {}),
    // An initial sync of a large instance runs longer than the default 120 s visibility timeout.
    queue: { maxReceiveCount: 10, backoffMs: (n) => Math.min(5000, 100 * 2 ** n), visibilityTimeoutMs: 3_600_000 },
  });
}

/** Objects carrying one of the instances' created_by, plus the VsVips their VSes use. */
function mustExist(rt: Runtime): number {
  const sim = rt.aviSim!;
  const owners = new Set(rt.registry.instances.map((i) => i.createdBy));
  let n = 0;
  const vsvips = new Set<string>();
  for (const [type, list] of Object.entries(sim.dump())) {
    if (type === 'vsvip') continue;
    for (const o of list) {
      if (!owners.has(String(o.created_by))) continue;
      n++;
      if (type === 'virtualservice' && typeof o.vsvip_ref === 'string') vsvips.add(o.vsvip_ref);
    }
  }
  return n + vsvips.size;
}

function apiRequests(c: Counters): { requests: number; writes: number; reads: number } {
  let requests = 0;
  let reads = 0;
  for (const [key, v] of Object.entries(c.byKey)) {
    const [method, type, status] = key.split(' ');
    if (type === 'login' || type === 'initial-data' || type === 'logout' || status === '429') continue;
    requests += v;
    if (method === 'GET') reads += v;
  }
  return { requests, writes: c.writes, reads };
}

/** Writes per cluster (by the created_by each write carried; VsVips carry none) and when they began and ended. */
function clusterShares(rt: Runtime): string {
  const log = rt.aviSim!.requestLog().filter((e) => e.method !== 'GET' && e.path.startsWith('/api/'));
  const t0 = log[0]?.time ?? 0;
  return Array.from({ length: CLUSTERS }, (_, c) => {
    const owners = new Set(
      rt.registry.instances.filter((i) => i.clusterName === clusterName(c)).map((i) => i.createdBy),
    );
    const mine = log.filter((e) =>
      owners.has(String((e.body as { created_by?: unknown } | undefined)?.created_by ?? '')),
    );
    const throttled = mine.filter((e) => e.status === 429).length;
    return `${clusterName(c)} ${mine.length} writes (${fmt((100 * mine.length) / Math.max(1, log.length), 1)} %), 429s ${throttled}, +${fmt(((mine[0]?.time ?? t0) - t0) / 1000, 1)} → +${fmt(((mine.at(-1)?.time ?? t0) - t0) / 1000, 1)} s`;
  }).join('; ');
}

function top(c: Counters, n = 12): string {
  return Object.entries(c.byKey)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

/** From the start of the phase to the controller's first and last request (where the wall time goes). */
function span(rt: Runtime, began: number): string {
  const log = rt.aviSim!.requestLog().filter((e) => e.path.startsWith('/api/') && e.type !== 'initial-data');
  if (!log.length) return '';
  return `; controller requests from +${fmt((log[0]!.time - began) / 1000, 1)} s to +${fmt((log.at(-1)!.time - began) / 1000, 1)} s`;
}

function report(label: string, c: Counters, objects: number, wall: number, extra = '') {
  const r = apiRequests(c);
  console.log(
    `${label}: ${objects} objects must exist; ${r.requests} requests (reads ${r.reads}, writes ${r.writes}, 429s ${c.byStatus['429'] ?? 0}) → ${fmt(r.requests / Math.max(1, objects))} requests/object; wall ${fmt(wall, 1)} s (floor objects÷32 ${fmt(objects / 32, 1)} s)${extra}`,
  );
  console.log(`  top: ${top(c)}`);
}

async function main() {
  console.log(
    `avi requests benchmark — ${INGRESSES} Ingresses per cluster, ${CLUSTERS} cluster(s) × ${PER_CLUSTER} instances, sim limit ${SIM_LIMIT || 'off'}`,
  );
  const objs = workload(INGRESSES);
  let rt: Runtime | undefined;
  if (PARTS.has('cold')) {
    const dir = mkdtempSync(join(tmpdir(), 'ako-bench-seed-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'workload.yaml'), objs.map((o) => stringify(o)).join('---\n'));
    const began = Date.now();
    rt = await runtime(dir);
    await rt.waitForConvergence({ timeoutMs: 3_600_000 });
    report('cold start', rt.aviSim!.counters(), mustExist(rt), (Date.now() - began) / 1000, span(rt, began));
    if (CLUSTERS > 1) console.log(`  share of the controller per cluster: ${clusterShares(rt)}`);
  }
  if (PARTS.has('replay')) {
    if (rt) await rt.stop();
    rt = await runtime(undefined);
    await rt.waitForConvergence({ timeoutMs: 120_000 });
    const dev = rt.devClusters.get(CLUSTER)!;
    rt.aviSim!.resetCounters();
    const began = Date.now();
    for (const o of objs) dev.apply(o as Parameters<typeof dev.apply>[0]);
    await rt.waitForConvergence({ timeoutMs: 3_600_000 });
    report('replay', rt.aviSim!.counters(), mustExist(rt), (Date.now() - began) / 1000, span(rt, began));
  }
  if (!rt) return;
  if (PARTS.has('edits'))
    await edits(rt, Number(process.env.BENCH_EDITS ?? 2000), Number(process.env.BENCH_EDIT_RATE ?? 20));
  if (PARTS.has('edit')) {
    const dev = rt.devClusters.get(CLUSTER)!;
    rt.aviSim!.resetCounters();
    dev.apply(slice(nsName(3), 3, 0, 1) as Parameters<typeof dev.apply>[0]);
    await rt.waitForConvergence({ timeoutMs: 120_000 });
    const c = rt.aviSim!.counters();
    console.log(`backend edit: ${apiRequests(c).requests} requests (writes ${c.writes}); ${top(c)}`);
  }
  if (PARTS.has('noop')) {
    rt.aviSim!.resetCounters();
    rt.requestSweep();
    await rt.waitForConvergence({ timeoutMs: 600_000 });
    const c = rt.aviSim!.counters();
    console.log(
      `no-op resync (sweep of every instance): ${apiRequests(c).requests} requests, ${c.writes} writes; ${top(c)}`,
    );
  }
  if (PARTS.has('takeover')) {
    const sim = rt.aviSim!;
    const before = new Map(sim.objects('vsvip').map((v) => [String(v.name), JSON.stringify(v.vip)]));
    // Stop the instances but keep the simulator: a second runtime with an empty state store takes over.
    const objects = mustExist(rt);
    const dir = mkdtempSync(join(tmpdir(), 'ako-bench-seed-'));
    writeFileSync(join(dir, 'workload.yaml'), objs.map((o) => stringify(o)).join('---\n'));
    sim.resetCounters();
    const rt2 = await runtime(dir, { url: sim.url });
    await rt2.waitForConvergence({ timeoutMs: 3_600_000 });
    const c = sim.counters();
    const changed = sim.objects('vsvip').filter((v) => before.get(String(v.name)) !== JSON.stringify(v.vip)).length;
    console.log(
      `take-over (fresh state store, ${objects} objects already there): ${apiRequests(c).requests} requests, ${c.writes} writes, VIPs changed ${changed}; ${top(c)}`,
    );
    await rt2.stop();
  }
  await rt.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
