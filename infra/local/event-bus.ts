/**
 * In-process event bus with the EventBridge semantics the product relies on: PutEvents with at most
 * 10 entries a call and per-entry results, rules matched by event pattern, asynchronous delivery to
 * targets with retries, and no ordering guarantee beyond "delivered at least once".
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';

export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
  Time?: Date;
  Resources?: string[];
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

/** A subset of EventBridge's pattern language: exact values, prefix, anything-but and exists, nested. */
export type EventPattern = { [field: string]: PatternValue };
type PatternValue = EventPattern | Array<string | number | boolean | null | Matcher>;
type Matcher = { prefix: string } | { 'anything-but': string | string[] } | { exists: boolean };

export type BusEvent = EventBridgeEvent<string, unknown>;

export interface Rule {
  name: string;
  pattern: EventPattern;
  target: (event: BusEvent) => Promise<void>;
  /** Attempts before the event goes to the rule's dead letters (EventBridge's default is far higher). */
  maxAttempts?: number;
}

/**
 * Seeded delivery chaos, to test what EventBridge allows but the in-order default never shows: every delivery is
 * delayed by a random 0..maxDelayMs (so deliveries of different events overtake each other) and delivered twice
 * with probability `duplicateRate`. The same seed gives the same choices for the same sequence of deliveries.
 */
export interface DeliveryChaos {
  seed: number;
  maxDelayMs: number;
  duplicateRate: number;
}

/** mulberry32: a small deterministic PRNG for the seeded chaos. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DeadLetter {
  rule: string;
  event: BusEvent;
  error: string;
}

const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 1024 * 1024;

function entrySize(e: PutEventsEntry): number {
  return (
    14 +
    Buffer.byteLength(e.Source) +
    Buffer.byteLength(e.DetailType) +
    Buffer.byteLength(e.Detail) +
    (e.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0)
  );
}

function matchValue(actual: unknown, allowed: PatternValue, present: boolean): boolean {
  if (!Array.isArray(allowed)) {
    if (actual === null || typeof actual !== 'object') return false;
    return matchesPattern(actual as Record<string, unknown>, allowed);
  }
  const values = Array.isArray(actual) ? actual : [actual];
  return allowed.some((a) => {
    if (a !== null && typeof a === 'object') {
      if ('exists' in a) return a.exists === present;
      if (!present) return false;
      if ('prefix' in a) return values.some((v) => typeof v === 'string' && v.startsWith(a.prefix));
      const but = a['anything-but'];
      const excluded = Array.isArray(but) ? but : [but];
      return values.every((v) => !excluded.includes(v as string));
    }
    return present && values.some((v) => v === a);
  });
}

export function matchesPattern(event: Record<string, unknown>, pattern: EventPattern): boolean {
  return Object.entries(pattern).every(([field, allowed]) => matchValue(event[field], allowed, field in event));
}

export class EventBus {
  readonly name: string;
  private readonly rules: Rule[] = [];
  private readonly deadLetters: DeadLetter[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private published = 0;
  private readonly random?: () => number;
  /** Deliveries delayed and duplicated by the chaos mode. */
  readonly chaosStats = { delayed: 0, duplicated: 0 };

  constructor(
    name: string,
    private readonly opts: {
      account?: string;
      region?: string;
      retryDelayMs?: (attempt: number) => number;
      chaos?: DeliveryChaos;
    } = {},
  ) {
    this.name = name;
    if (opts.chaos) this.random = seededRandom(opts.chaos.seed);
  }

  addRule(rule: Rule): void {
    this.rules.push(rule);
  }

  async putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult> {
    if (entries.length > MAX_ENTRIES) {
      throw new Error(`PutEvents accepts at most ${MAX_ENTRIES} entries per call, got ${entries.length}`);
    }
    const results: PutEventsResult['Entries'] = [];
    let failed = 0;
    for (const entry of entries) {
      if (entrySize(entry) > MAX_ENTRY_BYTES) {
        failed++;
        results.push({ ErrorCode: 'ValidationException', ErrorMessage: 'Total size of the entry exceeds the limit' });
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        failed++;
        results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
        continue;
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: this.opts.account ?? '000000000000',
        time: (entry.Time ?? new Date()).toISOString(),
        region: this.opts.region ?? 'local',
        resources: entry.Resources ?? [],
        detail,
      };
      this.published++;
      results.push({ EventId: event.id });
      for (const rule of this.rules) {
        if (!matchesPattern(event as unknown as Record<string, unknown>, rule.pattern)) continue;
        this.deliver(rule, event, 1);
        if (this.random && this.random() < this.opts.chaos!.duplicateRate) {
          this.chaosStats.duplicated++;
          this.deliver(rule, event, 1);
        }
      }
    }
    return { FailedEntryCount: failed, Entries: results };
  }

  private deliver(rule: Rule, event: BusEvent, attempt: number): void {
    this.inFlight++;
    const delayMs = this.random ? Math.floor(this.random() * (this.opts.chaos!.maxDelayMs + 1)) : 0;
    if (delayMs > 0) {
      this.chaosStats.delayed++;
      setTimeout(() => this.run(rule, event, attempt), delayMs);
      return;
    }
    // Asynchronous, like EventBridge: the publisher never waits for targets.
    setImmediate(() => this.run(rule, event, attempt));
  }

  private run(rule: Rule, event: BusEvent, attempt: number): void {
    rule.target(event).then(
      () => this.settle(),
      (err: unknown) => {
        const max = rule.maxAttempts ?? 5;
        if (attempt >= max) {
          this.deadLetters.push({ rule: rule.name, event, error: err instanceof Error ? err.message : String(err) });
          this.settle();
          return;
        }
        const delay = this.opts.retryDelayMs?.(attempt) ?? Math.min(2000, 50 * 2 ** attempt);
        setTimeout(() => {
          this.deliver(rule, event, attempt + 1);
          this.settle();
        }, delay);
      },
    );
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => {
        w();
      });
    }
  }

  get pending(): number {
    return this.inFlight;
  }

  get publishedCount(): number {
    return this.published;
  }

  /** Resolves when no delivery is in flight (new events may arrive afterwards). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  listDeadLetters(): DeadLetter[] {
    return [...this.deadLetters];
  }
}
