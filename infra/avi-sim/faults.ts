/** What a fault rule sees of a request. */
export interface FaultRequest {
  method: string;
  /** Normalised path, e.g. `/api/pool/pool-...`. */
  path: string;
  /** Object type (`pool`) or endpoint name (`login`, `initial-data`). */
  type?: string;
  tenant?: string;
  /** Client address. */
  client: string;
  body?: unknown;
}

/**
 * One injected fault. Matching: method/type/path/predicate (all given must hold). Firing: on the `nth`
 * matching request(s), every `every`-th, or at `rate` (seeded PRNG); with none of these, every match.
 * `times` caps how often it fires.
 */
export interface FaultRule {
  method?: string | string[];
  type?: string | string[];
  path?: string | RegExp;
  predicate?: (req: FaultRequest) => boolean;
  nth?: number | number[];
  every?: number;
  rate?: number;
  times?: number;
  /** Status to answer (5xx, 408, 412, 429, or any). */
  status?: number;
  /** Response body; default `{"error": <standard text>}`. */
  body?: unknown;
  retryAfterSeconds?: number;
  /** Hold the request without answering, then drop the connection (a timeout as the client sees it). */
  timeout?: boolean;
  /** Extra latency for matching requests. */
  latencyMs?: number;
  /** Run the request first (the write happens), then answer with the fault: a lost response. */
  after?: boolean;
}

export interface FaultDecision {
  latencyMs: number;
  status?: number;
  body?: unknown;
  retryAfterSeconds?: number;
  timeout?: boolean;
  after?: boolean;
}

interface RuleState {
  rule: FaultRule;
  matched: number;
  fired: number;
}

/** mulberry32: small, fast, seedable; enough for reproducible fault rates. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function listHas(v: string | string[] | undefined, x: string | undefined): boolean {
  if (v === undefined) return true;
  if (x === undefined) return false;
  return Array.isArray(v) ? v.some((i) => i.toUpperCase() === x.toUpperCase()) : v.toUpperCase() === x.toUpperCase();
}

/** Fault injection and limits, changeable while the simulator runs. */
export class Faults {
  private rules: RuleState[] = [];
  private random: () => number;
  private buckets = new Map<string, { tokens: number; atMs: number }>();
  private injectedCount = 0;
  /** Added to every request. */
  latencyMs = 0;
  /** Expire the session of every N-th authenticated API request (answered 401). */
  sessionExpiryEvery: number | undefined;
  /** Request budget per client address and second; past it requests get 429. Undefined = off. */
  rateLimitPerSecond: number | undefined;
  /** How long a `timeout` fault holds a request before dropping the connection. */
  timeoutHoldMs = 30_000;

  constructor(seed = 1) {
    this.random = prng(seed);
  }

  /** Re-seeds the PRNG used by `rate` rules. */
  seed(seed: number): void {
    this.random = prng(seed);
  }

  /** Adds a rule; returns a function that removes it. */
  add(rule: FaultRule): () => void {
    const state = { rule, matched: 0, fired: 0 };
    this.rules.push(state);
    return () => {
      this.rules = this.rules.filter((r) => r !== state);
    };
  }

  /** Removes every rule and limit. */
  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
    this.sessionExpiryEvery = undefined;
    this.rateLimitPerSecond = undefined;
    this.buckets.clear();
  }

  /** How many faults have been injected (rules that fired, 429s excluded). */
  injected(): number {
    return this.injectedCount;
  }

  decide(req: FaultRequest): FaultDecision {
    const decision: FaultDecision = { latencyMs: this.latencyMs };
    for (const state of this.rules) {
      const r = state.rule;
      if (!listHas(r.method, req.method) || !listHas(r.type, req.type)) continue;
      if (r.path !== undefined && !(typeof r.path === 'string' ? req.path === r.path : r.path.test(req.path))) {
        continue;
      }
      if (r.predicate && !r.predicate(req)) continue;
      state.matched++;
      if (r.times !== undefined && state.fired >= r.times) continue;
      let fire = true;
      if (r.nth !== undefined) fire = (Array.isArray(r.nth) ? r.nth : [r.nth]).includes(state.matched);
      else if (r.every !== undefined) fire = r.every > 0 && state.matched % r.every === 0;
      else if (r.rate !== undefined) fire = this.random() < r.rate;
      if (!fire) continue;
      state.fired++;
      decision.latencyMs += r.latencyMs ?? 0;
      if (decision.status === undefined && !decision.timeout && (r.status !== undefined || r.timeout)) {
        this.injectedCount++;
        if (r.timeout) decision.timeout = true;
        else decision.status = r.status;
        if (r.body !== undefined) decision.body = r.body;
        if (r.retryAfterSeconds !== undefined) decision.retryAfterSeconds = r.retryAfterSeconds;
        if (r.after) decision.after = true;
      }
    }
    return decision;
  }

  /** Token bucket per client address: capacity = rate, refilled continuously. True when over budget. */
  overBudget(client: string, nowMs: number): boolean {
    const rate = this.rateLimitPerSecond;
    if (rate === undefined || rate <= 0) return false;
    const b = this.buckets.get(client) ?? { tokens: rate, atMs: nowMs };
    b.tokens = Math.min(rate, b.tokens + ((nowMs - b.atMs) * rate) / 1000);
    b.atMs = nowMs;
    this.buckets.set(client, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }
}
