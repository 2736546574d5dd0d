/**
 * Forwarder benchmark: `npx tsx test/bench/forwarder.bench.ts`
 *
 * The dev cluster runs in a child process (this file, role chosen by FORWARDER_BENCH_CHILD) so the parent's
 * resident memory is the forwarder's alone. Measured side by side in the parent:
 *   - forwarder: informers → trim → coalescing queue → batched PutEvents (a fake bus with fixed latency);
 *   - baseline: a bare client-node informer that publishes every event with its own PutEvents call.
 * Figures: events/s from watch to publisher, PutEvents calls per published event under a burst, RSS with
 * 10,000 watched objects.
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';

const OBJECT_NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 100);
const SERVICES_PER_NS = 60;
const SLICES_PER_NS = 20;
const INGRESSES_PER_NS = 20;
const BURST_OBJECTS = 1000;
const BURST_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BUS_LATENCY_MS = Number(process.env.BENCH_BUS_LATENCY_MS ?? 5);

// ---------------------------------------------------------------------------------------------------------
// Child: the dev cluster with 10,000 objects, driven over IPC.

async function child(): Promise<void> {
  const { startDevCluster } = await import('../../infra/dev-cluster/index.ts');
  const dc = await startDevCluster({ bookmarkIntervalMs: 5000, historyLimit: 20_000 });
  for (let n = 0; n < OBJECT_NAMESPACES; n++) {
    const ns = `ns-${n}`;
    dc.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % 4}` } } });
    for (let i = 0; i < SERVICES_PER_NS; i++) {
      dc.apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: `svc-${i}`,
          namespace: ns,
          labels: { app: `a${i}` },
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":"'.padEnd(400, 'y') + '"}' },
        },
        spec: {
          type: i % 10 === 0 ? 'LoadBalancer' : 'ClusterIP',
          selector: { app: `a${i}` },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      });
    }
    for (let i = 0; i < SLICES_PER_NS; i++) {
      dc.apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `svc-${i}-abc`, namespace: ns, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
        addressType: 'IPv4',
        endpoints: [1, 2, 3].map((k) => ({
          addresses: [`10.${n}.${i}.${k}`],
          conditions: { ready: true },
          nodeName: `node-${k}`,
        })),
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      });
    }
    for (let i = 0; i < INGRESSES_PER_NS; i++) {
      dc.apply({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `ing-${i}`, namespace: ns },
        spec: {
          rules: [
            {
              host: `h${i}.${ns}.example.com`,
              http: {
                paths: [
                  { path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${i}`, port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      });
    }
  }
  process.on('message', async (msg: { cmd: string; rounds?: number; tag?: string }) => {
    if (msg.cmd === 'burst') {
      const t0 = Date.now();
      for (let r = 1; r <= (msg.rounds ?? 1); r++) {
        for (let i = 0; i < BURST_OBJECTS; i++) {
          const ns = `ns-${i % OBJECT_NAMESPACES}`;
          const name = `svc-${Math.floor(i / OBJECT_NAMESPACES) % SERVICES_PER_NS}`;
          dc.label('v1', 'Service', ns, name, { burst: `${msg.tag}-${r}` });
        }
        await new Promise((res) => setImmediate(res));
      }
      process.send?.({ cmd: 'burst-done', ms: Date.now() - t0 });
    }
    if (msg.cmd === 'stop') {
      await dc.close();
      process.exit(0);
    }
  });
  process.send?.({
    cmd: 'ready',
    kubeconfig: dc.kubeconfig(),
    objects: OBJECT_NAMESPACES * (SERVICES_PER_NS + SLICES_PER_NS + INGRESSES_PER_NS + 1),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Parent

interface Msg {
  cmd: string;
  kubeconfig?: string;
  objects?: number;
  ms?: number;
}

function waitFor(cp: ChildProcess, cmd: string): Promise<Msg> {
  return new Promise((resolve) => {
    const on = (m: Msg) => {
      if (m.cmd === cmd) {
        cp.off('message', on);
        resolve(m);
      }
    };
    cp.on('message', on);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
function gcNow() {
  (globalThis as { gc?: () => void }).gc?.();
}

async function until(cond: () => boolean, limitMs = 600_000): Promise<void> {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > limitMs) throw new Error('bench timed out');
    await sleep(5);
  }
}

async function parent(): Promise<void> {
  const { startForwarder } = await import('../../functions/forwarder/index.ts');
  const { memoryPublisher } = await import('../../functions/forwarder/publishers/memory.ts');
  const { silentLogger } = await import('../../shared/log.ts');
  const self = fileURLToPath(import.meta.url);
  const cp = fork(self, [], {
    env: { ...process.env, FORWARDER_BENCH_CHILD: '1' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await waitFor(cp, 'ready');
  const kc = new KubeConfig();
  kc.loadFromString(ready.kubeconfig!);
  gcNow();
  const rssBase = process.memoryUsage().rss;

  // Fake bus: fixed latency per PutEvents call, counts entries.
  let fwdEntries = 0;
  const fwdPub = memoryPublisher({ discard: true, onAccepted: (e) => (fwdEntries += e.length) });
  const latentFwdPub = {
    async putEvents(entries: Parameters<typeof fwdPub.putEvents>[0]) {
      await sleep(BUS_LATENCY_MS);
      return fwdPub.putEvents(entries);
    },
  };

  // ---- forwarder start-up with 10,000 objects
  const t0 = performance.now();
  const fwd = await startForwarder({
    kubeConfig: kc,
    clusterName: 'bench',
    publisher: latentFwdPub,
    logger: silentLogger,
    fullSyncFrequencySeconds: 0,
    metricsIntervalSeconds: 0,
    watchdogSeconds: 600,
  });
  await fwd.ready;
  await fwd.drained();
  const startMs = performance.now() - t0;
  gcNow();
  await sleep(200);
  gcNow();
  const mem = process.memoryUsage();
  const startCalls = fwdPub.calls;
  const startPublished = fwdEntries;

  // ---- burst through the forwarder
  const observed0 = fwd.metrics().observed;
  const calls0 = fwdPub.calls;
  const entries0 = fwdEntries;
  const burstTotal = BURST_OBJECTS * BURST_ROUNDS;
  const tb = performance.now();
  cp.send({ cmd: 'burst', rounds: BURST_ROUNDS, tag: 'f' });
  await until(() => fwd.metrics().observed - observed0 >= burstTotal);
  await fwd.drained();
  const fwdBurstMs = performance.now() - tb;
  const fwdCalls = fwdPub.calls - calls0;
  const fwdPublished = fwdEntries - entries0;
  const fwdMetrics = fwd.metrics();
  await fwd.stop();

  // ---- baseline: bare informer, one PutEvents per event, same bus latency
  let baseCalls = 0;
  let baseObserved = 0;
  let basePublished = 0;
  const basePublish = async (obj: unknown) => {
    baseCalls++;
    await sleep(BUS_LATENCY_MS);
    JSON.stringify(obj);
    basePublished++;
  };
  const listFn = async () => {
    const res = await fetch(`${kc.getCurrentCluster()!.server}/api/v1/services`);
    return (await res.json()) as never;
  };
  const informer = new ListWatch('/api/v1/services', new Watch(kc), listFn, false);
  let pending = 0;
  const onEvent = (o: unknown) => {
    baseObserved++;
    pending++;
    void basePublish(o).finally(() => pending--);
  };
  informer.on('add', onEvent);
  informer.on('update', onEvent);
  informer.on('error', () => {});
  await informer.start();
  await until(() => pending === 0);
  const bObserved0 = baseObserved;
  const bCalls0 = baseCalls;
  const bPublished0 = basePublished;
  const tbb = performance.now();
  cp.send({ cmd: 'burst', rounds: BURST_ROUNDS, tag: 'b' });
  await until(() => baseObserved - bObserved0 >= burstTotal && pending === 0);
  const baseBurstMs = performance.now() - tbb;
  await informer.stop();

  const fwdRate = burstTotal / (fwdBurstMs / 1000);
  const baseRate = burstTotal / (baseBurstMs / 1000);
  const fwdCallsPerEvent = fwdCalls / Math.max(1, fwdPublished);
  const baseCallsPerEvent = (baseCalls - bCalls0) / Math.max(1, basePublished - bPublished0);
  const bundled = await bundledRss(ready.kubeconfig!);
  const rows = [
    ['watched objects', String(ready.objects), String(ready.objects)],
    ['start-up: list → all published (ms)', String(Math.round(startMs)), '-'],
    ['start-up PutEvents calls / entries', `${startCalls} / ${startPublished}`, '-'],
    ['RSS with objects watched (MB)', String(mb(mem.rss)), '-'],
    ['RSS growth over process base (MB)', String(mb(mem.rss - rssBase)), '-'],
    ['heap used (MB)', String(mb(mem.heapUsed)), '-'],
    ['RSS, bundled forwarder under plain node (MB)', String(bundled.rss), '-'],
    ['heap used, bundled forwarder (MB)', String(bundled.heap), '-'],
    [`burst: updates (${BURST_ROUNDS} × ${BURST_OBJECTS} objects)`, String(burstTotal), String(burstTotal)],
    ['burst: watch → publisher, events/s', String(Math.round(fwdRate)), String(Math.round(baseRate))],
    ['burst: events published', String(fwdPublished), String(basePublished - bPublished0)],
    ['burst: PutEvents calls', String(fwdCalls), String(baseCalls - bCalls0)],
    ['burst: PutEvents calls per published event', fwdCallsPerEvent.toFixed(3), baseCallsPerEvent.toFixed(3)],
    ['burst: coalesced / suppressed', `${fwdMetrics.coalesced} / ${fwdMetrics.suppressed}`, '-'],
  ];
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  console.log(`\nforwarder benchmark (bus latency ${BUS_LATENCY_MS} ms per PutEvents call, node ${process.version})`);
  console.log(`${'metric'.padEnd(w0)}  forwarder   baseline (bare informer, 1 call/event)`);
  for (const r of rows) console.log(`${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(10)}  ${r[2]}`);
  console.log(
    `\nratios: events/s forwarder/baseline = ${(fwdRate / baseRate).toFixed(2)}; ` +
      `PutEvents calls per event forwarder/baseline = ${(fwdCallsPerEvent / baseCallsPerEvent).toFixed(3)}`,
  );
  console.log(
    `targets: calls per published event ≤ 0.11 → ${fwdCallsPerEvent <= 0.11 ? 'met' : 'NOT met'}; ` +
      `RSS ≤ 200 MB with ${ready.objects} objects (bundled forwarder) → ${bundled.rss <= 200 ? 'met' : 'NOT met'}`,
  );
  cp.send({ cmd: 'stop' });
  process.exit(0);
}

/**
 * The forwarder as it ships (an esbuild bundle run by plain node, no TypeScript loader) in its own
 * process against the same cluster: RSS after the 10,000 objects are listed and published.
 */
async function bundledRss(kubeconfig: string): Promise<{ rss: number; heap: number }> {
  const esbuild = await import('esbuild');
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = mkdtempSync(join(tmpdir(), 'fwd-bench-'));
  const bundle = join(dir, 'forwarder.mjs');
  await esbuild.build({
    entryPoints: [join(root, 'functions/forwarder/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile: bundle,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const kcPath = join(dir, 'kubeconfig');
  writeFileSync(kcPath, kubeconfig);
  const driver = join(dir, 'driver.mjs');
  writeFileSync(
    driver,
    `import { KubeConfig } from ${JSON.stringify(pathToFileURL(join(root, 'node_modules/@kubernetes/client-node/dist/index.js')).href)};
import { startForwarder } from ${JSON.stringify(pathToFileURL(bundle).href)};
const kc = new KubeConfig(); kc.loadFromFile(${JSON.stringify(kcPath)});
const log = { debug() {}, info() {}, warn() {}, error() {}, child() { return log; } };
const fwd = await startForwarder({ kubeConfig: kc, clusterName: 'bench', logger: log, fullSyncFrequencySeconds: 0,
  metricsIntervalSeconds: 0, publisher: { async putEvents() { await new Promise(r => setTimeout(r, ${BUS_LATENCY_MS})); return { failed: [] }; } } });
await fwd.ready; await fwd.drained();
for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise(r => setTimeout(r, 200)); }
const m = process.memoryUsage();
console.log(JSON.stringify({ rss: m.rss, heap: m.heapUsed, objects: fwd.metrics().objects }));
await fwd.stop(); process.exit(0);
`,
  );
  const out = await new Promise<string>((res, rej) =>
    execFile(process.execPath, ['--expose-gc', driver], { maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? rej(err) : res(stdout),
    ),
  );
  const r = JSON.parse(out.trim().split('\n').pop()!) as { rss: number; heap: number };
  return { rss: mb(r.rss), heap: mb(r.heap) };
}

if (process.env.FORWARDER_BENCH_CHILD === '1') void child();
else
  parent().catch((err) => {
    console.error(err);
    process.exit(1);
  });
