/**
 * Embedded runtime benchmarks (not part of npm test):
 *  1. `npm start` to the first converged state of the demo: `start --once` as a child process, several runs, median.
 *  2. Replay of N Ingresses (default 2,000) across 8 instances of one cluster: wall time and Avi requests, without a
 *     controller limit and with the simulator's 32 requests/s limit; compared with the floor (requests ÷ 32 s).
 *  3. Change-to-Avi latency under a steady 100 Ingress edits/s for ~20 s: each edit points an Ingress at another
 *     Service (other endpoint IP); latency = edit → the first accepted pool write carrying the new server.
 *
 *   npx tsx test/bench/runtime.bench.ts
 *   BENCH_INGRESSES=500 BENCH_STARTS=3 npx tsx test/bench/runtime.bench.ts
 *   BENCH_PARTS=open,latency,limited,budget32,default-open,start npx tsx test/bench/runtime.bench.ts   (default: start,open,latency,limited)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Runtime, startRuntime } from '../../infra/local/runtime.ts';
import { silentLogger } from '../../shared/log.ts';
import { parseRegistry } from '../../shared/registry/index.ts';

const INGRESSES = Number(process.env.BENCH_INGRESSES ?? 2000);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'start,open,latency,limited').split(','));
const INSTANCES = 8;
const NS_PER_INSTANCE = 5;
const SERVICES_PER_NS = 6; // web-0 (initial backend) and the targets of successive edits
const CHANGE_RATE = Number(process.env.BENCH_CHANGE_RATE ?? 100);
const CHANGE_SECONDS = Number(process.env.BENCH_CHANGE_SECONDS ?? 20);
const CLUSTER = 'bench';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------- 1. start --once
interface StartRun {
  /** As printed by start: from the runtime starting to the first converged state. */
  converged: number;
  /** From spawning the process (node + tsx loading the TypeScript included) to the convergence line. */
  userSeen: number;
  /** Spawn to exit (includes the clean shutdown). */
  wall: number;
  code: number;
}

async function startOnce(): Promise<StartRun> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        'bin/ako-serverless.mjs',
        'start',
        '--once',
        '--dev-cluster-port',
        '0',
        '--avi-sim-port',
        '0',
        '--status-port',
        '0',
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let seenAt = 0;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!seenAt && out.includes('first sync converged in')) seenAt = Date.now();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /first sync converged in ([\d.]+) s/.exec(out);
      if (!m) return reject(new Error(`no convergence line in the output (exit ${code}):\n${out.slice(-2000)}`));
      resolve({
        converged: Number(m[1]),
        userSeen: (seenAt - began) / 1000,
        wall: (Date.now() - began) / 1000,
        code: code ?? -1,
      });
    });
  });
}

async function benchStart() {
  const runs: StartRun[] = [];
  for (let i = 0; i < STARTS; i++) {
    const r = await startOnce();
    runs.push(r);
    console.log(
      `  start --once run ${i + 1}: first sync converged in ${r.converged} s; spawn → that line ${fmt(r.userSeen, 2)} s; process wall ${fmt(r.wall, 2)} s; exit ${r.code}`,
    );
  }
  console.log(
    `start --once (${STARTS} runs): median first sync ${fmt(median(runs.map((r) => r.converged)))} s (min ${fmt(Math.min(...runs.map((r) => r.converged)))}, max ${fmt(Math.max(...runs.map((r) => r.converged)))}); median spawn → converged line ${fmt(median(runs.map((r) => r.userSeen)), 2)} s; median process wall ${fmt(median(runs.map((r) => r.wall)), 2)} s`,
  );
}

// ---------------------------------------------------------------- workload
function registryText(): string {
  const lines = ['instances:'];
  for (let i = 0; i < INSTANCES; i++) {
    lines.push(
      `  - namespace: ${i === 0 ? 'avi-system' : `ako-${i}`}`,
      '    set:',
      `      AKOSettings.clusterName: ${CLUSTER}`,
      `      AKOSettings.primaryInstance: ${i === 0}`,
      '      AKOSettings.namespaceSelector.labelKey: team',
      `      AKOSettings.namespaceSelector.labelValue: t${i}`,
    );
  }
  return lines.join('\n');
}

type Obj = Record<string, unknown>;
const nsName = (n: number) => `app-${n}`;
const ip = (n: number, s: number) => `10.${20 + s}.${Math.floor(n / 250)}.${(n % 250) + 1}`;

function ingressObj(ns: string, name: string, host: string, svc: string): Obj {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: ns, name },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc, port: { number: 80 } } } }],
          },
        },
      ],
    },
  };
}

/** Namespaces, Services and EndpointSlices (every namespace gets web-0..web-5), a Node, then the Ingresses. */
function workload(ingresses: number): { base: Obj[]; ingresses: { ns: string; name: string; host: string }[] } {
  const base: Obj[] = [
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1' },
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
      status: { addresses: [{ type: 'InternalIP', address: '192.168.10.11' }] },
    },
  ];
  const namespaces = INSTANCES * NS_PER_INSTANCE;
  for (let n = 0; n < namespaces; n++) {
    const ns = nsName(n);
    base.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % INSTANCES}` } } });
    for (let s = 0; s < SERVICES_PER_NS; s++) {
      base.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: ns, name: `web-${s}` },
        spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
      });
      base.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: ns, name: `web-${s}-slice`, labels: { 'kubernetes.io/service-name': `web-${s}` } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: [ip(n, s)], conditions: { ready: true }, nodeName: 'node-1' }],
      });
    }
  }
  const list = Array.from({ length: ingresses }, (_, i) => ({
    ns: nsName(i % namespaces),
    name: `ing-${i}`,
    host: `h${i}.bench.example.com`,
  }));
  return { base, ingresses: list };
}

async function benchRuntime(opts: { simRateLimit?: number; aviRatePerSecond?: number }): Promise<Runtime> {
  return startRuntime({
    registry: parseRegistry(registryText(), { baseDir: process.cwd() }),
    stateDir: mkdtempSync(join(tmpdir(), 'ako-bench-')),
    logger: silentLogger,
    sweeps: false,
    simSeed: 1,
    ...(opts.simRateLimit ? { simRateLimit: opts.simRateLimit } : {}),
    ...(opts.aviRatePerSecond ? { aviRatePerSecond: opts.aviRatePerSecond } : {}),
    queue: { maxReceiveCount: 10, backoffMs: (n) => Math.min(5000, 100 * 2 ** n) },
  });
}

interface ReplayFigures {
  label: string;
  ingresses: number;
  wallSeconds: number;
  requests: number;
  writes: number;
  status429: number;
  deadLetters: number;
  floorSeconds: number;
}

/** Like `replay`: an empty cluster and simulator, one step with every object, wait for convergence. */
async function replayOnce(
  label: string,
  ingresses: number,
  opts: { simRateLimit?: number; aviRatePerSecond?: number },
  keep = false,
): Promise<{ figures: ReplayFigures; rt: Runtime }> {
  const rt = await benchRuntime(opts);
  await rt.waitForConvergence({ timeoutMs: 120_000 });
  const dev = rt.devClusters.get(CLUSTER)!;
  const sim = rt.aviSim!;
  const w = workload(ingresses);
  sim.resetCounters();
  const began = Date.now();
  for (const o of w.base) dev.apply(o as Parameters<typeof dev.apply>[0]);
  for (const i of w.ingresses) dev.apply(ingressObj(i.ns, i.name, i.host, 'web-0') as Parameters<typeof dev.apply>[0]);
  await rt.waitForConvergence({ timeoutMs: 3_600_000 });
  const wallSeconds = (Date.now() - began) / 1000;
  const c = sim.counters();
  const status429 = Object.entries(c.byStatus)
    .filter(([s]) => s === '429')
    .reduce((n, [, v]) => n + v, 0);
  const figures: ReplayFigures = {
    label,
    ingresses,
    wallSeconds,
    requests: c.total,
    writes: c.writes,
    status429,
    deadLetters: rt.deadLetters().length,
    floorSeconds: (c.total - status429) / 32,
  };
  const pools = sim.objects('pool').filter((p) => String(p.name).includes('.bench.example.com')).length;
  console.log(
    `  ${label}: ${ingresses} Ingresses → ${pools} pools; wall ${fmt(wallSeconds)} s; requests ${c.total} (writes ${c.writes}, 429s ${status429}); floor (accepted requests ÷ 32/s) ${fmt(figures.floorSeconds)} s → wall/floor ${fmt(wallSeconds / figures.floorSeconds, 2)}×; dead letters ${figures.deadLetters}`,
  );
  if (!keep) await rt.stop();
  return { figures, rt };
}

// ---------------------------------------------------------------- 3. latency under 100 changes/s
async function latency(rt: Runtime, ingresses: number) {
  const dev = rt.devClusters.get(CLUSTER)!;
  const sim = rt.aviSim!;
  const w = workload(ingresses);
  const namespaces = INSTANCES * NS_PER_INSTANCE;
  const total = CHANGE_RATE * CHANGE_SECONDS;
  // Edit k goes to Ingress k mod N and points it at web-(1 + k div N): every edit has a new server IP.
  const edits: { at: number; pool: string; ip: string; version: number; key: string }[] = [];
  sim.resetCounters(); // also empties the request log: everything in it from here on is this phase's
  const firstLog = 0;
  const began = Date.now();
  for (let k = 0; k < total; k++) {
    const due = began + (k * 1000) / CHANGE_RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const idx = k % w.ingresses.length;
    const version = 1 + Math.floor(k / w.ingresses.length);
    if (version >= SERVICES_PER_NS) break;
    const ing = w.ingresses[idx]!;
    const n = idx % namespaces;
    edits.push({
      at: Date.now(),
      pool: `${CLUSTER}--${ing.host}_-${ing.ns}-${ing.name}`,
      ip: ip(n, version),
      version,
      key: ing.name,
    });
    dev.apply(ingressObj(ing.ns, ing.name, ing.host, `web-${version}`) as Parameters<typeof dev.apply>[0]);
  }
  const sendSeconds = (Date.now() - began) / 1000;
  await rt.waitForConvergence({ timeoutMs: 3_600_000 });
  const drainedSeconds = (Date.now() - began) / 1000;
  const byKey = Object.entries(sim.counters().byKey)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(`  Avi requests during the phase: ${sim.counters().total} (top: ${byKey})`);
  // Accepted pool writes per pool name, with the server IPs they carried.
  const writes = new Map<string, { time: number; ips: string[] }[]>();
  for (const e of sim.requestLog().slice(firstLog)) {
    if (e.type !== 'pool' || (e.method !== 'PUT' && e.method !== 'POST' && e.method !== 'PATCH')) continue;
    if (e.status < 200 || e.status >= 300) continue;
    const body = e.body as { name?: string; servers?: { ip?: { addr?: string } }[] } | undefined;
    if (!body?.name) continue;
    const list = writes.get(body.name) ?? [];
    list.push({ time: e.time, ips: (body.servers ?? []).map((s) => s.ip?.addr ?? '') });
    writes.set(body.name, list);
  }
  const ipVersion = (addr: string) => {
    const m = /^10\.(\d+)\./.exec(addr);
    return m ? Number(m[1]) - 20 : -1;
  };
  const lat: number[] = [];
  let missing = 0;
  for (const e of edits) {
    // Reflected by the first accepted write at or after the edit carrying this version or a later one.
    const hit = (writes.get(e.pool) ?? []).find(
      (wr) => wr.time >= e.at - 5 && wr.ips.some((a) => ipVersion(a) >= e.version),
    );
    if (hit) lat.push(Math.max(0, hit.time - e.at));
    else missing++;
  }
  console.log(
    `  ${edits.length} edits sent in ${fmt(sendSeconds)} s (${fmt(edits.length / sendSeconds)}/s); drained after ${fmt(drainedSeconds)} s; reflected ${lat.length}, not found ${missing}`,
  );
  if (lat.length) {
    console.log(
      `  change-to-Avi latency: p50 ${fmt(pct(lat, 50), 0)} ms, p90 ${fmt(pct(lat, 90), 0)} ms, p99 ${fmt(pct(lat, 99), 0)} ms, max ${fmt(Math.max(...lat), 0)} ms`,
    );
  }
  return { edits: edits.length, sendSeconds, drainedSeconds, lat, missing };
}

async function main() {
  console.log(
    `runtime benchmark — node ${process.version}, load ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (PARTS.has('start')) await benchStart();
  const replayParts = ['open', 'latency', 'limited', 'budget32', 'default-open'];
  if (replayParts.some((p) => PARTS.has(p))) {
    console.log(`replay: ${INGRESSES} Ingresses, ${INSTANCES} instances, ${INSTANCES * NS_PER_INSTANCE} namespaces`);
  }
  if (PARTS.has('open') || PARTS.has('latency')) {
    // No controller limit; the runtime's request budget opened up too, so the pipeline itself is measured.
    const open = await replayOnce(
      'no limit (budget 1000/s)',
      INGRESSES,
      { aviRatePerSecond: 1000 },
      PARTS.has('latency'),
    );
    if (PARTS.has('latency')) {
      console.log(
        `latency: ${CHANGE_RATE} edits/s for ${CHANGE_SECONDS} s on the converged ${INGRESSES}-Ingress runtime (budget 1000/s, no limit)`,
      );
      await latency(open.rt, INGRESSES);
      await open.rt.stop();
    }
  }
  if (PARTS.has('limited')) {
    await replayOnce('sim limit 32/s (runtime default budget)', INGRESSES, { simRateLimit: 32 });
  }
  if (PARTS.has('budget32')) {
    await replayOnce('sim limit 32/s (budget 32/s)', INGRESSES, { simRateLimit: 32, aviRatePerSecond: 32 });
  }
  if (PARTS.has('default-open')) await replayOnce('no limit (runtime default budget)', INGRESSES, {});
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
