/**
 * The last minutes of the run, sampled every few seconds for the status page's charts: controller request rate
 * (against the budget), queue depth, and sync latency.
 */
export interface HistorySample {
  /** ISO time of the sample. */
  t: string;
  requestsPerSecond: number;
  queueDepth: number;
  /** Mean sync latency of the messages finished since the previous sample (undefined: none finished). */
  syncLatencyMs?: number;
}

export interface History {
  /** Requests per second the instances may send together (the shared budget). */
  budgetPerSecond: number;
  samples: HistorySample[];
}

export function createHistory(opts: {
  budgetPerSecond: number;
  /** Cumulative controller requests so far. */
  requests(): number;
  queueDepth(): number;
  /** Sum and count of sync latencies since the last call (the caller resets). */
  takeLatency(): { sumMs: number; count: number };
  everyMs?: number;
  keep?: number;
  now?: () => number;
}) {
  const everyMs = opts.everyMs ?? 2_000;
  const keep = opts.keep ?? 150; // 5 minutes at 2 s
  const now = opts.now ?? Date.now;
  const samples: HistorySample[] = [];
  let lastRequests = opts.requests();
  let lastAt = now();
  const sample = () => {
    const at = now();
    const requests = opts.requests();
    const latency = opts.takeLatency();
    const seconds = Math.max(0.001, (at - lastAt) / 1000);
    samples.push({
      t: new Date(at).toISOString(),
      requestsPerSecond: Math.round(((requests - lastRequests) / seconds) * 10) / 10,
      queueDepth: opts.queueDepth(),
      ...(latency.count ? { syncLatencyMs: Math.round(latency.sumMs / latency.count) } : {}),
    });
    if (samples.length > keep) samples.shift();
    lastRequests = requests;
    lastAt = at;
  };
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    sample,
    view: (): History => ({ budgetPerSecond: opts.budgetPerSecond, samples: [...samples] }),
    stop: () => clearInterval(timer),
  };
}
