/**
 * What the chaos suites share: one cluster history played through the embedded runtime with or without faults,
 * the controller objects the instances own (compared with the fault-free run), and a polling wait (never a timing).
 */
import { expect } from 'vitest';
import type { AviSim } from '../../infra/avi-sim/index.ts';
import type { DeliveryChaos } from '../../infra/local/event-bus.ts';
import type { Runtime } from '../../infra/local/runtime.ts';
import { endpointSlice, ingress, namespace, SEED_REGISTRY, service, startTestRuntime } from '../e2e/support.ts';

type Obj = Record<string, unknown>;
const AKO_TYPES = ['virtualservice', 'vsvip', 'pool', 'poolgroup', 'httppolicyset', 'vsdatascriptset'];

/** Every object carrying an `ako-` created_by with the fields that matter (servers, members, hosts), sorted. */
export function fingerprint(rt: Runtime): string[] {
  return simFingerprint(rt.aviSim!);
}

/** The same, of any simulator (e.g. one outside the process under test). */
export function simFingerprint(sim: AviSim): string[] {
  const out: string[] = [];
  for (const type of AKO_TYPES) {
    for (const o of sim.objects(type)) {
      const owner = String(o.created_by ?? '');
      if (!owner.startsWith('ako-')) continue;
      const detail: Obj = {};
      if (type === 'pool') detail.servers = ((o.servers as Obj[]) ?? []).map((s) => (s.ip as Obj).addr).sort();
      if (type === 'poolgroup')
        detail.members = ((o.members as Obj[]) ?? []).map((m) => String(m.pool_ref).split('#')[1]).sort();
      if (type === 'virtualservice') detail.hosts = [...((o.vh_domain_name as string[]) ?? [])].sort();
      out.push(`${type} ${o.name} ${owner} ${JSON.stringify(detail)}`);
    }
  }
  return out.sort();
}

export async function eventually(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not converged: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type DevCluster = NonNullable<ReturnType<Runtime['devClusters']['get']>>;
export const CLUSTER = 'demo';

/** The base of every history: two namespaces (one per instance), a Service and three Ingresses in each. */
export function twoTeams(dc: DevCluster): void {
  dc.apply(namespace('shop', { app: 'migrate' }));
  dc.apply(namespace('blueshop', { key: 'value2' }));
  for (const ns of ['shop', 'blueshop']) {
    dc.apply(service(ns, 'web'));
    dc.apply(endpointSlice(ns, 'web', ['10.0.0.1', '10.0.0.2']));
    for (const n of ['a', 'b', 'c']) dc.apply(ingress(ns, n, `${n}.${ns}.example.com`, 'web'));
  }
}

export interface Faults {
  busChaos?: DeliveryChaos;
  /** The product's own outage back-off (1 s doubling to 20 s) instead of the suite's fast one. */
  realBackoff?: boolean;
  /** Runs right before the change; returns the recovery. */
  during?: (rt: Runtime) => () => void;
  /** How long the fault lasts after the change (default 1.5 s). */
  faultMs?: number;
}

export interface RunResult {
  state: string[];
  deadLetters: string[];
  /** A pool someone else created before the run is exactly as it was. */
  foreignUntouched: boolean;
  /** ms from the change (or the recovery) to the reference state (figures only, never asserted). */
  convergedAfterMs: number;
  /** Retries of messages that failed because the controller did not answer. */
  outageRetries: number;
  busDelayed: number;
  busDuplicated: number;
}

const FOREIGN = { name: 'someone-elses-pool', created_by: 'a-person', servers: [] };
const foreign = (rt: Runtime) => JSON.stringify(rt.aviSim!.objects('pool').find((p) => p.name === FOREIGN.name));

/**
 * Plays `twoTeams`, then `change`, under `faults`, and returns the controller state once converged. With a
 * `reference` (the fault-free run's state), waits for that state first and reports how long it took.
 */
export async function playHistory(
  change: (dc: DevCluster) => void,
  faults: Faults = {},
  reference?: string[],
): Promise<RunResult> {
  const rt = await startTestRuntime(SEED_REGISTRY, {
    simSeed: 1,
    queue: {
      backoffMs: () => 20,
      maxReceiveCount: 5,
      ...(faults.realBackoff ? {} : { outageBackoffMs: (n: number) => Math.min(400, 25 * 2 ** (n - 1)) }),
    },
    ...(faults.busChaos ? { busChaos: faults.busChaos } : {}),
  });
  try {
    const dc = rt.devClusters.get(CLUSTER)!;
    rt.aviSim!.create('pool', FOREIGN);
    const foreignBefore = foreign(rt);
    twoTeams(dc);
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    // The base must have landed, or the comparison would compare two empty controllers.
    expect(fingerprint(rt).filter((l) => l.startsWith('pool ')).length).toBe(6);
    const recover = faults.during?.(rt);
    change(dc);
    if (recover) {
      // Let the faults bite on the change before recovering.
      await new Promise((r) => setTimeout(r, faults.faultMs ?? 1500));
      recover();
    }
    const from = Date.now();
    if (reference) await eventually(() => JSON.stringify(fingerprint(rt)) === JSON.stringify(reference), 'reference');
    const convergedAfterMs = Date.now() - from;
    await rt.waitForConvergence({ timeoutMs: 60_000 });
    return {
      state: fingerprint(rt),
      deadLetters: rt.deadLetters().map((d) => `${d.where}: ${d.reason}`),
      foreignUntouched: foreign(rt) === foreignBefore,
      convergedAfterMs,
      outageRetries: [...rt.syncQueues.values()].reduce((n, q) => n + q.stats.outageRetries, 0),
      busDelayed: rt.bus.chaosStats.delayed,
      busDuplicated: rt.bus.chaosStats.duplicated,
    };
  } finally {
    await rt.stop();
  }
}

/** The fault-free run of a history, played once per test file (the reference every faulty run must reach). */
export function referenceOf(change: (dc: DevCluster) => void): () => Promise<string[]> {
  let reference: string[] | undefined;
  return async () => {
    if (!reference) {
      const r = await playHistory(change);
      expect(r.deadLetters).toEqual([]);
      expect(r.foreignUntouched).toBe(true);
      reference = r.state;
    }
    return reference;
  };
}
