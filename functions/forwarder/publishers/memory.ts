/** A publisher that keeps what it receives (local runs, tests); optional per-call fault injection. */
import type { PublishEntry, Publisher, PublishFailure } from './types.ts';

export interface MemoryPublisher extends Publisher {
  /** Every entry accepted, in order. */
  readonly entries: PublishEntry[];
  /** PutEvents calls made (accepted or not). */
  readonly calls: number;
  /** Parsed details of accepted entries of one detail-type. */
  // biome-ignore lint/suspicious/noExplicitAny: event details are free-form JSON
  details(detailType?: string): any[];
  clear(): void;
}

export function memoryPublisher(
  opts: {
    /** Decides failures for one call (indexes into its entries); may throw to fail the whole call. */
    fault?: (entries: PublishEntry[], call: number) => PublishFailure[];
    /** Drop accepted entries instead of keeping them (benchmarks). */
    discard?: boolean;
    onAccepted?: (entries: PublishEntry[]) => void;
  } = {},
): MemoryPublisher {
  const entries: PublishEntry[] = [];
  let calls = 0;
  return {
    entries,
    get calls() {
      return calls;
    },
    details(detailType) {
      return entries.filter((e) => !detailType || e.DetailType === detailType).map((e) => JSON.parse(e.Detail));
    },
    clear() {
      entries.length = 0;
    },
    async putEvents(batch) {
      if (batch.length > 10) throw new Error(`PutEvents accepts at most 10 entries per call, got ${batch.length}`);
      calls++;
      const failed = opts.fault ? opts.fault(batch, calls) : [];
      const bad = new Set(failed.map((f) => f.index));
      const ok = batch.filter((_, i) => !bad.has(i));
      if (!opts.discard) entries.push(...ok);
      opts.onAccepted?.(ok);
      return { failed };
    },
  };
}
