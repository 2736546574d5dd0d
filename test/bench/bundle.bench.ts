/**
 * Lambda bundles: size per function and cold import time, against a baseline built side by side in this process
 * (plain esbuild: default mainFields, no side-effect pruning of project modules, axios multipart kept). Then the
 * handler durations the cost model needs: the router per event (in process) and the sync function per batch of ten
 * object changes against the Avi simulator with the DynamoDB store (dynalite).
 *
 *   npx tsx test/bench/bundle.bench.ts            (writes nothing; copy the printed table into results/bundle.md)
 *   BENCH_RUNS=21 npx tsx test/bench/bundle.bench.ts
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { build } from 'esbuild';
import { createRouterHandler } from '../../functions/router/handler.ts';
import { startAviSim } from '../../infra/avi-sim/index.ts';
import { BANNER, type BundleResult, bundle, TARGETS } from '../../infra/aws/scripts/build.ts';
import { buildStack, DEFAULT_STACK_OPTIONS, publicInstance } from '../../infra/aws/stack.ts';
import { silentLogger } from '../../shared/log.ts';
import { buildOwnerIndex, parseRegistry } from '../../shared/registry/index.ts';
import { createDynamoStore, createTable } from '../../shared/store/index.ts';
import { endpointSlice, ingress, instanceFor, makeRig, objectMsg, service } from '../functions/harness.ts';
import { startLocalDynamo } from '../store/dynalite-server.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const root = new URL('../..', import.meta.url).pathname;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const kb = (n: number) => (n / 1024).toFixed(1);

// ---------------------------------------------------------------------------------------------------------------
// 1. Sizes: project build vs plain esbuild

async function baselineBundle(entry: string, outfile: string): Promise<number> {
  const r = await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(r.metafile.outputs)[0]!.bytes;
}

const out = mkdtempSync(join(tmpdir(), 'ako-bundle-bench-'));
const baseOut = mkdtempSync(join(tmpdir(), 'ako-bundle-bench-base-'));
const targets = TARGETS.filter((t) => existsSync(join(root, t.entry)));
const built: (BundleResult & { baseline: number; baseFile: string })[] = [];
for (const t of targets) {
  const r = await bundle(t, { root, outDir: out });
  const baseFile = join(baseOut, t.outfile);
  const baseline = await baselineBundle(t.entry, baseFile);
  built.push({ ...r, baseline, baseFile });
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Cold import in fresh node processes (median of RUNS), with a local Secrets Manager answering GetSecretValue

const secrets = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    res.end(JSON.stringify({ Name: 'bench', SecretString: JSON.stringify({ username: 'admin', password: 'bench' }) }));
  });
});
await new Promise<void>((r) => secrets.listen(0, '127.0.0.1', () => r()));
const secretsUrl = `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`;

const registry = parseRegistry(
  JSON.stringify({
    instances: [
      {
        namespace: 'avi-system',
        values: {
          AKOSettings: {
            clusterName: 'demo',
            primaryInstance: true,
            namespaceSelector: { labelKey: 't', labelValue: 'a' },
          },
          ControllerSettings: { controllerHost: '127.0.0.1:9', controllerVersion: '22.1.3' },
        },
      },
    ],
  }),
  { baseDir: '/' },
);
const inst = publicInstance(registry.instances[0]!);
const stack = buildStack(registry, { ...DEFAULT_STACK_OPTIONS, stage: 'bench' });
for (const dir of [out, baseOut]) {
  writeFileSync(join(dir, 'dist/router/registry.json'), JSON.stringify(stack.routerRegistry));
}
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
  AKO_EVENT_BUS: 'bus',
  AKO_STACK_PREFIX: 'ako-serverless-bench',
  AKO_QUEUE_URL_PREFIX: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
  AKO_DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq.fifo',
  AKO_INSTANCE_ID: inst.id,
  AKO_INSTANCE: JSON.stringify(inst),
  AKO_TABLE_NAME: 'table',
  AKO_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/bench',
  AKO_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench',
  AKO_AVI_MAX_RPS: '3.2',
};

const execFileP = promisify(execFile);

// Asynchronous spawn: the local Secrets Manager runs in this process and must keep answering.
async function coldImport(file: string, role: string): Promise<{ importMs: number; processMs: number }> {
  const imports: number[] = [];
  const procs: number[] = [];
  const script = `const t=performance.now();const m=await import(${JSON.stringify(file)});if(typeof m.handler!=='function')throw new Error('no handler');console.log(performance.now()-t);`;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await execFileP(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...env, AKO_ROLE: role },
      encoding: 'utf8',
      timeout: 30_000,
    });
    procs.push(performance.now() - t0);
    imports.push(Number(r.stdout.trim().split('\n').at(-1)));
  }
  return { importMs: median(imports), processMs: median(procs) };
}

const emptyProcess = median(
  Array.from({ length: RUNS }, () => {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    return performance.now() - t0;
  }),
);

const rows: string[] = [];
for (const b of built) {
  if (b.name === 'forwarder') {
    rows.push(
      `| ${b.name} (container) | ${kb(b.bytes)} | ${kb(b.baseline)} | ${(b.bytes / b.baseline).toFixed(2)} | – | – | – |`,
    );
    continue;
  }
  const role = b.name === 'router' ? 'router' : b.name;
  const ours = await coldImport(join(out, b.outfile), role);
  const base = await coldImport(b.baseFile, role);
  rows.push(
    `| ${b.name} | ${kb(b.bytes)} | ${kb(b.baseline)} | ${(b.bytes / b.baseline).toFixed(2)} | ${ours.importMs.toFixed(1)} (${ours.processMs.toFixed(0)}) | ${base.importMs.toFixed(1)} (${base.processMs.toFixed(0)}) | ${(ours.importMs / base.importMs).toFixed(2)} |`,
  );
}
secrets.close();

// ---------------------------------------------------------------------------------------------------------------
// 3. Handler durations

// Router: one object-change event, delivery to an in-memory send (SQS latency excluded).
const router = createRouterHandler({
  index: buildOwnerIndex(registry),
  send: async () => {},
  publishDeadLetter: async () => {},
  logger: silentLogger,
});
const event = (i: number) => ({
  version: '0',
  id: `e${i}`,
  source: 'ako-serverless.forwarder',
  'detail-type': 'object-change',
  account: '1',
  time: '2026-11-23T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    version: 1,
    cluster: 'demo',
    kind: 'Service',
    apiVersion: 'v1',
    namespace: 'shop',
    name: `svc-${i}`,
    uid: `u-${i}`,
    resourceVersion: String(i + 1),
    op: 'upsert',
    namespaceLabels: { t: 'a' },
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'shop', uid: `u-${i}` } },
  },
});
const ctx = {} as Context;
for (let i = 0; i < 500; i++) await router(event(i) as never, ctx);
const routerTimes: number[] = [];
for (let i = 0; i < 5000; i++) {
  const t0 = performance.now();
  await router(event(i) as never, ctx);
  routerTimes.push(performance.now() - t0);
}

// Sync: batches of ten changes (EndpointSlice address changes of Services behind Ingresses) on a 200-object
// instance, Avi simulator over HTTP, DynamoDB store on dynalite.
const sim = await startAviSim();
const dynamo = await startLocalDynamo();
await createTable(dynamo.client, 'bench');
const syncInstance = instanceFor(sim, { namespace: 'avi-system', primary: true });
const rig = makeRig(sim, syncInstance, {
  store: createDynamoStore({ client: dynamo.doc, tableName: 'bench', instanceId: syncInstance.id }),
});
const NS = ['shop-0', 'shop-1', 'shop-2', 'shop-3'];
let rv = 100;
const seed = [];
for (const ns of NS) {
  for (let s = 0; s < 25; s++) {
    seed.push(
      objectMsg({
        ...service(ns, `svc-${s}`),
        metadata: { ...service(ns, `svc-${s}`).metadata, resourceVersion: String(++rv) },
      }),
    );
    seed.push(
      objectMsg({
        ...endpointSlice(ns, `svc-${s}`, [`10.0.${s}.1`]),
        metadata: { ...endpointSlice(ns, `svc-${s}`, []).metadata, resourceVersion: String(++rv) },
      }),
    );
  }
  for (let i = 0; i < 25; i++) {
    const ing = ingress(ns, `ing-${i}`, [{ host: `app-${i}.${ns}.example.com`, service: `svc-${i}` }]);
    seed.push(objectMsg({ ...ing, metadata: { ...ing.metadata, resourceVersion: String(++rv) } }));
  }
}
for (let i = 0; i < seed.length; i += 10) await rig.sync(seed.slice(i, i + 10));
const syncTimes: number[] = [];
const opsBefore = { ...rig.store.ops };
for (let round = 0; round < 20; round++) {
  const batch = Array.from({ length: 10 }, (_, k) => {
    const ns = NS[k % NS.length]!;
    const s = (round * 10 + k) % 25;
    const es = endpointSlice(ns, `svc-${s}`, [`10.1.${s}.${round + 2}`]);
    return objectMsg({ ...es, metadata: { ...es.metadata, resourceVersion: String(++rv) } });
  });
  const t0 = performance.now();
  const failed = await rig.sync(batch);
  syncTimes.push(performance.now() - t0);
  if (failed.length > 0) throw new Error(`sync batch failed: ${failed.join(', ')}`);
}
const storeReadsPerEvent = (rig.store.ops.reads - opsBefore.reads) / (20 * 10);
const storeWritesPerEvent = (rig.store.ops.writes - opsBefore.writes) / (20 * 10);
await dynamo.close();
await sim.close();

const routerMs = median(routerTimes);
const syncBatchMs = median(syncTimes);

// ---------------------------------------------------------------------------------------------------------------
// 4. Cost per million forwarder events (us-east-1 list prices; see results/bundle.md for sources and date)

const P = {
  eventBridgePerM: 1.0,
  sqsFifoPerM: 0.5,
  lambdaRequestPerM: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWritePerM: 0.625,
  dynamoReadPerM: 0.125,
};
const memGb = DEFAULT_STACK_OPTIONS.memorySize / 1024;
const billedMs = (ms: number) => Math.ceil(ms);
// Per event: 1 PutEvents entry (the forwarder batches 10 per call, billed per event), 1 router invocation,
// 1 SendMessage + ~0.2 Receive/Delete (batches of 10: one receive and one batch delete per batch) on the FIFO queue,
// 0.1 sync invocation (batch of 10), and the store requests per event measured above (each item ≤ 1 KB / 4 KB
// counted as one request unit; larger items cost more).
const lambdaPerEvent =
  P.lambdaRequestPerM / 1e6 +
  (billedMs(routerMs) / 1000) * memGb * P.lambdaArmGbSecond +
  (0.1 * P.lambdaRequestPerM) / 1e6 +
  0.1 * (billedMs(syncBatchMs) / 1000) * memGb * P.lambdaArmGbSecond;
const perMillion = {
  eventBridge: P.eventBridgePerM,
  sqs: 1.2 * P.sqsFifoPerM,
  lambda: lambdaPerEvent * 1e6,
  dynamo: storeWritesPerEvent * P.dynamoWritePerM + storeReadsPerEvent * P.dynamoReadPerM,
};
const total = Object.values(perMillion).reduce((a, b) => a + b, 0);

console.log(`\n## Bundles (esbuild 0.28.2, node ${process.version}, median of ${RUNS} fresh processes)\n`);
console.log(
  '| function | KB minified | baseline KB | ratio | cold import ms (process ms) | baseline import ms (process ms) | ratio |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\n\`node -e 0\` process: ${emptyProcess.toFixed(0)} ms`);
console.log('\nLargest packages per bundle (KB in output):');
for (const b of built)
  console.log(
    `- ${b.name}: ${b.top
      .slice(0, 6)
      .map((t) => `${t.path} ${kb(t.bytes)}`)
      .join(', ')}`,
  );
console.log('\n## Handler durations\n');
console.log(
  `- router, one event, in-memory send: median ${(routerMs * 1000).toFixed(0)} µs over ${routerTimes.length} events`,
);
console.log(
  `- sync, batch of 10 EndpointSlice changes, avi-sim + dynalite: median ${syncBatchMs.toFixed(1)} ms over ${syncTimes.length} batches`,
);
console.log(
  `- store requests per event (sync batches above): ${storeReadsPerEvent.toFixed(2)} reads, ${storeWritesPerEvent.toFixed(2)} writes`,
);
console.log('\n## Cost per million forwarder events (USD)\n');
for (const [k, v] of Object.entries(perMillion)) console.log(`- ${k}: ${v.toFixed(3)}`);
console.log(`- total: ${total.toFixed(2)}`);

rmSync(out, { recursive: true, force: true });
rmSync(baseOut, { recursive: true, force: true });
