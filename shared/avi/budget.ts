/**
 * A request budget for one controller: a token bucket (requests per second, small burst) plus a cap on
 * requests in flight. Share one budget between every client that talks to the same controller.
 */
export interface RequestBudget {
  readonly ratePerSecond: number;
  readonly maxConcurrency: number;
  /** Wait for a slot and a token; call the returned function when the request is done. */
  acquire(): Promise<() => void>;
  /** The controller said "too many requests": hand out no tokens for `ms`. */
  pause(ms: number): void;
}

export interface RequestBudgetOptions {
  /** Default 30/s: below a controller's default of 32 requests/s per client. */
  ratePerSecond?: number;
  /** Tokens that may accumulate while idle (default 2, so no one-second window exceeds rate + 2). */
  burst?: number;
  /** Requests in flight at once (default 8). */
  maxConcurrency?: number;
  now?: () => number;
}

export function createRequestBudget(opts: RequestBudgetOptions = {}): RequestBudget {
  const rate = opts.ratePerSecond ?? 30;
  const burst = Math.max(1, opts.burst ?? 2);
  const maxConcurrency = Math.max(1, opts.maxConcurrency ?? 8);
  if (!(rate > 0)) throw new Error(`request budget: ratePerSecond must be > 0 (got ${rate})`);
  const now = opts.now ?? Date.now;

  let tokens = burst;
  let last = now();
  let notBefore = 0;
  let active = 0;
  const slotWaiters: (() => void)[] = [];
  let tokenChain: Promise<void> = Promise.resolve();

  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) * rate) / 1000);
    last = t;
  };
  const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

  const takeToken = async () => {
    for (;;) {
      const hold = notBefore - now();
      if (hold > 0) {
        await delay(hold);
        continue;
      }
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await delay(Math.ceil(((1 - tokens) * 1000) / rate));
    }
  };

  const acquireSlot = async () => {
    if (active < maxConcurrency) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => slotWaiters.push(resolve));
  };
  const releaseSlot = () => {
    const next = slotWaiters.shift();
    if (next) next();
    else active--;
  };

  return {
    ratePerSecond: rate,
    maxConcurrency,
    async acquire() {
      await acquireSlot();
      // Tokens are handed out strictly in arrival order.
      const mine = tokenChain.then(takeToken);
      tokenChain = mine.catch(() => {});
      await mine;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        releaseSlot();
      };
    },
    pause(ms: number) {
      notBefore = Math.max(notBefore, now() + ms);
      tokens = 0;
      last = now();
    },
  };
}
