/**
 * Sync handler throughput on a 5,000-object instance (50 namespaces × 40 Services, 40 EndpointSlices, 20 Ingresses),
 * against the Avi simulator, for a no-op batch (redelivered messages) and a one-host change. Baseline, side by
 * side in the same process: the same handler with every model rebuilt and reconciled on every batch (no
 * affected-model computation). Also store requests per message on both adapters (memory, DynamoDB via dynalite).
 *
 *   npx tsx test/bench/sync.bench.ts
 *   BENCH_QUICK=1 npx tsx test/bench/sync.bench.ts      # 1,000 objects, fewer rounds
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { createSyncEngine, type ModelFunctions } from '../../functions/sync/engine.ts';
import { createSyncHandler } from '../../functions/sync/handler.ts';
import { parseRecord } from '../../functions/sync/messages.ts';
import { defaultModel } from '../../functions/sync/model.ts';
import { type AviSim, startAviSim } from '../../infra/avi-sim/index.ts';
import { createReconciler } from '../../shared/avi/index.ts';
import type { InstanceMessage } from '../../shared/events/index.ts';
import { silentLogger } from '../../shared/log.ts';
import type { KubeObject } from '../../shared/model/types.ts';
import type { InstanceConfig } from '../../shared/registry/types.ts';
import { createDynamoStore, createMemoryStore, createTable, type InstanceStore } from '../../shared/store/index.ts';
import { clientFor, endpointSlice, ingress, instanceFor, objectMsg, service, sqsEvent } from '../functions/harness.ts';
import { startLocalDynamo } from '../store/dynalite-server.ts';

const quick = process.env.BENCH_QUICK === '1';
const NAMESPACES = quick ? 10 : 50;
const PER_NS = { services: 40, ingresses: 20 }; // + one EndpointSlice per Service → 100 objects per namespace
const NOOP_BATCHES = quick ? 10 : 30;
const CHANGE_BATCHES = quick ? 10 : 30;
const ctx = {} as Context;

function objectsOf(prefix: string): KubeObject[] {
  const out: KubeObject[] = [];
  let rv = 10;
  const stamp = (o: KubeObject) => {
    o.metadata.resourceVersion = String(++rv);
    return o;
  };
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `${prefix}-${n}`;
    for (let s = 0; s < PER_NS.services; s++) {
      out.push(stamp(service(ns, `svc-${s}`)));
      out.push(stamp(endpointSlice(ns, `svc-${s}`, [`10.${n}.${s}.1`, `10.${n}.${s}.2`])));
    }
    for (let i = 0; i < PER_NS.ingresses; i++) {
      out.push(stamp(ingress(ns, `ing-${i}`, [{ host: `app-${i}.${ns}.example.com`, service: `svc-${i}` }])));
    }
  }
  return out;
}

/**
 * The baseline: a straightforward sync function without the incremental machinery. Every batch re-reads the
 * store, writes the messages, rebuilds every model from scratch and reconciles them all.
 */
function naiveRig(sim: AviSim, instance: InstanceConfig, store: InstanceStore): Rig {
  const engine = createSyncEngine({
    instance,
    store,
    reconciler: createReconciler({ client: clientFor(sim, instance), instance }),
    model: defaultModel,
    publish: () => {},
    logger: silentLogger,
    now: () => new Date(),
    cacheMs: 0,
  });
  return {
    store,
    async run(event) {
      for (const r of event.Records) {
        const p = parseRecord(r, instance.clusterName);
        if (!p.ok) throw new Error(p.reason);
        if (p.item.type !== 'object') continue;
        if (p.item.op === 'upsert') await store.upsertObject(p.item.object!);
        else await store.deleteObject(p.item.key, p.item.uid, p.item.resourceVersion);
      }
      const ws = await engine.loadWorkingSet();
      const out = await engine.reconcileAll(ws);
      return out.transient.size;
    },
  };
}

interface Rig {
  run(event: SQSEvent): Promise<number>;
  store: InstanceStore;
}

function rigFor(sim: AviSim, instance: InstanceConfig, store: InstanceStore, model: ModelFunctions): Rig {
  const client = clientFor(sim, instance);
  const handler = createSyncHandler({
    instance,
    store,
    reconciler: createReconciler({ client, instance }),
    model,
    publish: () => {},
    deadLetter: (r) => {
      throw new Error(`bench message dead-lettered: ${r.reason}`);
    },
    logger: silentLogger,
    now: () => new Date(),
  });
  return {
    store,
    async run(event) {
      const res = await handler(event, ctx);
      return res?.batchItemFailures.length ?? 0;
    },
  };
}

/** Load the store directly, then one full reconcile (what a first sweep would do). */
async function load(sim: AviSim, instance: InstanceConfig, store: InstanceStore, objects: KubeObject[]) {
  for (const o of objects) await store.upsertObject(o);
  const engine = createSyncEngine({
    instance,
    store,
    reconciler: createReconciler({ client: clientFor(sim, instance), instance }),
    model: defaultModel,
    publish: () => {},
    logger: silentLogger,
    now: () => new Date(),
    concurrency: 8,
  });
  const ws = await engine.loadWorkingSet();
  const out = await engine.reconcileAll(ws);
  if (out.transient.size) throw new Error(`initial load failed for ${[...out.transient].join(', ')}`);
  return out.models.length;
}

function writes(sim: AviSim, from: number): number {
  return sim.requestLog().filter((e) => e.seq > from && e.method !== 'GET' && e.type !== 'login').length;
}
function last(sim: AviSim): number {
  return sim.requestLog().at(-1)?.seq ?? 0;
}

interface Figures {
  msgsPerSec: number;
  aviWritesPerMsg: number;
  storeReadsPerMsg: number;
  storeWritesPerMsg: number;
}

async function measure(sim: AviSim, rig: Rig, batches: InstanceMessage[][]): Promise<Figures> {
  const from = last(sim);
  const ops0 = { ...rig.store.ops };
  let msgs = 0;
  const t0 = performance.now();
  for (const b of batches) {
    const failed = await rig.run(sqsEvent(b));
    if (failed) throw new Error(`${failed} messages failed`);
    msgs += b.length;
  }
  const secs = (performance.now() - t0) / 1000;
  return {
    msgsPerSec: msgs / secs,
    aviWritesPerMsg: writes(sim, from) / msgs,
    storeReadsPerMsg: (rig.store.ops.reads - ops0.reads) / msgs,
    storeWritesPerMsg: (rig.store.ops.writes - ops0.writes) / msgs,
  };
}

/** No-op: batches of 10 redelivered messages (same resourceVersion) of objects already applied. */
function noopBatches(objects: KubeObject[], count: number, labels: Record<string, string>): InstanceMessage[][] {
  const out: InstanceMessage[][] = [];
  for (let b = 0; b < count; b++) {
    const batch: InstanceMessage[] = [];
    for (let i = 0; i < 10; i++)
      batch.push(objectMsg(objects[(b * 97 + i * 31) % objects.length]!, { namespaceLabels: labels }));
    out.push(batch);
  }
  return out;
}

let changeRv = 10_000_000;
/** One-host change: one message per batch moving an Ingress to a new host (a new pool, the old one deleted). */
function changeBatches(count: number, prefix: string): InstanceMessage[][] {
  const out: InstanceMessage[][] = [];
  for (let b = 0; b < count; b++) {
    const n = b % NAMESPACES;
    const i = (b * 7) % PER_NS.ingresses;
    const ns = `${prefix}-${n}`;
    const ing = ingress(ns, `ing-${i}`, [{ host: `moved-${b}.${ns}.example.com`, service: `svc-${i}` }]);
    out.push([objectMsg(ing, { resourceVersion: String(++changeRv) })]);
  }
  return out;
}

function row(name: string, f: Figures): string {
  return `| ${name} | ${f.msgsPerSec.toFixed(1)} | ${f.aviWritesPerMsg.toFixed(2)} | ${f.storeReadsPerMsg.toFixed(2)} | ${f.storeWritesPerMsg.toFixed(2)} |`;
}

async function main() {
  const objects = objectsOf('team');
  const baseObjects = objectsOf('base');
  const dynObjects = objectsOf('dyn');
  const lines: string[] = [];
  const log = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  log(
    `objects per instance: ${objects.length} (${NAMESPACES} namespaces × ${PER_NS.services} Services + EndpointSlices, ${PER_NS.ingresses} Ingresses)`,
  );

  // Three instances of one cluster on one simulator, each with its own namespaces (no name collisions).
  const sim = await startAviSim();
  const incInst = instanceFor(sim, { namespace: 'avi-system', primary: true });
  const base = instanceFor(sim, { namespace: 'base', primary: false, labelKey: 'k', labelValue: 'b' });
  let t = performance.now();
  const incStore = createMemoryStore(incInst.id);
  const models = await load(sim, incInst, incStore, objects);
  log(
    `initial full reconcile (incremental instance): ${models} models, ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  const baseStore = createMemoryStore(base.id);
  await load(sim, base, baseStore, baseObjects);
  log(`initial full reconcile (baseline instance): ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const inc = rigFor(sim, incInst, incStore, defaultModel);
  const full = naiveRig(sim, base, baseStore);

  const header = '| run | messages/s | Avi writes/msg | store reads/msg | store writes/msg |\n|---|---|---|---|---|';
  const results: Record<string, Figures> = {};
  // Warm-up (first batch builds the model's index), then measure.
  await measure(sim, inc, noopBatches(objects, 1, {}));
  await measure(sim, full, noopBatches(baseObjects, 1, {}));
  results.incNoop = await measure(sim, inc, noopBatches(objects, NOOP_BATCHES, {}));
  results.fullNoop = await measure(sim, full, noopBatches(baseObjects, NOOP_BATCHES, {}));
  results.incChange = await measure(sim, inc, changeBatches(CHANGE_BATCHES, 'team'));
  results.fullChange = await measure(sim, full, changeBatches(CHANGE_BATCHES, 'base'));
  log('\nmemory store');
  log(header);
  log(row('no-op batch (10 redelivered msgs), incremental', results.incNoop!));
  log(row('no-op batch, baseline (naive full rebuild)', results.fullNoop!));
  log(row('one-host change (1 msg), incremental', results.incChange!));
  log(row('one-host change, baseline (naive full rebuild)', results.fullChange!));
  log(
    `\nratio incremental/baseline: no-op ${(results.incNoop!.msgsPerSec / results.fullNoop!.msgsPerSec).toFixed(1)}×, one-host change ${(results.incChange!.msgsPerSec / results.fullChange!.msgsPerSec).toFixed(1)}×`,
  );

  // DynamoDB adapter (dynalite): the same instance loaded into a table, incremental handler only.
  const dynamo = await startLocalDynamo();
  try {
    await createTable(dynamo.client, 'ako-sync-bench');
    const dInst = instanceFor(sim, { namespace: 'dyn', primary: false, labelKey: 'k', labelValue: 'd' });
    const dStore = createDynamoStore({ client: dynamo.doc, tableName: 'ako-sync-bench', instanceId: dInst.id });
    t = performance.now();
    await load(sim, dInst, dStore, dynObjects);
    log(`\ninitial load + full reconcile (DynamoDB adapter): ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const d = rigFor(sim, dInst, dStore, defaultModel);
    await measure(sim, d, noopBatches(dynObjects, 1, {}));
    const dNoop = await measure(sim, d, noopBatches(dynObjects, Math.max(3, NOOP_BATCHES / 5), {}));
    const dChange = await measure(sim, d, changeBatches(Math.max(3, CHANGE_BATCHES / 5), 'dyn'));
    log('\nDynamoDB store (dynalite on loopback)');
    log(header);
    log(row('no-op batch (10 redelivered msgs), incremental', dNoop));
    log(row('one-host change (1 msg), incremental', dChange));
  } finally {
    await dynamo.close();
    await sim.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
