/** One request as the simulator saw it. */
export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Normalised path (duplicate and trailing slashes removed). */
  path: string;
  query: string;
  /** Object type or endpoint (`login`, `initial-data`, `cluster/runtime`...). */
  type?: string;
  uuid?: string;
  /** Response status; 0 when the connection was dropped (injected timeout). */
  status: number;
  /** X-Avi-Tenant as sent (undefined when absent). */
  tenant?: string;
  client: string;
  /** Milliseconds since the epoch (simulator clock) when the request arrived. */
  time: number;
  /** Request body with credentials and keys masked. */
  body?: unknown;
}

export interface Counters {
  total: number;
  /** Requests that changed state or tried to (POST/PUT/PATCH/DELETE on /api, login excluded). */
  writes: number;
  byMethod: Record<string, number>;
  byType: Record<string, number>;
  byStatus: Record<string, number>;
  /** `"<METHOD> <type> <status>"` → count, e.g. `"POST pool 201"`. */
  byKey: Record<string, number>;
}

const SENSITIVE_KEYS = new Set(['password', 'token', 'key', 'passphrase']);

export function maskSecrets(v: unknown, depth = 0): unknown {
  if (depth > 20 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = SENSITIVE_KEYS.has(k) && typeof x === 'string' ? '***' : maskSecrets(x, depth + 1);
  }
  return out;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Request counters and a bounded request log. */
export class RequestRecorder {
  private log: RequestLogEntry[] = [];
  private counters: Counters = emptyCounters();
  private seq = 0;

  constructor(private readonly limit: number) {}

  nextSeq(): number {
    return ++this.seq;
  }

  record(entry: RequestLogEntry): void {
    this.log.push(entry);
    if (this.log.length > this.limit) this.log.splice(0, this.log.length - this.limit);
    const c = this.counters;
    const type = entry.type ?? '-';
    c.total++;
    if (WRITE_METHODS.has(entry.method) && entry.path.startsWith('/api/')) c.writes++;
    c.byMethod[entry.method] = (c.byMethod[entry.method] ?? 0) + 1;
    c.byType[type] = (c.byType[type] ?? 0) + 1;
    c.byStatus[String(entry.status)] = (c.byStatus[String(entry.status)] ?? 0) + 1;
    const key = `${entry.method} ${type} ${entry.status}`;
    c.byKey[key] = (c.byKey[key] ?? 0) + 1;
  }

  snapshot(): Counters {
    return structuredClone(this.counters);
  }

  entries(): RequestLogEntry[] {
    return [...this.log];
  }

  reset(): void {
    this.counters = emptyCounters();
    this.log = [];
  }
}

function emptyCounters(): Counters {
  return { total: 0, writes: 0, byMethod: {}, byType: {}, byStatus: {}, byKey: {} };
}
