// Custom resources on the dev cluster and in the forwarder. Run: npx tsx test/bench/crd.bench.ts
// 1. Creates over HTTP: HostRule (CRD schema: pruning, defaults, validation) vs ConfigMap (no schema), same server,
//    alternating rounds so a busy machine slows both alike.
// 2. CRD pickup: time from applying a CRD and one of its objects to the forwarder publishing that object, through
//    the forwarder's watch on CustomResourceDefinitions (periodic discovery off).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startForwarder } from '../../functions/forwarder/index.ts';
import { memoryPublisher } from '../../functions/forwarder/publishers/memory.ts';
import { startDevCluster } from '../../infra/dev-cluster/index.ts';
import { parseManifests } from '../../infra/dev-cluster/seed.ts';
import { silentLogger } from '../../shared/log.ts';

const ROUND = Number(process.env.BENCH_CRD_ROUND ?? 500);
const PAIRS = Number(process.env.BENCH_CRD_PAIRS ?? 5);
const CONCURRENCY = 8;
const PICKUPS = Number(process.env.BENCH_CRD_PICKUPS ?? 10);

const crdDir = join(import.meta.dirname, '../../examples/crds');
const crd = (file: string) => parseManifests(readFileSync(join(crdDir, file), 'utf8'), file)[0]!.obj;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function creates(url: string, path: string, body: (i: number) => unknown, n: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(url + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(i)),
        });
        if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

async function throughput(): Promise<void> {
  const dc = await startDevCluster({ bookmarkIntervalMs: 0, historyLimit: 1000 });
  dc.apply(crd('hostrule.yaml'));
  const hr: number[] = [];
  const cm: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    hr.push(
      await creates(
        dc.url,
        '/apis/ako.vmware.com/v1beta1/namespaces/default/hostrules',
        (i) => ({
          apiVersion: 'ako.vmware.com/v1beta1',
          kind: 'HostRule',
          metadata: { name: `hr-${p}-${i}` },
          spec: {
            virtualhost: {
              fqdn: `h${i}.example.com`,
              wafPolicy: 'System-WAF-Policy',
              tls: { sslKeyCertificate: { name: 'cert', type: 'ref' }, termination: 'edge' },
              analyticsPolicy: { fullClientLogs: { enabled: true } },
              extra: 'pruned',
            },
          },
        }),
        ROUND,
      ),
    );
    cm.push(
      await creates(
        dc.url,
        '/api/v1/namespaces/default/configmaps',
        (i) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${p}-${i}` },
          data: { fqdn: `h${i}.example.com` },
        }),
        ROUND,
      ),
    );
  }
  await dc.close();
  console.log(`creates/s over HTTP, ${PAIRS} alternating rounds of ${ROUND} (concurrency ${CONCURRENCY}):`);
  console.log(`  HostRule (schema): median ${median(hr).toFixed(0)}  rounds ${hr.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  ConfigMap:         median ${median(cm).toFixed(0)}  rounds ${cm.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`  ratio HostRule/ConfigMap: ${(median(hr) / median(cm)).toFixed(2)}`);
}

async function pickup(): Promise<void> {
  const dc = await startDevCluster({ bookmarkIntervalMs: 1000 });
  const kc = new KubeConfig();
  kc.loadFromString(dc.kubeconfig());
  const pub = memoryPublisher();
  const fwd = await startForwarder({
    kubeConfig: kc,
    clusterName: 'bench',
    publisher: pub,
    logger: silentLogger,
    fullSyncFrequencySeconds: 0,
    metricsIntervalSeconds: 0,
    crdDiscoverySeconds: 0,
    batchWindowMs: 5,
  });
  await fwd.ready;
  while ((dc.hooks.requests()['watch customresourcedefinitions'] ?? 0) === 0)
    await new Promise((r) => setTimeout(r, 10));
  const ms: number[] = [];
  for (let i = 0; i < PICKUPS; i++) {
    const start = performance.now();
    dc.apply(crd('hostrule.yaml'));
    dc.apply({
      apiVersion: 'ako.vmware.com/v1beta1',
      kind: 'HostRule',
      metadata: { name: `p-${i}`, namespace: 'default' },
      spec: { virtualhost: { fqdn: `p${i}.example.com` } },
    });
    const published = () => pub.entries.some((e) => e.Detail.includes(`"name":"p-${i}"`));
    while (!published()) await new Promise((r) => setTimeout(r, 1));
    ms.push(performance.now() - start);
    dc.delete('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'hostrules.ako.vmware.com');
    while (fwd.metrics().kinds.includes('HostRule')) await new Promise((r) => setTimeout(r, 5));
  }
  await fwd.stop();
  await dc.close();
  console.log(
    `CRD pickup (apply CRD + HostRule → published), ${PICKUPS} runs, ms: median ${median(ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}`,
  );
}

await throughput();
await pickup();
