/**
 * Store benchmark: backend requests per message on both adapters, and memory-adapter throughput against naive
 * baselines (a plain Map without ordering checks) in the same process.
 *
 *   npx tsx test/bench/store.bench.ts            # full run
 *   BENCH_QUICK=1 npx tsx test/bench/store.bench.ts
 */
import { formatStreamSequence } from '../../shared/events/index.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import { objectKey } from '../../shared/model/types.ts';
import { createDynamoStore, createMemoryStore, createTable, type InstanceStore } from '../../shared/store/index.ts';
import { startLocalDynamo } from '../store/dynalite-server.ts';

const quick = process.env.BENCH_QUICK === '1';
const OBJECTS = quick ? 1000 : 5000;
const ROUNDS = quick ? 3 : 10;
const DYNAMO_MESSAGES = quick ? 200 : 1000;

/** A trimmed Ingress of about 1 KB, as the forwarder sends it. */
function ingress(i: number, rv: number, uid = `uid-${i}`): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: `app-${i}`,
      namespace: `team-${i % 50}`,
      uid,
      resourceVersion: String(rv),
      labels: { app: `app-${i}`, tier: 'web' },
      annotations: { 'ako.vmware.com/enable-tls': 'true' },
    },
    spec: {
      ingressClassName: 'avi-lb',
      tls: [{ hosts: [`app-${i}.team-${i % 50}.example.com`], secretName: `app-${i}-tls` }],
      rules: [
        {
          host: `app-${i}.team-${i % 50}.example.com`,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: `app-${i}`, port: { number: 80 } } } },
              {
                path: '/api',
                pathType: 'Prefix',
                backend: { service: { name: `app-${i}-api`, port: { number: 8080 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** The forwarder's stream position of event n (events carry it; the store orders by it). */
const at = (n: number) => ({ sequence: formatStreamSequence(1_767_225_600_000, n) });
const atRv = (o: KubeObject) => at(Number(o.metadata.resourceVersion));

type Scenario = { name: string; run: (s: InstanceStore) => Promise<unknown> };

/** Requests for one message of each kind, measured on a store that already holds the object at rv 10. */
const scenarios: Scenario[] = [
  { name: 'upsert, new object', run: (s) => s.upsertObject(ingress(1, 10), at(10)) },
  { name: 'upsert, next version', run: (s) => s.upsertObject(ingress(1, 11), at(11)) },
  { name: 'upsert, duplicate (redelivery)', run: (s) => s.upsertObject(ingress(1, 11), at(11)) },
  { name: 'upsert, stale (older version)', run: (s) => s.upsertObject(ingress(1, 10), at(10)) },
  { name: 'delete', run: (s) => s.deleteObject(objectKey(ingress(1, 12)), 'uid-1', '12', at(12)) },
  { name: 'delete, duplicate', run: (s) => s.deleteObject(objectKey(ingress(1, 12)), 'uid-1', '12', at(12)) },
  { name: 'upsert, re-created (new uid)', run: (s) => s.upsertObject(ingress(1, 13, 'uid-1b'), at(13)) },
];

async function opsPerMessage(open: (id: string) => InstanceStore): Promise<string[]> {
  const s = open('bench/ops');
  const rows: string[] = [];
  for (const sc of scenarios) {
    const before = { ...s.ops };
    const outcome = await sc.run(s);
    rows.push(
      `${s.ops.reads - before.reads} R + ${s.ops.writes - before.writes} W` +
        (s.ops.conflicts - before.conflicts ? ` (${s.ops.conflicts - before.conflicts} failed cond.)` : '') +
        ` → ${outcome}`,
    );
  }
  return rows;
}

/** Naive baselines: what a store without ordering rules costs. */
function naiveMap() {
  const m = new Map<string, KubeObject>();
  return {
    upsert: (o: KubeObject) => void m.set(objectKey(o), o),
  };
}
function naiveMapWithCopy() {
  const m = new Map<string, string>();
  return {
    upsert: (o: KubeObject) => void m.set(objectKey(o), JSON.stringify(o)),
  };
}

async function timeIt(fn: () => Promise<void> | void): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function memoryThroughput() {
  // Pre-build the messages so only the store is timed.
  const upserts: KubeObject[][] = [];
  for (let r = 0; r < ROUNDS; r++)
    upserts.push(Array.from({ length: OBJECTS }, (_, i) => ingress(i, 1000 + r * OBJECTS + i)));
  const last = upserts[ROUNDS - 1]!;
  const results: Record<string, number[]> = {
    store: [],
    storeDup: [],
    naive: [],
    naiveCopy: [],
    list: [],
    listFrozen: [],
  };
  for (let rep = 0; rep < 5; rep++) {
    const store = createMemoryStore('bench/mem');
    results.store!.push(
      await timeIt(async () => {
        for (const batch of upserts) for (const o of batch) await store.upsertObject(o, atRv(o));
      }),
    );
    results.storeDup!.push(
      await timeIt(async () => {
        for (let r = 0; r < ROUNDS; r++) for (const o of last) await store.upsertObject(o, atRv(o));
      }),
    );
    results.list!.push(
      await timeIt(async () => {
        await store.listObjects();
      }),
    );
    const frozen = createMemoryStore('bench/frozen', { frozenReads: true });
    for (const o of last) await frozen.upsertObject(o, atRv(o));
    await frozen.listObjects(); // first read parses and freezes
    results.listFrozen!.push(
      await timeIt(async () => {
        await frozen.listObjects();
      }),
    );
    const naive = naiveMap();
    results.naive!.push(
      await timeIt(async () => {
        for (const batch of upserts) for (const o of batch) naive.upsert(o);
      }),
    );
    const naiveCopy = naiveMapWithCopy();
    results.naiveCopy!.push(
      await timeIt(async () => {
        for (const batch of upserts) for (const o of batch) naiveCopy.upsert(o);
      }),
    );
  }
  const n = OBJECTS * ROUNDS;
  const rate = (ms: number) => n / (ms / 1000);
  return {
    messages: n,
    store: rate(median(results.store!)),
    storeDup: rate(median(results.storeDup!)),
    naive: rate(median(results.naive!)),
    naiveCopy: rate(median(results.naiveCopy!)),
    listMs: median(results.list!),
    listFrozenMs: median(results.listFrozen!),
  };
}

async function dynamoRun(doc: Parameters<typeof createDynamoStore>[0]['client'], table: string, fastPath: boolean) {
  const s = createDynamoStore({ client: doc, tableName: table, instanceId: `bench/dyn-${fastPath}`, fastPath });
  const msgs = Array.from({ length: DYNAMO_MESSAGES }, (_, i) => ingress(i, 5000 + i));
  const before = { ...s.ops };
  const tUp = await timeIt(async () => {
    for (const o of msgs) await s.upsertObject(o, atRv(o));
  });
  const mid = { ...s.ops };
  const tDup = await timeIt(async () => {
    for (const o of msgs) await s.upsertObject(o, atRv(o));
  });
  const after = { ...s.ops };
  const per = (a: typeof before, b: typeof before) =>
    `${((b.reads - a.reads) / DYNAMO_MESSAGES).toFixed(2)} R + ${((b.writes - a.writes) / DYNAMO_MESSAGES).toFixed(2)} W`;
  // The sync loads its working set with listObjects(): cost of a full list of this instance.
  const l0 = { ...s.ops };
  let listed = 0;
  const tList = await timeIt(async () => {
    listed = (await s.listObjects()).length;
  });
  return {
    upsert: per(before, mid),
    dup: per(mid, after),
    upsertRate: DYNAMO_MESSAGES / (tUp / 1000),
    dupRate: DYNAMO_MESSAGES / (tDup / 1000),
    list: `${listed} objects: ${s.ops.reads - l0.reads} Query pages, ${tList.toFixed(0)} ms`,
  };
}

async function main() {
  const dynamo = await startLocalDynamo();
  try {
    const table = 'ako-serverless-bench';
    await createTable(dynamo.client, table);
    const memRows = await opsPerMessage((id) => createMemoryStore(id));
    const fastRows = await opsPerMessage((id) =>
      createDynamoStore({ client: dynamo.doc, tableName: table, instanceId: `${id}-fast` }),
    );
    const slowRows = await opsPerMessage((id) =>
      createDynamoStore({ client: dynamo.doc, tableName: table, instanceId: `${id}-rp`, fastPath: false }),
    );
    const out: string[] = [];
    out.push('## Store requests per message (store.ops; R = read request, W = write request)\n');
    out.push('| message | memory | DynamoDB (fast path, default) | DynamoDB (fastPath: false) |');
    out.push('|---|---|---|---|');
    scenarios.forEach((sc, i) => {
      out.push(`| ${sc.name} | ${memRows[i]} | ${fastRows[i]} | ${slowRows[i]} |`);
    });

    const mem = await memoryThroughput();
    out.push(
      `\n## Memory adapter throughput (${mem.messages} upserts of ~1 KB Ingresses over ${OBJECTS} objects, median of 5)\n`,
    );
    out.push('| store | messages/s | ratio to memory store |');
    out.push('|---|---|---|');
    const r = (x: number) => `${Math.round(x).toLocaleString('en-US')}`;
    out.push(`| memory store, in-order upserts (ordering checks, copy in) | ${r(mem.store)} | 1.00 |`);
    out.push(
      `| memory store, duplicates (ordering checks, no write) | ${r(mem.storeDup)} | ${(mem.storeDup / mem.store).toFixed(2)} |`,
    );
    out.push(
      `| baseline: plain Map.set, no ordering, no copy | ${r(mem.naive)} | ${(mem.naive / mem.store).toFixed(2)} |`,
    );
    out.push(
      `| baseline: plain Map.set of a JSON copy, no ordering | ${r(mem.naiveCopy)} | ${(mem.naiveCopy / mem.store).toFixed(2)} |`,
    );

    out.push(
      `\nMemory \`listObjects()\` of all ${OBJECTS} objects (the sync's working-set load): ${mem.listMs.toFixed(1)} ms copying (default), ${mem.listFrozenMs.toFixed(2)} ms with \`frozenReads: true\` (median of 5).`,
    );

    const fast = await dynamoRun(dynamo.doc, table, true);
    const slow = await dynamoRun(dynamo.doc, table, false);
    out.push(`\n## DynamoDB adapter against dynalite on loopback (${DYNAMO_MESSAGES} messages, sequential)\n`);
    out.push(
      '| path | upsert requests/msg | upsert msg/s | duplicate requests/msg | duplicate msg/s | listObjects() |',
    );
    out.push('|---|---|---|---|---|---|');
    out.push(
      `| fast path (default) | ${fast.upsert} | ${r(fast.upsertRate)} | ${fast.dup} | ${r(fast.dupRate)} | ${fast.list} |`,
    );
    out.push(
      `| fastPath: false | ${slow.upsert} | ${r(slow.upsertRate)} | ${slow.dup} | ${r(slow.dupRate)} | ${slow.list} |`,
    );
    console.log(out.join('\n'));
  } finally {
    await dynamo.close();
  }
}

await main();
