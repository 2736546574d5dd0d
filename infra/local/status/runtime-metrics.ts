/**
 * Metrics that accumulate over a run (the snapshot gauges in metrics.ts are read at scrape time): how long each
 * message took from the router's enqueue to the end of its sync (the controller writes done), per instance, and
 * the controller's answers by status (429s included). One Registry per runtime, never prom-client's global one.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { AviClientStats } from '../../../shared/avi/client.ts';

export interface RuntimeMetrics {
  registry: Registry;
  /** Observes one processed message of `instance`. */
  synced(instance: string, ms: number): void;
  /** Sum and count of the latencies observed since the previous call (the status page's chart). */
  takeLatency(): { sumMs: number; count: number };
}

export function createRuntimeMetrics(): RuntimeMetrics {
  const registry = new Registry();
  const latency = new Histogram({
    name: 'ako_sync_latency_seconds',
    help: "Time from a change's enqueue by the router to the end of its sync (controller writes done)",
    labelNames: ['instance'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  let recent = { sumMs: 0, count: 0 };
  return {
    registry,
    synced: (instance, ms) => {
      latency.observe({ instance }, ms / 1000);
      recent.sumMs += ms;
      recent.count++;
    },
    takeLatency: () => {
      const out = recent;
      recent = { sumMs: 0, count: 0 };
      return out;
    },
  };
}

/** The controller's answers per instance and HTTP status, as counters (values from the clients' own counts). */
export function controllerResponseMetrics(clients: ReadonlyMap<string, { stats(): AviClientStats }>): Registry {
  const registry = new Registry();
  const responses = new Counter({
    name: 'ako_controller_responses_total',
    help: 'Responses of the Avi controller by instance and HTTP status (429: the controller throttled)',
    labelNames: ['instance', 'status'],
    registers: [registry],
  });
  const throttled = new Counter({
    name: 'ako_controller_throttled_total',
    help: 'Requests the Avi controller answered with 429 (too many requests)',
    labelNames: ['instance'],
    registers: [registry],
  });
  for (const [instance, client] of clients) {
    const byStatus = client.stats().byStatus;
    for (const [status, n] of Object.entries(byStatus)) if (n > 0) responses.inc({ instance, status }, n);
    throttled.inc({ instance }, byStatus['429'] ?? 0);
  }
  return registry;
}
