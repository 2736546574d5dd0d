/** Retry decisions for one HTTP exchange with the controller (pure). */

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/** Statuses worth retrying at once with back-off: busy, timing out, throttled. */
export function isRetryableStatus(status: number, message: string): boolean {
  if (status === 408 || status === 429) return true;
  if (status === 500 && /Import error/i.test(message)) return false; // certificate rejected: retrying will not help
  return status >= 500 && status <= 599;
}

/**
 * Failures that will clear on their own (retry later) as opposed to ones that need a change of input or a human.
 * Beyond the retryable statuses: IPAM exhaustion, upgrade in progress, missing tenant, "in use" on delete,
 * a ref to an object not there yet, concurrent modification.
 */
export function isTransientFailure(status: number | undefined, message: string): boolean {
  if (status === undefined) return true; // transport error or timeout
  if (isRetryableStatus(status, message)) return true;
  if (status === 401 || status === 419 || status === 412) return true;
  if (status === 400 && /No available free IPs|VrfContext (object )?not found|Network object not found/i.test(message))
    return true;
  if (status === 403 && /disallowed during upgrade|does not exist|referred by/i.test(message)) return true;
  if (status === 404 && /not found/i.test(message)) return true;
  return false;
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, nowMs: number, capMs = 60_000): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  const secs = Number(text);
  if (Number.isFinite(secs)) return Math.min(capMs, Math.max(0, secs * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(capMs, Math.max(0, at - nowMs));
}

/** Full-jitter exponential back-off for attempt n (1-based), at least `floorMs` (e.g. Retry-After). */
export function backoffDelay(attempt: number, opts: BackoffOptions, floorMs = 0): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + (opts.random() * ceiling) / 2;
  return Math.max(floorMs, Math.round(jittered));
}
