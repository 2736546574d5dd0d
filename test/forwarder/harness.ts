import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { type Forwarder, type ForwarderOptions, startForwarder } from '../../functions/forwarder/index.ts';
import { type MemoryPublisher, memoryPublisher } from '../../functions/forwarder/publishers/memory.ts';
import { type DevCluster, type DevClusterOptions, startDevCluster } from '../../infra/dev-cluster/index.ts';
import { localKeyFileProvider } from '../../shared/crypto/index.ts';
import { parseBusEvent } from '../../shared/events/index.ts';
import { createLogger, silentLogger } from '../../shared/log.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds (no timing assertion: the limit only keeps a broken test from hanging). */
export async function eventually(cond: () => boolean | Promise<boolean>, what = 'condition', limitMs = 20_000) {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface Rig {
  dc: DevCluster;
  fwd: Forwarder;
  pub: MemoryPublisher;
  kc: KubeConfig;
  keyFile: string;
  close(): Promise<void>;
}

export async function startRig(
  opts: {
    cluster?: Partial<DevClusterOptions>;
    forwarder?: Partial<ForwarderOptions>;
    publisher?: MemoryPublisher;
    before?: (dc: DevCluster) => void;
  } = {},
): Promise<Rig> {
  const dc = await startDevCluster({ bookmarkIntervalMs: 100, ...opts.cluster });
  opts.before?.(dc);
  const kc = new KubeConfig();
  kc.loadFromString(dc.kubeconfig());
  const pub = opts.publisher ?? memoryPublisher();
  const keyFile = join(mkdtempSync(join(tmpdir(), 'fwd-key-')), 'master.key');
  const fwd = await startForwarder({
    kubeConfig: kc,
    clusterName: 'dev',
    publisher: pub,
    keyProvider: localKeyFileProvider(keyFile),
    fullSyncFrequencySeconds: 0,
    logger: process.env.DEBUG_FORWARDER ? createLogger({}, { level: 'debug' }) : silentLogger,
    watchdogSeconds: 2,
    backoffInitialMs: 50,
    backoffMaxMs: 500,
    batchWindowMs: 5,
    retryInitialMs: 10,
    retryMaxMs: 100,
    metricsIntervalSeconds: 0,
    ...opts.forwarder,
  });
  return {
    dc,
    fwd,
    pub,
    kc,
    keyFile,
    async close() {
      await fwd.stop();
      await dc.close();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: event details
export type Detail = any;

/** Every published entry validated against the shared schemas. */
export function events(pub: MemoryPublisher): { detailType: string; detail: Detail }[] {
  return pub.entries.map((e) => {
    const parsed = parseBusEvent({ source: e.Source, 'detail-type': e.DetailType, detail: JSON.parse(e.Detail) });
    if (!parsed.ok) throw new Error(`published event does not match its schema: ${parsed.reason}`);
    return { detailType: e.DetailType, detail: parsed.value.detail };
  });
}

export function objectChanges(pub: MemoryPublisher): Detail[] {
  return events(pub)
    .filter((e) => e.detailType === 'object-change')
    .map((e) => e.detail);
}

/** The last object-change per (kind, namespace, name): what a level-triggered consumer ends up with. */
export function finalState(pub: MemoryPublisher): Map<string, Detail> {
  const out = new Map<string, Detail>();
  for (const d of objectChanges(pub)) out.set(`${d.kind}/${d.namespace ?? ''}/${d.name}`, d);
  return out;
}

export function expectNoDeletes(pub: MemoryPublisher, from = 0): void {
  const deletes = pub.entries
    .slice(from)
    .map((e) => JSON.parse(e.Detail))
    .filter((d) => d.op === 'delete');
  expect(deletes.map((d) => `${d.kind}/${d.namespace ?? ''}/${d.name}`)).toEqual([]);
}

export { startDevCluster };
