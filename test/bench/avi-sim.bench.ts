// Avi Controller simulator throughput: the simulator vs a bare node:http JSON echo server (the floor for
// any HTTP server in this process), same client, same bodies, side by side. Shows whether the simulator
// can be the bottleneck of the sync benchmarks (1,000 Ingresses ≈ 3,000+ requests).
// Run: npx tsx test/bench/avi-sim.bench.ts
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAviSim } from '../../infra/avi-sim/index.ts';

const WRITES = 3000;
const CONCURRENCY = 8;

interface Target {
  url: string;
  headers: Record<string, string>;
  close(): Promise<void>;
}

async function baseline(): Promise<Target> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      res.statusCode = req.method === 'POST' ? 201 : 200;
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify(req.method === 'POST' ? { uuid: `pool-${randomUUID()}`, ...body } : { count: 0, results: [] }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    headers: { 'Content-Type': 'application/json' },
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function simulator(): Promise<Target> {
  const sim = await startAviSim();
  const res = await fetch(`${sim.url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin' }),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrftoken='))!.split('=')[1]!;
  return {
    url: sim.url,
    headers: {
      'Content-Type': 'application/json',
      Cookie: cookies.join('; '),
      'X-CSRFToken': csrf,
      'X-Avi-Version': '30.2.1',
      'X-Avi-Tenant': 'admin',
      Referer: `${sim.url}/`,
    },
    close: () => sim.close(),
  };
}

function poolBody(i: number): string {
  return JSON.stringify({
    name: `cluster--host${i}.example.com_foo-default-ing${i}`,
    cloud_config_cksum: String(1_000_000 + i),
    created_by: 'ako-cluster',
    tenant_ref: '/api/tenant/?name=admin',
    cloud_ref: '/api/cloud?name=Default-Cloud',
    health_monitor_refs: ['/api/healthmonitor/?name=System-TCP'],
    markers: [{ key: 'clustername', values: ['cluster'] }],
    servers: [{ ip: { addr: `10.0.${(i >> 8) & 255}.${i & 255}`, type: 'V4' }, port: 8080, enabled: true }],
  });
}

async function run(t: Target, label: string): Promise<{ writeMs: number; readMs: number }> {
  let next = 0;
  const worker = async (fn: (i: number) => Promise<void>) => {
    for (;;) {
      const i = next++;
      if (i >= WRITES) return;
      await fn(i);
    }
  };
  const writes = async (i: number) => {
    const res = await fetch(`${t.url}/api/pool/`, { method: 'POST', headers: t.headers, body: poolBody(i) });
    if (res.status !== 201) throw new Error(`${label}: POST ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  const reads = async (i: number) => {
    const name = encodeURIComponent(`cluster--host${i}.example.com_foo-default-ing${i}`);
    const res = await fetch(`${t.url}/api/pool/?include_name=&name=${name}&created_by=ako-cluster`, {
      headers: t.headers,
    });
    if (res.status !== 200) throw new Error(`${label}: GET ${res.status}`);
    await res.arrayBuffer();
  };
  const w0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(writes)));
  const writeMs = performance.now() - w0;
  next = 0;
  const r0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(reads)));
  return { writeMs, readMs: performance.now() - r0 };
}

const base = await baseline();
const sim = await simulator();
// Warm-up of both (JIT, sockets), then the measured runs.
await run(base, 'baseline');
await base.close();
const base2 = await baseline();
const b = await run(base2, 'baseline');
const s = await run(sim, 'simulator');
await base2.close();
await sim.close();

const rate = (ms: number) => Math.round((WRITES / ms) * 1000);
console.log(`requests: ${WRITES} POST pool then ${WRITES} GET pool by name, concurrency ${CONCURRENCY}`);
console.log(`baseline  POST ${rate(b.writeMs)}/s  GET ${rate(b.readMs)}/s`);
console.log(`simulator POST ${rate(s.writeMs)}/s  GET ${rate(s.readMs)}/s (with ${WRITES} pools stored)`);
console.log(
  `ratio (simulator time / baseline time): POST ${(s.writeMs / b.writeMs).toFixed(2)}x  GET ${(s.readMs / b.readMs).toFixed(2)}x`,
);
console.log(`32 req/s controller budget vs simulator POST rate: ${(rate(s.writeMs) / 32).toFixed(0)}x headroom`);
